"""The Chinese statistical phrasing rules on constructed cases."""

from __future__ import annotations

import math

import pytest

from qinggong.publish import phrasing as ph


@pytest.mark.parametrize("value,expected", [
    (5.2, "增长5.2%"), (-3.14, "下降3.1%"), (0.04, "持平"), (-0.04, "持平"), (0.05, "增长0.1%"),
    (2.25, "增长2.3%"), (-2.25, "下降2.3%"), (10.0, "增长10.0%"), (105.0, "增长105.0%"),
])
def test_growth_words_and_one_decimal(value, expected):
    assert ph.growth(value) == expected


def test_round_half_up_not_bankers():
    assert ph.round_half_up(0.25) == 0.3
    assert ph.round_half_up(2.675, 2) == 2.68
    assert ph.fmt_number(-0.04) == "0.0"
    assert ph.fmt_number(-1.05) == "-1.1"


@pytest.mark.parametrize("current,previous,expected", [
    (5.6, 2.1, "增速较上月加快3.5个百分点"),
    (4.8, 4.9, "增速较上月回落0.1个百分点"),
    (3.0, 3.0, "增速与上月持平"),
    (0.0, 1.2, "增速较上月回落1.2个百分点"),
    (-0.6, -1.9, "降幅较上月收窄1.3个百分点"),
    (-11.3, -8.9, "降幅较上月扩大2.4个百分点"),
    (-2.0, -2.0, "降幅与上月持平"),
    (5.0, -4.1, "增速由负转正（上月为下降4.1%）"),
    (-10.5, 6.7, "增速由正转负（上月为增长6.7%）"),
    (1.5, 0.0, "由上月持平转为增长"),
    (-1.5, 0.0, "由上月持平转为下降"),
    (0.0, -2.2, "由上月下降2.2%转为持平"),
])
def test_change_against_previous_period(current, previous, expected):
    assert ph.change(current, previous) == expected


def test_change_uses_displayed_rates_and_reference_label():
    # 2.34 shows as 2.3, 2.16 as 2.2: the reader sees 0.1, not 0.18 → 0.2
    assert ph.change(2.34, 2.16, reference="1—10月") == "增速较1—10月加快0.1个百分点"
    # -0.04 shows as 持平 (0.0): from a decline to flat, not "由负转正"
    assert ph.change(0.04, -1.0) == "由上月下降1.0%转为持平"


@pytest.mark.parametrize("value,bench,expected", [
    (5.3, 5.0, "高于全部工业0.3个百分点"),
    (1.0, 4.8, "低于全部工业3.8个百分点"),
    (4.84, 4.76, "与全部工业持平"),
])
def test_compare_with_benchmark(value, bench, expected):
    assert ph.compare(value, bench, benchmark_label="全部工业") == expected


def test_streaks_need_a_known_start():
    assert ph.streak_length([-1.0, 0.5, 1.2, 2.0]) == 3
    assert ph.streak([-1.0, 0.5, 1.2, 2.0]) == "连续3个月保持增长"
    assert ph.streak([2.0, -0.5, -1.2, -2.0, -0.1]) == "连续4个月下降"
    assert ph.streak([0.0, 1.0, 2.0, 3.0]) == "连续3个月保持增长"  # a flat month bounds the run
    assert ph.streak([-1.0, 1.0, 2.0]) == ""                       # below the minimum
    assert ph.streak_length([1.0, 2.0, 3.0]) == 0                 # run reaches the start: unknown
    assert ph.streak_length([1.0, 2.0, 3.0], bounded=False) == 3
    assert ph.streak_length([None, 2.0, 3.0, 4.0]) == 0           # a gap: unknown
    assert ph.streak_length([-1.0, math.nan, 2.0]) == 0
    assert ph.streak_length([-1.0, 2.0, 0.04]) == 0               # last rounds to 0: no sign
    assert ph.streak([-1.0, 0.04, 1.0, 2.0, 3.0]) == "连续3个月保持增长"


@pytest.mark.parametrize("value,unit,expected", [
    (6575.7, "CNY_100M", "6575.7亿元"),
    (108000.0, "CNY_100M", "10.80万亿元"),
    (356.04, "CNY_10K", "356.0万元"),
    (23500.0, "CNY_10K", "2.4亿元"),
])
def test_amounts(value, unit, expected):
    assert ph.amount(value, unit) == expected


def test_amount_rejects_unknown_units():
    with pytest.raises(ValueError):
        ph.amount(1.0, "USD")


def test_period_labels():
    assert ph.period_label("2025-11") == "2025年11月"
    assert ph.ytd_label("2025-11") == "1—11月"
    assert ph.ytd_label("2025-02") == "1—2月"
    assert ph.current_label("2025-02", 2) == "1—2月"
    assert ph.current_label("2025-03", 1) == "3月"
