"""Spring Festival calendar and seasonal adjustment (X-13 and native) on real series."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from qinggong.compute.calendar import spring_festival, spring_festival_regressors
from qinggong.compute.periods import month_from_ytd, month_with_ytd
from qinggong.compute.seasonal import adjust, choose_method, x13_available
from qinggong.errors import InputError
from test_compute_data import REAL, efficiency, export, province_pairs

needs_x13 = pytest.mark.skipif(not x13_available(), reason="x13as 未安装")


def test_spring_festival_dates_and_regressors():
    assert spring_festival(2024) == date(2024, 2, 10)
    assert spring_festival(2025) == date(2025, 1, 29)
    assert spring_festival(2020) == date(2020, 1, 25)
    periods = [f"{y}-{m:02d}" for y in range(1990, 2050) for m in range(1, 13)]
    regs = spring_festival_regressors(periods)
    # calendar-centred: mean zero per calendar month over the centring years
    by_month = regs.groupby([p[5:] for p in periods]).mean()
    assert np.allclose(by_month.to_numpy(), 0, atol=1e-12)
    raw = spring_festival_regressors(["2025-01", "2025-02"])
    assert raw.loc["2025-01", "cnypre"] > raw.loc["2025-02", "cnypre"]  # 29 Jan: the week before is all January


def _simulated(effect_pre=0.08, effect_post=-0.15):
    periods = [f"{y}-{m:02d}" for y in range(2010, 2024) for m in range(1, 13)]
    regs = spring_festival_regressors(periods)
    rng = np.random.default_rng(1)
    t = np.arange(len(periods))
    log_y = 5 + 0.004 * t + 0.1 * np.sin(2 * np.pi * t / 12) + effect_pre * regs["cnypre"].to_numpy() \
        + effect_post * regs["cnypost"].to_numpy() + rng.normal(0, 0.01, len(t))
    return pd.Series(np.exp(log_y), index=periods)


@pytest.mark.parametrize("method", ["native", pytest.param("x13", marks=needs_x13)])
def test_holiday_effect_recovered_and_removed(method):
    series = _simulated()
    result = adjust(series, method=method)
    h = result.diagnostics["holiday"]
    assert h["cnypre"]["coef"] == pytest.approx(0.08, abs=0.03)
    assert h["cnypost"]["coef"] == pytest.approx(-0.15, abs=0.03)
    assert abs(h["cnypost"]["t"]) > 5
    assert result.method == method and result.diagnostics["aicc"] is not None
    assert result.diagnostics["ljung_box"]["lag"] == 24
    f = result.frame
    assert np.allclose(f["sa"] * f["seasonal"] * f["holiday"], f["input"], rtol=1e-3)
    # the holiday factor is the estimated effect of the date-dependent regressors, and it moves
    # with the Spring Festival date (2020: 25 Jan, 2021: 12 Feb)
    regs = spring_festival_regressors(list(f.index))
    expected = np.exp(h["cnypre"]["coef"] * regs["cnypre"] + h["cnypost"]["coef"] * regs["cnypost"])
    assert np.allclose(f["holiday"], expected, rtol=1e-6)
    assert abs(f.loc["2021-02", "holiday"] - f.loc["2020-02", "holiday"]) > 0.005


def _real_series():
    out = {}
    for name, col in (("营业收入", "中国:营业收入:规模以上工业企业:累计值"), ("利润总额", "中国:利润总额:规模以上工业企业:累计值")):
        m = month_from_ytd(efficiency(col))
        m = m[m["status"] == "D"]
        out[name] = (m["value"], m["span"])
    # published 当月 completed from 累计: 1-2月合并 from 2013, January = 1-2月累计 − 2月当月 before
    m = month_with_ytd(export("中国:出口交货值:规模以上工业企业:当月值"), export("中国:出口交货值:规模以上工业企业:累计值"))
    out["出口交货值"] = (m["value"], m["span"])
    return out


def _file_08(column: str) -> pd.Series:
    """File 08 (CEIdata, NBS national monthly, 2010-05 … 2020-04): a 当期 column."""
    table = pd.read_csv(REAL / "08_gkd_CEIdata_月度数据_塑料制品纱产量等_201005-202004.csv", skiprows=[1, 2, 3])
    return pd.to_numeric(table.set_index("指标")[column], errors="coerce").dropna()


def _agreement(values, span=None):
    a = adjust(values, span=span, method="x13")
    b = adjust(values, span=span, method="native")
    both = pd.DataFrame({"x13": a.mom_sa, "native": b.mom_sa}).dropna()
    assert len(both) >= len(values) - 1
    return float(both.corr().iloc[0, 1]), a, b


@needs_x13
@pytest.mark.slow
def test_native_agrees_with_x13_on_real_series():
    """Correlation of SA month-on-month changes, native vs X-13, over the common sample ≥ 0.95
    per series (issue 5). Measured (seasonal.yaml 1.1.0): 营业收入 0.995, 利润总额 0.981,
    出口交货值 0.980; 塑料制品产量 0.983, 纱产量 0.987 (file 08)."""
    report = {}
    for name, (values, span) in _real_series().items():
        corr, a, b = _agreement(values, span)
        report[name] = round(corr, 3)
        assert a.frame.loc[a.frame["original"].isna(), "status"].eq("E").all()
        # 1-2月合并: the split months add up to the published value, for both methods
        feb = span[span == 2].index[-1]
        jan = f"{feb[:4]}-01"
        for result in (a, b):
            assert result.frame.loc[jan, "input"] + result.frame.loc[feb, "input"] == pytest.approx(values[feb])
        # both methods see the year-start scope breaks and COVID as outliers
        assert {o["period"] for o in b.diagnostics["outliers"]} & {o["period"] for o in a.diagnostics["outliers"]}
    # Provincial product output (file 06) has only 24 months (2018-05 … 2020-04), below the
    # 36 months seasonal adjustment needs (see test_province_series_too_short); the longest real
    # national product-output series are file 08's 当期 (105 months published of 120).
    for name in ("塑料制品产量_当期", "纱产量_当期"):
        corr, _, b = _agreement(_file_08(name))
        report[name] = round(corr, 3)
        assert b.diagnostics["filled_missing"] == 15  # January/February not published: model-filled, status E
    print("correlation of SA month-on-month changes, native vs X-13:", report)
    assert all(v >= 0.95 for v in report.values()), report


def test_province_series_too_short():
    pairs = province_pairs()
    monthly, _ = pairs[("北京", "铁矿石原矿量")]
    assert len(monthly) <= 24
    with pytest.raises(InputError, match="至少需要 36 个月"):
        adjust(monthly, method="native")


def test_auto_falls_back_to_native_without_x13(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("X13PATH", raising=False)
    assert choose_method("auto") == "native"
    result = adjust(_simulated(), method="auto")
    assert result.method == "native" and result.diagnostics["requested"] == "auto"
    assert "native" in result.method_version


def test_outlier_critical_value_follows_ljung():
    from qinggong.compute.seasonal import outlier_critical_value

    # Ljung (1993) as X-13 uses it by default: about 3.8 for ten years of data, 4.05 for 25 years
    assert outlier_critical_value(106) == pytest.approx(3.82, abs=0.01)
    assert outlier_critical_value(305) == pytest.approx(4.05, abs=0.01)
    assert outlier_critical_value(60) < outlier_critical_value(120) < outlier_critical_value(300)


def test_native_detects_level_shift_and_additive_outlier():
    series = _simulated()
    log = np.log(series)
    log.loc["2016-01":] -= 0.25  # a scope break at a year start: level shift of −22 %
    log.loc["2019-07"] += 0.20  # a one-month spike
    result = adjust(np.exp(log), method="native")
    found = {(o["type"], o["period"]): o["coef"] for o in result.diagnostics["outliers"]}
    assert found[("LS", "2016-01")] == pytest.approx(-0.25, abs=0.05)
    assert found[("AO", "2019-07")] == pytest.approx(0.20, abs=0.05)
    # the level shift stays in the adjusted series and the trend (as X-13 assigns it), the spike in SA
    f = result.frame
    assert f.loc["2016-01", "mom_sa"] == pytest.approx((np.exp(-0.25) - 1) * 100, abs=3)
    assert f.loc["2016-01", "trend"] < f.loc["2015-12", "trend"] * 0.9
    # seasonal factors are not pulled by the break: same January factor before and after it
    assert abs(f.loc["2015-01", "seasonal"] - f.loc["2017-01", "seasonal"]) < 0.02
    # the holiday effect is still recovered
    h = result.diagnostics["holiday"]
    assert h["cnypost"]["coef"] == pytest.approx(-0.15, abs=0.03)


def test_sample_starting_with_combined_january_february():
    series = _simulated().loc["2011-02":]
    span = pd.Series(1, index=series.index)
    combined = _simulated().loc["2011-01"] + series.loc["2011-02"]
    series.loc["2011-02"] = combined
    span.loc["2011-02"] = 2
    result = adjust(series, span=span, method="native")
    f = result.frame
    assert f.index[0] == "2011-01"  # the first 1-2月合并 is split like the others, not read as February
    assert f.loc["2011-01", "input"] + f.loc["2011-02", "input"] == pytest.approx(combined)
    assert f.loc["2011-01", "status"] == "E" and f.loc["2011-02", "status"] == "E"
    assert result.diagnostics["jan_feb_combined"] == 1


def test_month_with_ytd_completes_published_months():
    m = month_with_ytd(export("中国:出口交货值:规模以上工业企业:当月值"), export("中国:出口交货值:规模以上工业企业:累计值"))
    ytd = export("中国:出口交货值:规模以上工业企业:累计值")
    # 2011: February published on its own → January = 1-2月累计 − 2月当月
    assert m.loc["2011-01", "value"] == pytest.approx(ytd["2011-02"] - 6242.7)
    assert m.loc["2011-01", "status"] == "D" and m.loc["2011-02", "status"] == "A"
    # 2013 on: neither month published → 1-2月合并 from the 累计 (span 2)
    assert m.loc["2013-02", "span"] == 2 and m.loc["2013-02", "value"] == pytest.approx(ytd["2013-02"])
    assert "2013-01" not in m.index
    assert (m["status"] == "A").sum() == 256
