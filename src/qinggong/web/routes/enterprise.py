"""企业直报: the enterprise's monthly form with live validation, submission history, template
download and upload; all through qinggong.collect (edit rules from qinggong.validate).

An enterprise user acts only for its own enterprise (credit code from the account); ministry
roles (admin, analyst) may name any enterprise with `credit_code`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field

from qinggong.errors import InputError
from qinggong.web.app import render
from qinggong.web.data import clean, frame_records
from qinggong.web.deps import Forbidden, Principal, get_store, require
from qinggong.web.download import table_response
from qinggong.web.modules import ModuleMissing, service

router = APIRouter()


def _collect():
    service("collect", "submit_report", "submit_reports", "list_reports", "report_history", "write_template", "read_template", "get_enterprise")
    import qinggong.collect as collect

    return collect


def _credit_code(principal: Principal, requested: str | None) -> str:
    user = principal.user
    if user.role == "enterprise":
        own = (user.enterprise_id or "").strip().upper()
        if requested and requested.strip().upper() != own:
            raise Forbidden("企业用户只能查看和报送本企业的数据")
        return own
    if not requested:
        raise InputError("请指定企业的统一社会信用代码", field="credit_code")
    return requested.strip().upper()


class ProductRow(BaseModel):
    product: str = Field(description="产品代码或名称（主要工业产品目录，见 /api/v1/catalog/products）")
    unit: str = Field(description="计量单位：目录单位或可换算的单位（如千升、吨）")
    output_m: float | None = Field(default=None, description="本月产量")
    output_ytd: float | None = Field(default=None, description="1-N月累计产量")


class ReportBody(BaseModel):
    period: str = Field(description="报告期 YYYY-MM")
    values: dict[str, float | None] = Field(description="表内项目：字段代码（如 rev_m）→ 数值")
    products: list[ProductRow] = Field(default_factory=list, description="主要产品产量，每种产品一行")
    explanation: str | None = Field(default=None, description="提示性审核未通过时的说明")
    draft: bool = Field(default=False, description="仅保存草稿")
    credit_code: str | None = Field(default=None, description="统一社会信用代码（企业用户可省略）")


def _findings(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    if frame is None or len(frame) == 0:
        return []
    columns = [c for c in ("rule_id", "severity", "field", "field_label", "message") if c in frame.columns]
    return frame_records(frame[columns])


def _rejection(exc: InputError) -> JSONResponse:
    body = {"error": exc.as_dict()}
    findings = getattr(exc, "findings", None)
    body["error"]["findings"] = _findings(findings)
    return JSONResponse(body, status_code=400)


@router.get("/api/v1/enterprise/form", tags=["企业直报"], summary="月报表的项目、单位与企业信息")
def api_form(request: Request, credit_code: str | None = Query(None), principal: Principal = require("enterprise.read")) -> dict[str, Any]:
    collect = _collect()
    code = _credit_code(principal, credit_code)
    info = {k: clean(v) for k, v in collect.get_enterprise(get_store(request), code).items()}
    fields = [
        {"column": f.column, "name": f.name, "item": f.item, "measure": f.measure, "unit_name": f.unit_name,
         "nonnegative": f.nonnegative, "jan_exempt": f.jan_exempt}
        for f in collect.FIELDS
    ]
    from qinggong.catalog import unit

    catalog = frame_records(collect.reportable_products()[["code", "name", "unit_name"]])
    last = collect.last_products(get_store(request), "9999-12", [code])
    return {"enterprise": info, "fields": fields, "statuses": dict(collect.STATUS_LABELS), "products": catalog,
            "last_products": [{"product": r.product, "unit_name": unit(r.unit).name} for r in last.itertuples()]}


@router.get("/api/v1/enterprise/reports", tags=["企业直报"], summary="本企业（或指定企业）的报送记录")
def api_reports(
    request: Request,
    credit_code: str | None = Query(None),
    period: str | None = Query(None),
    all_versions: bool = Query(False, description="包括被替代的旧版本"),
    format: str | None = Query(None),
    principal: Principal = require("enterprise.read"),
):
    collect = _collect()
    code = _credit_code(principal, credit_code) if principal.user.role == "enterprise" or credit_code else None
    frame = collect.list_reports(get_store(request), credit_code=code, period=period, all_versions=all_versions)
    if format:
        return table_response(frame, format, "企业报送记录")
    items = frame_records(frame)
    return {"items": items, "total": len(items)}


@router.get("/api/v1/enterprise/reports/{period}/history", tags=["企业直报"], summary="一期报表的全部版本、流转记录与审核结果")
def api_report_history(period: str, request: Request, credit_code: str | None = Query(None), principal: Principal = require("enterprise.read")):
    collect = _collect()
    code = _credit_code(principal, credit_code)
    history = collect.report_history(get_store(request), code, period)
    return {key: frame_records(value) for key, value in history.items()}


def _product_frame(code: str, body: ReportBody) -> pd.DataFrame | None:
    """The form's product rows as the submission reads them (rows numbered from 1 in messages)."""
    if not body.products:
        return None
    frame = pd.DataFrame([{"credit_code": code, "period": body.period, **row.model_dump()} for row in body.products])
    frame["_row"] = range(1, len(frame) + 1)
    return frame


