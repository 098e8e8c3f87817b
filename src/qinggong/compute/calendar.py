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
def _raw_table(window: tuple[int, int], first: int, last: int) -> np.ndarray:
    """Uncentred share of the window in each month of years first..last, as an array of
    shape (years, 12) (row = year − first, column = month − 1)."""
    table = np.zeros((last - first + 1, 12), dtype="float64")
    for year in range(max(first - 1, 1900), min(last + 1, 2099) + 1):  # lunardate covers 1900–2099
        for (y, m), share in _window_shares(year, window).items():
            if first <= y <= last:
                table[y - first, m - 1] += share
    table.flags.writeable = False
    return table


@lru_cache(maxsize=64)
def _calendar_means(window: tuple[int, int], centre_years: tuple[int, int]) -> np.ndarray:
    return _raw_table(window, centre_years[0], centre_years[1]).mean(axis=0)


def _parse(labels: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    years = np.fromiter((int(p[:4]) for p in labels), dtype="int64", count=len(labels))
    months = np.fromiter((int(p[5:7]) for p in labels), dtype="int64", count=len(labels))
    return years, months


def _regressor_values(years: np.ndarray, months: np.ndarray, window: tuple[int, int],
                      centre_years: tuple[int, int] | None) -> np.ndarray:
    first, last = int(years.min()), int(years.max())
    spring_festival(first), spring_festival(last)  # clear error outside the lunar table
    # whole decades so that the cached tables are shared by series with different spans
    table = _raw_table(window, first - first % 10, last - last % 10 + 9)
    raw = table[years - (first - first % 10), months - 1]
    if centre_years is not None:
        raw = raw - _calendar_means(window, centre_years)[months - 1]
    return raw


def _check_window(window: Sequence[int]) -> tuple[int, int]:
    window_t = (int(window[0]), int(window[1]))
    if window_t[0] > window_t[1]:
        raise InputError(f"春节窗口 {list(window)} 不正确：起点应不大于终点", field="window")
    return window_t


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
    years, months = _parse(labels)
    centre_t = (int(centre_years[0]), int(centre_years[1])) if centre else None
    raw = _regressor_values(years, months, _check_window(window), centre_t)
    return pd.Series(raw, index=labels, dtype="float64")


@lru_cache(maxsize=256)
def regressor_matrix(first: str, months: int, pre: tuple[int, int], post: tuple[int, int],
                     centre_years: tuple[int, int]) -> np.ndarray:
    """Columns (cnypre, cnypost) for `months` consecutive months from `first` ('YYYY-MM'),
    computed once per calendar span and cached (read-only array; the hot path of `seasonal`)."""
    start = int(first[:4]) * 12 + int(first[5:7]) - 1
    serial = np.arange(start, start + months, dtype="int64")
    years, month_numbers = serial // 12, serial % 12 + 1
    matrix = np.column_stack([
        _regressor_values(years, month_numbers, _check_window(pre), centre_years),
        _regressor_values(years, month_numbers, _check_window(post), centre_years),
    ])
    matrix.flags.writeable = False
    return matrix


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
