"""The real value-added growth file (Wind/NBS) as store observations, for the monitor tests.

`load_real_va(store)` reads ../shared/data/real/01_… (newest first, Wind 0 = missing) and
writes OFFICIAL.M.VA.<code>.000000._Z.YOY_M.PCT; a 1-2月 figure (January not published) is
stored at YYYY-02 with span 2. Industry names are recognised by qinggong.catalog.names.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from qinggong.catalog.names import recognize_industry

VA_FILE = "01_htfa_分行业工业增加值增速_当月同比_Wind_199001-202512.csv"
PATTERN = re.compile(r"^中国:工业增加值:规模以上工业企业(?::(?P<name>[^:]+))?:当月同比(?P<variant>\(1-2月(合并|拆分)\))?$")
REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"


@lru_cache(maxsize=2)
def real_va_frame(start: str = "2000-01") -> pd.DataFrame:
    raw = pd.read_csv(REAL / VA_FILE)
    periods = pd.to_datetime(raw["指标名称"]).dt.strftime("%Y-%m")
    plain: dict[str, pd.Series] = {}
    merged: dict[str, pd.Series] = {}
    for column in raw.columns[1:]:
        match = PATTERN.match(column)
        if not match:
            continue
        name = match.group("name") or "规模以上工业企业"
        code = recognize_industry(name)
        if code is None:
            continue
        values = pd.Series(raw[column].to_numpy(dtype="float64"), index=periods.to_numpy())
        values = values[values != 0].dropna()  # Wind writes 0 for not published
        variant = match.group("variant") or ""
        if "合并" in variant:
            merged[code] = values
        elif "拆分" in variant:
            continue
        else:
            plain[code] = values
    rows = []
    for code in sorted(set(plain) | set(merged)):
        values = plain.get(code)
        extra = merged.get(code)
        if values is None:  # only the Jan–Feb-combined column exists (全部规上工业)
            values, extra = extra, None
        if extra is not None:  # a combined Jan–Feb figure where February is missing
            feb = [p for p in extra.index if p.endswith("-02") and p not in values.index]
            values = pd.concat([values, extra.loc[feb]])
        values = values[~values.index.duplicated()].sort_index()
        for period, value in values.items():
            if period < start:
                continue
            jan = f"{period[:4]}-01"
            span = 2 if period.endswith("-02") and jan not in values.index else 1
            rows.append({"dataflow": "OFFICIAL", "freq": "M", "indicator": "VA", "industry": code, "region": "000000",
                         "product": "_Z", "measure": "YOY_M", "unit": "PCT", "period": period, "value": float(value),
                         "span": span})
    return pd.DataFrame(rows)


def load_real_va(store, start: str = "2000-01"):
    return store.write_observations(real_va_frame(start), source="Wind 01 工业增加值当月同比", file_name=VA_FILE)


def test_real_va_frame_keys_and_spans():
    frame = real_va_frame()
    furniture = frame[frame["industry"] == "21"].set_index("period")
    assert furniture.loc["2025-11", "value"] == -11.3
    assert furniture.loc["2025-10", "value"] == -8.9
    assert "2025-01" not in furniture.index and "2025-02" not in furniture.index  # not published (Wind 0)
    total = frame[frame["industry"] == "_T"].set_index("period")
    assert total.loc["2020-02", "span"] == 2 and total.loc["2020-02", "value"] == -13.5
    assert "2020-01" not in total.index
    assert {"13", "14", "15", "19", "20", "21", "22", "24", "_T"} <= set(frame["industry"])
