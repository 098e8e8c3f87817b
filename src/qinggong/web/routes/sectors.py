"""行业: one sector's trends (raw and seasonally adjusted), growth, shares, contributions, provinces."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from qinggong.web import data
from qinggong.web.app import render
from qinggong.web.deps import Principal, get_store, require
from qinggong.web.download import table_response
from qinggong.web.routes.overview import cached, json_bytes

router = APIRouter()


@router.get("/api/v1/sectors", tags=["行业"], summary="有数据的行业（轻工业及细分行业在前）")
def api_sectors(
    request: Request,
    format: str | None = Query(None, description="csv 或 xlsx：下载整张表"),
    principal: Principal = require("data.read"),
):
    store = get_store(request)
    scope = principal.scope
    items = cached(request, data.cache_key(store, scope, "sectors"), lambda: data.sectors(store, scope))
    if format:
        return table_response(items, format, "行业列表")
    return {"items": items, "total": len(items)}


@router.get("/api/v1/sectors/{code}", tags=["行业"], summary="一个行业的序列（按指标分组）与分省最新值")
def api_sector(
    code: str,
    request: Request,
    region: str | None = Query(None, description="地区代码（默认全国，省级用户为本省）"),
    start: str | None = Query(None, description="起始期别 YYYY-MM"),
    principal: Principal = require("data.read"),
):
    store = get_store(request)
    scope = principal.scope

    def compute() -> dict[str, Any]:
        from qinggong.web.routes.integrations import sector_alerts, sector_signals

        detail = data.sector_detail(store, scope, code, region=region, start=start)
        detail["signals"] = sector_signals(store, scope, code, detail["region"])
        detail["alerts"] = sector_alerts(store, scope, code)
        return detail

    return json_bytes(request, data.cache_key(store, scope, "sector", code, region, start), compute)


@router.get("/sector", include_in_schema=False)
def sector_page(request: Request, code: str | None = None, principal: Principal = require("data.read")):
    store = get_store(request)
    items = data.sectors(store, principal.scope)
    if code is None and items:
        code = items[0]["code"]
    if code is not None and not principal.scope.industry_allowed(code):
        from qinggong.web.deps import Forbidden

        raise Forbidden(f"无权查看行业“{code}”")
    return render(request, "sector.html", principal, title="行业", sectors=items, code=code, code_name=data.industry_name(code) if code else None)
