"""Any table as CSV (UTF-8 with BOM, so Excel opens it) or XLSX."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

import pandas as pd
from fastapi.responses import Response

from qinggong.errors import InputError

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def table_response(rows: pd.DataFrame | list[dict[str, Any]], fmt: str, name: str) -> Response:
    fmt = (fmt or "").lower()
    if fmt not in FORMATS:
        raise InputError(f"不支持的下载格式“{fmt}”：可选 csv、xlsx", field="format")
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].map(lambda v: isinstance(v, (list, dict, tuple))).any():
            frame[column] = frame[column].map(lambda v: ",".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
    if fmt == "csv":
        body = frame.to_csv(index=False).encode("utf-8-sig")
    else:
        for column in frame.columns:  # Excel has no time zones and no objects
            if isinstance(frame[column].dtype, pd.DatetimeTZDtype):
                frame[column] = frame[column].dt.tz_localize(None)
        buffer = io.BytesIO()
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
            frame.to_excel(writer, index=False, sheet_name="data")
        body = buffer.getvalue()
    filename = f"{name}.{fmt}"
    return Response(
        body,
        media_type=FORMATS[fmt],
        headers={"Content-Disposition": f"attachment; filename=\"{fmt}-download.{fmt}\"; filename*=UTF-8''{quote(filename)}"},
    )


def paginate(items: list[dict[str, Any]], page: int, page_size: int) -> dict[str, Any]:
    total = len(items)
    start = (page - 1) * page_size
    return {"items": items[start : start + page_size], "page": page, "page_size": page_size, "total": total}
