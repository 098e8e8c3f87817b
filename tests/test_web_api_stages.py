"""API of the areas served by later stages — 预警 (monitor), 企业直报 (collect), 调度 (plan),
导入 (ingest), 报告 (publish) — every endpoint × role, allowed and forbidden, with scope, on both
backends, through the stages' real service functions."""

from __future__ import annotations

import io
import uuid
from contextlib import ExitStack

import openpyxl
import pandas as pd
import pytest

from qinggong.store import Store
from qinggong.web.app import create_app
from qinggong.web.security import WebSettings
from conftest import postgres_schema
from test_web_api import ROLE_USERS, login, make_users, seed_observations

collect = pytest.importorskip("qinggong.collect")
monitor_service = pytest.importorskip("qinggong.monitor.service")
plan = pytest.importorskip("qinggong.plan")

OWN = ROLE_USERS["enterprise"]["enterprise_id"]
PERIOD = "2025-03"
GOOD = {"rev_m": 100, "rev_ytd": 300, "cost_m": 80, "cost_ytd": 240, "profit_m": 10, "profit_ytd": 30, "export_m": 5,
        "export_ytd": 15, "inv_eop": 50, "ar_eop": 40, "emp_m": 120, "orders_m": 90, "orders_ytd": 270}
READERS = {"admin", "analyst", "province", "association", "readonly"}


def _registry(other: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"统一社会信用代码": OWN, "企业名称": "测试家具有限公司", "行业代码": "2110", "地区代码": "440300", "规模": "中型", "开业日期": "2010-01-01"},
            {"统一社会信用代码": other, "企业名称": "另一家具有限公司", "行业代码": "2110", "地区代码": "110105", "规模": "小型", "开业日期": "2012-05-01"},
        ]
    )


