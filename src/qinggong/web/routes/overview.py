"""总览: headline numbers, signal lights, this month's alerts and the plan's targets."""

from __future__ import annotations

import json
import threading
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from qinggong.web import data
from qinggong.web.app import render
from qinggong.web.deps import Principal, authenticate_request, get_store, require
from qinggong.web.modules import status as module_status
from qinggong.web.routes.integrations import alerts_summary, signals_summary, targets_summary

router = APIRouter()


_locks: dict[tuple, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock_for(key: tuple) -> threading.Lock:
    with _locks_guard:
        if len(_locks) > 2048:
            _locks.clear()
        return _locks.setdefault(key, threading.Lock())


def cached_in(cache: dict, key: tuple, compute):
    """Compute once per key: concurrent requests for the same key wait for the first one."""
    if key in cache:
        return cache[key]
    with _lock_for(key):
        if key not in cache:
            if len(cache) > 512:
                cache.clear()
            cache[key] = compute()
        return cache[key]


def cached(request: Request, key: tuple, compute):
    return cached_in(request.app.state.cache, key, compute)


PARTS = {"signals": signals_summary, "alerts": alerts_summary, "targets": targets_summary}


def overview_payload(request: Request, principal: Principal) -> dict[str, Any]:
    store = get_store(request)
    scope = principal.scope
    return cached(request, data.cache_key(store, scope, "overview"), lambda: data.overview(store, scope))


def overview_part(app, store, scope, part: str) -> dict[str, Any]:
    key = data.cache_key(store, scope, f"overview.{part}")
    return cached_in(app.state.cache, key, lambda: PARTS[part](store, scope))


def json_bytes(request: Request, key: tuple, compute) -> Response:
    """Cached, already-encoded JSON: big payloads are encoded once, not on every request."""
    body = cached(request, ("json",) + key, lambda: json.dumps(compute(), ensure_ascii=False, default=str).encode("utf-8"))
    return Response(content=body, media_type="application/json")


@router.get("/api/v1/overview", tags=["总览"], summary="总览：主要指标最新值与近两年走势")
def api_overview(request: Request, principal: Principal = require("data.read")) -> Response:
    store = get_store(request)
    scope = principal.scope
    return json_bytes(request, data.cache_key(store, scope, "overview"), lambda: data.overview(store, scope))


@router.get("/api/v1/overview/{part}", tags=["总览"], summary="总览的监测部分：signals 信号灯、alerts 本月预警、targets 工作方案目标")
def api_overview_part(part: str, request: Request, principal: Principal = require("data.read")) -> dict[str, Any]:
    if part not in PARTS:
        from qinggong.errors import UnknownCodeError

        raise UnknownCodeError(f"总览没有“{part}”部分：可选 {'、'.join(PARTS)}")
    return overview_part(request.app, get_store(request), principal.scope, part)


def warm_overview(app) -> None:
    """Compute the national overview parts once in the background after start-up: the signal
    lights need the whole monitoring panel, which takes seconds on the demo store."""
    import threading

    from qinggong.web.auth import User
    from qinggong.web.deps import Scope

    store = app.state.store
    scope = Scope(User(user_id=0, username="warm-up", role="analyst"))

    def run() -> None:
        for part in PARTS:
            try:
                overview_part(app, store, scope, part)
            except Exception:  # the request that needs it will report the problem
                pass

    threading.Thread(target=run, name="qinggong-warm-overview", daemon=True).start()


@router.get("/", include_in_schema=False)
def overview_page(request: Request):
    principal = authenticate_request(request)
    if principal.user.role == "enterprise":
        return RedirectResponse("/enterprise", status_code=303)
    if not principal.can("data.read"):
        return RedirectResponse("/login", status_code=303)
    request.state.principal = principal
    return render(request, "overview.html", principal, title="总览", modules=module_status())
