"""Shares, contributions and aggregation on real export delivery value (file 04) and weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qinggong.compute.aggregate import growth_from_levels, sum_levels, weighted_growth, weights_for_year
from qinggong.compute.shares import contributions, shares, weighted_contributions
from qinggong.config import load_method
from test_compute_data import export, export_columns

PREFIX = "中国:出口交货值:规模以上工业企业:"


def _industry_frames():
    cols = export_columns()
    names = sorted({c[len(PREFIX):].rsplit(":", 1)[0] for c in cols if c.startswith(PREFIX) and c.count(":") == 4})
    level, rate = {}, {}
    for name in names:
        lv, gr = f"{PREFIX}{name}:当月值", f"{PREFIX}{name}:当月同比"
        if lv in cols and gr in cols:
            level[name], rate[name] = export(lv), export(gr)
    return pd.DataFrame(level).sort_index(), pd.DataFrame(rate).sort_index()


def test_contributions_add_up_to_total_growth():
    levels, rates = _industry_frames()
    total = export("中国:出口交货值:规模以上工业企业:当月值")
    total_g = export("中国:出口交货值:规模以上工业企业:当月同比")
    window = levels.loc["2019-03":"2025-11"].dropna(axis=1, thresh=60)
    window = window.dropna()
    assert window.shape[1] >= 30 and len(window) >= 40
    c = contributions(window, rates.reindex(index=window.index, columns=window.columns), total, total_g)
    tol = load_method("aggregation")["tolerance"]["contributions_pp"]
    residual = c["_residual"].dropna().abs()
    print(f"contributions: {len(residual)} months, median |residual| {residual.median():.3f} pp, max {residual.max():.3f} pp")
    assert len(residual) >= 40
    # Stated tolerance: published total vs Σ parts (41 大类 ≈ all industry, rounding of 0.1 % growth)
    assert residual.median() < tol
    assert (residual < 2 * tol).mean() > 0.9
    # Without an external total the parts add up exactly
    exact = contributions(window, rates.reindex(index=window.index, columns=window.columns))
    assert exact["_residual"].abs().max() < 1e-9


def test_shares_sum_to_100_within_rounding():
    levels, _ = _industry_frames()
    window = levels.loc["2023-03":"2025-11"].dropna(axis=1).dropna()
    s = shares(window)
    rounded = s.round(1).sum(axis=1)
    tol = 0.05 * window.shape[1]  # each share rounded to 0.1 contributes at most 0.05
    assert (rounded.sub(100).abs() <= tol).all()
    assert np.allclose(s.sum(axis=1), 100.0)
    # Against the published total the parts cover nearly all industry
    total = export("中国:出口交货值:规模以上工业企业:当月值")
    against_total = shares(window, total).sum(axis=1)
    assert ((against_total > 95) & (against_total < 105)).mean() > 0.9


def test_aggregation_levels_growth_and_weights():
    levels = pd.DataFrame({"a": [100.0, 110.0], "b": [50.0, np.nan]}, index=["2025-03", "2025-04"])
    agg = sum_levels(levels)
    assert agg.values["2025-03"] == 150 and np.isnan(agg.values["2025-04"])
    g = growth_from_levels(levels.iloc[:1], pd.DataFrame({"a": [10.0], "b": [-50.0]}, index=["2025-03"]))
    # bases 100/1.1 + 50/0.5 = 190.909 → 150/190.909 − 1
    assert g.values["2025-03"] == pytest.approx((150 / (100 / 1.1 + 100) - 1) * 100)
    year, w = weights_for_year(2019, ["21", "22"])
    assert year == 2018 and w["21"] == pytest.approx(0.007518762)
    members = [str(c) for c in load_method("aggregation")["light_industry"]["members"]]
    growth = pd.DataFrame({c: [5.0, 6.0] for c in members}, index=["2017-06", "2025-06"])
    growth["21"] = [-5.0, np.nan]
    result = weighted_growth(growth)
    assert result.weight_source == {"2017-06": "va_weights_2012", "2025-06": "va_weights_2025"}
    _, w12 = weights_for_year(2017, members)
    expected = (5.0 * (w12.sum() - w12["21"]) - 5.0 * w12["21"]) / w12.sum()
    assert result.values["2017-06"] == pytest.approx(expected)
    assert result.values["2025-06"] == pytest.approx(6.0) and result.coverage["2025-06"] == len(members) - 1  # 21 is missing
    contrib = weighted_contributions(growth, w12)
    assert contrib["_sum"]["2017-06"] == pytest.approx(result.values["2017-06"])
