"""主要产品产量 in enterprise reports: product codes and units checked against the catalog at
submission, comparable-basis aggregation by product × region × period on both engines, and
disclosure control of the published product cells."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qinggong.collect import make_credit_code, register_enterprises, review_reports, submit_reports
from qinggong.collect.aggregate import aggregate_products, comparable_growth
from qinggong.collect.reports import ReportRejected
from qinggong.disclose import publish_enterprise_aggregates
from qinggong.errors import InputError

ZJ = [make_credit_code("330102", 40 + i) for i in range(4)]
GD = make_credit_code("440305", 50)
# 1–3月累计啤酒产量, 万千升, by enterprise. ZJ[2] exits after 2024, ZJ[3] enters in 2025, and GD
# reports in both years but makes beer only in 2025: neither is in the comparable base.
BEER_YTD = {("2024-03", ZJ[0]): 10.0, ("2024-03", ZJ[1]): 20.0, ("2024-03", ZJ[2]): 30.0,
            ("2025-03", ZJ[0]): 12.0, ("2025-03", ZJ[1]): 18.0, ("2025-03", ZJ[3]): 5.0, ("2025-03", GD): 7.0}


def _form(code, period):
    return {"credit_code": code, "period": period, "rev_m": 100.0, "rev_ytd": 300.0, "cost_m": 80.0, "cost_ytd": 240.0,
            "profit_m": 5.0, "profit_ytd": 15.0, "export_m": 1.0, "export_ytd": 3.0, "inv_eop": 10.0, "ar_eop": 20.0,
            "emp_m": 10, "orders_m": 100.0, "orders_ytd": 300.0}


def _registry():
    rows = [{"credit_code": c, "name": f"浙江啤酒{i}", "industry": "1513", "region": "330102", "size_class": "S",
             "entry_date": "2025-01-01" if i == 3 else "2010-01-01", "exit_date": "2024-12-31" if i == 2 else None}
            for i, c in enumerate(ZJ)]
    rows.append({"credit_code": GD, "name": "广东啤酒", "industry": "1513", "region": "440305", "size_class": "S",
                 "entry_date": "2010-01-01"})
    return pd.DataFrame(rows)


@pytest.fixture
def beer(store):
    register_enterprises(store, _registry())
    for period in ("2024-03", "2025-03"):
        reporting = [c for c in ZJ + [GD] if (period, c) in BEER_YTD or c == GD]
        products = pd.DataFrame([
            # ZJ[0] reports in 千升: stored in the catalog unit, 万千升.
            {"统一社会信用代码": c, "报告期": period, "产品代码": "啤酒" if c == ZJ[0] else "BEER",
             "计量单位": "千升" if c == ZJ[0] else "万千升",
             "产品产量（本月）": v / 3 * (1e4 if c == ZJ[0] else 1), "产品产量（1-N月累计）": v * (1e4 if c == ZJ[0] else 1)}
            for (p, c), v in BEER_YTD.items() if p == period
        ])
        submit_reports(store, pd.DataFrame([_form(c, period) for c in reporting]), products=products,
                       explanation="测试面板：只报三月")
        review_reports(store, None, "approve", period=period)
        review_reports(store, None, "confirm", period=period)
    return store


def test_product_cells_use_the_comparable_basis(beer):
    cells = aggregate_products(beer, dominance_items=["output_ytd"])
    assert set(cells["product"]) == {"BEER"} and set(cells["unit"]) == {"KL_10K"}
    by = cells.set_index(["rlevel", "region", "period"])
    zj = by.loc[("P", "330000", "2025-03")]
    assert zj["n_enterprises"] == 3 and zj["v_output_ytd"] == pytest.approx(35.0)
    # Comparable: ZJ[0] and ZJ[1] only (ZJ[2] left, ZJ[3] is new): 30 against 30.
    assert zj["c_output_ytd"] == pytest.approx(30.0) and zj["b_output_ytd"] == pytest.approx(30.0)
    national = by.loc[("N", "000000", "2025-03")]
    assert national["n_enterprises"] == 4 and national["v_output_ytd"] == pytest.approx(42.0)
    assert national["b_output_ytd"] == pytest.approx(30.0)  # GD made no beer in 2024: not in the base
    growth = comparable_growth(cells, "output_ytd")
    assert growth[cells.index[(cells["rlevel"] == "N") & (cells["period"] == "2025-03")][0]] == pytest.approx(0.0)
    # The ratio of levels says −30 %; the comparable basis says 0 %.
    assert national["v_output_ytd"] / by.loc[("N", "000000", "2024-03")]["v_output_ytd"] - 1 == pytest.approx(-0.3)
    assert zj["x1_output_ytd"] == pytest.approx(18.0) and zj["x2_output_ytd"] == pytest.approx(12.0)
    assert zj["v_output_m"] == pytest.approx(35.0 / 3)
    # Aggregating one month still reads the year-ago month for the comparable base.
    march = aggregate_products(beer, periods=["2025-03"]).set_index(["rlevel", "region"])
    assert set(march["period"]) == {"2025-03"} and len(march) == 3
    assert march.loc[("N", "000000"), "b_output_ytd"] == pytest.approx(30.0)


def test_published_product_series_are_protected(beer):
    summary = publish_enterprise_aggregates(beer)
    assert summary["products"]["cells"] == 5  # 2024-03: 浙江, 全国; 2025-03: 浙江, 广东, 全国
    assert summary["products"]["unprotected_units"] == 0
    obs = beer.read_observations(dataflow="ENTERPRISE", indicator="OUTPUT", measure="YTD")
    assert set(obs["product"]) == {"BEER"} and set(obs["unit"]) == {"KL_10K"} and set(obs["industry"]) == {"_Z"}
    at = obs[obs["period"] == "2025-03"].set_index("region")
    # Guangdong: one enterprise (A); Zhejiang: two enterprises make 30 of 35 (dominated).
    assert at.loc["440000", "conf_status"] == "A" and np.isnan(at.loc["440000", "value"])
    assert at.loc["330000", "conf_status"] in ("G", "D") and np.isnan(at.loc["330000", "value"])
    published = {r for r in at.index if at.loc[r, "conf_status"] == "F"}
    # Never two of the three cells of 全国 = 浙江 + 广东 published with the third hidden.
    assert len(published & {"000000", "330000", "440000"}) != 2
    counts = beer.read_observations(dataflow="ENTERPRISE", indicator="ENTERPRISES")
    beer_counts = counts[(counts["product"] == "BEER") & (counts["period"] == "2025-03")].set_index("region")["value"]
    assert beer_counts.to_dict() == {"000000": 4.0, "330000": 3.0, "440000": 1.0}


def _products(**override):
    row = {"统一社会信用代码": ZJ[0], "报告期": "2025-03", "产品代码": "BEER", "计量单位": "万千升",
           "产品产量（本月）": 4.0, "产品产量（1-N月累计）": 12.0}
    row.update(override)
    return pd.DataFrame([row])


@pytest.mark.parametrize(
    ("override", "field", "words"),
    [
        ({"产品代码": "不存在的产品"}, "产品代码", "不在主要工业产品目录中"),
        ({"产品代码": "FURNITURE_RETAIL"}, "产品代码", "不在主要工业产品目录中"),
        ({"计量单位": "万吨"}, "计量单位", "应为万千升"),
        ({"计量单位": "桶桶"}, "计量单位", "应为万千升"),
        ({"产品产量（1-N月累计）": 3.0}, "产品产量（1-N月累计）", "累计产量小于本月产量"),  # rule P1
        ({"产品产量（本月）": "四万"}, "产品产量（本月）", "不是数字"),
        ({"产品产量（本月）": -1.0}, "产品产量（本月）", "不能为负数"),
        ({"统一社会信用代码": ZJ[1]}, "统一社会信用代码", "不在月报表中"),  # a product row without its report
        ({"报告期": "2025-04"}, "统一社会信用代码", "不在月报表中"),  # its enterprise reports, but not that month
        ({"报告期": "2025/03"}, "报告期", "格式不正确"),
    ],
)
def test_bad_product_rows_are_refused_and_nothing_is_stored(store, override, field, words):
    register_enterprises(store, _registry())
    with pytest.raises(InputError) as caught:
        submit_reports(store, pd.DataFrame([_form(ZJ[0], "2025-03")]), products=_products(**override),
                       explanation="测试", file="月报.xlsx")
    assert caught.value.field == field and caught.value.row == 2 and words in caught.value.reason
    assert "月报.xlsx" in str(caught.value)
    assert store.backend.scalar("SELECT COUNT(*) FROM enterprise_report") == 0
    assert store.backend.scalar("SELECT COUNT(*) FROM enterprise_report_product") == 0


def _beer_rows(period, m, ytd, code=None):
    return pd.DataFrame([{"统一社会信用代码": code or ZJ[0], "报告期": period, "产品代码": "BEER", "计量单位": "万千升",
                          "产品产量（本月）": m, "产品产量（1-N月累计）": ytd}])


def _monthly(code, period):
    """A report whose 累计 items add up month by month (100 a month, 万元)."""
    k = int(period[5:7])
    return {**_form(code, period), **{f"{item}_ytd": 100.0 * k for item in ("rev", "orders")},
            **{f"{item}_m": 100.0 for item in ("rev", "orders")}, "cost_m": 80.0, "cost_ytd": 80.0 * k,
            "profit_m": 5.0, "profit_ytd": 5.0 * k, "export_m": 1.0, "export_ytd": 1.0 * k}


def test_product_rules_follow_the_same_product_from_last_month(store):
    from qinggong.collect.reports import ReportRejected

    register_enterprises(store, _registry())
    submit_reports(store, pd.DataFrame([_monthly(ZJ[0], "2025-02")]), products=_beer_rows("2025-02", 4.0, 10.0),
                   explanation="测试")
    # P2 (hard): the cumulative output fell below last month's; nothing is stored.
    with pytest.raises(ReportRejected) as caught:
        submit_reports(store, pd.DataFrame([_monthly(ZJ[0], "2025-03")]), products=_beer_rows("2025-03", 2.0, 8.0),
                       explanation="测试")
    assert caught.value.field == "产品产量（1-N月累计）" and "P2" in str(caught.value) and "啤酒" in str(caught.value)
    assert store.backend.scalar("SELECT COUNT(*) FROM enterprise_report WHERE period = '2025-03'") == 0
    # P3 (soft): 本月 ≠ 本月止累计 − 上月止累计 (15 − 10 ≠ 3) needs a 说明 …
    with pytest.raises(ReportRejected) as caught:
        submit_reports(store, pd.DataFrame([_monthly(ZJ[0], "2025-03")]), products=_beer_rows("2025-03", 3.0, 15.0))
    assert [f for f in caught.value.findings["rule_id"] if f.startswith("P")] == ["P3"]
    # … and with one the report is stored, the finding recorded against it.
    result = submit_reports(store, pd.DataFrame([_monthly(ZJ[0], "2025-03")]), products=_beer_rows("2025-03", 3.0, 15.0),
                            explanation="2月产量更正后累计调整")
    checks = store.backend.fetchall("SELECT report_id, rule_id, field FROM enterprise_report_check WHERE rule_id LIKE 'P%'")
    assert checks == [(result["report_ids"][0], "P3", "output_m")]
    # A consistent month passes (16 − 15 = 1), and the batch's own previous month counts before the store's.
    both = pd.concat([_beer_rows("2025-04", 1.0, 16.0), _beer_rows("2025-05", 1.0, 17.0)], ignore_index=True)
    from qinggong.collect.reports import normalize_products
    from qinggong.validate import validate_products

    assert validate_products(store, normalize_products(both)).empty
    backwards = pd.concat([_beer_rows("2025-04", 1.0, 16.0), _beer_rows("2025-05", 0.5, 15.5)], ignore_index=True)
    found = validate_products(store, normalize_products(backwards))
    # May against April of the same batch (16 → 15.5), not against the stored March (15).
    assert sorted(found["rule_id"]) == ["P2", "P3"] and set(found["period"]) == {"2025-05"} and set(found["row"]) == {3}


def test_a_rejected_batch_names_its_rule_before_a_product_row_without_report(store):
    # The rules run while the batch is written: a batch both rejected by a hard rule (row 2 of the
    # reports) and carrying a product row without its report gets the rule's verdict, as when the
    # rules ran first, and nothing stays stored.
    register_enterprises(store, _registry())
    bad = {**_form(ZJ[0], "2025-03"), "rev_m": -5.0}
    with pytest.raises(ReportRejected) as caught:
        submit_reports(store, pd.DataFrame([bad]), products=_products(统一社会信用代码=ZJ[1]), explanation="测试")
    assert "H1" in caught.value.reason and caught.value.field == "营业收入（本月）"
    for table in ("enterprise_report", "enterprise_report_product", "enterprise_report_event"):
        assert store.backend.scalar(f"SELECT COUNT(*) FROM {table}") == 0


def test_the_first_product_row_with_a_wrong_unit_is_named(store):
    # Two different wrong units after a good row: the error names the earlier of them (row 3),
    # although the later one (啤酒 in 吨, row 4) pairs a product and a unit seen first.
    register_enterprises(store, _registry())
    rows = pd.concat([_products(), _products(产品代码="FURNITURE"), _products(计量单位="吨")], ignore_index=True)
    with pytest.raises(InputError) as caught:
        submit_reports(store, pd.DataFrame([_form(ZJ[0], "2025-03")]), products=rows, explanation="测试")
    assert caught.value.row == 3 and caught.value.field == "计量单位" and "万千升" in caught.value.reason


def test_a_bad_product_row_is_named_before_an_unknown_enterprise(store):
    # Product rows are normalised while the engine checks the reports against the registry; the
    # errors keep their order: a report for an unregistered enterprise and a product row in a
    # wrong unit give the product row's error, and a batch with only the first gives the registry's.
    register_enterprises(store, _registry())
    stranger = make_credit_code("330102", 99)
    reports = pd.DataFrame([_form(ZJ[0], "2025-03"), _form(stranger, "2025-03")])
    with pytest.raises(InputError) as caught:
        submit_reports(store, reports, products=_products(计量单位="吨"), explanation="测试")
    assert caught.value.field == "计量单位" and caught.value.row == 2
    with pytest.raises(InputError) as caught:
        submit_reports(store, reports, products=_products(), explanation="测试")
    assert caught.value.field == "统一社会信用代码" and caught.value.row == 3 and "名录中没有" in caught.value.reason
    assert store.backend.scalar("SELECT COUNT(*) FROM enterprise_report") == 0


def test_a_product_reported_twice_for_one_report_is_refused(store):
    # The same enterprise, period and product twice (the second spelled with spaces and a lower-case
    # credit code): the second row is named, and nothing is stored.
    register_enterprises(store, _registry())
    rows = pd.concat([_products(), _products(统一社会信用代码=f" {ZJ[0].lower()} ", 产品代码=" BEER ")],
                     ignore_index=True)
    with pytest.raises(InputError) as caught:
        submit_reports(store, pd.DataFrame([_form(ZJ[0], "2025-03")]), products=rows, explanation="测试")
    assert caught.value.row == 3 and caught.value.field == "产品代码" and "重复填报" in caught.value.reason
    assert store.backend.scalar("SELECT COUNT(*) FROM enterprise_report") == 0


def test_largest_contributions_of_every_product_cell(store):
    """x1/x2 (the two largest outputs behind a product cell, for the dominance rules) at province
    and 全国, as publishing aggregates them, against the stored confirmed product rows ranked in pandas."""
    from qinggong.collect.aggregate import NATIONAL, aggregate_enterprise
    from qinggong.demo.generator import generate_panel

    made = generate_panel(600, end="2025-03", months=3, seed=11)
    register_enterprises(store, made.enterprises)
    submit_reports(store, made.reports, products=made.products, run_rules=False)
    review_reports(store, None, "approve")
    review_reports(store, None, "confirm")
    _, cells = aggregate_enterprise(store, product_regions=["P", "N"], dominance_items=["rev_ytd", "output_ytd"])

    rows = store.backend.fetch_df(
        "SELECT r.credit_code, r.period, p.product, p.output_ytd FROM enterprise_report_product p"
        " JOIN enterprise_report r ON r.report_id = p.report_id WHERE r.status = 'CONFIRMED'")
    rows = rows.merge(made.enterprises[["credit_code", "region"]], on="credit_code")
    regions = {"P": rows["region"].str[:2] + "0000", "N": pd.Series(NATIONAL, index=rows.index)}
    checked = 0
    for rlevel, group in cells.groupby("rlevel"):
        ranked = rows.assign(reg=regions[rlevel]).dropna(subset=["output_ytd"]).sort_values("output_ytd", ascending=False)
        top = ranked.groupby(["product", "reg", "period"])["output_ytd"].agg(
            x1="first", x2=lambda s: s.iloc[1] if len(s) > 1 else float("nan"))
        got = group.set_index(["product", "region", "period"])[["x1_output_ytd", "x2_output_ytd"]]
        want = top.reindex(got.index)
        assert got["x1_output_ytd"].to_numpy() == pytest.approx(want["x1"].to_numpy(), nan_ok=True)
        assert got["x2_output_ytd"].to_numpy() == pytest.approx(want["x2"].to_numpy(), nan_ok=True)
        checked += int(want["x2"].notna().sum())
    assert set(cells["rlevel"]) == {"P", "N"} and checked > 30
