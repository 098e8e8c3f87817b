"""Growth rates (同比) on a comparable basis (methods.md §3.1).

Published growth is data: NBS growth compares this year's enterprise set with the same set a
year earlier, so it is never recomputed from consecutive published levels. Levels-based 同比 is
only for comparable panels (ENTERPRISE aggregates over a fixed set of units).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from qinggong.compute.periods import _clean, shift_period


def yoy_from_levels(levels: pd.Series, *, comparable_panel: bool) -> pd.Series:
    """同比 (%) = (L_t / L_{t−12} − 1) × 100, for a comparable panel only."""
    if not comparable_panel:
        from qinggong.errors import QinggongError

        raise QinggongError(
            "官方统计的同比按可比口径计算，不能由相邻年份公布的水平值相除得到；请使用公布的同比（methods §3.1）"
        )
    values = _clean(levels, "水平值序列")
    base = values.reindex([shift_period(p, -12) for p in values.index]).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (values.to_numpy() / base - 1.0) * 100.0
    out[~np.isfinite(out) | (base <= 0)] = np.nan
    return pd.Series(out, index=values.index, dtype="float64")


def implied_base(levels: pd.Series, growth_pct: pd.Series) -> pd.Series:
    """Comparable base a year earlier: B_{t−12} = L_t / (1 + g_t/100), indexed by t."""
    values = _clean(levels, "水平值序列")
    growth = _clean(growth_pct, "同比序列").reindex(values.index)
    return values / (1.0 + growth / 100.0)


def implied_monthly_yoy(ytd: pd.Series, ytd_yoy: pd.Series) -> pd.DataFrame:
    """Implied 当月同比 (%) from published 累计值 and 累计同比 (methods §3.1):

        g^M_t = (Cum_t − Cum_{t−1}) / (Cum_t/(1+g_t) − Cum_{t−1}/(1+g_{t−1})) − 1

    In January (and in a 1-2月合并 February without a January) the month *is* the year to date,
    so the implied 当月同比 equals the 累计同比 (span 2 for 1-2月). Status 'D' throughout.
    """
    cum = _clean(ytd, "累计值序列")
    growth = _clean(ytd_yoy, "累计同比序列").reindex(cum.index)
    both = cum.notna() & growth.notna()
    cum, growth = cum[both], growth[both]
    base = cum / (1.0 + growth / 100.0)
    rows = []
    for period in cum.index:
        year, month = int(period[:4]), int(period[5:7])
        previous = f"{year:04d}-{month - 1:02d}"
        if month == 1:
            rows.append((period, growth[period], 1, "D", "1月累计即当月"))
        elif previous in cum.index:
            month_value = cum[period] - cum[previous]
            month_base = base[period] - base[previous]
            value = (month_value / month_base - 1.0) * 100.0 if month_base > 0 else np.nan
            rows.append((period, value, 1, "D" if np.isfinite(value) else "M",
                         None if np.isfinite(value) else "推算的上年同期当月基数不为正"))
        elif month == 2:
            rows.append((period, growth[period], 2, "D", "1-2月合并"))
        else:
            rows.append((period, np.nan, 1, "M", f"缺少 {previous} 累计值或累计同比"))
    frame = pd.DataFrame(rows, columns=["period", "value", "span", "status", "note"]).set_index("period")
    frame["value"] = frame["value"].astype("float64")
    return frame
