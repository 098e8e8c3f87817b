"""Rule kinds one by one on synthetic series, rule-file validation and the sentence format."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from qinggong.config import config_path
from qinggong.errors import QinggongError
from qinggong.monitor import rules as engine
from qinggong.monitor.backtest import run_panel
from qinggong.monitor.panel import panel_from_frame
from qinggong.monitor.phrasing import change_clause, fmt1, growth


def _frame(industry, values, *, start="2020-01", indicator="VA", measure="YOY_M", unit="PCT", region="000000", spans=None):
    periods = [str(p) for p in pd.period_range(start, periods=len(values), freq="M")]
    f = pd.DataFrame({"dataflow": "OFFICIAL", "freq": "M", "indicator": indicator, "industry": industry, "region": region,
                      "product": "_Z", "measure": measure, "unit": unit, "period": periods, "value": values,
                      "span": spans if spans is not None else 1})
    f["series_key"] = f"OFFICIAL.M.{indicator}.{industry}.{region}._Z.{measure}.{unit}"
    return f.dropna(subset=["value"])


def _alerts(frames, period, end=None):
    panel = panel_from_frame(pd.concat(frames, ignore_index=True))
    return run_panel(panel, period, end or period).alerts


def test_number_format():
    assert fmt1(2.45) == "2.5" and fmt1(-0.04) == "0.0" and fmt1(11.25) == "11.3"
    assert growth(-11.3) == "下降11.3%" and growth(0.04) == "与上年同期持平" and growth(6.5) == "增长6.5%"
    assert change_clause(-11.3, -8.9, "上月") == "降幅较上月扩大2.4个百分点"
    assert change_clause(4.0, 6.5, "上月") == "增速较上月回落2.5个百分点"


def test_below_all_industry_and_vs_reference_sentence():
    total = _frame("_T", [6.0] * 12)
    paper = _frame("22", [6.0] * 8 + [2.0, 1.5, 1.0, 2.5])
    hits = [a for a in _alerts([total, paper], "2020-12") if a["rule"] == "below_all_industry"]
    assert len(hits) == 1 and hits[0]["streak"] == 4 and hits[0]["first_period"] == "2020-11"
    assert hits[0]["message"] == (
        "造纸和纸制品业增加值当月同比增长2.5%，低于全部规模以上工业（增长6.0%）3.5个百分点，"
        "已连续4个月低于全部规模以上工业3.0个百分点以上"
    )


def test_gap_of_unpublished_january_does_not_break_a_streak_but_a_long_gap_does():
    values = [5.0] * 10 + [-1.0, -2.0, np.nan, np.nan, -3.0, -4.0]  # 2020-11 … 2021-04, Jan–Feb 2021 missing
    hits = _alerts([_frame("21", values)], "2021-01", "2021-04")
    neg = {a["period"]: a for a in hits if a["rule"] == "growth_negative"}
    assert sorted(neg) == ["2021-01", "2021-02", "2021-03", "2021-04"]
    assert neg["2021-01"]["message"].startswith("截至2020年12月，")
    assert neg["2021-04"]["streak"] == 6 and neg["2021-04"]["first_period"] == "2020-12"
    long_gap = [5.0] * 10 + [-1.0, -2.0, np.nan, np.nan, np.nan, -4.0]
    hits = _alerts([_frame("21", long_gap)], "2021-04")
    assert not [a for a in hits if a["rule"] == "growth_negative"]  # a single −4.0 after a 3-month gap


def test_combined_jan_feb_counts_two_months():
    values = [5.0] * 13 + [-20.0]  # 2021-02 is the 1-2月 figure
    spans = [1] * 13 + [2]
    frame = _frame("15", values, spans=spans)
    frame = frame[frame["period"] != "2021-01"]
    neg = [a for a in _alerts([frame], "2021-02") if a["rule"] == "growth_negative"]
    assert neg and neg[0]["streak"] == 2 and neg[0]["first_period"] == "2021-02"


def test_export_falling_and_decline_widening():
    export = _frame("24", [5.0] * 6 + [-1.0, -3.0, -6.0], indicator="EXPORT")
    hits = {a["rule"]: a for a in _alerts([export], "2020-09")}
    assert hits["export_falling"]["severity"] == "关注" and hits["export_falling"]["streak"] == 3
    assert hits["decline_widening"]["message"] == "文教、工美、体育和娱乐用品制造业出口交货值当月同比下降6.0%，降幅较上月扩大3.0个百分点，降幅已连续2个月扩大"


def test_growth_falling_needs_a_real_fall():
    small = _frame("14", [8.0] * 6 + [7.8, 7.6, 7.4])  # falling, but only 0.6 points
    big = _frame("13", [8.0] * 6 + [7.0, 5.5, 3.0])
    hits = _alerts([small, big], "2020-09")
    falling = [a for a in hits if a["rule"] == "growth_falling"]
    assert [a["industry_code"] for a in falling] == ["13"]
    assert falling[0]["message"] == "农副食品加工业增加值当月同比增长3.0%，已连续3个月回落，较回落前的8.0%累计回落5.0个百分点"


def test_outlier_on_growth_rates():
    rng = np.random.default_rng(5)
    values = list(8 + rng.normal(0, 0.5, 30)) + [25.0]
    hits = [a for a in _alerts([_frame("22", values)], "2022-07") if a["rule"] == "sa_outlier"]
    assert len(hits) == 1 and "属异常值" in hits[0]["message"] and hits[0]["value"] == 25.0


def test_outlier_on_levels_uses_seasonal_adjustment():
    months = pd.period_range("2016-01", periods=72, freq="M")
    seasonal = np.array([0.8, 0.7, 1.0, 1.0, 1.05, 1.05, 1.0, 1.0, 1.05, 1.05, 1.1, 1.2])
    rng = np.random.default_rng(11)
    level = 100 * 1.005 ** np.arange(72) * seasonal[months.month - 1] * np.exp(rng.normal(0, 0.01, 72))
    level[-1] *= 0.7  # a 30% collapse in the last month, not seasonal
    frame = _frame("21", list(level), start="2016-01", indicator="EXPORT", measure="M", unit="CNY_100M")
    hits = [a for a in _alerts([frame], "2021-12") if a["rule"] == "sa_outlier"]
    assert len(hits) == 1 and "季调后异常值" in hits[0]["message"]


def test_rule_file_errors_name_rule_and_field(tmp_path, monkeypatch):
    data = yaml.safe_load(config_path("warning_rules").read_text(encoding="utf-8"))
    data["rules"][0]["severity"] = "很严重"
    (tmp_path / "warning_rules.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("QINGGONG_CONFIG_DIR", str(tmp_path))
    with pytest.raises(QinggongError, match="规则“growth_negative”的字段“severity”"):
        engine.load_rules()
    data["rules"][0]["severity"] = "关注"
    data["rules"][1]["kind"] = "magic"
    (tmp_path / "warning_rules.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(QinggongError, match="字段“kind”"):
        engine.load_rules()


def test_every_required_rule_kind_is_configured():
    ruleset = engine.load_rules()
    kinds = {r.kind for r in ruleset.rules}
    assert {"threshold", "vs_reference", "falling", "widening_decline", "pair", "light", "peak", "outlier"} <= kinds
    ids = {r.id for r in ruleset.rules}
    assert {"revenue_up_profit_down", "inventory_outpaces_revenue", "receivables_outpace_revenue", "export_falling"} <= ids
    assert ruleset.severities == ["提示", "关注", "警示", "严重"]
