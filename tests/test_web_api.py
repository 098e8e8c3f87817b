"""REST API: every endpoint × every role, allowed and forbidden; scope, disclosure, CSRF, downloads.

Runs on a real store on both backends (module-scoped app per backend) through FastAPI's TestClient.
"""

from __future__ import annotations

import io
import uuid
from contextlib import ExitStack

import openpyxl
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from conftest import postgres_schema
from qinggong.store import Store
from qinggong.web import auth
from qinggong.web.app import create_app

PASSWORD = "correct-horse-1"
ROLE_USERS = {
    "admin": {},
    "analyst": {},
    "province": {"region": "440000"},
    "association": {"sectors": ["21"]},
    "enterprise": {"enterprise_id": "91440300000000019B"},
    "readonly": {},
}
PERIODS = [p.strftime("%Y-%m") for p in pd.period_range("2024-01", "2025-10", freq="M")]
NATIONAL_KEY = "OFFICIAL.M.VA.21.000000._Z.YOY_M.PCT"
GD_KEY = "OFFICIAL.M.VA.21.440000._Z.YOY_M.PCT"
BJ_KEY = "OFFICIAL.M.VA.21.110000._Z.YOY_M.PCT"
GD_TEXTILE_KEY = "OFFICIAL.M.VA.17.440000._Z.YOY_M.PCT"
CONFIDENTIAL_PERIOD = "2025-10"


def seed_observations(store: Store) -> None:
    """Light industry and two sectors for 全国, 广东, 北京; one confidential cell per Guangdong series."""
    rows = []
    for industry, base in (("LI", 5.0), ("21", -3.0), ("17", 2.0)):
        for region, shift in (("000000", 0.0), ("440000", 1.0), ("110000", -1.0)):
            for i, period in enumerate(PERIODS):
                conf = "A" if region == "440000" and period == CONFIDENTIAL_PERIOD else "F"
                for indicator, measure, unit, value in (
                    ("VA", "YOY_M", "PCT", base + shift + 0.1 * i),
                    ("REV", "YTD", "CNY_100M", 1000 + 10 * i + 100 * shift),
                ):
                    rows.append(
                        {"indicator": indicator, "industry": industry, "region": region, "measure": measure,
                         "unit": unit, "period": period, "value": round(value, 4), "conf_status": conf}
                    )
    store.write_observations(pd.DataFrame(rows), source="测试数据", file_name="seed.csv")


def make_users(store: Store) -> None:
    for role, extra in ROLE_USERS.items():
        auth.create_user(store, f"u_{role}", PASSWORD, role, **extra)


def login(app, username: str) -> TestClient:
    client = TestClient(app)
    response = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return client


