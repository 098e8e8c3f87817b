"""Forecasts on constructed histories: crossing years, intervals that widen with the horizon, target status."""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from qinggong import plan
from qinggong.plan.service import _count_interval


def test_ten_percent_growth_from_800_crosses_in_the_right_year():
    # 800亿元 in 2022, growing exactly 10% a year before and after: 880 (2023), 968 (2024), 1064.8 (2025)
    years = [2018, 2019, 2020, 2021, 2022]
    values = [800 * 1.1 ** (y - 2022) for y in years]
    fc = plan.forecast_crossing(years, values)
    assert fc["growth"] == pytest.approx(0.10, abs=1e-9)
    assert fc["crossing_year"] == 2025
    assert fc["crossing_year"] == 2022 + math.ceil(math.log(1000 / 800) / math.log(1.1))
    path = fc["path"].set_index("year")
    assert path.loc[2024, "mean"] == pytest.approx(968.0, rel=1e-9)
    assert path.loc[2025, "mean"] == pytest.approx(1064.8, rel=1e-9)
    assert not fc["crossed"]
    assert fc["at_until"]["mean"] == pytest.approx(800 * 1.1 ** 4, rel=1e-9)  # 2026


def test_already_crossed_is_reported_as_such():
    fc = plan.forecast_crossing([2021, 2022, 2023, 2024], [900, 990, 1089, 1198])
    assert fc["crossed"] and fc["crossed_year"] == 2023 and fc["crossing_year"] is None


def test_interval_widens_with_the_horizon_and_contains_the_truth():
    rng = np.random.default_rng(7)
    years = list(range(2016, 2025))
    values = [500 * 1.08 ** (y - 2016) * math.exp(rng.normal(0, 0.03)) for y in years]
    fc = plan.forecast_crossing(years, values, level=0.8)
    path = fc["path"]
    log_width = np.log(path["upper"]) - np.log(path["lower"])
    assert (np.diff(log_width) > 0).all()
    assert (path["lower"] < path["mean"]).all() and (path["mean"] < path["upper"]).all()
    early, point, late = fc["crossing_year_early"], fc["crossing_year"], fc["crossing_year_late"]
    assert early <= point <= late
    assert early < late
    assert fc["growth"] == pytest.approx(0.08, abs=0.02)
    truth_2027 = 500 * 1.08 ** 11
    row = path.set_index("year").loc[2027]
    assert row["lower"] < truth_2027 < row["upper"]


def test_declining_or_short_series_give_no_crossing_with_a_reason():
    flat = plan.forecast_crossing([2020, 2021, 2022, 2023], [600, 590, 585, 570])
    assert flat["crossing_year"] is None and "难以达到" in flat["note"]
    short = plan.forecast_crossing([2023, 2024], [800, 880])
    assert short["crossing_year"] is None and "不足" in short["note"]


def test_count_interval_is_wider_with_overdispersion():
    plain = _count_interval(100, 5.0, 12, 0.8, 1.0)
    wide = _count_interval(100, 5.0, 12, 0.8, 3.0)
    assert plain[0] == wide[0] == 160
    assert wide[1] < plain[1] < 160 < plain[2] < wide[2]


