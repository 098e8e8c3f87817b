"""报告: generate and download the monthly operation report and the data release (qinggong.publish)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from qinggong.errors import InputError, UnknownCodeError
from qinggong.web.app import render
from qinggong.web.deps import Principal, get_store, require
from qinggong.web.modules import ModuleMissing, service

router = APIRouter()
MEDIA = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".html": "text/html; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv; charset=utf-8",
}


class BuildBody(BaseModel):
    kind: str = Field(default="report", description="report 运行报告 或 release 数据发布")
    period: str | None = Field(default=None, description="报告期 YYYY-MM（默认最新完整月份）")
    formats: list[str] | None = Field(default=None, description="报告：docx、pdf、html；数据发布：xlsx、csv、sdmx-csv（默认全部）")


def _files(root: Path) -> list[dict[str, Any]]:
    if not root.is_dir():
        return []
    items = []
    for path in sorted(root.glob("*/*"), key=lambda p: (p.parent.name, p.name), reverse=True):
        if path.is_file() and path.suffix.lower() in MEDIA:
            items.append({"period": path.parent.name, "name": path.name, "size": path.stat().st_size,
                          "url": f"/api/v1/reports/files/{path.parent.name}/{path.name}"})
    return items


@router.get("/api/v1/reports", tags=["报告"], summary="已生成的报告与数据发布文件")
def api_reports(request: Request, principal: Principal = require("report.read")) -> dict[str, Any]:
    service("publish", "build_report", "build_release", "latest_period")
    items = _files(request.app.state.reports_dir)
    return {"items": items, "total": len(items)}


@router.post("/api/v1/reports", tags=["报告"], summary="生成月度运行报告或数据发布", status_code=201)
def api_build(body: BuildBody, request: Request, principal: Principal = require("report.generate")) -> dict[str, Any]:
    build_report, build_release, latest_period = service("publish", "build_report", "build_release", "latest_period")
    store = get_store(request)
    period = body.period or latest_period(store)
    if not period:
        raise InputError("库中还没有可出报告的月份：请先导入统计数据", field="period")
    if body.kind not in ("report", "release"):
        raise InputError(f"未知的类型“{body.kind}”：可选 report（运行报告）、release（数据发布）", field="kind")
    out = request.app.state.reports_dir / period
    build = build_report if body.kind == "report" else build_release
    files = build(store, period, body.formats or "all", out)
    return {"period": period, "kind": body.kind, "files": [{"name": Path(f).name, "url": f"/api/v1/reports/files/{period}/{Path(f).name}"} for f in files]}


@router.get("/api/v1/reports/files/{period}/{name}", tags=["报告"], summary="下载一个报告文件")
def api_report_file(period: str, name: str, request: Request, principal: Principal = require("report.read")):
    root = request.app.state.reports_dir.resolve()
    path = (root / period / name).resolve()
    if root not in path.parents or not path.is_file() or path.suffix.lower() not in MEDIA:
        raise UnknownCodeError(f"没有报告文件“{period}/{name}”")
    return FileResponse(path, filename=path.name, media_type=MEDIA[path.suffix.lower()])


@router.get("/report", include_in_schema=False)
def report_page(request: Request, principal: Principal = require("report.read")):
    try:
        service("publish", "build_report", "build_release", "latest_period")
    except ModuleMissing as exc:
        return render(request, "missing.html", principal, title="报告", message=exc.message)
    return render(request, "report.html", principal, title="报告", can_generate=principal.can("report.generate"))
