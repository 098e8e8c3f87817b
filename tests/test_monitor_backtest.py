"""The warning rules on the real value-added growth data (Wind/NBS file 01), replayed month by
month with only the data known at each month.

Why these periods: late 2008 – early 2009 is the global financial crisis (light-industry growth
fell from ~15–20% to single digits within months: 造纸 22 from 11.9% in 2008-09 to 2.1% in
2008-11); in 1–2月 2020 COVID-19 stopped production (most light sub-sectors −10% to −30%);
家具 21 has shrunk every published month from 2024-07 to 2025-11. 食品制造 14 and
酒、饮料和精制茶 15 grew steadily at 6–9% a year in 2015–2017 (monthly std ≈ 1–2 points).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from test_monitor_data import real_va_frame

from qinggong.monitor import backtest as bt
from qinggong.monitor.panel import panel_from_frame
from qinggong.monitor.service import CONTRACT_FIELDS, contract

LIGHT_2DIGIT = {"13", "14", "15", "19", "20", "21", "22", "24", "29"}
RANK = {"提示": 0, "关注": 1, "警示": 2, "严重": 3}


def _panel():
    frame = real_va_frame().copy()
    frame["series_key"] = "OFFICIAL.M.VA." + frame["industry"] + ".000000._Z.YOY_M.PCT"
    return panel_from_frame(frame)


@pytest.fixture(scope="module")
def result():
    return bt.run_panel(_panel(), "2006-01", "2025-11")


def _at(result, period, min_rank=1):
    return [a for a in result.alerts if a["period"] == period and RANK[a["severity"]] >= min_rank
            and a["industry_code"] in LIGHT_2DIGIT]


def test_fires_in_the_2008_2009_crisis(result):
    # every month from 2008-09 to 2009-01 at least three light sub-sectors carry an alert of
    # severity 关注 or above; 2009-01 is judged on the December figures (January not published)
    for period in ["2008-09", "2008-10", "2008-11", "2008-12", "2009-01"]:
        sectors = {a["industry_code"] for a in _at(result, period)}
        assert len(sectors) >= 3, (period, sectors)
    paper = [a for a in _at(result, "2008-11") if a["industry_code"] == "22" and a["rule"] == "light_cold"]
    assert paper and paper[0]["light"] == "蓝" and paper[0]["value"] == 2.1
    assert "造纸和纸制品业增加值当月同比增长2.1%" in paper[0]["message"]
    assert _at(result, "2009-03"), "early 2009 still fires (木材加工 far below its 2008 pace)"
    jan = [a for a in _at(result, "2009-01") if a["industry_code"] == "22"]
    assert all(a["message"].startswith("截至2008年12月，") for a in jan)


def test_fires_in_early_2020(result):
    # 1-2月 2020 is published for 13, 14, 15, 29 only (−16.0, −18.2, −23.6, −25.2): a combined
    # figure covers two months, so negative growth fires at once
    feb = {a["industry_code"] for a in _at(result, "2020-02") if a["rule"] == "growth_negative"}
    assert {"13", "14", "15", "29"} <= feb
    march = {a["industry_code"] for a in _at(result, "2020-03") if a["rule"] == "growth_negative"}
    assert len(march) >= 4, march
    assert len({a["industry_code"] for a in _at(result, "2020-02")}) >= 6


def test_furniture_decline_2024_2025(result):
    furniture = [a for a in result.alerts if a["industry_code"] == "21" and a["rule"] == "growth_negative"]
    months = sorted({a["period"] for a in furniture if a["period"] >= "2024-01"})
    # negative since 2024-07; the rule needs two months in a row, so it fires from 2024-08 on
    # and never stops (2025-01/02 not published: the gap does not break the run)
    expected = [f"{y}-{m:02d}" for y, m in [(2024, m) for m in range(8, 13)] + [(2025, m) for m in range(1, 12)]]
    assert months == expected
    last = [a for a in furniture if a["period"] == "2025-11"][0]
    assert last["severity"] == "严重" and last["first_period"] == "2024-08" and last["streak"] == 17
    assert last["value"] == -11.3
    # −11.3 in 2025-11 after −8.9 in 2025-10: 17 months negative (2024-07 … 2025-11, the
    # unpublished 2025-01/02 counted inside the run), decline widened by 2.4 points
    assert last["message"] == "家具制造业增加值当月同比下降11.3%，已连续17个月负增长，降幅较上月扩大2.4个百分点"
    widening = [a for a in result.alerts if a["industry_code"] == "21" and a["rule"] == "decline_widening" and a["period"] == "2025-11"]
    assert widening and widening[0]["streak"] == 2


def test_quiet_for_steady_growth(result):
    # 食品制造 and 酒饮料茶 grew steadily in 2015–2017: no alert above 提示, none of the
    # level rules (negative growth, far below all industry, year-on-year slowdown) at all,
    # and no alert at all in most months
    steady = [a for a in result.alerts if a["industry_code"] in ("14", "15") and "2015-01" <= a["period"] <= "2017-12"]
    assert all(RANK[a["severity"]] == 0 for a in steady), [(a["period"], a["rule"], a["severity"]) for a in steady if RANK[a["severity"]]]
    assert not {a["rule"] for a in steady} & {"growth_negative", "below_all_industry", "growth_slowdown", "decline_widening"}
    for code in ("14", "15"):
        months = {a["period"] for a in steady if a["industry_code"] == code}
        assert len(months) <= 6, (code, sorted(months))


def test_point_in_time_equals_truncated_run(result):
    # a run on the data cut at the month gives exactly the backtest row of that month
    panel = _panel()
    for period in ["2008-11", "2020-02", "2025-11"]:
        alone = bt.run_panel(panel.truncate(int(period[:4]) * 12 + int(period[5:]) - 1), period, period)
        assert contract(alone.alerts) == contract([a for a in result.alerts if a["period"] == period])


def test_identical_inputs_identical_output(result):
    again = bt.run_panel(_panel(), "2006-01", "2025-11")
    assert json.dumps(contract(again.alerts), ensure_ascii=False) == json.dumps(contract(result.alerts), ensure_ascii=False)
    assert all(list(a) == CONTRACT_FIELDS for a in contract(result.alerts))


def test_summary_and_episodes(result):
    summary = {r["period"]: r for r in result.summary()}
    assert len(summary) == 239  # 2006-01 … 2025-11
    assert "21" in summary["2025-11"]["industries"]
    eps = result.episodes()
    furniture = eps[(eps["rule"] == "growth_negative") & (eps["industry_code"] == "21") & (eps["first_period"] == "2024-08")]
    assert len(furniture) == 1 and pd.isna(furniture.iloc[0]["closed_period"])
    # an episode that ended is closed the month after it last fired
    ended = eps[eps["closed_period"].notna()].iloc[0]
    assert ended["closed_period"] > ended["last_period"]


def test_backtest_is_fast(result):
    assert result.seconds < 20
