"""导入: upload statistics files and import them with the same checks and feedback as
`qinggong import` (qinggong.ingest): per-file recognition, rejected cells with row and column,
a dry run that shows what would change."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, File, Form, Request, UploadFile

from qinggong.errors import InputError
from qinggong.web.app import render
from qinggong.web.data import clean
from qinggong.web.deps import Principal, get_store, require
from qinggong.web.modules import ModuleMissing, service

router = APIRouter()
MAX_UPLOAD_BYTES = 200 * 1024 * 1024


def _json(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    return clean(value)


@router.post("/api/v1/imports", tags=["导入"], summary="上传并导入统计数据文件（dry_run=true 只检查不写入）")
async def api_import(
    request: Request,
    files: list[UploadFile] = File(..., description="一个或多个 CSV/XLSX/XLS/SDMX-CSV 文件"),
    dry_run: bool = Form(False, description="只检查，不写入"),
    format: str = Form("auto", description="格式：auto 自动识别"),
    principal: Principal = require("data.import"),
) -> dict[str, Any]:
    (import_files,) = service("ingest", "import_files")
    folder = Path(tempfile.mkdtemp(prefix="qg-import-"))
    try:
        paths = []
        total = 0
        for upload in files:
            name = Path(upload.filename or "upload").name
            if not name:
                raise InputError("上传的文件没有文件名", field="files")
            body = await upload.read()
            total += len(body)
            if total > MAX_UPLOAD_BYTES:
                raise InputError(f"上传文件合计超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB", file=name)
            path = folder / name
            path.write_bytes(body)
            paths.append(path)
        report = import_files(get_store(request), paths, format=format, dry_run=dry_run, actor=principal.user.username)
        payload = _json(report.as_dict(changes=False))
        payload["unrecognised"] = _json(report.unrecognised)
        payload["rejected"] = _json(report.rejected)
        request.app.state.cache.clear()
        return payload
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@router.get("/import", include_in_schema=False)
def import_page(request: Request, principal: Principal = require("data.import")):
    try:
        service("ingest", "import_files")
    except ModuleMissing as exc:
        return render(request, "missing.html", principal, title="导入", message=exc.message)
    return render(request, "import.html", principal, title="导入")
