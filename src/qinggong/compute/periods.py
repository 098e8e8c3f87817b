"""当月 ↔ 累计 with the 1-2月合并 convention (docs/conventions.md, methods.md §3.1).

Series are pandas Series indexed by 'YYYY-MM' text periods; NaN means "not published".
A 1-2月合并 value lives at 'YYYY-02' with span 2 and no January value.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from qinggong.errors import InputError

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def check_monthly_index(series: pd.Series, *, what: str = "序列") -> None:
    bad = [str(p) for p in series.index if not _PERIOD.match(str(p))]
    if bad:
        raise InputError(f"{what}的期别“{bad[0]}”不是月度期别（应为 YYYY-MM）", field="period")
    if series.index.has_duplicates:
        dup = series.index[series.index.duplicated()][0]
        raise InputError(f"{what}的期别“{dup}”重复", field="period")


def month_range(first: str, last: str) -> list[str]:
    return [str(p) for p in pd.period_range(first, last, freq="M").strftime("%Y-%m")]


def shift_period(period: str, months: int) -> str:
    return (pd.Period(period, freq="M") + months).strftime("%Y-%m")


def _clean(series: pd.Series, what: str) -> pd.Series:
    check_monthly_index(series, what=what)
    values = pd.to_numeric(pd.Series(series.to_numpy(), index=[str(p) for p in series.index]), errors="coerce")
    return values.astype("float64").sort_index()


def month_from_ytd(ytd: pd.Series) -> pd.DataFrame:
    """当月值 from 累计值: M_t = Cum_t − Cum_{t−1} within a year (methods §3.1).

    Returns a frame indexed by period with `value`, `span`, `status` ('D' derived, 'M' when the
    previous month's 累计 is missing) and `note`. January 累计 is January's 当月; a February 累计
    without a January value is the 1-2月合并 当月 (span 2).
    """
    cum = _clean(ytd, "累计值序列").dropna()
    rows: list[tuple[str, float, int, str, str | None]] = []
    for period, value in cum.items():
        year, month = int(period[:4]), int(period[5:7])
        if month == 1:
            rows.append((period, value, 1, "D", None))
            continue
        previous = f"{year:04d}-{month - 1:02d}"
        if previous in cum.index:
            rows.append((period, value - cum[previous], 1, "D", None))
        elif month == 2:
            rows.append((period, value, 2, "D", "1-2月合并"))
        else:
            rows.append((period, np.nan, 1, "M", f"缺少 {previous} 累计值，无法推算当月值"))
    frame = pd.DataFrame(rows, columns=["period", "value", "span", "status", "note"]).set_index("period")
    frame["value"] = frame["value"].astype("float64")
    return frame


def ytd_from_month(monthly: pd.Series, span: pd.Series | None = None) -> pd.DataFrame:
    """累计值 from 当月值: running sum within each year.

    `span` (same index) marks 1-2月合并 February values (2). A year's running sum stops
    (status 'M') at the first month whose value is missing.
    """
    values = _clean(monthly, "当月值序列")
    spans = pd.Series(1, index=values.index, dtype="int64")
    if span is not None:
        spans = pd.Series(span.to_numpy(), index=[str(p) for p in span.index]).reindex(values.index).fillna(1).astype("int64")
    rows: list[tuple[str, float, int, str, str | None]] = []
    for year, group in values.groupby(values.index.str[:4]):
        running = 0.0
        broken: str | None = None
        expected = 1
        for period, value in group.items():
            month = int(period[5:7])
            width = int(spans[period])
            if broken is None and (month - width + 1 != expected or np.isnan(value)):
                broken = f"{year} 年 {expected} 月当月值缺失，无法累计"
            if broken is not None:
                rows.append((period, np.nan, 1, "M", broken))
                continue
            running += value
            expected = month + 1
            rows.append((period, running, 1, "D", None))
    frame = pd.DataFrame(rows, columns=["period", "value", "span", "status", "note"]).set_index("period")
    frame["value"] = frame["value"].astype("float64")
    return frame
