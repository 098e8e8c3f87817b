"""Comparable-basis aggregation in SQL (DuckDB and PostgreSQL): growth on the set of
enterprises reporting in both periods differs from the ratio of aggregate levels."""

from __future__ import annotations

import pandas as pd
import pytest

from qinggong.collect import aggregate_reports, make_credit_code, register_enterprises, review_reports, submit_reports
from qinggong.collect.aggregate import comparable_growth
from qinggong.disclose import publish_enterprise_aggregates
from qinggong.disclose.suppress import params

CODES = [make_credit_code("330102", i) for i in range(1, 5)]
# E1, E2 report in both years; E3 exits after 2024; E4 enters in 2025 (1–3月累计营业收入, 万元).
YTD = {("2024-03", 0): 100.0, ("2024-03", 1): 200.0, ("2024-03", 2): 300.0,
       ("2025-03", 0): 110.0, ("2025-03", 1): 180.0, ("2025-03", 3): 50.0}


def _form(code, period, ytd):
    m = ytd / 3
    return {"credit_code": code, "period": period, "rev_m": m, "rev_ytd": ytd, "cost_m": 0.8 * m, "cost_ytd": 0.8 * ytd,
            "profit_m": 0.1 * m, "profit_ytd": 0.1 * ytd, "export_m": 1.0, "export_ytd": 3.0, "inv_eop": 10.0,
            "ar_eop": 20.0, "emp_m": 10, "orders_m": m, "orders_ytd": ytd}


@pytest.fixture
def panel(store):
    firms = pd.DataFrame(
        [{"credit_code": c, "name": f"企业{i}", "industry": "1431", "region": "330102", "size_class": "S",
          "entry_date": "2025-01-01" if i == 3 else "2010-01-01", "exit_date": "2024-12-31" if i == 2 else None}
         for i, c in enumerate(CODES)]
    )
    register_enterprises(store, firms)
    for period in ("2024-03", "2025-03"):
        rows = [_form(CODES[i], p, v) for (p, i), v in YTD.items() if p == period]
        submit_reports(store, pd.DataFrame(rows), explanation="测试面板：只报三月")
        review_reports(store, None, "approve", period=period)
        review_reports(store, None, "confirm", period=period)
    return store


def test_comparable_growth_differs_from_level_ratio(panel):
    tables = [{"industry": ["S", "G", "D", "T"], "region": ["C", "P", "N"]}]
    cells = aggregate_reports(panel, tables=tables)
    cell = cells[(cells["period"] == "2025-03") & (cells["industry"] == "1431") & (cells["region"] == "330102")].iloc[0]
    assert cell["n_enterprises"] == 3
    assert cell["v_rev_ytd"] == pytest.approx(340.0)
    assert cell["c_rev_ytd"] == pytest.approx(290.0) and cell["b_rev_ytd"] == pytest.approx(300.0)
    growth = comparable_growth(cells, "rev_ytd")[cell.name]
    assert growth == pytest.approx((110 + 180) / (100 + 200) * 100 - 100)  # −3.33 %
    levels = cells[(cells["industry"] == "1431") & (cells["region"] == "330102")].set_index("period")["v_rev_ytd"]
    assert levels["2025-03"] / levels["2024-03"] * 100 - 100 == pytest.approx(-43.333333, abs=1e-4)
    # Every level of both hierarchies holds the same four enterprises here.
    light = cells[(cells["industry"] == "LI") & (cells["region"] == "000000") & (cells["period"] == "2025-03")].iloc[0]
    assert light["v_rev_ytd"] == pytest.approx(340.0) and light["n_enterprises"] == 3
    assert set(cells["ilevel"]) == {"S", "G", "D", "T"} and set(cells["rlevel"]) == {"C", "P", "N"}


def test_published_series_carry_comparable_growth_and_counts(panel):
    config = params()
    relaxed = {**config, "primary": {**config["primary"], "min_count": 1, "dominance_items": [], "p_percent": None}}
    summary = publish_enterprise_aggregates(panel, config=relaxed, tables=[{"industry": ["T"], "region": ["N"]}])
    assert summary["suppressed_primary"] == 0
    yoy = panel.series_values("ENTERPRISE.M.REV.LI.000000._Z.YOY_YTD.PCT")
    assert yoy["2025-03"] == pytest.approx(-10 / 3)
    level = panel.series_values("ENTERPRISE.M.REV.LI.000000._Z.YTD.CNY_10K")
    assert level["2025-03"] == pytest.approx(340.0)
    count = panel.series_values("ENTERPRISE.M.ENTERPRISES.LI.000000._Z.EOP.EA")
    assert count.to_dict() == {"2024-03": 3.0, "2025-03": 3.0}
    source = panel.read_observations(dataflow="ENTERPRISE")["source"].unique().tolist()
    assert source == ["企业直报"]


