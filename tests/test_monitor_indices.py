"""Composite indices (Conference Board), lead/lag classification, diffusion index and
Bry–Boschan turning points."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from test_monitor_data import real_va_frame

from qinggong.monitor import diffusion as dif
from qinggong.monitor import indices as ind
from qinggong.monitor import turning_points as tp
from qinggong.monitor.panel import panel_from_frame, to_month, to_period


def _frame(industry, values, start="2006-01", indicator="VA"):
    periods = [str(p) for p in pd.period_range(start, periods=len(values), freq="M")]
    f = pd.DataFrame({"dataflow": "OFFICIAL", "freq": "M", "indicator": indicator, "industry": industry, "region": "000000",
                      "product": "_Z", "measure": "YOY_M", "unit": "PCT", "period": periods, "value": values, "span": 1})
    f["series_key"] = f"OFFICIAL.M.{indicator}.{industry}.000000._Z.YOY_M.PCT"
    return f


def test_tcb_level_recursion_worked_example():
    # TCB worked example (methods.md §1.4): level 105.2 and a contribution of 0.06 → 105.26
    levels = ind.tcb_levels(pd.Series([0.0, 0.06], index=[0, 1]), base_year=1996)
    assert round(105.2 * levels.iloc[1] / levels.iloc[0], 2) == 105.26
    # symmetric change of a level component: 41.8 → 41.4 hours is −0.96
    assert round(200 * (41.4 - 41.8) / (41.4 + 41.8), 2) == -0.96


def test_tcb_growth_weights_are_inverse_volatility():
    comps = pd.DataFrame({"a": [0.0, 1.0, 0.0, 1.0, 0.0], "b": [0.0, 2.0, 0.0, 2.0, 0.0]})
    g = ind.tcb_growth(comps)
    # sd(Δb) = 2·sd(Δa) → weights 2/3 and 1/3, so each contributes equally: i = 2/3·1 + 1/3·2
    assert np.isclose(g.iloc[1], 4 / 3) and np.isnan(g.iloc[0])


def test_classification_finds_leads_and_lags():
    months = np.arange(240)
    cycle = lambda shift: 8 + 5 * np.sin(2 * np.pi * (months + shift) / 44)  # noqa: E731
    rng = np.random.default_rng(3)
    frames = [
        _frame("13", cycle(0) + rng.normal(0, 0.3, 240)),
        _frame("14", cycle(0) + rng.normal(0, 0.3, 240)),
        _frame("15", cycle(5) + rng.normal(0, 0.3, 240), indicator="EXPORT"),  # runs 5 months ahead
        _frame("22", cycle(-4) + rng.normal(0, 0.3, 240), indicator="EXPORT"),  # 4 months behind
        _frame("21", rng.normal(0, 3, 240), indicator="EXPORT"),  # unrelated
    ]
    panel = panel_from_frame(pd.concat(frames, ignore_index=True))
    result = ind.compute_indices(panel)
    table = result.classification.set_index("series_key")
    assert table.loc["OFFICIAL.M.EXPORT.15.000000._Z.YOY_M.PCT", "group"] == "leading"
    assert table.loc["OFFICIAL.M.EXPORT.15.000000._Z.YOY_M.PCT", "lead_months"] == 5
    assert table.loc["OFFICIAL.M.EXPORT.22.000000._Z.YOY_M.PCT", "group"] == "lagging"
    assert table.loc["OFFICIAL.M.EXPORT.22.000000._Z.YOY_M.PCT", "lead_months"] == -4
    assert table.loc["OFFICIAL.M.EXPORT.21.000000._Z.YOY_M.PCT", "group"] == "unclassified"
    assert table.loc["OFFICIAL.M.VA.13.000000._Z.YOY_M.PCT", "group"] == "coincident"
    frame = result.indices
    base = frame[frame["period"].str.startswith("2015")]
    assert np.isclose(base["coincident"].mean(), 100.0) and np.isclose(base["leading"].mean(), 100.0)
    # the leading index peaks about five months before the coincident index
    lead_peak = frame.loc[frame["leading"].iloc[100:150].idxmax(), "month"]
    coin_peak = frame.loc[frame["coincident"].iloc[100:155].idxmax(), "month"]
    assert 3 <= coin_peak - lead_peak <= 7
    # trend adjustment: the leading index's average growth equals the coincident one's
    assert np.isclose(frame["leading_growth"].mean(), frame["coincident_growth"].mean(), atol=1e-9)


def test_diffusion_scores_with_dead_band():
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [1.0, 1.03], "c": [1.0, 0.5], "d": [np.nan, 1.0]})
    di = dif.diffusion_index(frame, span=1, dead_band=0.05)
    row = di.iloc[1]
    assert row["sectors"] == 3 and row["rising"] == 1 and row["falling"] == 1
    assert np.isclose(row["di"], 100 * (1 + 0.5 + 0) / 3)


def test_bry_boschan_on_a_known_cycle():
    months = np.arange(200)
    x = np.sin(2 * np.pi * months / 48)  # peaks at 12, 60, 108, 156; troughs at 36, 84, 132, 180
    turns = tp.bry_boschan(x)
    peaks = [i for i, k in turns if k == 1]
    troughs = [i for i, k in turns if k == -1]
    assert peaks == [12, 60, 108, 156] and troughs == [36, 84, 132, 180]
    kinds = [k for _, k in turns]
    assert all(a != b for a, b in zip(kinds, kinds[1:]))  # alternate
    # a wiggle shorter than the minimum phase is not a cycle; turns near the ends are censored
    y = x.copy()
    y[60:63] += np.array([0.0, -0.5, 0.0])
    assert [i for i, k in tp.bry_boschan(y) if k == 1] == peaks
    assert tp.bry_boschan(x[:15]) == []


def test_real_data_reference_turning_points_and_indices():
    frame = real_va_frame().copy()
    frame["series_key"] = "OFFICIAL.M.VA." + frame["industry"] + ".000000._Z.YOY_M.PCT"
    result = ind.compute_indices(panel_from_frame(frame))
    turns = result.turning_points[result.turning_points["series"] == "reference"]
    troughs = [to_period(int(m)) for m in turns.loc[turns["kind"] == "trough", "month"]]
    # light-industry VA growth troughed in the 2008–09 crisis and at the 2020 COVID shock
    assert any("2008-10" <= t <= "2009-04" for t in troughs), troughs
    assert any("2020-01" <= t <= "2020-04" for t in troughs), troughs
    assert set(result.classification["group"]) <= {"leading", "coincident", "lagging", "unclassified"}
    di = result.diffusion[(result.diffusion["span"] == 1) & (result.diffusion["month"] == to_month("2025-11"))]
    assert len(di) == 1 and 0 <= di.iloc[0]["di"] <= 100 and di.iloc[0]["sectors"] >= 8
    again = ind.compute_indices(panel_from_frame(frame))
    assert json.dumps(again.as_dict(), default=str, sort_keys=True) == json.dumps(result.as_dict(), default=str, sort_keys=True)
