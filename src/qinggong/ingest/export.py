"""Export stored observations: CSV (long, codes and Chinese names), XLSX (the same, plus one
wide sheet), SDMX-CSV 1.0 and 2.0 (with OBS_STATUS and CONF_STATUS), readable back by
`import_files` with identical observations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from qinggong import catalog
from qinggong.errors import InputError, QinggongError
from qinggong.ingest.sdmx import format_value, to_sdmx_frame
from qinggong.store import Store
from qinggong.store.keys import MEASURE_LABELS
from qinggong.store.repository import STATUS_CODES

EXPORT_FORMATS = ("csv", "xlsx", "sdmx-csv")
LONG_COLUMNS = ["series_key", "dataflow", "freq", "indicator", "industry", "region", "product", "measure", "unit",
                "period", "value", "status", "conf_status", "span", "note"]


def _name(kind: str, code: str) -> str:
    try:
        if kind == "indicator":
            return catalog.indicator(code).name
        if kind == "industry":
            return {"_T": "全部规模以上工业", "_Z": "不适用", "LI": "轻工业"}.get(code) or catalog.industry(code).name
        if kind == "region":
            return catalog.region(code).name
        if kind == "product":
            return "不适用" if code == "_Z" else catalog.product(code).name
        if kind == "unit":
            return catalog.unit(code).name
    except QinggongError:
        return ""
    return ""


def select_observations(store: Store, *, keys: list[str] | None = None, as_of: str | None = None,
                        start: str | None = None, end: str | None = None, **filters: Any) -> pd.DataFrame:
    filters = {k: v for k, v in filters.items() if v}
    obs = store.read_observations(keys or None, as_of=as_of, start=start, end=end, **filters)
    if obs.empty:
        raise InputError("没有符合条件的观测值可导出（检查筛选条件，或先用 qinggong import 导入数据）")
    return obs


def long_frame(obs: pd.DataFrame) -> pd.DataFrame:
    out = obs[LONG_COLUMNS].copy()
    out["value"] = [format_value(v) for v in out["value"].to_numpy(dtype="float64")]
    out["note"] = out["note"].astype(object).where(out["note"].notna(), "")
    for kind in ("indicator", "industry", "region", "product", "unit"):
        names = {c: _name(kind, c) for c in out[kind].unique()}
        out[f"{kind}_name"] = out[kind].map(names)
    out["measure_name"] = out["measure"].map(MEASURE_LABELS).fillna("")
    out["status_name"] = out["status"].map(STATUS_CODES).fillna("")
    return out


def export_observations(store: Store, out: str | Path, *, format: str = "csv", sdmx_version: str = "2.0",
                        **selection: Any) -> dict[str, Any]:
    if format not in EXPORT_FORMATS:
        raise InputError(f"未知的导出格式“{format}”：可选 {'、'.join(EXPORT_FORMATS)}", field="format")
    if sdmx_version not in ("1.0", "2.0"):
        raise InputError(f"SDMX-CSV 版本只能是 1.0 或 2.0，收到“{sdmx_version}”", field="sdmx_version")
    obs = select_observations(store, **selection)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if format == "sdmx-csv":
        frame = to_sdmx_frame(obs, sdmx_version)
        frame.to_csv(out, index=False, encoding="utf-8")
    elif format == "csv":
        long_frame(obs).to_csv(out, index=False, encoding="utf-8-sig")
    else:
        frame = long_frame(obs)
        wide = obs.pivot_table(index="period", columns="series_key", values="value", aggfunc="first").sort_index()
        with pd.ExcelWriter(out, engine="openpyxl") as writer:
            frame.to_excel(writer, sheet_name="观测值", index=False)
            wide.to_excel(writer, sheet_name="宽表")
    store.record_audit("export", object_type="observations", object_id=format, file_name=out.name,
                       rows_in=len(obs), details={"format": format, "sdmx_version": sdmx_version if format == "sdmx-csv" else None,
                                                  "selection": {k: v for k, v in selection.items() if v}})
    return {"file": str(out), "format": format, "observations": int(len(obs)), "series": int(obs["series_key"].nunique()),
            "sdmx_version": sdmx_version if format == "sdmx-csv" else None}