def test_default_rules_suppress_the_small_panel(panel):
    summary = publish_enterprise_aggregates(panel, tables=[{"industry": ["S", "T"], "region": ["N"]}])
    obs = panel.read_observations(dataflow="ENTERPRISE", indicator="REV", measure="YTD").set_index(["industry", "period"])
    # 2025: the two largest of 110, 180, 50 hold 85.3 % > k = 85 % → dominance (G), value withheld.
    for industry in ("1431", "LI"):
        cell = obs.loc[(industry, "2025-03")]
        assert pd.isna(cell["value"]) and cell["status"] == "C" and cell["conf_status"] == "G"
        # 2024: 100, 200, 300 — the two largest hold 83 %, the rest is 100 ≥ p% of 300 → free.
        free = obs.loc[(industry, "2024-03")]
        assert free["value"] == pytest.approx(600.0) and free["conf_status"] == "F"
    assert summary["suppressed_primary"] == 4  # M and YTD of two cells
    # The default audit covers every suppressed unit, and the summary says so.
    assert summary["verification"] == "全部保密单元"
    assert summary["verified_units"] == summary["units"] - summary["by_flag"].get("F", 0)


def test_only_the_latest_confirmed_version_is_aggregated(panel):
    # A late correction of E1's 2025-03 report (110 → 130) is confirmed: it replaces version 1.
    submit_reports(panel, pd.DataFrame([_form(CODES[0], "2025-03", 130.0)]), explanation="更正", correction=True)
    review_reports(panel, None, "approve", period="2025-03")
    review_reports(panel, None, "confirm", period="2025-03")

    def cell(periods=None):
        cells = aggregate_reports(panel, tables=[{"industry": ["S"], "region": ["C"]}], periods=periods)
        return cells[(cells["period"] == "2025-03") & (cells["industry"] == "1431")].iloc[0]

    assert cell()["v_rev_ytd"] == pytest.approx(360.0) and cell()["n_enterprises"] == 3
    # Even if an older version were still marked 已确认 (a store written before versions were
    # superseded on confirmation), only the latest one counts, with or without a period filter.
    panel.backend.execute("UPDATE enterprise_report_data SET status = 'CONFIRMED' WHERE report_id IN"
                          " (SELECT report_id FROM enterprise_report WHERE credit_code = ? AND period = ?)",
                          [CODES[0], "2025-03"])
    assert panel.backend.scalar("SELECT COUNT(*) FROM enterprise_report WHERE credit_code = ? AND period = ?"
                                " AND status = 'CONFIRMED'", [CODES[0], "2025-03"]) == 2
    for periods in (None, ["2025-03"]):
        assert cell(periods)["v_rev_ytd"] == pytest.approx(360.0) and cell(periods)["c_rev_ytd"] == pytest.approx(310.0)


def test_largest_contributions_of_every_published_cell(store):
    """x1/x2 (the two largest |contributions| behind a cell, for the dominance rules) of every
    industry × region level, against the confirmed microdata ranked in pandas."""
    from qinggong.collect.aggregate import NATIONAL, industry_tree
    from qinggong.demo.generator import generate_panel

    made = generate_panel(150, end="2025-03", months=3, seed=7)
    register_enterprises(store, made.enterprises)
    submit_reports(store, made.reports, run_rules=False)
    review_reports(store, None, "approve")
    review_reports(store, None, "confirm")
    items = ["rev_ytd", "export_ytd"]
    cells = aggregate_reports(store, dominance_items=items)

    micro = made.reports.merge(made.enterprises[["credit_code", "industry", "region"]], on="credit_code")
    micro = micro.merge(industry_tree().rename(columns={"code": "industry"}), on="industry")
    levels = {"S": micro["industry"], "G": micro["mid"], "D": micro["division"], "T": pd.Series("LI", index=micro.index)}
    regions = {"N": pd.Series(NATIONAL, index=micro.index), "P": micro["region"].str[:2] + "0000"}
    checked = 0
    for (ilevel, rlevel), group in cells.groupby(["ilevel", "rlevel"]):
        keyed = micro.assign(ind=levels[ilevel], reg=regions[rlevel]).dropna(subset=["ind"])
        for item in items:
            ranked = keyed.assign(x=keyed[item].abs()).dropna(subset=["x"]).sort_values("x", ascending=False)
            top = ranked.groupby(["ind", "reg", "period"])["x"].agg(
                x1="first", x2=lambda s: s.iloc[1] if len(s) > 1 else float("nan"))
            got = group.set_index(["industry", "region", "period"])[[f"x1_{item}", f"x2_{item}"]]
            want = top.reindex(got.index)
            assert got[f"x1_{item}"].to_numpy() == pytest.approx(want["x1"].to_numpy(), nan_ok=True)
            assert got[f"x2_{item}"].to_numpy() == pytest.approx(want["x2"].to_numpy(), nan_ok=True)
            checked += int(want["x2"].notna().sum())
    assert checked > 100
