"""data.stats.gov.cn exports and tables laid out like them.

Header lines (数据库：…, 指标：…, 时间：…) and footnotes (注：…, 数据来源：…) are read as
metadata. Layouts: indicators × months (指标 then one column per period), 分省 (地区 as rows,
the indicator named in the 指标： line, or in a 指标 column next to 地区), months × indicators
(时间 as the first column: read as a wide sheet), single-period cross-section tables (rows =
industries with a 代码 column, columns = measures; the period comes from the 时间： line or the
file name, and the report says so), and attribute tables whose value columns carry the year in
their name (权重_2012 … 权重_2025: one annual series per row and column label, the label naming
what the numbers are; text attribute columns such as 门类 or 上中下游 are listed, not imported).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from qinggong.ingest.periods import parse_period
from qinggong.ingest.recognize import normalize
from qinggong.ingest.table import SERIES_COLUMNS, RawTable, block_to_cells, column_letter
from qinggong.ingest.tabular import Sheet
from qinggong.ingest.wide import is_note

HEADER_KEYS = ("数据库", "指标", "时间", "地区", "频度", "单位")
DIMENSION_HEADERS = {
    "指标": "label", "指标名称": "label", "项目": "label", "名称": "label",
    "地区": "region_text", "地区名称": "region_text", "省份": "region_text",
    "行业": "industry_text", "行业名称": "industry_text", "大类行业": "industry_text", "中类行业": "industry_text",
    "代码": "code_text", "行业代码": "code_text",
    "单位": "unit_text", "计量单位": "unit_text",
}


def header_lines(sheet: Sheet) -> tuple[dict, int]:
    """Leading `数据库：月度数据`-style lines → metadata; returns (meta, first row after them)."""
    meta: dict = {}
    cells = sheet.cells
    i = 0
    while i < len(cells):
        first = normalize(cells.iat[i, 0])
        rest_empty = (cells.iloc[i, 1:] == "").all()
        m = re.match(r"^(数据库|指标|时间|地区|频度|单位)[:：](.*)$", first)
        if m and rest_empty:
            meta[m.group(1)] = m.group(2).strip()
            i += 1
            continue
        if first == "" and rest_empty:
            i += 1
            continue
        break
    return meta, i


def _profile(meta: dict) -> str:
    return "nbs_export" if "数据库" in meta else "nbs_table"


def read_rows(sheet: Sheet, header_row: int, meta: dict, first_period_col: int) -> RawTable:
    """One series per row; columns from `first_period_col` on are periods."""
    cells = sheet.cells
    n_rows, n_cols = cells.shape
    header = cells.iloc[header_row].astype(str).str.strip().to_numpy()
    table = RawTable(sheet, "nbs", _profile(meta), pd.DataFrame(), pd.DataFrame(), meta=dict(meta))
    dim_roles = {}
    for j in range(first_period_col):
        role = DIMENSION_HEADERS.get(normalize(header[j]))
        if role is None and j == 0:
            role = "label"
        if role is None:
            role = "label_extra"
        dim_roles[j] = role
    period_cols = [j for j in range(first_period_col, n_cols) if header[j] != ""]
    unnamed = [j for j in range(first_period_col, n_cols) if header[j] == ""]
    rows = []
    for i in range(header_row + 1, n_rows):
        first = cells.iat[i, 0]
        rest = cells.iloc[i, 1:]
        if normalize(first) == "" and (rest == "").all():
            continue
        if is_note(first) and (rest == "").all():
            table.notes.append(str(first).strip())
            continue
        rows.append(i)
    series = {c: [] for c in SERIES_COLUMNS}
    for i in rows:
        texts = {role: str(cells.iat[i, j]).strip() for j, role in dim_roles.items()}
        # The indicator is named in the row (指标 column) or, for 分省 tables, in the 指标： line.
        label = texts.get("label") or meta.get("指标") or ""
        if texts.get("label_extra"):
            label = f"{label}:{texts['label_extra']}"
        series["label"].append(label)
        series["unit_text"].append(texts.get("unit_text") or None)
        series["region_text"].append(texts.get("region_text") or None)
        industry = texts.get("industry_text") or None
        series["industry_text"].append(texts.get("code_text") or industry)
        series["indicator_text"].append(None)
        series["measure_text"].append(None)
        series["freq_text"].append(None)
        series["where"].append(f"第 {i + 1} 行")
    table.series = pd.DataFrame(series)
    if not rows or not period_cols:
        table.cells = pd.DataFrame(columns=["sid", "period_text", "value_text", "row", "column"])
        return table
    r = np.array(rows, dtype=int)
    block = np.char.strip(cells.iloc[r, period_cols].astype(str).to_numpy().astype(str)).astype(object)
    col_names = np.array([column_letter(j) for j in period_cols], dtype=object)
    periods = np.array([header[j] for j in period_cols], dtype=object)
    table.cells = block_to_cells(block, r + 1, col_names, np.arange(len(rows)), periods, series_axis=0)
    for j in unnamed:
        col = cells.iloc[r, j].astype(str).str.strip()
        for k in np.flatnonzero(col.to_numpy() != ""):
            table.reject(int(r[k]) + 1, column_letter(j), "该列没有期别表头，无法确定数据所属时间", col.iloc[k])
    return table


_YEAR_SUFFIX = re.compile(r"^(?P<label>.*?[^\d\s_\-])[\s_\-]*(?P<year>(?:19|20)\d{2})年?$")


def year_suffixed_columns(header: list[str]) -> dict[int, tuple[str, str]]:
    """Columns named `<label>_<year>` (权重_2012) → {column: (label, year)}; empty unless at least two."""
    found = {}
    for j, text in enumerate(header):
        if j == 0:
            continue
        m = _YEAR_SUFFIX.match(normalize(text))
        if m and parse_period(m.group("label")) is None:
            found[j] = (m.group("label"), m.group("year"))
    return found if len(found) >= 2 else {}


def read_year_columns(sheet: Sheet, header_row: int, meta: dict, year_cols: dict[int, tuple[str, str]]) -> RawTable:
    """One annual series per row and column label; the column label is the measure (权重 → SHARE).

    Values that are all within [0, 1] are read as decimals (0.036 = 3.6 %), and the report says so.
    """
    cells = sheet.cells
    n_rows, n_cols = cells.shape
    header = cells.iloc[header_row].astype(str).str.strip().to_numpy()
    table = RawTable(sheet, "nbs", _profile(meta), pd.DataFrame(), pd.DataFrame(), meta=dict(meta))
    attribute_cols = [j for j in range(1, n_cols) if j not in year_cols and header[j] != ""]
    rows = []
    for i in range(header_row + 1, n_rows):
        first = cells.iat[i, 0]
        if normalize(first) == "" and (cells.iloc[i, 1:] == "").all():
            continue
        if is_note(first) and (cells.iloc[i, 1:] == "").all():
            table.notes.append(str(first).strip())
            continue
        rows.append(i)
    if attribute_cols:
        listed = "、".join(f"列 {column_letter(j)}“{header[j]}”" for j in attribute_cols)
        table.notes.append(f"{listed}是文字属性（如“{cells.iat[rows[0], attribute_cols[0]] if rows else ''}”），"
                           "不是数值，未作为观测值导入")
    labels = list(dict.fromkeys(label for label, _ in year_cols.values()))
    series = {c: [] for c in SERIES_COLUMNS}
    sids, periods, values, row_nums, col_names = [], [], [], [], []
    for label in labels:
        cols = [j for j, (lab, _) in year_cols.items() if lab == label]
        block = np.char.strip(cells.iloc[rows, cols].astype(str).to_numpy().astype(str)) if rows else np.empty((0, 0))
        numbers = pd.to_numeric(pd.Series(block.reshape(-1)), errors="coerce").dropna()
        decimals = len(numbers) > 0 and bool(((numbers >= 0) & (numbers <= 1)).all())
        if decimals:
            table.notes.append(f"“{label}”各列数值均在 0 到 1 之间，按小数比例读取并换算为 %（0.036 → 3.6）")
        for k, i in enumerate(rows):
            sid = len(series["label"])
            series["label"].append(str(cells.iat[i, 0]).strip())
            series["unit_text"].append("小数" if decimals else None)
            series["region_text"].append(None)
            series["industry_text"].append(None)
            series["indicator_text"].append(None)
            series["measure_text"].append(label)
            series["freq_text"].append("年")
            series["where"].append(f"第 {i + 1} 行（{label}）")
            for c, j in enumerate(cols):
                if block[k, c] == "":
                    continue
                sids.append(sid)
                periods.append(year_cols[j][1])
                values.append(str(block[k, c]))
                row_nums.append(i + 1)
                col_names.append(column_letter(j))
    table.series = pd.DataFrame(series)
    table.cells = pd.DataFrame({"sid": np.array(sids, dtype="int64"), "period_text": periods, "value_text": values,
                                "row": np.array(row_nums, dtype="int64"), "column": col_names})
    return table


def period_from_name(file_name: str) -> str | None:
    m = re.search(r"(?<!\d)(20\d{2})(0[1-9]|1[0-2])(?!\d)", file_name)
    return f"{m.group(1)}-{m.group(2)}" if m else None


def read_cross_section(sheet: Sheet, header_row: int, meta: dict) -> RawTable:
    """Rows = industries (代码 / 行业 columns), columns = indicator×measure, one period for the table."""
    cells = sheet.cells
    n_rows, n_cols = cells.shape
    header = cells.iloc[header_row].astype(str).str.strip().to_numpy()
    table = RawTable(sheet, "nbs", "nbs_table", pd.DataFrame(), pd.DataFrame(), meta=dict(meta))
    period = None
    if meta.get("时间") and parse_period(meta["时间"]):
        period = meta["时间"]
        table.notes.append(f"期别取自表头“时间：{period}”")
    else:
        found = period_from_name(sheet.file)
        if found:
            period = found
            table.notes.append(f"表内没有期别，按文件名取为 {found}")
    roles = {j: DIMENSION_HEADERS.get(normalize(header[j])) for j in range(n_cols)}
    name_cols = [j for j, r in roles.items() if r in ("label", "industry_text")]
    code_cols = [j for j, r in roles.items() if r == "code_text"]
    skip = {j for j in range(n_cols) if normalize(header[j]) in ("序号", "")}
    value_cols = [j for j in range(n_cols) if roles[j] is None and j not in skip]
    series = {c: [] for c in SERIES_COLUMNS}
    sids, periods, values, row_nums, col_names = [], [], [], [], []
    for i in range(header_row + 1, n_rows):
        first = cells.iat[i, 0]
        if (cells.iloc[i] == "").all():
            continue
        if is_note(first) and (cells.iloc[i, 1:] == "").all():
            table.notes.append(str(first).strip())
            continue
        code = next((str(cells.iat[i, j]).strip() for j in code_cols if str(cells.iat[i, j]).strip()), "")
        name = ""
        for j in reversed(name_cols):  # the most detailed name column that is filled (中类 before 大类)
            text = str(cells.iat[i, j]).strip()
            if text:
                name = text
                break
        industry = code or name
        for j in value_cols:
            sid = len(series["label"])
            series["label"].append(header[j])
            series["unit_text"].append(None)
            series["region_text"].append(None)
            series["industry_text"].append(industry if industry else None)
            series["indicator_text"].append(None)
            series["measure_text"].append(None)
            series["freq_text"].append(None)
            series["where"].append(f"第 {i + 1} 行 列 {column_letter(j)}（{name or code}）")
            text = str(cells.iat[i, j]).strip()
            if text == "":
                continue
            sids.append(sid)
            periods.append(period or "")
            values.append(text)
            row_nums.append(i + 1)
            col_names.append(column_letter(j))
    table.series = pd.DataFrame(series)
    table.cells = pd.DataFrame({"sid": np.array(sids, dtype="int64"), "period_text": periods, "value_text": values,
                                "row": np.array(row_nums, dtype="int64"), "column": col_names})
    if period is None and sids:
        table.notes.append("表内和文件名都没有期别：所有数值无法确定时间")
    return table
