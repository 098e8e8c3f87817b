"""Five-light signals: cut-offs from the series' own recent history, the secular-slowdown
pitfall (methods.md §1.2a), fixed analyst cut-offs, composite bands and stored cut-off versions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from test_monitor_data import real_va_frame

from qinggong.config import config_path
from qinggong.errors import QinggongError
from qinggong.monitor import signals as sig
from qinggong.monitor.panel import panel_from_frame, to_month
from qinggong.monitor.service import run_signals


def _series_frame(industry: str, values, start="2006-01", indicator="VA"):
    periods = [str(p) for p in pd.period_range(start, periods=len(values), freq="M")]
    frame = pd.DataFrame({"dataflow": "OFFICIAL", "freq": "M", "indicator": indicator, "industry": industry, "region": "000000",
                          "product": "_Z", "measure": "YOY_M", "unit": "PCT", "period": periods, "value": values, "span": 1})
    frame["series_key"] = f"OFFICIAL.M.{indicator}.{industry}.000000._Z.YOY_M.PCT"
    return frame


def _slowdown_values(noise=0.4, seed=7):
    rng = np.random.default_rng(seed)
    # 20% for six years, a slide to 6% over four years, then steady 6% for six years
    trend = np.r_[np.full(72, 20.0), np.linspace(20.0, 6.0, 48), np.full(72, 6.0)]
    return trend + rng.normal(0, noise, len(trend))


def test_steady_growth_after_secular_slowdown_reads_green():
    panel = panel_from_frame(_series_frame("14", _slowdown_values()))
    table = sig.signal_table(panel.series["OFFICIAL.M.VA.14.000000._Z.YOY_M.PCT"])
    last_two_years = table.tail(24)
    # growing steadily at its recent pace: green, although 6% is far below the 20% of the past
    assert (last_two_years["light"] == "绿").mean() >= 0.9
    # and raw levels would have said otherwise: every recent value is below the old 10th percentile
    assert (last_two_years["value"] < np.percentile(table["value"].head(72), 10)).all()


def test_sharp_drop_reads_blue_and_surge_reads_red():
    values = _slowdown_values()
    values[-2] = values[-3] - 10.0
    values[-1] = values[-3] + 10.0
    panel = panel_from_frame(_series_frame("21", values))
    table = sig.signal_table(panel.series["OFFICIAL.M.VA.21.000000._Z.YOY_M.PCT"])
    assert table.iloc[-2]["light"] == "蓝" and table.iloc[-2]["score"] == 1
    assert table.iloc[-1]["light"] == "红" and table.iloc[-1]["score"] == 5
    c = table.iloc[-1][["c1", "c2", "c3", "c4"]].to_numpy(dtype=float)
    assert (np.diff(c) >= 0).all() and c[1] <= -1.0 and c[2] >= 1.0  # ordered and at least min_width apart


def test_fixed_analyst_cutoffs_override(tmp_path, monkeypatch):
    data = yaml.safe_load(config_path("signals").read_text(encoding="utf-8"))
    data["basis"] = "level"
    data["fixed"] = {"VA": [0.0, 3.0, 8.0, 12.0]}
    (tmp_path / "signals.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("QINGGONG_CONFIG_DIR", str(tmp_path))
    panel = panel_from_frame(_series_frame("22", [-1.0, 2.0, 5.0, 10.0, 15.0]))
    table = sig.signal_table(panel.series["OFFICIAL.M.VA.22.000000._Z.YOY_M.PCT"])
    assert table["light"].tolist() == ["蓝", "浅蓝", "绿", "黄", "红"]
    data["fixed"] = {"VA": [3.0, 0.0, 8.0, 12.0]}
    (tmp_path / "signals.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(QinggongError, match="递增"):
        sig.signal_table(panel.series["OFFICIAL.M.VA.22.000000._Z.YOY_M.PCT"])


def test_composite_bands_and_index():
    assert sig.band_light(3.0) == "绿" and sig.signal_index(3.0) == 100.0
    assert sig.band_light(1.0) == "蓝" and sig.band_light(2.0) == "浅蓝" and sig.band_light(4.0) == "黄"
    assert sig.band_light(5.0) == "红"
    # NDC totals on 9 indicators: 16 blue, 17 yellow-blue, 31 green, 32 yellow-red, 38 red
    assert [sig.band_light(t / 9) for t in (16, 17, 31, 32, 37, 38)] == ["蓝", "浅蓝", "绿", "黄", "黄", "红"]


def test_real_data_signals_and_light_industry_composite():
    frame = real_va_frame().copy()
    frame["series_key"] = "OFFICIAL.M.VA." + frame["industry"] + ".000000._Z.YOY_M.PCT"
    panel = panel_from_frame(frame)
    result = sig.compute_signals(panel, to_month("2020-02"))
    lights = result.lights.set_index("industry_code")
    # 1-2月 2020: 农副食品 −16.0, 食品 −18.2, 酒饮料 −23.6, 橡塑 −25.2 → all blue
    assert {lights.loc[c, "light"] for c in ["13", "14", "15", "29"]} == {"蓝"}
    li = result.composite.set_index("industry_code").loc["LI"]
    assert li["light"] == "蓝" and li["index"] < 60
    assert "_T" not in set(lights.index) and "26" not in set(lights.index)  # only light industry
    again = sig.compute_signals(panel, to_month("2020-02"))
    assert again.lights.equals(result.lights) and again.composite.equals(result.composite)


def test_cutoff_versions_saved_reviewed_and_used(store):
    frame = _series_frame("21", _slowdown_values()).drop(columns=["series_key"])
    store.write_observations(frame, source="测试")
    period = frame["period"].iloc[-1]
    from qinggong.monitor.panel import load_panel

    count = sig.save_cutoffs(store, load_panel(store), to_month(period), label="2021复核", actor="王五")
    assert count == 1
    versions = sig.list_cutoff_versions(store)
    assert versions.iloc[0]["review_status"] == "draft"
    sig.approve_cutoffs(store, "2021复核", actor="赵六", comment="同意")
    assert sig.list_cutoff_versions(store).iloc[0]["reviewed_by"] == "赵六"
    with pytest.raises(QinggongError, match="已存在"):
        sig.save_cutoffs(store, load_panel(store), to_month(period), label="2021复核")
    stored = sig.load_cutoffs(store, "2021复核")
    live = run_signals(store, period)
    pinned = run_signals(store, period, cutoff_version="2021复核")
    assert pinned.lights.iloc[0]["cutoffs"] == [round(v, 4) for v in stored["OFFICIAL.M.VA.21.000000._Z.YOY_M.PCT"]]
    assert live.lights.iloc[0]["cutoffs"] == pinned.lights.iloc[0]["cutoffs"]  # saved from that very month
    with pytest.raises(QinggongError, match="没有临界值版本"):
        run_signals(store, period, cutoff_version="不存在")


def test_derived_light_industry_growth_joins_the_panel(store):
    from qinggong.monitor.indices import reference_series
    from qinggong.monitor.panel import load_panel

    values = list(_slowdown_values()[:60])
    frames = [_series_frame(code, values).drop(columns=["series_key"]) for code in ("21", "22")]
    li = _series_frame("LI", values).drop(columns=["series_key"])
    li["dataflow"] = "DERIVED"
    store.write_observations(pd.concat(frames + [li], ignore_index=True), source="测试")
    panel = load_panel(store)
    assert "DERIVED.M.VA.LI.000000._Z.YOY_M.PCT" in panel.series
    _, label = reference_series(panel)
    assert label == "DERIVED.M.VA.LI.000000._Z.YOY_M.PCT"
    result = sig.compute_signals(panel, panel.last_month)
    li_row = result.composite.set_index("industry_code").loc["LI"]
    assert li_row["indicators"] == 3  # its own light and both sub-sectors'