@pytest.fixture(scope="module", params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def web(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("stages")
    with ExitStack() as cleanup:
        url = str(folder / "web.duckdb") if request.param == "duckdb" else cleanup.enter_context(postgres_schema())
        store = cleanup.enter_context(Store.open(url))
        seed_observations(store)
        other = collect.make_credit_code("110105", 7)
        collect.register_enterprises(store, _registry(other), actor="test")
        make_users(store)
        period = monitor_service.latest_period(store)
        monitor_service.run_warnings(store, period)
        plan.open_round(store, title="测试调度", period="2025-11", deadline="2099-12-31", reporters=["440000", "110000"], actor="test")
        app = create_app(store, settings=WebSettings(reports_dir=str(folder / "reports")))
        clients = {role: login(app, f"u_{role}") for role in ROLE_USERS}
        yield {"app": app, "store": store, "clients": clients, "other": other}


def _status_by_role(web, method, path, **kwargs):
    return {role: client.request(method, path, **kwargs).status_code for role, client in web["clients"].items()}


def _allowed(statuses, roles):
    for role, status in statuses.items():
        expected = (200, 201) if role in roles else (403,)
        assert status in expected, f"{role}: {status}"


# ------------------------------------------------------------------------------------------ alerts
def test_alert_endpoints_by_role_and_scope(web):
    _allowed(_status_by_role(web, "GET", "/api/v1/alerts"), READERS)
    everything = web["clients"]["analyst"].get("/api/v1/alerts?page_size=5000").json()["items"]
    assert everything, "the seeded negative growth should raise alerts"
    assert {a["region_code"] for a in everything} >= {"000000", "110000"}
    province = web["clients"]["province"].get("/api/v1/alerts?page_size=5000").json()["items"]
    assert all(a["region_code"].startswith("44") for a in province)
    association = web["clients"]["association"].get("/api/v1/alerts?page_size=5000").json()["items"]
    assert association and all(a["industry_code"].startswith("21") for a in association)
    assert web["clients"]["province"].get("/api/v1/alerts?region=000000").status_code == 403
    csv = web["clients"]["readonly"].get("/api/v1/alerts?format=csv")
    assert csv.status_code == 200 and "alert_id" in csv.content.decode("utf-8-sig").splitlines()[0]


def test_overview_monitoring_parts_come_from_the_stages(web):
    signals = web["clients"]["analyst"].get("/api/v1/overview/signals").json()
    assert signals["available"] and signals["items"], signals
    assert {s["light"] for s in signals["items"]} <= {"红", "黄", "绿", "浅蓝", "蓝"}
    alerts = web["clients"]["analyst"].get("/api/v1/overview/alerts").json()
    assert alerts["available"] and alerts["total"] == len(
        web["clients"]["analyst"].get(f"/api/v1/alerts?period={alerts['period']}&page_size=5000").json()["items"])
    province = web["clients"]["province"].get("/api/v1/overview/alerts").json()
    assert all("广东" in a["title"] for a in province["items"])
    targets = web["clients"]["readonly"].get("/api/v1/overview/targets").json()
    assert targets["available"] and {t["target_id"] for t in targets["items"]} == {t["target_id"] for t in plan.targets_progress(web["store"])}
    assert web["clients"]["analyst"].get("/api/v1/overview/weather").status_code == 404


def test_analyst_acknowledges_an_alert_and_it_is_audited(web):
    store = web["store"]
    items = web["clients"]["analyst"].get("/api/v1/alerts?status=新&region=110000").json()["items"]
    alert_id = items[0]["alert_id"]
    for role in ("readonly", "association", "enterprise"):
        assert web["clients"][role].post(f"/api/v1/alerts/{alert_id}/acknowledge", json={"comment": "x"}).status_code == 403
    # a province may act on its own province only
    assert web["clients"]["province"].post(f"/api/v1/alerts/{alert_id}/acknowledge", json={}).status_code == 403
    done = web["clients"]["analyst"].post(f"/api/v1/alerts/{alert_id}/acknowledge", json={"comment": "已通知北京市经信局"})
    assert done.status_code == 200 and done.json()["status"] == "已知悉"
    history = web["clients"]["analyst"].get(f"/api/v1/alerts/{alert_id}/history").json()["items"]
    assert history[-1]["actor"] == "u_analyst" and history[-1]["comment"] == "已通知北京市经信局"
    again = web["clients"]["analyst"].post(f"/api/v1/alerts/{alert_id}/acknowledge", json={})
    assert again.status_code == 400  # 已知悉 cannot be acknowledged twice
    assert web["clients"]["analyst"].post(f"/api/v1/alerts/{alert_id}/explode", json={}).status_code == 400
    audit = store.backend.fetch_df("SELECT actor FROM audit_log WHERE object_type = 'alert' AND object_id = ?", [str(alert_id)])
    assert list(audit["actor"]) == ["u_analyst"]


# ------------------------------------------------------------------------------------ enterprise
def test_enterprise_endpoints_by_role(web):
    _allowed(_status_by_role(web, "GET", f"/api/v1/enterprise/form?credit_code={OWN}"), {"admin", "analyst", "enterprise"})
    _allowed(_status_by_role(web, "GET", f"/api/v1/enterprise/reports?credit_code={OWN}"), {"admin", "analyst", "enterprise"})
    enterprise = web["clients"]["enterprise"]
    assert enterprise.get(f"/api/v1/enterprise/form?credit_code={web['other']}").status_code == 403
    assert enterprise.get("/api/v1/enterprise/form").json()["enterprise"]["credit_code"] == OWN
    body = {"period": "2025-04", "values": GOOD, "credit_code": OWN}
    assert web["clients"]["analyst"].post("/api/v1/enterprise/reports", json=body).status_code == 403


def test_enterprise_submits_with_an_error_fixes_it_and_submits(web):
    client = web["clients"]["enterprise"]
    bad = {"period": PERIOD, "values": {**GOOD, "rev_m": -5}}
    live = client.post("/api/v1/enterprise/validate", json=bad).json()
    assert live["ok"] is False and any(f["rule_id"] == "H1" and f["field"] == "rev_m" for f in live["findings"])
    refused = client.post("/api/v1/enterprise/reports", json=bad)
    assert refused.status_code == 400
    assert any(f["rule_id"] == "H1" for f in refused.json()["error"]["findings"])
    assert client.get(f"/api/v1/enterprise/reports?period={PERIOD}").json()["total"] == 0
    ok = client.post("/api/v1/enterprise/reports", json={"period": PERIOD, "values": GOOD, "explanation": "数据属实"})
    assert ok.status_code == 201, ok.text
    reports = client.get(f"/api/v1/enterprise/reports?period={PERIOD}").json()["items"]
    assert len(reports) == 1 and reports[0]["credit_code"] == OWN and reports[0]["status"] == "SUBMITTED"
    assert reports[0]["created_by"] == "u_enterprise" and reports[0]["rev_m"] == 100
    history = client.get(f"/api/v1/enterprise/reports/{PERIOD}/history").json()
    assert [v["version"] for v in history["versions"]] == [1]
    # other enterprises' reports stay invisible; ministry roles see all
    assert client.get(f"/api/v1/enterprise/reports?credit_code={web['other']}").status_code == 403
    assert web["clients"]["analyst"].get("/api/v1/enterprise/reports").json()["total"] >= 1


def test_enterprise_reports_product_output_through_the_api(web):
    client = web["clients"]["enterprise"]
    form = client.get("/api/v1/enterprise/form").json()
    catalog = {p["code"]: p for p in form["products"]}
    assert catalog["FURNITURE"]["unit_name"] == "万件" and "YARN" not in catalog  # light products only
    body = {"period": "2025-06", "values": GOOD, "explanation": "数据属实",
            "products": [{"product": "家具", "unit": "件", "output_m": 5000, "output_ytd": 30000}]}
    wrong = {**body, "products": [{"product": "家具", "unit": "吨", "output_m": 5000, "output_ytd": 30000}]}
    live = client.post("/api/v1/enterprise/validate", json=wrong)
    assert live.status_code == 400 and live.json()["error"]["field"] == "计量单位"
    refused = client.post("/api/v1/enterprise/reports", json=wrong)
    assert refused.status_code == 400 and "应为万件" in refused.json()["error"]["message"]
    assert client.get("/api/v1/enterprise/reports?period=2025-06").json()["total"] == 0
    sent = client.post("/api/v1/enterprise/reports", json=body)
    assert sent.status_code == 201, sent.text
    stored = web["store"].backend.fetchall(
        "SELECT p.product, p.unit, p.output_m, p.output_ytd FROM enterprise_report_product p"
        " JOIN enterprise_report r ON r.report_id = p.report_id WHERE r.period = '2025-06'")
    assert stored == [("FURNITURE", "PCS_10K", 0.5, 3.0)]
    history = client.get("/api/v1/enterprise/reports/2025-06/history").json()
    assert [(p["product_name"], p["unit_name"], p["output_ytd"]) for p in history["products"]] == [("家具", "万件", 3.0)]
    # The next form lists the product reported last time.
    assert client.get("/api/v1/enterprise/form").json()["last_products"] == [{"product": "FURNITURE", "unit_name": "万件"}]


def test_enterprise_template_download_and_upload(web):
    client = web["clients"]["enterprise"]
    template = client.get("/api/v1/enterprise/template?period=2025-05")
    assert template.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    sheet = [ws for ws in book.worksheets if ws.cell(1, 1).value == "统一社会信用代码"][0]
    codes = [sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)]
    assert codes == [OWN]  # only its own enterprise
    for j, column in enumerate(GOOD, start=4):
        sheet.cell(2, j).value = GOOD[column]
    assert sheet.cell(1, 4 + len(GOOD)).value == "说明"
    sheet.cell(2, 4 + len(GOOD)).value = "4月停产检修，未报送"
    buffer = io.BytesIO()
    book.save(buffer)
    files = {"file": ("filled.xlsx", buffer.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
    uploaded = client.post("/api/v1/enterprise/upload", files=files, data={"period": "2025-05"})
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["reports"] == 1
    assert client.get("/api/v1/enterprise/reports?period=2025-05").json()["items"][0]["credit_code"] == OWN


# ------------------------------------------------------------------------------------------ plan
def test_plan_endpoints_by_role(web):
    _allowed(_status_by_role(web, "GET", "/api/v1/plan/status"), READERS)
    _allowed(_status_by_role(web, "GET", "/api/v1/plan/targets"), READERS)
    _allowed(_status_by_role(web, "GET", "/api/v1/plan/rounds"), READERS)
    round_body = {"title": f"轮次{uuid.uuid4().hex[:4]}", "period": "2025-12", "deadline": "2099-01-31", "reporters": ["440000"]}
    statuses = {role: c.post("/api/v1/plan/rounds", json=round_body | {"title": f"{role}轮"}).status_code for role, c in web["clients"].items()}
    _allowed(statuses, {"admin", "analyst"})


def test_province_reports_progress_for_its_own_province_only(web):
    rounds = web["clients"]["analyst"].get("/api/v1/plan/rounds").json()["items"]
    round_id = [r for r in rounds if r["title"] == "测试调度"][0]["round_id"]
    task_id = plan.list_tasks(web["store"]).iloc[0]["task_id"]
    from qinggong.plan.rounds import status_values

    progress = status_values()[1]
    province = web["clients"]["province"]
    assert province.post(f"/api/v1/plan/rounds/{round_id}/submissions", json={"task_id": task_id, "reporter": "110000"}).status_code == 403
    done = province.post(f"/api/v1/plan/rounds/{round_id}/submissions", json={"task_id": task_id, "task_status": progress, "narrative": "已部署"})
    assert done.status_code == 201, done.text
    assert web["clients"]["readonly"].post(f"/api/v1/plan/rounds/{round_id}/submissions", json={"task_id": task_id}).status_code == 403
    admin = web["clients"]["admin"].post(
        f"/api/v1/plan/rounds/{round_id}/submissions", json={"task_id": task_id, "task_status": progress, "reporter": "110000", "narrative": "北京"}
    )
    assert admin.status_code == 201
    mine = province.get(f"/api/v1/plan/rounds/{round_id}").json()
    assert {s["reporter_code"] for s in mine["submissions"]} == {"440000"}
    assert [r["code"] for r in mine["round"]["reporters"]] == ["440000"]
    everyone = web["clients"]["analyst"].get(f"/api/v1/plan/rounds/{round_id}").json()
    assert {s["reporter_code"] for s in everyone["submissions"]} == {"440000", "110000"}


# ------------------------------------------------------------------------------- import and report
def test_import_endpoint_by_role_with_dry_run(web, real_data):
    pytest.importorskip("qinggong.ingest")
    source = sorted(real_data.glob("07_*.csv"))[0]
    before = web["store"].counts()["observations"]
    for role, client in web["clients"].items():
        files = {"files": (source.name, source.read_bytes(), "text/csv")}
        response = client.post("/api/v1/imports", files=files, data={"dry_run": "true"})
        if role in ("admin", "analyst"):
            assert response.status_code == 200, response.text
            body = response.json()
            assert body["dry_run"] is True and body["observations"] > 100
            assert body["files"][0]["file"] == source.name
        else:
            assert response.status_code == 403
    assert web["store"].counts()["observations"] == before
    garbage = {"files": ("bad.csv", "这不是一张统计表\n".encode("utf-8"), "text/csv")}
    refused = web["clients"]["analyst"].post("/api/v1/imports", files=garbage, data={"dry_run": "false"})
    assert refused.status_code == 400 and refused.json()["error"]["file"] == "bad.csv"


def test_report_endpoints_by_role(web):
    pytest.importorskip("qinggong.publish")
    _allowed(_status_by_role(web, "GET", "/api/v1/reports"), READERS)
    for role in ("province", "readonly", "enterprise", "association"):
        assert web["clients"][role].post("/api/v1/reports", json={"kind": "release", "formats": ["csv"]}).status_code == 403
    built = web["clients"]["analyst"].post("/api/v1/reports", json={"kind": "release", "period": "2025-09", "formats": ["csv"]})
    assert built.status_code == 201, built.text
    url = built.json()["files"][0]["url"]
    listed = web["clients"]["readonly"].get("/api/v1/reports").json()["items"]
    assert url in {f["url"] for f in listed}
    assert web["clients"]["readonly"].get(url).status_code == 200
    assert web["clients"]["enterprise"].get(url).status_code == 403
    assert web["clients"]["readonly"].get("/api/v1/reports/files/2025-09/..%2F..%2Fweb.duckdb").status_code in (403, 404)
