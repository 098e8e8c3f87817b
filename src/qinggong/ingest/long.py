"""Long CSV/XLSX: one observation per row.

Columns are found by name, in English (indicator, industry, region, product, period, measure,
value, unit, status, conf_status, span, note, series_key) or Chinese (指标, 行业, 地区, 产品, 期别/时间,
计量/口径, 数值/值, 单位, 状态, 备注). Dimension cells may be codes or names; each distinct text is
recognised once, so a million rows cost as much as their distinct labels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from qinggong.ingest.recognize import normalize
from qinggong.ingest.table import RawTable, column_letter
from qinggong.ingest.tabular import Sheet, factorize_rows

ROLES = {
    "series_key": ["series_key", "序列键", "序列代码"],
    "dataflow": ["dataflow", "数据流"],
    "freq": ["freq", "频率", "频度"],
    "indicator": ["indicator", "指标", "指标名称", "指标代码"],
    "industry": ["industry", "行业", "行业代码", "行业名称"],
    "region": ["region", "地区", "地区代码", "地区名称", "省份"],
    "product": ["product", "产品", "产品代码", "产品名称", "商品类别"],
    "measure": ["measure", "计量", "计量方式", "口径", "统计口径"],
    "period": ["period", "期别", "时间", "日期", "月份", "time_period", "date"],
    "value": ["value", "数值", "值", "obs_value", "数据"],
    "unit": ["unit", "单位", "计量单位"],
    "status": ["status", "状态", "obs_status"],
    "conf_status": ["conf_status", "保密状态"],
    "span": ["span", "跨月"],
    "note": ["note", "备注", "说明"],
}
_LOOKUP = {normalize(alias).lower(): role for role, aliases in ROLES.items() for alias in aliases}


def header_roles(header: list[str]) -> dict[str, int]:
    roles: dict[str, int] = {}
    for j, text in enumerate(header):
        role = _LOOKUP.get(normalize(text).lower())
        if role and role not in roles:
            roles[role] = j
    return roles


def looks_long(header: list[str]) -> bool:
    roles = header_roles(header)
    return "period" in roles and "value" in roles and ("indicator" in roles or "series_key" in roles)


def read_long(sheet: Sheet, header_row: int) -> RawTable:
    cells = sheet.cells
    header = [str(h) for h in cells.iloc[header_row].tolist()]
    roles = header_roles(header)
    body = cells.iloc[header_row + 1:]
    table = RawTable(sheet, "long", "long", pd.DataFrame(), pd.DataFrame())
    dim_roles = [r for r in ("series_key", "dataflow", "freq", "indicator", "industry", "region", "product", "measure", "unit")
                 if r in roles]
    keys = body.iloc[:, [roles[r] for r in dim_roles]].copy()
    keys.columns = dim_roles
    codes, series = factorize_rows(keys)
    series["label"] = [" | ".join(map(str, row)) for row in series[dim_roles].itertuples(index=False)]
    _, firsts = np.unique(codes, return_index=True)
    series["where"] = [f"第 {r} 行起" for r in firsts + header_row + 2]
    table.series = series
    frame = pd.DataFrame({
        "sid": codes.astype("int64"),
        "period_text": body.iloc[:, roles["period"]].to_numpy(dtype=object),
        "value_text": body.iloc[:, roles["value"]].to_numpy(dtype=object),
        "row": np.arange(len(body), dtype="int64") + header_row + 2,
        "column": column_letter(roles["value"]),
    })
    for extra in ("status", "conf_status", "span", "note"):
        if extra in roles:
            frame[extra] = pd.Series(body.iloc[:, roles[extra]].to_numpy(dtype=object), dtype=object).str.strip()
    table.cells = frame
    return table
