"""End to end in headless Chromium (Debian's /usr/bin/chromium via Python Playwright) against a real
uvicorn server on 127.0.0.1: every role logs in, the overview draws its charts without console
errors, a province sees only its province. Screenshots go to test-artifacts/ (gitignored)."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from test_web_api import GD_KEY, NATIONAL_KEY, PASSWORD, ROLE_USERS, make_users, seed_observations

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "web"
_SERVER_STORE: dict = {}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import uvicorn

    from qinggong.store import Store
    from qinggong.web.app import create_app

    if not Path(CHROMIUM).exists():
        pytest.fail(f"找不到 {CHROMIUM}：浏览器测试需要 Debian 的 chromium")
    store = Store.open(str(tmp_path_factory.mktemp("browser") / "web.duckdb"))
    seed_observations(store)
    make_users(store)
    _SERVER_STORE["store"] = store
    _seed_stages(store)
    port = _free_port()
    config = uvicorn.Config(create_app(store), host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not instance.started:
        if time.time() > deadline:
            pytest.fail("uvicorn 未能在 20 秒内启动")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)
    store.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield instance
        instance.close()


def _session(browser, server, role, *, width=1280):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 and "/login" not in r.url else None)
    external: list[str] = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(server) else None)
    page.goto(f"{server}/login")
    page.fill("input[name=username]", f"u_{role}")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("body[data-ready='1'] [data-testid=whoami]")
    return context, page, errors, external


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_each_role_logs_in_and_lands_on_its_home(browser, server, role):
    context, page, errors, external = _session(browser, server, role)
    try:
        assert f"u_{role}" in page.inner_text("[data-testid=whoami]")
        if role == "enterprise":
            assert page.url.endswith("/enterprise")
            assert page.locator("nav a", has_text="总览").count() == 0
        else:
            page.wait_for_selector("body[data-ready='1']", timeout=15000)
            cards = page.locator("[data-testid^=kpi-]")
            assert cards.count() >= 2
            assert page.locator("#headlines canvas").count() >= 2  # ECharts drew the sparklines
            assert page.locator("nav a", has_text="用户").count() == (1 if role == "admin" else 0)
        page.screenshot(path=str(ARTIFACTS / f"overview-{role}.png"), full_page=True)
        assert errors == [], errors
        assert external == [], f"页面请求了外部资源：{external}"
    finally:
        context.close()


def test_province_sees_only_its_province(browser, server):
    context, page, errors, _ = _session(browser, server, "province")
    try:
        page.wait_for_selector("body[data-ready='1']")
        assert "广东" in page.inner_text("#ov-region")
        page.goto(f"{server}/data")
        page.wait_for_selector("body[data-ready='1']")
        keys = page.locator("#series-table tbody code").all_inner_texts()
        assert keys and all(".440000." in k for k in keys)
        page.goto(f"{server}/region")
        page.wait_for_selector("#region-chart canvas")
        page.screenshot(path=str(ARTIFACTS / "region-province.png"), full_page=True)
        response = page.goto(f"{server}/data/series?key={NATIONAL_KEY}")
        assert response.status == 403 and "无权" in page.inner_text("main")
        page.goto(f"{server}/data/series?key={GD_KEY}")
        page.wait_for_selector("#series-chart canvas")
        assert page.locator("#obs-table tbody tr").count() > 0
        assert errors == [] or all("403" in e for e in errors), errors
    finally:
        context.close()


def test_analyst_browses_sector_data_and_downloads(browser, server):
    context, page, errors, _ = _session(browser, server, "analyst")
    try:
        page.goto(f"{server}/sector?code=21")
        page.wait_for_selector("body[data-ready='1']")
        assert page.locator("#sector canvas").count() >= 2
        page.screenshot(path=str(ARTIFACTS / "sector-analyst.png"), full_page=True)
        page.goto(f"{server}/data")
        page.wait_for_selector("#series-table tbody tr")
        page.fill("input[name=search]", "家具")
        with page.expect_response(lambda r: "search=" in r.url):
            page.click("#series-form button[type=submit]")
        page.wait_for_selector("#series-table tbody tr a:has-text('家具')")
        assert all(".21." in k for k in page.locator("#series-table tbody code").all_inner_texts())
        with page.expect_download() as info:
            page.click("#series-download")
        assert info.value.suggested_filename.endswith(".csv")
        assert errors == [], errors
    finally:
        context.close()


def test_mobile_layout_and_wrong_password(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{server}/login")
        page.fill("input[name=username]", "u_readonly")
        page.fill("input[name=password]", "wrong-password")
        page.click("button[type=submit]")
        assert "用户名或口令不正确" in page.inner_text("[role=alert]")
        page.fill("input[name=username]", "u_readonly")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("body[data-ready='1']")
        assert page.locator("nav").is_hidden()  # collapsed behind the menu button on a phone
        page.click("label.navbutton")
        assert page.locator("nav").is_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, f"页面在手机宽度下出现横向滚动：{width}px"
        page.screenshot(path=str(ARTIFACTS / "overview-mobile.png"), full_page=True)
    finally:
        context.close()


def _seed_stages(store) -> None:
    """Enterprise registry and alerts, when qinggong.collect and qinggong.monitor are installed."""
    try:
        import qinggong.collect as collect
        import qinggong.monitor.service as monitor_service
    except ImportError:
        return
    from test_web_api_stages import _registry

    collect.register_enterprises(store, _registry(collect.make_credit_code("110105", 7)), actor="test")
    monitor_service.run_warnings(store, monitor_service.latest_period(store))


@pytest.fixture(scope="module")
def stage_data(server):
    pytest.importorskip("qinggong.collect")
    pytest.importorskip("qinggong.monitor.service")
    return _SERVER_STORE["store"]


def test_enterprise_submits_with_a_validation_error_fixes_it_and_submits(browser, server, stage_data):
    from test_web_api_stages import GOOD

    context, page, errors, _ = _session(browser, server, "enterprise")
    try:
        page.wait_for_selector("#report-form")
        page.fill("#report-period", "2025-03")
        for column, value in GOOD.items():
            page.fill(f"input[name={column}]", str(value))
        page.fill("input[name=rev_m]", "-5")
        page.wait_for_selector("label[data-field=rev_m].bad")  # live validation marked the field
        page.click("#report-submit")
        page.wait_for_selector("[data-testid=submit-error]")
        assert "H1" in page.inner_text("#report-result")
        page.screenshot(path=str(ARTIFACTS / "enterprise-error.png"), full_page=True)
        # A product row in a unit that cannot be converted to the catalog's 万件: marked live.
        page.click("#product-add")
        row = page.locator("#product-table tr.product-row").last
        row.locator("input[name=product]").fill("FURNITURE")
        row.locator("input[name=unit]").fill("吨")
        row.locator("input[name=output_m]").fill("5000")
        row.locator("input[name=output_ytd]").fill("15000")
        page.wait_for_selector("#product-msg.bad")
        assert "万件" in page.inner_text("#product-msg")
        row.locator("input[name=unit]").fill("件")
        page.fill("input[name=rev_m]", "100")
        page.fill("textarea[name=explanation]", "首次报送")
        page.wait_for_selector("label[data-field=rev_m]:not(.bad)")
        page.wait_for_selector("#product-msg:not(.bad)", state="attached")
        page.click("#report-submit")
        page.wait_for_selector("[data-testid=submit-ok]")
        page.wait_for_selector("#report-history tbody tr")
        assert "已上报" in page.inner_text("#report-history")
        stored = stage_data.backend.fetchall(
            "SELECT p.product, p.unit, p.output_m, p.output_ytd FROM enterprise_report_product p"
            " JOIN enterprise_report r ON r.report_id = p.report_id JOIN enterprise_submission s"
            " ON s.submission_id = r.submission_id WHERE r.period = '2025-03' AND s.created_by = 'u_enterprise'")
        assert stored == [("FURNITURE", "PCS_10K", 0.5, 1.5)]
        page.screenshot(path=str(ARTIFACTS / "enterprise-submitted.png"), full_page=True)
        assert [e for e in errors if "400" not in e] == [], errors
    finally:
        context.close()


def test_analyst_acknowledges_an_alert(browser, server, stage_data):
    context, page, errors, _ = _session(browser, server, "analyst")
    try:
        page.goto(f"{server}/alerts")
        card = page.locator("section.alert[data-status='新']").first
        card.wait_for()
        alert_id = card.get_attribute("data-alert-id")
        card.locator("input[name=comment]").fill("已电话了解情况")
        card.locator("button[data-action=acknowledge]").click()
        page.wait_for_selector(f"section.alert[data-alert-id='{alert_id}'][data-status='已知悉']")
        page.screenshot(path=str(ARTIFACTS / "alerts-analyst.png"), full_page=True)
        assert errors == [], errors
    finally:
        context.close()
    history = stage_data.backend.fetch_df("SELECT actor, comment, to_status FROM alert_history WHERE alert_id = ? ORDER BY history_id", [int(alert_id)])
    assert history.iloc[-1].tolist() == ["u_analyst", "已电话了解情况", "已知悉"]
