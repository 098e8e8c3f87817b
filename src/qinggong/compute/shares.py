"""Shares (比重, %) and contributions to growth (拉动, 百分点).

Contributions on a comparable basis (methods.md §3.1): with published levels L and growth g,
the comparable base a year earlier is B = L / (1 + g/100), and part i pulls the total by

    c_i = (L_i − B_i) / B_total × 100   (百分点)

so Σ c_i equals the total's growth exactly when the parts add up to the total in both years;
the gap is the coverage / rounding residual, reported by `contributions` as `_residual`.
Where only growth exists (工业增加值), `weighted_contributions` uses value-added weights:
c_i = w_i g_i / Σ w, which add up to the weighted aggregate growth exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from qinggong.errors import InputError


def _frame(data: pd.DataFrame, what: str) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame) or data.shape[1] == 0:
        raise InputError(f"{what}应为以期别为行、分项为列的表", field=what)
    return data.apply(pd.to_numeric, errors="coerce").astype("float64")


def shares(parts: pd.DataFrame, total: pd.Series | None = None) -> pd.DataFrame:
    """比重 (%) of each part in the total; the total defaults to the sum of the parts
    (a period with a missing part then has no shares). Shares of parts that make up the
    total sum to 100."""
    levels = _frame(parts, "分项水平值")
    if total is None:
        denominator = levels.sum(axis=1, min_count=levels.shape[1])
        denominator[levels.isna().any(axis=1)] = np.nan
    else:
        denominator = pd.to_numeric(total, errors="coerce").astype("float64").reindex(levels.index)
    denominator = denominator.where(denominator != 0)
    return levels.div(denominator, axis=0) * 100.0


def contributions(
    levels: pd.DataFrame,
    growth: pd.DataFrame,
    total_level: pd.Series | None = None,
    total_growth: pd.Series | None = None,
) -> pd.DataFrame:
    """拉动 (百分点) of each part to the total's growth, on the comparable basis.

    `levels` and `growth` (%) share index and columns. With `total_level`/`total_growth` the base
    is the total's own comparable base and the result has two extra columns: `_sum` (Σ c_i) and
    `_residual` (total growth − Σ c_i). Without them the total is the sum of the parts and the
    residual is zero by construction.
    """
    level = _frame(levels, "分项水平值")
    rate = _frame(growth, "分项同比").reindex(index=level.index, columns=level.columns)
    base = level / (1.0 + rate / 100.0)
    if total_level is not None and total_growth is not None:
        t_level = pd.to_numeric(total_level, errors="coerce").reindex(level.index).astype("float64")
        t_growth = pd.to_numeric(total_growth, errors="coerce").reindex(level.index).astype("float64")
        total_base = t_level / (1.0 + t_growth / 100.0)
    else:
        total_base = base.sum(axis=1, min_count=base.shape[1])
        total_base[base.isna().any(axis=1)] = np.nan
        t_growth = (level.sum(axis=1) / total_base - 1.0) * 100.0
    total_base = total_base.where(total_base > 0)
    out = (level - base).div(total_base, axis=0) * 100.0
    complete = out.notna().all(axis=1)
    out["_sum"] = out[list(level.columns)].sum(axis=1).where(complete)
    out["_residual"] = (t_growth - out["_sum"]).where(complete)
    return out


def weighted_contributions(growth: pd.DataFrame, weights: pd.Series | pd.DataFrame) -> pd.DataFrame:
    """拉动 (百分点) where only growth exists: c_i = w_i g_i / Σ_{available} w.

    `weights` is one weight per column, or a frame of weights per period (same shape). Parts
    without growth in a period are left out and the others' weights renormalised.
    """
    rate = _frame(growth, "分项同比")
    if isinstance(weights, pd.DataFrame):
        w = weights.reindex(index=rate.index, columns=rate.columns).astype("float64")
    else:
        w = pd.DataFrame(
            np.tile(pd.to_numeric(weights.reindex(rate.columns)).to_numpy(dtype="float64"), (len(rate), 1)),
            index=rate.index, columns=rate.columns,
        )
    w = w.where(rate.notna())
    total_w = w.sum(axis=1, min_count=1)
    out = (rate * w).div(total_w, axis=0)
    out["_sum"] = out[list(rate.columns)].sum(axis=1, min_count=1)
    return out
