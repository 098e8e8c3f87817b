"""Login, logout, the current user and personal API tokens."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from qinggong.web import auth
from qinggong.web.app import render
from qinggong.web.data import frame_records
from qinggong.web.deps import Principal, get_store, require
from qinggong.web.security import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    clear_session_cookie,
    client_ip,
    new_login_csrf,
    set_login_csrf_cookie,
    set_session_cookie,
    tokens_match,
)

router = APIRouter()


class LoginBody(BaseModel):
    username: str = Field(description="用户名")
    password: str = Field(description="口令")


class TokenBody(BaseModel):
    name: str | None = Field(default=None, description="令牌用途说明")
    days: int | None = Field(default=90, ge=1, le=3650, description="有效天数")


def _safe_next(target: str | None) -> str:
    parts = urlsplit(target or "/")
    if parts.scheme or parts.netloc or not (target or "/").startswith("/") or (target or "").startswith("//"):
        return "/"
    return target or "/"


def _home(user: auth.User) -> str:
    return "/enterprise" if user.role == "enterprise" else "/"


@router.get("/login", include_in_schema=False)
def login_page(request: Request, next: str = "/"):
    token = new_login_csrf()
    response = render(request, "login.html", None, login_csrf=token, next=_safe_next(next), error=None)
    set_login_csrf_cookie(response, request, request.app.state.settings, token)
    return response


@router.post("/login", include_in_schema=False)
def login_form(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    csrf_token: str = Form(""),
    next: str = Form("/"),
):
    settings = request.app.state.settings
    store = get_store(request)

    def fail(message: str, status: int):
        token = new_login_csrf()
        response = render(request, "login.html", None, status_code=status, login_csrf=token, next=_safe_next(next), error=message, username=username)
        set_login_csrf_cookie(response, request, settings, token)
        return response

    if not tokens_match(request.cookies.get(LOGIN_CSRF_COOKIE), csrf_token):
        return fail("登录表单已过期，请重新输入", 403)
    try:
        user = auth.authenticate(store, username, password, client_ip=client_ip(request), limit=settings.rate_limit)
    except auth.RateLimited as exc:
        return fail(str(exc), 429)
    except auth.AuthError as exc:
        return fail(str(exc), 401)
    token, _ = auth.create_session(store, user, client_ip=client_ip(request))
    target = _safe_next(next)
    response = RedirectResponse(_home(user) if target == "/" else target, status_code=303)
    set_session_cookie(response, request, settings, token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@router.post("/logout", include_in_schema=False)
def logout_form(request: Request, principal: Principal = require("session")):
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        auth.end_session(get_store(request), token, actor=principal.user.username)
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response)
    return response


@router.post("/api/v1/auth/login", tags=["账户"], summary="登录，取得会话 Cookie 与 CSRF 令牌")
def api_login(body: LoginBody, request: Request):
    settings = request.app.state.settings
    store = get_store(request)
    try:
        user = auth.authenticate(store, body.username, body.password, client_ip=client_ip(request), limit=settings.rate_limit)
    except auth.AuthError as exc:
        from fastapi.responses import JSONResponse

        return JSONResponse({"error": {"message": str(exc)}}, status_code=401)
    token, csrf = auth.create_session(store, user, client_ip=client_ip(request))
    from fastapi.responses import JSONResponse

    response = JSONResponse({"user": user.as_dict(), "csrf_token": csrf})
    set_session_cookie(response, request, settings, token)
    return response


@router.post("/api/v1/auth/logout", tags=["账户"], summary="退出登录")
def api_logout(request: Request, principal: Principal = require("session")) -> dict[str, Any]:
    token = request.cookies.get(SESSION_COOKIE)
    if principal.via == "session" and token:
        auth.end_session(get_store(request), token, actor=principal.user.username)
    return {"logged_out": True}


@router.get("/api/v1/me", tags=["账户"], summary="当前用户、角色与可用权限")
def me(principal: Principal = require("session")) -> dict[str, Any]:
    from qinggong.web.deps import PERMISSIONS

    return {
        "user": principal.user.as_dict(),
        "via": principal.via,
        "csrf_token": principal.csrf_token,
        "permissions": sorted(p for p in PERMISSIONS if principal.can(p)),
    }


@router.get("/api/v1/tokens", tags=["账户"], summary="本人的 API 令牌")
def list_tokens(request: Request, principal: Principal = require("session")) -> dict[str, Any]:
    return {"items": frame_records(auth.list_api_tokens(get_store(request), principal.user))}


@router.post("/api/v1/tokens", tags=["账户"], summary="新建 API 令牌（明文只返回这一次）", status_code=201)
def create_token(body: TokenBody, request: Request, principal: Principal = require("session")) -> dict[str, Any]:
    created = auth.create_api_token(get_store(request), principal.user, name=body.name, days=body.days)
    return {**created, "expires_at": created["expires_at"].isoformat() if created["expires_at"] else None}


@router.delete("/api/v1/tokens/{token_id}", tags=["账户"], summary="吊销 API 令牌")
def revoke_token(token_id: int, request: Request, principal: Principal = require("session")) -> dict[str, Any]:
    auth.revoke_api_token(get_store(request), principal.user, token_id)
    return {"token_id": token_id, "revoked": True}