def test_cluster_forecasts_and_target_status_from_the_store(store):
    plan.register_cluster(store, name="东莞家具产区", region="广东省", sector="家具", batch="第一批")
    plan.register_cluster(store, name="顺德家电产区", region="440000", sector="家电", batch="第一批")
    plan.register_cluster(store, name="某鞋业产区", region="福建省", sector="皮革制鞋", batch="第二批")
    for year in range(2019, 2025):
        plan.add_cluster_revenue(store, "东莞家具产区", year, round(800 * 1.1 ** (year - 2022), 6))
        plan.add_cluster_revenue(store, "顺德家电产区", year, 1500 + 50 * (year - 2019))
        plan.add_cluster_revenue(store, "某鞋业产区", year, 300 * 1.02 ** (year - 2019))
    fc = plan.cluster_forecasts(store).set_index("cluster_name")
    # 东莞: 2022 = 800, +10%/yr → 2024 = 968 (not yet), crosses 2025, 2026 ≈ 1171.28
    assert not fc.loc["东莞家具产区", "crossed"]
    assert fc.loc["东莞家具产区", "crossing_year"] == 2025
    assert fc.loc["东莞家具产区", "projected"] == pytest.approx(800 * 1.1 ** 4, rel=1e-6)
    assert fc.loc["顺德家电产区", "crossed_year"] == 2019
    assert pd.isna(fc.loc["某鞋业产区", "crossing_year"])  # 2%/yr from 300: not within 15 years
    assert "达不到" in fc.loc["某鞋业产区", "note"]
    progress = {t["target_id"]: t for t in plan.targets_progress(store, as_of="2025-12-31")}
    clusters = progress["CLUSTERS_1000"]
    assert clusters["current"] == 1
    assert clusters["projected"] == 2
    assert clusters["status"] == "风险"  # even the optimistic count (3 at most) is far from 10
    assert clusters["months_remaining"] == pytest.approx(12.0, abs=0.1)
    assert clusters["pace_needed_per_month"] == pytest.approx(9 / 12, abs=0.01)


def test_products_target_on_track_and_behind(store):
    for i in range(30):
        nomination = plan.nominate_product(store, product_name=f"智能产品{i}", enterprise=f"企业{i}", category="智能家居",
                                           region="浙江省", nominator_type="协会", nominator="中国家用电器协会")
        plan.review_nomination(store, nomination["nomination_id"], decision="入选", listed_in="升级和创新消费品指南（2025年版）",
                                at=datetime(2025, 1, 20))
    # 30 listed in 6 months → 5 a month → 30 + 5×18 = 120 by the end of 2026: far below 300
    progress = {t["target_id"]: t for t in plan.targets_progress(store, as_of="2025-07-01")}
    products = progress["UPGRADE_PRODUCTS"]
    assert products["current"] == 30
    assert products["pace_current_per_month"] == pytest.approx(30 / 6.0, rel=0.02)
    assert products["projected"] == pytest.approx(30 + 30 / (181 / (365.25 / 12)) * (549 / (365.25 / 12)), rel=0.01)
    assert products["projected_lower"] < products["projected"] < products["projected_upper"]
    assert products["status"] == "风险"
    assert products["pace_needed_per_month"] == pytest.approx(270 / (549 / (365.25 / 12)), rel=0.01)
    # the same 30 listings seen as of 2025-02-01: pace 30/month → ~ 30 + 30×23 ≫ 300
    early = {t["target_id"]: t for t in plan.targets_progress(store, as_of="2025-02-01")}
    assert early["UPGRADE_PRODUCTS"]["status"] == "按期"


def test_standards_projection_uses_stage_durations(store):
    plan.add_standard(store, name="玩具安全", product="玩具")
    plan.add_standard(store, name="儿童手表", product="儿童手表")
    plan.add_standard(store, name="智能锁具安全技术要求", product="智能锁具")
    plan.record_standard_stage(store, "玩具安全", "立项", "2024-03-01")
    plan.record_standard_stage(store, "玩具安全", "发布", "2025-05-20")
    plan.record_standard_stage(store, "儿童手表", "立项", "2025-01-10")
    plan.record_standard_stage(store, "儿童手表", "报批", "2025-09-01")      # +4 months typical → 2026-01
    plan.record_standard_stage(store, "智能锁具安全技术要求", "立项", "2025-10-01")  # +20 typical → 2027-06
    frame = plan.standards(store).set_index("standard_name")
    assert frame.loc["玩具安全", "completed"] and frame.loc["玩具安全", "stage"] == "发布"
    assert str(frame.loc["儿童手表", "projected_typical"]) == "2026-01-01"
    progress = {t["target_id"]: t for t in plan.targets_progress(store, as_of="2025-11-30")}
    std = progress["MANDATORY_STANDARDS"]
    assert (std["current"], std["projected"], std["projected_lower"], std["projected_upper"]) == (1, 2, 2, 3)
    assert std["status"] == "风险" and "尚有 7 项未登记" in std["detail"]
