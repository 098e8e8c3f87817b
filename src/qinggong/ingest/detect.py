"""Which reader a sheet needs (`--format auto`), and the source profile that decides how the
file's zeros are read (see conventions.yaml)."""

from __future__ import annotations

from qinggong.errors import InputError
from qinggong.ingest import long as long_reader
from qinggong.ingest import nbs, sdmx, wide
from qinggong.ingest.periods import parse_period, period_share
from qinggong.ingest.recognize import normalize
from qinggong.ingest.table import RawTable
from qinggong.ingest.tabular import Sheet

FORMATS = ("auto", "nbs", "wide", "long", "sdmx")


def _header_row(sheet: Sheet, start: int) -> int:
    """First row from `start` with at least two filled cells (banner lines have one)."""
    cells = sheet.cells
    for i in range(start, min(len(cells), start + 30)):
        if (cells.iloc[i] != "").sum() >= 2:
            return i
    return start


def _vendor_profile(sheet: Sheet, header_row: int, header: list[str]) -> str:
    cells = sheet.cells
    banner = " ".join(str(cells.iat[i, 0]) for i in range(header_row))
    first_col = {normalize(cells.iat[i, 0]) for i in range(header_row + 1, min(len(cells), header_row + 8))}
    labels = [h for h in header[1:] if h.strip()]
    if "wind" in banner.lower() or "万得" in banner or (
        normalize(header[0]) == "指标名称" and sum(":" in normalize(h) for h in labels) >= len(labels) / 2
    ):
        return "wind"
    if "频度" in first_col or "中经网" in banner or "ceidata" in banner.lower():
        return "ceidata"
    return "vendor"


def read_table(sheet: Sheet, fmt: str = "auto") -> RawTable:
    if fmt not in FORMATS:
        raise InputError(f"未知的格式“{fmt}”：可选 {'、'.join(FORMATS)}", field="format")
    meta, start = nbs.header_lines(sheet)
    header_row = _header_row(sheet, start)
    cells = sheet.cells
    header = [str(h) for h in cells.iloc[header_row].tolist()]
    where = dict(file=sheet.file, sheet=sheet.name)
    version = sdmx.sdmx_version(header)
    if fmt in ("auto", "sdmx") and version:
        return sdmx.read_sdmx(sheet, header_row)
    if fmt == "sdmx":
        raise InputError("不是 SDMX-CSV：表头应含 DATAFLOW（1.0）或 STRUCTURE,STRUCTURE_ID（2.0）以及 TIME_PERIOD、OBS_VALUE", **where)
    if fmt in ("auto", "long") and long_reader.looks_long(header):
        return long_reader.read_long(sheet, header_row)
    if fmt == "long":
        raise InputError("不是长表：表头应至少含 指标(indicator)、期别(period)、数值(value) 三列", row=header_row + 1, **where)
    # Periods across the header → one series per row (data.stats.gov.cn 指标 × 月份, 分省).
    header_periods = [j for j, h in enumerate(header) if parse_period(h) is not None]
    filled = [h for h in header[1:] if h.strip()]
    if header_periods and len(header_periods) >= max(1, len(filled) // 2) and fmt in ("auto", "nbs"):
        return nbs.read_rows(sheet, header_row, meta, header_periods[0])
    # Periods down the first column → one series per column (terminals; NBS 时间 × 指标).
    first_col = [str(v) for v in cells.iloc[header_row + 1:, 0].tolist()]
    if period_share(first_col) >= 0.5 and fmt in ("auto", "wide", "nbs"):
        if "数据库" in meta or fmt == "nbs":
            return wide.read_wide(sheet, header_row, meta, "nbs_export" if "数据库" in meta else "nbs_table", fmt="nbs")
        return wide.read_wide(sheet, header_row, meta, _vendor_profile(sheet, header_row, header))
    if fmt in ("auto", "nbs") and any(normalize(h) in ("代码", "行业代码") for h in header):
        return nbs.read_cross_section(sheet, header_row, meta)
    year_cols = nbs.year_suffixed_columns(header)
    if fmt in ("auto", "nbs") and year_cols:
        return nbs.read_year_columns(sheet, header_row, meta, year_cols)
    if fmt == "wide":
        raise InputError("不是宽表：第一列从表头下方起应为日期或期别（如 2025-11-30、2025年11月）", row=header_row + 2, column="A", **where)
    if fmt == "nbs":
        raise InputError("不是国家统计局导出表：表头行应含期别（如 2025年11月），或第一列为期别", row=header_row + 1, **where)
    raise InputError(
        "无法识别表格布局：既没有一行期别表头，也没有一列期别，也不是长表或 SDMX-CSV；"
        "可用 --format 指定格式，或用 --mapping 说明各列含义",
        row=header_row + 1, **where,
    )