@pytest.fixture(scope="module", params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def web(request, tmp_path_factory):
    """An app on a seeded store with one logged-in client per role."""
    with ExitStack() as cleanup:
        if request.param == "duckdb":
            url = str(tmp_path_factory.mktemp("web") / "web.duckdb")
        else:
            url = cleanup.enter_context(postgres_schema())
        store = cleanup.enter_context(Store.open(url))
        seed_observations(store)
        make_users(store)
        app = create_app(store)
        clients = {role: login(app, f"u_{role}") for role in ROLE_USERS}
        yield {"app": app, "store": store, "clients": clients, "backend": request.param}


READERS = {"admin", "analyst", "province", "association", "readonly"}
EVERYONE = set(ROLE_USERS)

# (method, path, body, roles allowed). Paths are chosen inside every reader's scope
# (sector 21, Guangdong), so a 403 here can only come from the role check.
ENDPOINTS = [
    ("GET", "/api/v1/me", None, EVERYONE),
    ("GET", "/api/v1/overview", None, READERS),
    ("GET", "/api/v1/overview/targets", None, READERS),
    ("GET", "/api/v1/sectors", None, READERS),
    ("GET", "/api/v1/sectors/21?region=440000", None, READERS),
    ("GET", "/api/v1/regions", None, READERS),
    ("GET", "/api/v1/series", None, READERS),
    ("GET", f"/api/v1/series/{GD_KEY}", None, READERS),
    ("GET", f"/api/v1/series/{GD_KEY}/history", None, READERS),
    ("GET", "/api/v1/observations?indicator=VA&industry=21&region=440000", None, READERS),
    ("GET", "/api/v1/catalog/indicators", None, EVERYONE),
    ("GET", "/api/v1/tokens", None, EVERYONE),
    ("POST", "/api/v1/tokens", {"name": "matrix"}, EVERYONE),
    ("GET", "/api/v1/users", None, {"admin"}),
    ("GET", "/api/v1/audit", None, {"admin"}),
    ("POST", "/api/v1/users", "new-user", {"admin"}),
    ("PATCH", "/api/v1/users/u_readonly", {"active": True}, {"admin"}),
]


@pytest.mark.parametrize("method,path,body,allowed", ENDPOINTS, ids=[f"{m} {p.split('?')[0]}" for m, p, _, _ in ENDPOINTS])
def test_endpoint_by_role(web, method, path, body, allowed):
    for role, client in web["clients"].items():
        payload = body
        if body == "new-user":
            payload = {"username": f"n_{role}_{uuid.uuid4().hex[:6]}", "password": PASSWORD, "role": "readonly"}
        response = client.request(method, path, json=payload)
        if role in allowed:
            assert response.status_code in (200, 201), f"{role} {method} {path}: {response.status_code} {response.text}"
        else:
            assert response.status_code == 403, f"{role} {method} {path} should be forbidden: {response.status_code}"
            assert "无权" in response.json()["error"]["message"]


def test_openapi_document_lists_the_endpoints(web):
    doc = TestClient(web["app"]).get("/api/v1/openapi.json").json()
    for _, path, _, _ in ENDPOINTS:
        template = path.split("?")[0].replace(GD_KEY, "{key}").replace("/21", "/{code}").replace("u_readonly", "{username}").replace("/indicators", "/{kind}").replace("/overview/targets", "/overview/{part}")
        assert template in doc["paths"], template
    docs = TestClient(web["app"]).get("/api/v1/docs").text
    assert "/static/swagger/swagger-ui-bundle.js" in docs and "http" not in docs.split("<body>")[1]


def test_without_credentials_api_is_401_and_pages_redirect(web):
    anonymous = TestClient(web["app"])
    assert anonymous.get("/api/v1/overview").status_code == 401
    assert anonymous.get("/api/v1/health").json()["status"] == "ok"
    page = anonymous.get("/sector?code=21", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login?next=/sector")
    bogus = TestClient(web["app"], headers={"Authorization": "Bearer qg_not-a-token"})
    assert bogus.get("/api/v1/series").status_code == 401


def test_province_sees_only_its_province(web):
    client = web["clients"]["province"]
    items = client.get("/api/v1/series?page_size=1000").json()["items"]
    assert items and {i["region"] for i in items} == {"440000"}
    assert client.get(f"/api/v1/series/{NATIONAL_KEY}").status_code == 403
    assert client.get(f"/api/v1/series/{BJ_KEY}").status_code == 403
    assert client.get("/api/v1/observations?indicator=VA&region=000000").status_code == 403
    rows = client.get("/api/v1/observations?indicator=VA&page_size=5000").json()["items"]
    assert rows and {r["series_key"].split(".")[4] for r in rows} == {"440000"}
    overview = client.get("/api/v1/overview").json()
    assert overview["region"] == "440000" and overview["headlines"]
    assert all(".440000." in h["series_key"] for h in overview["headlines"])
    ranking = client.get("/api/v1/regions").json()["ranking"]
    assert [r["region"] for r in ranking] == ["440000"]


def test_association_sees_only_its_sectors(web):
    client = web["clients"]["association"]
    items = client.get("/api/v1/series?page_size=1000").json()["items"]
    assert items and {i["industry"] for i in items} == {"21"}
    assert client.get("/api/v1/sectors/LI").status_code == 403
    assert client.get("/api/v1/observations?industry=17").status_code == 403
    assert [s["code"] for s in client.get("/api/v1/sectors").json()["items"]] == ["21"]


def test_enterprise_user_has_no_series_access(web):
    client = web["clients"]["enterprise"]
    assert client.get("/api/v1/series").status_code == 403
    assert client.get(f"/api/v1/series/{GD_KEY}?format=csv").status_code == 403


def test_disclosure_control_hides_confidential_cells_from_roles_without_microdata(web):
    for role in ("province", "association", "readonly"):
        client = web["clients"][role]
        obs = client.get(f"/api/v1/series/{GD_KEY}").json()["observations"]
        assert obs and all(o["conf_status"] == "F" for o in obs)
        assert CONFIDENTIAL_PERIOD not in {o["period"] for o in obs}
        csv = client.get(f"/api/v1/series/{GD_KEY}?format=csv").content.decode("utf-8-sig")
        assert CONFIDENTIAL_PERIOD not in csv
        history = client.get(f"/api/v1/series/{GD_KEY}/history").json()["observations"]
        assert CONFIDENTIAL_PERIOD not in {o["period"] for o in history}
    for role in ("admin", "analyst"):
        obs = web["clients"][role].get(f"/api/v1/series/{GD_KEY}").json()["observations"]
        assert CONFIDENTIAL_PERIOD in {o["period"] for o in obs}


def test_filters_paging_and_search(web):
    client = web["clients"]["analyst"]
    all_items = client.get("/api/v1/series?indicator=VA&page_size=1000").json()
    assert all_items["total"] == 9 and {i["indicator"] for i in all_items["items"]} == {"VA"}
    page2 = client.get("/api/v1/series?indicator=VA&page=2&page_size=4").json()
    assert page2["page"] == 2 and len(page2["items"]) == 4
    assert page2["items"][0]["series_key"] == all_items["items"][4]["series_key"]
    found = client.get("/api/v1/series", params={"search": "家具"}).json()["items"]
    assert found and all(i["industry"] == "21" for i in found)
    one = client.get("/api/v1/observations", params={"series_key": NATIONAL_KEY, "period": "2024-03"}).json()
    assert one["total"] == 1 and one["items"][0]["value"] == pytest.approx(-3.0 + 0.2)
    assert client.get("/api/v1/observations").status_code == 400
    assert client.get("/api/v1/series?page=0").status_code == 422


def test_csv_and_xlsx_downloads(web):
    client = web["clients"]["analyst"]
    csv = client.get(f"/api/v1/series/{NATIONAL_KEY}?format=csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    frame = pd.read_csv(io.BytesIO(csv.content), encoding="utf-8-sig")
    assert len(frame) == len(PERIODS)
    assert frame.loc[frame["period"] == "2024-01", "value"].iloc[0] == pytest.approx(-3.0)
    xlsx = client.get("/api/v1/observations", params={"indicator": "REV", "region": "110000", "format": "xlsx"})
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, [c.value for c in r])) for r in sheet.iter_rows(min_row=2)]
    assert len(rows) == 3 * len(PERIODS)
    assert {r["region"] for r in rows} == {"110000"}
    assert client.get("/api/v1/series?format=pdf").status_code == 400
    listing = client.get("/api/v1/sectors?format=csv").content.decode("utf-8-sig")
    assert listing.splitlines()[0].startswith("code,name")