@router.post("/api/v1/enterprise/validate", tags=["企业直报"], summary="在线审核（不保存）：返回全部未通过的审核规则")
def api_validate(body: ReportBody, request: Request, principal: Principal = require("enterprise.submit")):
    _collect()
    from qinggong.collect.reports import normalize_products, normalize_reports
    from qinggong.validate import validate_reports

    code = _credit_code(principal, body.credit_code)
    frame = pd.DataFrame([{"credit_code": code, "period": body.period, **body.values}])
    try:
        products = normalize_products(_product_frame(code, body))
        findings = validate_reports(get_store(request), normalize_reports(frame), products=products)
    except InputError as exc:
        return _rejection(exc)
    items = _findings(findings)
    return {"ok": not any(f["severity"] == "hard" for f in items), "findings": items}


@router.post("/api/v1/enterprise/reports", tags=["企业直报"], summary="报送月报（审核不通过时返回 400 与全部审核结果，数据不保存）", status_code=201)
def api_submit(body: ReportBody, request: Request, principal: Principal = require("enterprise.submit")):
    collect = _collect()
    code = _credit_code(principal, body.credit_code)
    report = {"credit_code": code, "period": body.period, **body.values}
    try:
        result = collect.submit_report(
            get_store(request), report, actor=principal.user.username, explanation=body.explanation, draft=body.draft,
            channel="web", products=_product_frame(code, body),
        )
    except InputError as exc:
        return _rejection(exc)
    return JSONResponse({k: clean(v) if not isinstance(v, list) else v for k, v in result.items()}, status_code=201)


@router.get("/api/v1/enterprise/template", tags=["企业直报"], summary="下载某报告期的 Excel 报表模板")
def api_template(request: Request, period: str = Query(..., description="报告期 YYYY-MM"), credit_code: str | None = Query(None), principal: Principal = require("enterprise.read")):
    collect = _collect()
    codes = [_credit_code(principal, credit_code)] if principal.user.role == "enterprise" or credit_code else None
    folder = Path(tempfile.mkdtemp(prefix="qg-template-"))
    path = folder / f"企业直报模板-{period}.xlsx"
    collect.write_template(get_store(request), period, path, credit_codes=codes)
    return FileResponse(path, filename=path.name, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@router.post("/api/v1/enterprise/upload", tags=["企业直报"], summary="上传填好的 Excel 模板报送", status_code=201)
async def api_upload(
    request: Request,
    file: UploadFile = File(..., description="填好的模板（.xlsx）"),
    period: str | None = Form(None, description="应为该报告期的模板"),
    principal: Principal = require("enterprise.submit"),
):
    collect = _collect()
    name = Path(file.filename or "upload.xlsx").name
    folder = Path(tempfile.mkdtemp(prefix="qg-upload-"))
    path = folder / name
    path.write_bytes(await file.read())
    try:
        reports, products, explanations = collect.read_template(path, expected_period=period or None)
        if principal.user.role == "enterprise":
            own = (principal.user.enterprise_id or "").upper()
            others = sorted({str(c).strip().upper() for c in reports["统一社会信用代码"]} - {own}) if "统一社会信用代码" in reports else []
            if others:
                raise Forbidden(f"模板中含有其他企业的数据（{'、'.join(others[:3])}）：企业用户只能报送本企业")
        reports.attrs["file"] = name
        result = collect.submit_reports(
            get_store(request), reports, actor=principal.user.username, explanation=explanations or None,
            products=products if len(products) else None, channel="excel", file=name,
        )
    except InputError as exc:
        return _rejection(exc)
    return JSONResponse({k: clean(v) if not isinstance(v, list) else v for k, v in result.items()}, status_code=201)


@router.get("/enterprise", include_in_schema=False)
def enterprise_page(request: Request, credit_code: str | None = None, principal: Principal = require("enterprise.read")):
    try:
        collect = _collect()
    except ModuleMissing as exc:
        return render(request, "missing.html", principal, title="企业直报", message=exc.message)
    code = (principal.user.enterprise_id or "") if principal.user.role == "enterprise" else (credit_code or "")
    return render(
        request, "enterprise.html", principal, title="企业直报", credit_code=code, fields=collect.FIELDS,
        can_submit=principal.can("enterprise.submit"),
    )
