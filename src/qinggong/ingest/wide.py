"""Wide sheets with one series per column and one period per row.

Terminal exports (Wind, CEIdata 中经网, iFinD, Choice) and the transposed data.stats.gov.cn
layout (时间 as first column). Above the dates sit a header row of series names and, for some
terminals, rows of 频率/频度, 单位, 地区, 指标ID, 来源 …; above the header a banner. Dates may run
newest-first or oldest-first; rows after the data that are notes (注：, 数据来源：) are kept as notes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from qinggong.ingest.periods import parse_period
from qinggong.ingest.recognize import normalize
from qinggong.ingest.table import SERIES_COLUMNS, RawTable, block_to_cells, column_letter
from qinggong.ingest.tabular import Sheet

META_ROWS = {
    "单位": "unit_text",
    "地区": "region_text",
    "地区名称": "region_text",
    "频率": "freq_text",
    "频度": "freq_text",
    "行业": "industry_text",
}
NOTE_PREFIXES = ("注", "数据来源", "资料来源", "来源", "说明", "备注")


def is_note(text: str) -> bool:
    t = normalize(text)
    return any(t.startswith(p + ":") or t.startswith(p + "：") for p in NOTE_PREFIXES) or t.startswith("注")


def read_wide(sheet: Sheet, header_row: int, meta: dict, profile: str, fmt: str = "wide") -> RawTable:
    cells = sheet.cells
    arr = cells.to_numpy(dtype=object)
    first = arr[:, 0].astype(str)
    n_rows, n_cols = cells.shape
    header = arr[header_row].astype(str)
    data_cols = np.array([j for j in range(1, n_cols) if header[j].strip() != ""], dtype=int)
    table = RawTable(sheet, fmt, profile, pd.DataFrame(), pd.DataFrame(), meta=dict(meta))
    # Trailing columns with values but no series name: every such cell is reported.
    unnamed = [j for j in range(1, n_cols) if header[j].strip() == ""]
    series = {c: [] for c in SERIES_COLUMNS}
    for j in data_cols:
        series["label"].append(header[j].strip())
        series["where"].append(f"列 {column_letter(j)}")
        for key in ("unit_text", "region_text", "industry_text", "indicator_text", "measure_text", "freq_text"):
            series[key].append(None)
    frame = pd.DataFrame(series)
    data_rows: list[int] = []
    for i in range(header_row + 1, n_rows):
        label = normalize(first[i])
        row_values = arr[i, 1:]
        if parse_period(first[i]) is not None:
            data_rows.append(i)
            continue
        if label in META_ROWS:
            texts = [str(v).strip() for v in arr[i, data_cols]]
            frame[META_ROWS[label]] = [t if t else None for t in texts]
            continue
        if label == "" and (row_values == "").all():
            continue
        if (is_note(first[i]) or data_rows) and (row_values == "").all():
            table.notes.append(first[i].strip())
            continue
        if not data_rows:
            table.meta.setdefault("rows_skipped", []).append(first[i].strip())
            continue  # 指标ID, 来源, 更新时间 … : descriptive rows above the data
        table.reject(i + 1, "A", f"第一列“{first[i].strip()}”不是可识别的期别，整行未导入", None)
    table.series = frame
    if not data_rows or not len(data_cols):
        table.cells = pd.DataFrame(columns=["sid", "period_text", "value_text", "row", "column"])
        return table
    rows = np.array(data_rows, dtype=int)
    block = arr[np.ix_(rows, data_cols)]
    block = np.char.strip(block.astype(str)).astype(object)
    col_names = np.array([column_letter(j) for j in data_cols], dtype=object)
    table.cells = block_to_cells(block, rows + 1, col_names, np.arange(len(data_cols)), first[rows], series_axis=1)
    for j in unnamed:
        col = np.char.strip(arr[rows, j].astype(str))
        for i in np.flatnonzero(col != ""):
            table.reject(int(rows[i]) + 1, column_letter(j), "该列没有表头（序列名称），无法确定是什么数据", str(col[i]))
    return table
