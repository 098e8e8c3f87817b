"""用户: accounts (admin only) and the audit log."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from qinggong.web import auth
from qinggong.web.app import render
from qinggong.web.data import frame_records
from qinggong.web.deps import Principal, get_store, require
from qinggong.web.download import table_response

router = APIRouter()


class NewUser(BaseModel):
    username: str = Field(description="用户名")
    password: str = Field(description="口令（至少 8 个字符）")
    role: str = Field(description="角色：admin、analyst、province、association、enterprise、readonly（或中文名称）")
    display_name: str | None = None
    region: str | None = Field(default=None, description="省级用户的省级行政区划代码")
    sectors: list[str] | None = Field(default=None, description="协会用户的行业代码")
    enterprise_id: str | None = Field(default=None, description="企业用户的企业标识")


class UserChange(BaseModel):
    password: str | None = None
    active: bool | None = None


@router.get("/api/v1/users", tags=["用户"], summary="用户列表（管理员）")
def api_users(request: Request, format: str | None = Query(None), principal: Principal = require("users.manage")):
    items = [u.as_dict() for u in auth.list_users(get_store(request))]
    if format:
        return table_response(items, format, "用户")
    return {"items": items, "total": len(items)}


@router.post("/api/v1/users", tags=["用户"], summary="新建用户（管理员）", status_code=201)
def api_add_user(body: NewUser, request: Request, principal: Principal = require("users.manage")) -> dict[str, Any]:
    user = auth.create_user(
        get_store(request),
        body.username,
        body.password,
        body.role,
        region=body.region,
        sectors=body.sectors,
        enterprise_id=body.enterprise_id,
        display_name=body.display_name,
        actor=principal.user.username,
    )
    return user.as_dict()


@router.patch("/api/v1/users/{username}", tags=["用户"], summary="改口令、停用或启用用户（管理员）")
def api_change_user(username: str, body: UserChange, request: Request, principal: Principal = require("users.manage")) -> dict[str, Any]:
    store = get_store(request)
    if body.password is not None:
        auth.set_password(store, username, body.password, actor=principal.user.username)
    if body.active is not None:
        auth.set_active(store, username, body.active, actor=principal.user.username)
    return auth.get_user(store, username).as_dict()


@router.get("/api/v1/audit", tags=["用户"], summary="审计日志（管理员）")
def api_audit(
    request: Request,
    limit: int = Query(200, ge=1, le=10000),
    format: str | None = Query(None),
    principal: Principal = require("audit.read"),
):
    frame = get_store(request).audit_log(limit)
    if format:
        return table_response(frame, format, "审计日志")
    return {"items": frame_records(frame), "total": len(frame)}


@router.get("/admin", include_in_schema=False)
def admin_page(request: Request, principal: Principal = require("users.manage")):
    store = get_store(request)
    return render(
        request,
        "admin.html",
        principal,
        title="用户",
        users=auth.list_users(store),
        roles=auth.ROLES,
        audit=frame_records(store.audit_log(50)),
    )
