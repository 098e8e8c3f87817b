"""The FastAPI application: REST API under /api/v1, Chinese pages, static assets served locally.

`create_app(db)` opens one Store for the process (DuckDB: one process; PostgreSQL: one store per
worker), mounts one router per area and turns errors into Chinese JSON (API) or pages (browser).
"""

from __future__ import annotations

import os
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from qinggong import __version__
from qinggong.errors import InputError, QinggongError, UnknownCodeError
from qinggong.store import Store, describe_url
from qinggong.web import auth
from qinggong.web.deps import CsrfFailed, Forbidden, NotAuthenticated, Principal
from qinggong.web.modules import ModuleMissing
from qinggong.web.security import SECURITY_HEADERS, WebSettings

WEB_DIR = Path(str(resources.files("qinggong.web")))
templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))

# (path, label, permission) in the order of the navigation bar.
NAVIGATION = [
    ("/", "总览", "data.read"),
    ("/sector", "行业", "data.read"),
    ("/region", "地区", "data.read"),
    ("/alerts", "预警", "alerts.read"),
    ("/data", "数据", "data.read"),
    ("/import", "导入", "data.import"),
    ("/enterprise", "企业直报", "enterprise.read"),
    ("/dispatch", "调度", "plan.read"),
    ("/report", "报告", "report.read"),
    ("/admin", "用户", "users.manage"),
]

ROUTER_MODULES = ["auth", "overview", "sectors", "regions", "data", "alerts", "imports", "enterprise", "dispatch", "reports", "admin"]


def render(request: Request, template: str, principal: Principal | None, status_code: int = 200, **context: Any) -> HTMLResponse:
    nav = []
    if principal is not None:
        nav = [(path, label) for path, label, permission in NAVIGATION if principal.can(permission)]
    return templates.TemplateResponse(
        request,
        template,
        {
            "principal": principal,
            "user": principal.user if principal else None,
            "csrf_token": principal.csrf_token if principal else None,
            "nav": nav,
            "active": request.url.path,
            "version": __version__,
            **context,
        },
        status_code=status_code,
    )


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _reports_dir(store: Store, settings: WebSettings) -> Path:
    from qinggong.store import default_db_path, is_postgres_url

    if settings.reports_dir:
        return Path(settings.reports_dir)
    if os.environ.get("QINGGONG_REPORTS_DIR"):
        return Path(os.environ["QINGGONG_REPORTS_DIR"])
    url = store.backend.url
    if is_postgres_url(url) or url == ":memory:":
        return default_db_path().parent / "reports"
    return Path(url).expanduser().resolve().parent / "reports"


def create_app(db: str | Store | None = None, *, settings: WebSettings | None = None, warm: bool = False) -> FastAPI:
    """The app on the store at `db` (path, postgresql://…, or an open Store)."""
    owns_store = not isinstance(db, Store)
    store = db if isinstance(db, Store) else Store.open(db)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        if owns_store:
            store.close()

    app = FastAPI(
        title="轻工业稳增长监测预警与调度平台 API",
        version=__version__,
        description="qinggong 的 REST API：字段名为英文；除登录外均需会话或 API 令牌（Authorization: Bearer …）。",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    auth.purge_expired(store)
    app.state.store = store
    app.state.settings = settings or WebSettings()
    app.state.cache = {}
    app.state.reports_dir = _reports_dir(store, app.state.settings)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path.startswith("/api/") or not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(NotAuthenticated)
    async def _unauthenticated(request: Request, exc: NotAuthenticated):
        if _wants_json(request):
            return JSONResponse({"error": {"message": "未登录或会话已过期：请先登录，或在 Authorization 头中提供 API 令牌"}}, status_code=401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden):
        if _wants_json(request) or isinstance(exc, CsrfFailed) and request.method != "GET":
            return JSONResponse({"error": {"message": exc.message}}, status_code=403)
        principal = getattr(request.state, "principal", None)
        return render(request, "error.html", principal, status_code=403, title="无权访问", message=exc.message)

    @app.exception_handler(ModuleMissing)
    async def _missing(request: Request, exc: ModuleMissing):
        return JSONResponse({"error": {"message": exc.message, "module": exc.stage}}, status_code=503)

    @app.exception_handler(auth.RateLimited)
    async def _rate(request: Request, exc: auth.RateLimited):
        return JSONResponse({"error": {"message": str(exc)}}, status_code=429, headers={"Retry-After": str(exc.retry_after)})

    @app.exception_handler(UnknownCodeError)
    async def _unknown(request: Request, exc: UnknownCodeError):
        if _wants_json(request):
            return JSONResponse({"error": {"message": str(exc)}}, status_code=404)
        principal = getattr(request.state, "principal", None)
        return render(request, "error.html", principal, status_code=404, title="未找到", message=str(exc))

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError):
        return JSONResponse({"error": exc.as_dict()}, status_code=400)

    @app.exception_handler(QinggongError)
    async def _qinggong(request: Request, exc: QinggongError):
        return JSONResponse({"error": {"message": str(exc)}}, status_code=400)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        problems = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("query", "body", "path"))
            problems.append({"field": where, "message": f"字段“{where}”的值不合法（{error.get('type')}）"})
        message = "；".join(p["message"] for p in problems) or "请求参数不合法"
        return JSONResponse({"error": {"message": message, "fields": problems}}, status_code=422)

    static_dir = WEB_DIR / "static"
    app.mount("/static", StaticFiles(directory=str(static_dir)), name="static")

    import importlib

    for name in ROUTER_MODULES:
        app.include_router(importlib.import_module(f"qinggong.web.routes.{name}").router)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> RedirectResponse:
        return RedirectResponse("/static/favicon.svg", status_code=301)

    @app.get("/api/v1/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(
            '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>qinggong API 文档</title>'
            '<link rel="stylesheet" href="/static/swagger/swagger-ui.css"></head><body><div id="swagger-ui"></div>'
            '<script src="/static/swagger/swagger-ui-bundle.js"></script><script src="/static/swagger/init.js"></script>'
            "</body></html>"
        )

    @app.get("/api/v1/health", tags=["系统"], summary="健康检查（无需登录）")
    def health() -> dict[str, Any]:
        return {"status": "ok", "version": __version__, "backend": store.backend.name}

    app.state.describe = describe_url(store.backend.url)
    _warm_up()
    if warm:
        from qinggong.web.routes.overview import warm_overview

        warm_overview(app)
    return app


def _warm_up() -> None:
    """Load the catalogs and the stage packages once at start-up, not in the first user's request."""
    from qinggong.web import data
    from qinggong.web.modules import STAGES, available, stage

    data.region_name("000000")
    data.industry_name("C")
    data.indicator_name("VA")
    for name in STAGES:
        if available(name):
            try:
                stage(name)
            except Exception:  # reported by the page that needs it
                pass


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` workers: the store address comes from QINGGONG_DB."""
    secure = os.environ.get("QINGGONG_SECURE_COOKIES")
    settings = WebSettings(secure_cookies=None if secure in (None, "", "auto") else secure == "1")
    return create_app(os.environ.get("QINGGONG_DB"), settings=settings, warm=True)
