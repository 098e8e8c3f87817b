"""Monthly reports: bad inputs give a Chinese error naming row and field and store nothing;
Excel template round trip; workflow with versions; soft rules need an explanation."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from qinggong.collect import (
    list_reports,
    make_credit_code,
    read_template,
    register_enterprises,
    report_history,
    review_report,
    submit_report,
    submit_reports,
    write_template,
)
from qinggong.collect.reports import ReportRejected
from qinggong.errors import InputError, QinggongError

A = make_credit_code("330102", 11)
B = make_credit_code("440305", 12)


def registry(entry_b="2020-01-01"):
    return pd.DataFrame(
        [
            {"credit_code": A, "name": "甲食品", "industry": "1431", "region": "330102", "size_class": "S",
             "entry_date": "2015-01-01"},
            {"credit_code": B, "name": "乙家具", "industry": "2110", "region": "440305", "size_class": "S",
             "entry_date": entry_b},
        ]
    )


def report(code, period, rev_m=100.0, rev_prev_ytd=900.0, **extra):
    values = {
        "credit_code": code, "period": period,
        "rev_m": rev_m, "rev_ytd": rev_prev_ytd + rev_m, "cost_m": 0.8 * rev_m, "cost_ytd": 0.8 * (rev_prev_ytd + rev_m),
        "profit_m": 0.05 * rev_m, "profit_ytd": 0.05 * (rev_prev_ytd + rev_m), "export_m": 10.0, "export_ytd": 100.0,
        "inv_eop": 50.0, "ar_eop": 120.0, "emp_m": 80, "orders_m": 100.0, "orders_ytd": 1000.0,
    }
    values.update(extra)
    return values


def count(store, table="enterprise_report"):
    return store.backend.scalar(f"SELECT COUNT(*) FROM {table}")


@pytest.fixture
def ready(store):
    register_enterprises(store, registry())
    return store


def test_text_in_number_field(ready):
    frame = pd.DataFrame([report(A, "2025-10"), {**report(B, "2025-10"), "rev_m": "一百"}])
    with pytest.raises(InputError) as caught:
        submit_reports(ready, frame, file="十月.xlsx")
    assert caught.value.row == 3 and caught.value.field == "营业收入（本月）" and "不是数字" in caught.value.reason
    assert count(ready) == 0


def test_an_infinite_figure_in_a_numeric_column_is_refused(ready):
    # A column read as numbers already (an API frame) is kept without a copy; an infinity in it is
    # still refused, naming its row and field, and nothing is stored.
    frame = pd.DataFrame([report(A, "2025-10"), report(B, "2025-10")])
    frame["cost_m"] = frame["cost_m"].astype("float64")
    frame.loc[1, "cost_m"] = float("inf")
    with pytest.raises(InputError) as caught:
        submit_reports(ready, frame)
    assert caught.value.row == 3 and caught.value.field == "营业成本（本月）" and "不是数字" in caught.value.reason
    assert count(ready) == 0
    # The batch keeps the caller's figures; the caller's frame is not changed by the submission.
    frame.loc[1, "cost_m"] = 60.0
    before = frame.copy()
    submit_reports(ready, frame, explanation="已核实")
    pd.testing.assert_frame_equal(frame, before)
    stored = ready.backend.fetch_df("SELECT credit_code, cost_m FROM enterprise_report ORDER BY credit_code")
    assert dict(zip(stored["credit_code"], stored["cost_m"])) == {A: 80.0, B: 60.0}


def test_duplicate_report_in_file_and_against_store(ready):
    frame = pd.DataFrame([report(A, "2025-10"), report(A, "2025-10")])
    with pytest.raises(InputError) as caught:
        submit_reports(ready, frame)
    assert caught.value.row == 3 and "重复" in caught.value.reason
    submit_report(ready, report(A, "2025-10"), actor="甲")
    with pytest.raises(InputError) as caught:
        submit_report(ready, report(A, "2025-10"), actor="甲")
    assert caught.value.field == "报告期" and "重复报表" in caught.value.reason
    assert count(ready) == 1


def test_codes_and_periods_are_cleaned_before_duplicates_are_looked_for(ready):
    # Spaces and lower case around a credit code, a period typed with a day or spaces: the same
    # report twice is found after cleaning, and the error names both rows as the user sees them.
    frame = pd.DataFrame([report(B, "2025-09"), report(A, "2025-10"),
                          report(B, " 2025-10 ", rev_prev_ytd=1000.0, orders_ytd=1100.0, export_ytd=110.0),
                          report(f" {A.lower()} ", "2025-10-31")], dtype=object)
    with pytest.raises(InputError) as caught:
        submit_reports(ready, frame)
    assert caught.value.row == 5 and f"企业 {A} 2025-10 已在第 3 行填报" in caught.value.reason
    assert count(ready) == 0
    stored = submit_reports(ready, frame.iloc[:3], actor="甲")
    assert stored["reports"] == 3
    assert sorted(map(tuple, list_reports(ready)[["credit_code", "period"]].values.tolist())) == [
        (A, "2025-10"), (B, "2025-09"), (B, "2025-10")]
    with pytest.raises(InputError) as caught:
        submit_reports(ready, pd.DataFrame([report(A, "2025-11"), report(B, "2025/11")]))
    assert caught.value.row == 3 and caught.value.field == "报告期" and "2025/11" in caught.value.reason


def test_report_before_enterprise_existed_and_unknown_enterprise(store):
    register_enterprises(store, registry(entry_b="2025-11-15"))
    frame = pd.DataFrame([report(A, "2025-10"), report(B, "2025-10")])
    with pytest.raises(InputError) as caught:
        submit_reports(store, frame)
    assert caught.value.row == 3 and caught.value.field == "报告期" and "早于企业开业" in caught.value.reason
    frame = pd.DataFrame([report(make_credit_code("110101", 99), "2025-10")])
    with pytest.raises(InputError) as caught:
        submit_reports(store, frame)
    assert caught.value.row == 2 and caught.value.field == "统一社会信用代码" and "名录中没有" in caught.value.reason
    assert count(store) == 0


def test_report_after_enterprise_closed_and_the_first_problem_is_named(store):
    closed = registry().assign(exit_date=["2025-08-31", None])
    register_enterprises(store, closed)
    frame = pd.DataFrame([report(B, "2025-09"), report(A, "2025-09")])  # row 3: A closed in August
    with pytest.raises(InputError) as caught:
        submit_reports(store, frame)
    assert caught.value.row == 3 and caught.value.field == "报告期" and "晚于企业停业时间 2025-08-31" in caught.value.reason
    # An unknown enterprise (row 3) is named before a report after closing (row 2).
    frame = pd.DataFrame([report(A, "2025-09"), report(make_credit_code("110101", 98), "2025-09")])
    with pytest.raises(InputError) as caught:
        submit_reports(store, frame)
    assert caught.value.row == 3 and "名录中没有" in caught.value.reason
    submit_reports(store, pd.DataFrame([report(A, "2025-08")]), explanation="停业前最后一期")  # the closing month is fine
    assert count(store) == 1


def test_stored_reports_of_other_months_are_not_duplicates(ready):
    """Each enterprise has a report stored, and each period too, but not the pairs sent now."""
    submit_reports(ready, pd.DataFrame([report(A, "2025-10"), report(B, "2025-11")]), run_rules=False)
    sent = submit_reports(ready, pd.DataFrame([report(A, "2025-11"), report(B, "2025-10")]), run_rules=False)
    assert sent["new"] == 2 and sent["new_versions"] == 0
    with pytest.raises(InputError) as caught:  # now both pairs exist: the first repeated row is named
        submit_reports(ready, pd.DataFrame([report(B, "2025-09"), report(B, "2025-10"), report(A, "2025-10")]),
                       run_rules=False)
    assert caught.value.row == 3 and f"企业 {B} 2025-10 已有第 1 版" in caught.value.reason
    assert count(ready) == 4


def test_hard_and_soft_rules(ready):
    bad = report(A, "2025-10", rev_m=-5.0)
    with pytest.raises(ReportRejected) as caught:
        submit_report(ready, bad)
    assert caught.value.field == "营业收入（本月）" and "H1" in caught.value.reason
    assert count(ready) == 0
    soft = report(A, "2025-10", profit_ytd=5000.0)  # profit above revenue: soft S1
    with pytest.raises(ReportRejected) as caught:
        submit_report(ready, soft)
    assert "S1" in caught.value.reason and "说明" in caught.value.reason
    assert count(ready) == 0
    result = submit_report(ready, soft, actor="甲", explanation="出售子公司股权的投资收益")
    assert result["status"] == "SUBMITTED" and result["explained_findings"][0]["rule_id"] == "S1"
    checks = ready.backend.fetchall("SELECT rule_id, severity FROM enterprise_report_check")
    assert checks == [("S1", "soft")]


def test_findings_are_recorded_against_their_own_reports(ready):
    """In a batch of several enterprises and months, each explained finding (of a report row, or of
    a product row) is stored against the report of its enterprise and month."""
    # Months two apart, so that no cross-period rule applies; the gaps are soft findings (S4) too.
    rows = [report(A, "2025-06"), report(B, "2025-06", profit_ytd=5000.0),  # S1 on B, June
            report(A, "2025-08", profit_ytd=6000.0), report(B, "2025-08"),  # S1 on A, August
            report(A, "2025-10"), report(B, "2025-10", profit_ytd=7000.0)]  # S1 on B, October
    result = submit_reports(ready, pd.DataFrame(rows), explanation="投资收益")
    assert len(result["explained_findings"]) > 3
    stored = ready.backend.fetchall(
        "SELECT r.credit_code, r.period FROM enterprise_report_check c JOIN enterprise_report r"
        " ON r.report_id = c.report_id WHERE c.rule_id = 'S1' ORDER BY r.period")
    assert stored == [(B, "2025-06"), (A, "2025-08"), (B, "2025-10")]
    every = ready.backend.fetchall(
        "SELECT r.credit_code, r.period, c.rule_id FROM enterprise_report_check c"
        " JOIN enterprise_report r ON r.report_id = c.report_id")
    assert sorted(every) == sorted((f["credit_code"], f["period"], f["rule_id"]) for f in result["explained_findings"])


def test_workflow_versions_and_late_correction(ready):
    first = submit_report(ready, report(A, "2025-10"), actor="填报员")
    rid = first["report_ids"][0]
    with pytest.raises(InputError):
        review_report(ready, rid, "return", actor="省局")  # a return needs a reason
    review_report(ready, rid, "return", actor="省局", reason="出口交货值偏高，请核实")
    returned = list_reports(ready, credit_code=A).iloc[0]
    assert (returned["status"], returned["status_by"], returned["return_reason"]) == ("RETURNED", "省局", "出口交货值偏高，请核实")
    assert returned["status_at"] >= returned["created_at"]
    with pytest.raises(QinggongError):
        review_report(ready, rid, "confirm", actor="省局")  # not approved
    second = submit_report(ready, report(A, "2025-10", export_m=8.0), actor="填报员")
    both = list_reports(ready, credit_code=A, all_versions=True)
    assert both[["version", "status"]].values.tolist() == [[1, "SUPERSEDED"], [2, "SUBMITTED"]]
    # The superseded version keeps the reason it was returned for; the new one has none.
    assert both["return_reason"].tolist()[0] == "出口交货值偏高，请核实" and pd.isna(both["return_reason"].tolist()[1])
    review_report(ready, second["report_ids"][0], "approve", actor="省局")
    review_report(ready, (A, "2025-10"), "confirm", actor="国家局")
    late = submit_report(ready, report(A, "2025-10", export_m=9.0), actor="填报员", correction=True)
    versions = list_reports(ready, credit_code=A, all_versions=True)
    assert versions[["version", "status"]].values.tolist() == [[1, "SUPERSEDED"], [2, "CONFIRMED"], [3, "SUBMITTED"]]
    review_report(ready, late["report_ids"][0], "approve", actor="省局")
    review_report(ready, late["report_ids"][0], "confirm", actor="国家局")
    history = report_history(ready, A, "2025-10")
    assert history["versions"]["status"].tolist() == ["SUPERSEDED", "SUPERSEDED", "CONFIRMED"]
    assert history["versions"]["export_m"].tolist() == [10.0, 8.0, 9.0]  # old versions kept
    events = history["events"]
    assert events["actor"].tolist().count("国家局") >= 2
    assert "出口交货值偏高，请核实" in events["reason"].dropna().tolist()
    assert events["event_time"].notna().all()


def test_template_round_trip_and_wrong_period(ready, tmp_path):
    path = tmp_path / "T.xlsx"
    assert write_template(ready, "2025-11", path)["enterprises"] == 2
    wb = load_workbook(path)
    ws = wb["月报"]
    header = [c.value for c in ws[1]]
    values = report(A, "2025-11")
    for col, title in enumerate(header, start=1):
        for key, label in (("rev_m", "营业收入（本月）"), ("rev_ytd", "营业收入（1-N月累计）"), ("cost_m", "营业成本（本月）"),
                           ("cost_ytd", "营业成本（1-N月累计）"), ("profit_m", "利润总额（本月）"),
                           ("profit_ytd", "利润总额（1-N月累计）"), ("export_m", "出口交货值（本月）"),
                           ("export_ytd", "出口交货值（1-N月累计）"), ("inv_eop", "产成品存货（期末）"),
                           ("ar_eop", "应收账款（期末）"), ("emp_m", "平均用工人数（本月）"), ("orders_m", "新订单（本月）"),
                           ("orders_ytd", "新订单（1-N月累计）")):
            if title == label:
                row = 2 if ws.cell(2, 1).value == A else 3
                ws.cell(row, col).value = values[key]
    # A product by its name, in 吨 (the catalog unit of 纸制品 is 万吨).
    wb["产品产量"].append([A, "2025-11", "纸制品", "吨", 12.5, 130.0])
    catalog = {row[0]: row for row in wb["产品目录"].iter_rows(min_row=2, values_only=True)}
    assert catalog["PAPER_PRODUCTS"][1:3] == ("纸制品", "万吨") and "YARN" not in catalog  # light products only
    wb.save(path)
    reports, products, explanations = read_template(path, expected_period="2025-11")
    result = submit_reports(ready, reports, products=products, explanation=explanations, channel="excel", file=path.name)
    assert result["reports"] == 1
    stored = list_reports(ready, period="2025-11")
    assert stored["rev_ytd"].tolist() == [1000.0] and stored["credit_code"].tolist() == [A]
    assert ready.backend.fetchall("SELECT product, unit, output_m, output_ytd FROM enterprise_report_product") == [
        ("PAPER_PRODUCTS", "T_10K", 0.00125, 0.013)]
    # Next month's template lists the products reported last time, without figures; left
    # unfilled, they are not read back as product rows.
    following = tmp_path / "T12.xlsx"
    assert write_template(ready, "2025-12", following)["product_rows"] == 1
    prefilled = list(load_workbook(following)["产品产量"].iter_rows(min_row=2, values_only=True))
    assert prefilled == [(A, "2025-12", "PAPER_PRODUCTS", "万吨", None, None)]
    assert read_template(following)[1].empty
    with pytest.raises(InputError) as caught:
        read_template(path, expected_period="2025-10")
    assert caught.value.row == 2 and caught.value.field == "报告期" and "2025-11 的模板" in caught.value.reason
    assert count(ready) == 1


def test_explanations_per_enterprise_and_common_fields_are_stored(ready):
    submit_reports(ready, pd.DataFrame([report(A, "2025-10"), report(B, "2025-10")]), actor="填报员",
                   explanation={A: "订单集中交付"}, channel="excel")
    rows = list_reports(ready)
    by_code = rows.set_index("credit_code")
    assert by_code.loc[A, "explanation"] == "订单集中交付" and pd.isna(by_code.loc[B, "explanation"])
    assert set(rows["status"]) == {"SUBMITTED"} and set(rows["channel"]) == {"excel"}
    assert set(rows["created_by"]) == {"填报员"} == set(rows["status_by"]) and set(rows["version"]) == {1}
    # A version's creation is read from its submission (migration 0011): no event row per report.
    assert ready.backend.scalar("SELECT COUNT(*) FROM enterprise_report_event") == 0
    for code in (A, B):
        events = report_history(ready, code, "2025-10")["events"]
        assert events[["to_status", "actor"]].values.tolist() == [["SUBMITTED", "填报员"]]
        assert pd.isna(events["from_status"].iloc[0]) and events["event_time"].notna().all()
    # Who, when, channel, file and a common 说明 are stored once per submission, not per report.
    submit_reports(ready, pd.DataFrame([report(A, "2025-12"), report(B, "2025-12")]), actor="填报员乙",
                   explanation="两家均已核实", channel="api", file="十一月.xlsx")
    assert ready.backend.fetchall("SELECT channel, file_name, explanation, created_by FROM enterprise_submission"
                                  " ORDER BY submission_id") == [("excel", None, None, "填报员"),
                                                                 ("api", "十一月.xlsx", "两家均已核实", "填报员乙")]
    december = list_reports(ready, period="2025-12").set_index("credit_code")
    assert set(december["explanation"]) == {"两家均已核实"} and set(december["file_name"]) == {"十一月.xlsx"}
    # Once a report's status changes, its time and author are its own.
    review_report(ready, int(december.loc[A, "report_id"]), "approve", actor="省局审核员")
    december = list_reports(ready, period="2025-12").set_index("credit_code")
    assert december.loc[A, "status_by"] == "省局审核员" and december.loc[B, "status_by"] == "填报员乙"
    assert december.loc[A, "created_by"] == "填报员乙" and december.loc[A, "status_at"] >= december.loc[A, "created_at"]


def _submit_filled_template(store, path, revenue, product_row=None):
    """Write the 2025-11 template, fill 营业收入（本月） of row 2 (and a product row), submit it."""
    write_template(store, "2025-11", path)
    wb = load_workbook(path)
    ws = wb["月报"]
    ws.cell(2, [c.value for c in ws[1]].index("营业收入（本月）") + 1).value = revenue
    if product_row:
        wb["产品产量"].append(product_row)
    wb.save(path)
    reports, products, explanations = read_template(path)
    submit_reports(store, reports, products=products, explanation=explanations, file=path.name)


def test_errors_in_a_template_name_the_worksheet(ready, tmp_path):
    path = tmp_path / "T.xlsx"
    with pytest.raises(InputError) as caught:
        _submit_filled_template(ready, path, "一百")
    assert caught.value.sheet == "月报" and caught.value.row == 2 and "工作表 月报，第 2 行" in str(caught.value)
    # A product row in a unit that does not convert: the error points at the product sheet.
    with pytest.raises(InputError) as caught:
        _submit_filled_template(ready, path, 100, [A, "2025-11", "纸制品", "千升", 1, 2])
    assert caught.value.sheet == "产品产量" and caught.value.row == 2 and caught.value.field == "计量单位"
    assert "文件 T.xlsx，工作表 产品产量，第 2 行" in str(caught.value)
    assert count(ready) == 0


@pytest.mark.parametrize("spread", [1, 5000])  # dense keys (a direct table) and sparse ones (a hash index)
def test_batch_key_positions_agree_with_a_text_join(spread):
    import numpy as np

    from qinggong.collect.reports import _key_positions

    rng = np.random.default_rng(spread)
    pairs = np.unique(np.column_stack([rng.integers(0, 300, 2000) * spread, rng.integers(24000, 24030, 2000)]), axis=0)
    rng.shuffle(pairs)
    code_no, month = pairs[:, 0], pairs[:, 1]
    find_code = np.concatenate([code_no[:500], rng.integers(-1, 300 * spread, 700)])
    find_month = np.concatenate([month[:500], rng.integers(23990, 24040, 700)])
    found = _key_positions(code_no, month, find_code, find_month)
    index = {(c, m): i for i, (c, m) in enumerate(zip(code_no.tolist(), month.tolist()))}
    expected = [-1 if c < 0 else index.get((c, m), -1) for c, m in zip(find_code.tolist(), find_month.tolist())]
    assert found.tolist() == expected and (found[:500] == np.arange(500)).all()
