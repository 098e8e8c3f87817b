"""数据: series browser with search, chart, vintage history and download; observations; catalogs."""

from __future__ import annotations


from fastapi import APIRouter, Query, Request

from qinggong.errors import InputError
from qinggong.web import data
from qinggong.web.app import render
from qinggong.web.deps import Principal, get_store, require
from qinggong.web.download import paginate, table_response

router = APIRouter()

PAGE = Query(1, ge=1, description="页码（从 1 开始）")
PAGE_SIZE = Query(100, ge=1, le=5000, description="每页行数（最多 5000）")
FORMAT = Query(None, description="csv 或 xlsx：下载全部结果（不分页）")


@router.get("/api/v1/series", tags=["数据"], summary="序列列表：按指标、行业、地区等筛选，支持搜索与分页")
def api_series(
    request: Request,
    indicator: str | None = Query(None, description="指标代码，如 VA"),
    industry: str | None = Query(None, description="行业代码，如 21 或 LI"),
    region: str | None = Query(None, description="地区代码，如 000000"),
    measure: str | None = Query(None, description="计量方式，如 YOY_M"),
    dataflow: str | None = Query(None, description="数据流：OFFICIAL、ENTERPRISE、DERIVED"),
    product: str | None = Query(None, description="产品代码"),
    search: str | None = Query(None, description="在序列键与中文名称中搜索"),
    page: int = PAGE,
    page_size: int = PAGE_SIZE,
    format: str | None = FORMAT,
    principal: Principal = require("data.read"),
):
    frame = data.list_series(
        get_store(request),
        principal.scope,
        search=search,
        indicator=indicator,
        industry=industry,
        region=region,
        measure=measure,
        dataflow=dataflow,
        product=product,
    )
    if format:
        return table_response(frame, format, "序列列表")
    return paginate(data.frame_records(frame), page, page_size)


@router.get("/api/v1/series/{key}", tags=["数据"], summary="一条序列的观测值（可指定 as_of 版本时点）")
def api_series_detail(
    key: str,
    request: Request,
    as_of: str | None = Query(None, description="版本时点：返回该时点的数据状态，如 2025-11-30"),
    start: str | None = Query(None, description="起始期别"),
    end: str | None = Query(None, description="截止期别"),
    format: str | None = FORMAT,
    principal: Principal = require("data.read"),
):
    detail = data.series_detail(get_store(request), principal.scope, key, as_of=as_of, start=start, end=end)
    if format:
        return table_response(detail["observations"], format, key)
    return detail


@router.get("/api/v1/series/{key}/history", tags=["数据"], summary="一条序列的全部版本（修订历史）")
def api_series_history(
    key: str,
    request: Request,
    format: str | None = FORMAT,
    principal: Principal = require("data.read"),
):
    history = data.series_history(get_store(request), principal.scope, key)
    if format:
        return table_response(history["observations"], format, f"{key}-版本")
    return history


@router.get("/api/v1/observations", tags=["数据"], summary="观测值（长表）：按指标、行业、地区、期别、版本筛选")
def api_observations(
    request: Request,
    indicator: str | None = Query(None),
    industry: str | None = Query(None),
    region: str | None = Query(None),
    measure: str | None = Query(None),
    dataflow: str | None = Query(None),
    product: str | None = Query(None),
    series_key: list[str] | None = Query(None, description="一个或多个序列键"),
    start: str | None = Query(None, description="起始期别 YYYY-MM"),
    end: str | None = Query(None, description="截止期别 YYYY-MM"),
    period: str | None = Query(None, description="单一期别（等同 start=end）"),
    as_of: str | None = Query(None, description="版本时点"),
    page: int = PAGE,
    page_size: int = PAGE_SIZE,
    format: str | None = FORMAT,
    principal: Principal = require("data.read"),
):
    if period:
        start = end = period
    filters = dict(indicator=indicator, industry=industry, region=region, measure=measure, dataflow=dataflow, product=product)
    if not series_key and not any(filters.values()):
        raise InputError("请至少给出一个筛选条件（indicator、industry、region、measure、dataflow、product 或 series_key）", field="indicator")
    frame = data.read_observations(
        get_store(request), principal.scope, keys=series_key, as_of=as_of, start=start, end=end, **filters
    )
    if format:
        return table_response(frame, format, "观测值")
    total = len(frame)
    part = frame.iloc[(page - 1) * page_size : page * page_size]
    return {"items": data.observations_payload(part), "page": page, "page_size": page_size, "total": total}


@router.get("/api/v1/catalog/{kind}", tags=["数据"], summary="参考目录：indicators、industries、regions、units、products")
def api_catalog(kind: str, request: Request, format: str | None = FORMAT, principal: Principal = require("session")):
    from qinggong import catalog

    functions = {"indicators": "indicators", "industries": "industries", "regions": "regions", "units": "units", "products": "products"}
    if kind not in functions:
        raise InputError(f"未知的目录“{kind}”：可选 {'、'.join(functions)}", field="kind")
    frame = getattr(catalog, functions[kind])()
    if format:
        return table_response(frame, format, kind)
    items = data.frame_records(frame)
    return {"items": items, "total": len(items)}


@router.get("/data", include_in_schema=False)
def data_page(request: Request, principal: Principal = require("data.read")):
    return render(request, "data.html", principal, title="数据")


@router.get("/data/series", include_in_schema=False)
def series_page(request: Request, key: str, principal: Principal = require("data.read")):
    detail = data.series_detail(get_store(request), principal.scope, key)
    return render(request, "series.html", principal, title=detail["label"], key=key, detail=detail)