def test_as_of_returns_an_earlier_vintage(web):
    store = web["store"]
    key = "OFFICIAL.M.PROFIT.21.000000._Z.YOY_YTD.PCT"
    frame = pd.DataFrame({"series_key": [key], "period": ["2025-09"], "value": [1.5]})
    first = store.write_observations(frame, source="初值")
    first_at = store.backend.scalar("SELECT created_at FROM vintage WHERE vintage_id = ?", [first.vintage_id])
    store.write_observations(frame.assign(value=2.5), source="修订")
    client = web["clients"]["analyst"]
    latest = client.get(f"/api/v1/series/{key}").json()["observations"]
    assert [o["value"] for o in latest] == [2.5]
    stamp = pd.Timestamp(first_at).isoformat()
    earlier = client.get(f"/api/v1/series/{key}", params={"as_of": stamp}).json()["observations"]
    assert [o["value"] for o in earlier] == [1.5]
    history = client.get(f"/api/v1/series/{key}/history").json()
    assert [o["value"] for o in history["observations"]] == [1.5, 2.5] and len(history["vintages"]) == 2


def test_csrf_is_required_for_session_writes_but_not_for_tokens(web):
    app = web["app"]
    client = TestClient(app)
    csrf = client.post("/api/v1/auth/login", json={"username": "u_admin", "password": PASSWORD}).json()["csrf_token"]
    body = {"username": f"c_{uuid.uuid4().hex[:6]}", "password": PASSWORD, "role": "readonly"}
    refused = client.post("/api/v1/users", json=body)
    assert refused.status_code == 403 and "CSRF" in refused.json()["error"]["message"]
    assert client.post("/api/v1/users", json=body, headers={"X-CSRF-Token": "wrong"}).status_code == 403
    assert client.post("/api/v1/users", json=body, headers={"X-CSRF-Token": csrf}).status_code == 201
    token = client.post("/api/v1/tokens", json={"name": "ci"}, headers={"X-CSRF-Token": csrf}).json()
    bearer = TestClient(app, headers={"Authorization": f"Bearer {token['token']}"})
    body2 = {**body, "username": f"t_{uuid.uuid4().hex[:6]}"}
    assert bearer.post("/api/v1/users", json=body2).status_code == 201
    assert bearer.get("/api/v1/me").json()["via"] == "token"
    assert client.delete(f"/api/v1/tokens/{token['token_id']}", headers={"X-CSRF-Token": csrf}).status_code == 200
    assert bearer.get("/api/v1/me").status_code == 401


def test_every_write_is_audited_with_the_acting_user(web):
    store = web["store"]
    client = web["clients"]["admin"]
    name = f"a_{uuid.uuid4().hex[:6]}"
    assert client.post("/api/v1/users", json={"username": name, "password": PASSWORD, "role": "province", "region": "110000"}).status_code == 201
    assert client.patch(f"/api/v1/users/{name}", json={"password": "another-pass-2", "active": False}).status_code == 200
    audit = store.backend.fetch_df("SELECT actor, action FROM audit_log WHERE object_id = ? ORDER BY audit_id", [name])
    assert list(audit["action"]) == ["user.add", "user.passwd", "user.disable"]
    assert set(audit["actor"]) == {"u_admin"}
    bad = client.post("/api/v1/users", json={"username": "x_bad", "password": PASSWORD, "role": "province", "region": "12"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "region"


def test_session_cookie_flags(web):
    response = TestClient(web["app"]).post("/api/v1/auth/login", json={"username": "u_readonly", "password": PASSWORD})
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert "secure" not in cookie.replace("samesite", "")  # plain http test client: no Secure flag
    https = TestClient(web["app"], base_url="https://testserver").post(
        "/api/v1/auth/login", json={"username": "u_readonly", "password": PASSWORD}
    )
    assert "; secure" in https.headers["set-cookie"].lower()
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
