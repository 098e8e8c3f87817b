"""地区: provinces ranked by one indicator (a ranked chart; no map file is shipped)."""

from __future__ import annotations


from fastapi import APIRouter, Query, Request

from qinggong.web import data
from qinggong.web.app import render
from qinggong.web.deps import Principal, get_store, require
from qinggong.web.download import table_response
from qinggong.web.routes.overview import cached

router = APIRouter()


@router.get("/api/v1/regions", tags=["地区"], summary="分省排名：某指标组合最新（或指定）期的各省数值")
def api_regions(
    request: Request,
    indicator: str | None = Query(None, description="指标代码，如 OUTPUT"),
    industry: str | None = Query(None, description="行业代码"),
    product: str | None = Query(None, description="产品代码"),
    measure: str | None = Query(None, description="计量方式，如 M、YTD、YOY_M"),
    period: str | None = Query(None, description="期别 YYYY-MM（默认最新）"),
    format: str | None = Query(None, description="csv 或 xlsx：下载排名表"),
    principal: Principal = require("data.read"),
):
    store = get_store(request)
    scope = principal.scope
    result = cached(
        request,
        data.cache_key(store, scope, "regions", indicator, industry, product, measure, period),
        lambda: data.region_ranking(
            store, scope, indicator=indicator, industry=industry, product=product, measure=measure, period=period
        ),
    )
    if format:
        return table_response(result["ranking"], format, "分省排名")
    return result


@router.get("/region", include_in_schema=False)
def region_page(request: Request, principal: Principal = require("data.read")):
    return render(request, "region.html", principal, title="地区")
