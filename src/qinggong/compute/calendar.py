"""Spring Festival (春节) dates and genhol-style holiday regressors.

The regressor for a window [a, b] days around 正月初一 is, for each month, the share of the
window's days that fall in that month (Bell–Hillmer, as US Census genhol builds it), centred by
calendar month (genhol ``center=calendar``): the mean share of that calendar month over
``centre_years`` is subtracted, so the regressor carries no seasonal pattern of its own.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
from lunardate import LunarDate

from qinggong.errors import InputError


@lru_cache(maxsize=512)
def spring_festival(year: int) -> date:
    """The Gregorian date of 正月初一 of the lunar year starting in `year` (lunardate)."""
    try:
        return LunarDate(int(year), 1, 1).to_solar_date()
    except ValueError as exc:
        raise InputError(f"无法计算 {year} 年春节日期：农历表仅支持 1900–2099 年", field="year") from exc


def _window_shares(year: int, window: Sequence[int]) -> dict[tuple[int, int], float]:
    start, end = int(window[0]), int(window[1])
    festival = spring_festival(year)
    days = [festival + timedelta(days=k) for k in range(start, end + 1)]
    shares: dict[tuple[int, int], float] = {}
    for d in days:
        shares[(d.year, d.month)] = shares.get((d.year, d.month), 0.0) + 1.0 / len(days)
    return shares


@lru_cache(maxsize=64)
def _raw_table(window: tuple[int, int], first: int, last: int) -> pd.Series:
    """Uncentred share of the window in each month of years first..last (index (year, month))."""
    values: dict[tuple[int, int], float] = {}
    for year in range(first - 1, last + 2):
        for key, share in _window_shares(year, window).items():
            values[key] = values.get(key, 0.0) + share
    index = pd.MultiIndex.from_product([range(first, last + 1), range(1, 13)], names=["year", "month"])
    return pd.Series([values.get(k, 0.0) for k in index], index=index, dtype="float64")


@lru_cache(maxsize=64)
def _calendar_means(window: tuple[int, int], centre_years: tuple[int, int]) -> np.ndarray:
    table = _raw_table(window, centre_years[0], centre_years[1])
    return table.groupby(level="month").mean().reindex(range(1, 13)).to_numpy()


def holiday_regressor(
    periods: Iterable[str],
    window: Sequence[int],
    *,
    centre_years: Sequence[int] = (1990, 2049),
    centre: bool = True,
) -> pd.Series:
    """genhol-style regressor for a day window around the Spring Festival, indexed by 'YYYY-MM'."""
    labels = list(periods)
    if not labels:
        return pd.Series(dtype="float64")
    years = [int(p[:4]) for p in labels]
    months = [int(p[5:7]) for p in labels]
    window_t = (int(window[0]), int(window[1]))
    if window_t[0] > window_t[1]:
        raise InputError(f"春节窗口 {list(window)} 不正确：起点应不大于终点", field="window")
    table = _raw_table(window_t, min(years), max(years))
    raw = np.array([table[(y, m)] for y, m in zip(years, months)])
    if centre:
        means = _calendar_means(window_t, (int(centre_years[0]), int(centre_years[1])))
        raw = raw - means[np.array(months) - 1]
    return pd.Series(raw, index=labels, dtype="float64")


def spring_festival_regressors(
    periods: Iterable[str],
    *,
    pre: Sequence[int] = (-7, -1),
    post: Sequence[int] = (0, 14),
    centre_years: Sequence[int] = (1990, 2049),
) -> pd.DataFrame:
    """Before and after regressors (columns `cnypre`, `cnypost`) for the given months."""
    labels = list(periods)
    return pd.DataFrame(
        {
            "cnypre": holiday_regressor(labels, pre, centre_years=centre_years),
            "cnypost": holiday_regressor(labels, post, centre_years=centre_years),
        },
        index=labels,
    )
