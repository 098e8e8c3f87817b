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
    """'YYYY-MM' labels from first to last inclusive (plain arithmetic: this is on the hot path
    of seasonal adjustment, where pandas period ranges cost more than the adjustment)."""
    start = int(first[:4]) * 12 + int(first[5:7]) - 1
    stop = int(last[:4]) * 12 + int(last[5:7]) - 1
    return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(start, stop + 1)]


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


def month_with_ytd(monthly: pd.Series, ytd: pd.Series) -> pd.DataFrame:
    """Published 当月值 completed from the 累计值 of the same series (methods §3.1).

    Months that are published keep their value (status 'A'); a missing month is derived as
    Cum_t − Cum_{t−1} (status 'D'); a missing January whose February is published is the
    February 累计 minus the February 当月; a year with neither January nor February gets the
    February 累计 as the 1-2月合并 value (span 2). Returns `value`, `span`, `status`, `note`.
    """
    published = _clean(monthly, "当月值序列").dropna()
    derived = month_from_ytd(ytd)
    derived = derived[derived["status"] == "D"]
    rows: dict[str, tuple[float, int, str, str | None]] = {p: (float(v), 1, "A", None) for p, v in published.items()}
    for period, row in derived.iterrows():
        if period in rows and int(row["span"]) != 2:
            continue
        if int(row["span"]) == 2:
            jan = f"{period[:4]}-01"
            if jan in rows:
                continue
            if period in published.index:  # February published on its own: January is the rest
                rows[jan] = (float(row["value"]) - float(published[period]), 1, "D", "1-2月累计减2月当月")
            else:
                rows[period] = (float(row["value"]), 2, "D", "1-2月合并（累计值）")
        else:
            rows[period] = (float(row["value"]), 1, "D", "由累计值推算")
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=["value", "span", "status", "note"]).sort_index()
    frame.index.name = "period"
    frame["value"] = frame["value"].astype("float64")
    return frame
