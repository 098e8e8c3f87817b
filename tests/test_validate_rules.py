"""Edit rules: cross-period (not for profit), identity tolerance, HB outliers by stratum,
January exemption and completeness, continuity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qinggong.collect import make_credit_code, register_enterprises
from qinggong.collect.reports import normalize_reports
from qinggong.validate import hb_bounds, prepare_validation, validate_reports
from qinggong.validate.engine import hb_bounds_grouped

CODES = [make_credit_code("330102", 100 + i) for i in range(14)]


def form(code, period, rev_m, rev_ytd, **extra):
    values = {"credit_code": code, "period": period, "rev_m": rev_m, "rev_ytd": rev_ytd, "cost_m": 0.8 * rev_m,
              "cost_ytd": 0.8 * rev_ytd, "profit_m": 0.1 * rev_m, "profit_ytd": 0.1 * rev_ytd, "export_m": 0.0,
              "export_ytd": 0.0, "inv_eop": 1.0, "ar_eop": 1.0, "emp_m": 5, "orders_m": 0.0, "orders_ytd": 0.0}
    values.update(extra)
    return values


@pytest.fixture
def firms(duckdb_url):
    from qinggong.store import Store

    with Store.open(duckdb_url) as store:
        register_enterprises(store, pd.DataFrame(
            [{"credit_code": c, "name": f"企业{i}", "industry": "1431", "region": "330102", "size_class": "S",
              "entry_date": "2010-01-01"} for i, c in enumerate(CODES)]))
        yield store


def run(store, rows):
    return validate_reports(store, normalize_reports(pd.DataFrame(rows)))


def test_cross_period_rules_and_profit_exception(firms):
    a = CODES[0]
    rows = [form(a, "2025-09", 100, 900), form(a, "2025-10", 100, 880, profit_ytd=50.0)]  # 累计 fell by 20
    found = run(firms, rows)
    hard = found[found["severity"] == "hard"]
    assert set(hard["rule_id"]) == {"H2", "H3"}
    assert set(hard["field"]) == {"rev_ytd", "rev_m", "cost_ytd", "cost_m"}
    assert hard["row"].eq(3).all()  # the October row
    assert "profit_ytd" not in set(found["field"])  # cumulative profit may fall after a monthly loss
    within = [form(a, "2025-09", 100, 900), form(a, "2025-10", 100.4, 1000)]  # 0.4 万元 rounding
    assert run(firms, within).empty


def test_january_exemption_and_completeness(firms):
    a = CODES[0]
    jan = {"credit_code": a, "period": "2025-01", "export_m": 5.0, "export_ytd": 5.0, "orders_m": 3.0, "orders_ytd": 3.0}
    assert run(firms, [jan]).empty
    feb = form(a, "2025-02", 10, 10, export_m=5.0, export_ytd=10.0, orders_m=3.0, orders_ytd=6.0)
    feb["rev_m"] = None
    found = run(firms, [jan, feb])
    assert found[["rule_id", "field", "row"]].values.tolist() == [["C1", "rev_m", 3]]
    assert "免报" in found["message"].iloc[0]


def test_january_identity_is_checked_on_january_rows_only(firms):
    # H4 (1月: 累计 = 本月) is evaluated on the January rows of a mixed batch only; its findings
    # land on the right rows. February's 累计 ≠ 本月 is normal; so is December's.
    a, b = CODES[:2]
    rows = [form(a, "2024-12", 100, 1200), form(a, "2025-01", 100, 100), form(b, "2025-01", 50, 60),
            form(b, "2025-02", 50, 110)]
    found = run(firms, rows)
    assert found[["rule_id", "field", "row"]].values.tolist() == [["H4", "rev_ytd", 4], ["H4", "cost_ytd", 4]]


def test_hb_flags_only_the_outlier_in_its_stratum(firms):
    rows = []
    rng = np.random.default_rng(1)
    for i, c in enumerate(CODES):
        last = 100.0 + 10 * i
        ratio = 5.0 if i == 7 else 1.0 + rng.normal(0.03, 0.02)
        rows.append(form(c, "2024-10", last, 1000 + 100 * i))
        rows.append(form(c, "2025-10", round(last * ratio, 1), 1000 + 100 * i + 50))
    found = run(firms, rows)
    hb = found[found["rule_id"] == "S3"]
    assert hb["credit_code"].tolist() == [CODES[7]] and (hb["severity"] == "soft").all()
    assert "同比" in hb["message"].iloc[0]


def test_single_report_is_judged_against_stored_peers(firms):
    # A report sent alone (web form, API) is tested in its stratum with the peers already stored.
    from qinggong.collect import submit_reports

    rng = np.random.default_rng(2)
    stored, late = [], None
    for i, c in enumerate(CODES):
        last = 100.0 + 10 * i
        stored.append(form(c, "2024-10", last, 1000 + 100 * i))
        if i == 7:
            late = form(c, "2025-10", round(last * 5.0, 1), 1000 + 100 * i + 50)
        else:
            stored.append(form(c, "2025-10", round(last * (1.0 + rng.normal(0.03, 0.02)), 1), 1000 + 100 * i + 50))
    submit_reports(firms, pd.DataFrame(stored), actor="t", explanation="已核实")
    hb = run(firms, [late])
    assert hb[hb["rule_id"] == "S3"]["credit_code"].tolist() == [CODES[7]]
    # Prepared, the rules have read their peers: evaluated later (as a submission does, on another
    # thread while it writes), they no longer look at the store.
    evaluate = prepare_validation(firms, normalize_reports(pd.DataFrame([late])))
    firms.backend.execute("DELETE FROM enterprise_report_data")
    later = evaluate()
    assert later[later["rule_id"] == "S3"]["credit_code"].tolist() == [CODES[7]]
    assert run(firms, [late]).query("rule_id == 'S3'").empty  # read now, without its peers


def test_grouped_hb_bounds_equal_the_per_stratum_ones():
    rng = np.random.default_rng(3)
    group = rng.integers(0, 4, size=200)
    ratio = rng.lognormal(0.0, 0.2, size=200)
    size = rng.lognormal(4.0, 1.0, size=200)
    effect, low, high = hb_bounds_grouped(ratio, size, group, U=0.5, A=0.05, C=4)
    for g in range(4):
        one = group == g
        e, lo, hi = hb_bounds(ratio[one], size[one], U=0.5, A=0.05, C=4)
        assert np.allclose(effect[one], e) and np.allclose(low[one], lo) and np.allclose(high[one], hi)


def test_hb_bounds_by_hand():
    ratio = np.array([1.0, 1.0, 1.0, 1.0, 2.0])
    size = np.array([100.0, 100.0, 100.0, 100.0, 100.0])
    effect, low, high = hb_bounds(ratio, size, U=0.5, A=0.05, C=4)
    # median ratio 1 → s = 0,0,0,0,1; E = s·100^0.5 = 0,0,0,0,10; quartiles all 0 → d = |A·0| = 0.
    assert effect.tolist() == [0, 0, 0, 0, 10.0] and low == 0 and high == 0


def test_continuity_gap_is_soft(firms):
    a = CODES[0]
    rows = [form(a, "2025-07", 100, 700), form(a, "2025-09", 100, 900)]  # August missing
    found = run(firms, rows)
    gap = found[found["rule_id"] == "S4"]
    assert gap["period"].tolist() == ["2025-09"] and "2025-08" in gap["message"].iloc[0]


def test_month_index_dense_and_hashed_agree(monkeypatch):
    # The previous-month and year-ago lookups of the rules: the dense enterprise × month table
    # and the hash index it falls back to for wide panels give the same positions.
    from qinggong.validate.engine import _MonthIndex

    rng = np.random.default_rng(11)
    enterprise = rng.integers(0, 500, size=3000)
    month = rng.integers(24290, 24330, size=3000)
    pairs = np.unique(np.stack([enterprise, month]), axis=1)
    enterprise, month = pairs[0], pairs[1]
    queries = (rng.integers(0, 520, size=5000), rng.integers(24270, 24350, size=5000))
    dense = _MonthIndex(enterprise, month, 520)
    monkeypatch.setattr(_MonthIndex, "DENSE_LIMIT", 0)
    hashed = _MonthIndex(enterprise, month, 520)
    assert dense.table is not None and hashed.index is not None
    found = dense(*queries)
    assert (found == hashed(*queries)).all() and (found >= 0).any() and (found < 0).any()
    hit = found >= 0
    assert (enterprise[found[hit]] == queries[0][hit]).all() and (month[found[hit]] == queries[1][hit]).all()



def test_rows_taken_out_after_normalisation_are_judged_alike(firms):
    """The rules reuse the integer keys normalisation keeps; a batch filtered afterwards (its
    numbers then have gaps) is numbered afresh and judged as the same rows normalised alone."""
    rows = [form(CODES[0], "2025-09", 100, 900), form(CODES[1], "2025-09", 50, 450),
            form(CODES[2], "2025-09", 70, 630), form(CODES[2], "2025-10", 70, 600)]  # 累计 fell
    whole = normalize_reports(pd.DataFrame(rows))
    kept = whole[whole["credit_code"] != CODES[1]]  # enterprise number 1 is gone
    found = validate_reports(firms, kept)
    alone = validate_reports(firms, normalize_reports(pd.DataFrame([rows[0], rows[2], rows[3]])))
    assert set(found["rule_id"]) == {"H2", "H3"} and found["credit_code"].eq(CODES[2]).all()
    assert found[["credit_code", "period", "rule_id", "field"]].values.tolist() == \
        alone[["credit_code", "period", "rule_id", "field"]].values.tolist()


def _by_numpy(columns: dict, expression: str, tolerance: dict, field: str | None) -> np.ndarray:
    """The reference: the rule by Python's eval over numpy arrays, a missing operand passing, and
    tol = max(absolute, relative × |field|) by np.fmax (which ignores a missing field)."""
    import re

    names = {m for m in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", expression)} - {"abs", "tol"}
    env = {name: columns[name] for name in names}
    env["abs"] = np.abs
    if field is not None:
        env["tol"] = np.fmax(float(tolerance.get("absolute", 0.0)),
                             float(tolerance.get("relative", 0.0)) * np.abs(columns[field]))
    with np.errstate(invalid="ignore"):
        holds = np.asarray(eval(expression, {"__builtins__": {}}, env), dtype=bool)  # noqa: S307 - the rule file's own text
    for name in names:
        holds = holds | np.isnan(columns[name])
    return holds


def test_fused_rules_agree_with_numpy_evaluation():
    """Every configured rule, evaluated by numexpr in one pass, holds on exactly the rows where
    Python's eval over numpy arrays says it does: missing operands (NaN) pass, `tol` is
    max(absolute, relative × |field|) also where the field is missing, and values sitting exactly
    on a bound (equal, or off by exactly the tolerance) are judged alike."""
    from qinggong.collect.forms import PRODUCT_FIELDS, REPORT_COLUMNS
    from qinggong.validate.engine import _evaluate, _expand, _Operands, load_rules

    rng = np.random.default_rng(7)
    n = 4000
    names = [*REPORT_COLUMNS, *PRODUCT_FIELDS]
    columns = {}
    for name in [*names, *(f"prev_{c}" for c in names)]:
        values = rng.choice([0.0, 1.0, 2.5, 100.0, 1000.0, -3.0], n) + rng.choice([0.0, 0.5], n)
        values[rng.random(n) < 0.1] = np.nan
        columns[name] = values
    # Exact boundaries: 累计 equal to last month's, and 本月 off by exactly the absolute tolerance.
    columns["rev_ytd"][:200] = columns["prev_rev_ytd"][:200]
    columns["rev_m"][200:400] = columns["rev_ytd"][200:400] - columns["prev_rev_ytd"][200:400] - 1.0
    operands = _Operands(columns, n)
    rules = load_rules()
    checked = 0
    for base, tolerance in [*((r, rules["tolerance"]) for r in rules["rules"]),
                            *((r, rules["product_tolerance"]) for r in rules["product_rules"])]:
        if base["kind"] not in ("in_record", "cross_period"):
            continue
        for rule in _expand(base):
            expression, field = rule["assert"], rule.get("field")
            fused = _evaluate(operands, expression, tolerance, field)
            assert fused.dtype == bool
            assert np.array_equal(fused, _by_numpy(columns, expression, tolerance, field)), (rule["id"], expression)
            assert 0 < fused.sum() < n, (rule["id"], expression)  # the data exercise both outcomes
            checked += 1
    assert checked == 29  # H1 ×11, H2–H4 ×13, S1, S2, P1–P3
    # Conditions joined by & hold where either operand is missing.
    both = _evaluate(operands, "(rev_m >= 0) & (cost_m >= 0)", {}, None)
    assert np.array_equal(both, _by_numpy(columns, "(rev_m >= 0) & (cost_m >= 0)", {}, None))


@pytest.mark.parametrize("expression", ["rev_m >= 0 and cost_m >= 0", "0 <= rev_m <= 1", "rev_m >= "])
def test_a_rule_the_engine_cannot_read_is_named(expression):
    """Python's `and` or a chained comparison is not element-wise, and a truncated rule does not
    parse: the rule is refused with its text and how to write it, not evaluated wrongly."""
    from qinggong.errors import QinggongError
    from qinggong.validate.engine import _evaluate, _Operands

    operands = _Operands({"rev_m": np.array([1.0, -1.0]), "cost_m": np.array([1.0, 1.0])}, 2)
    with pytest.raises(QinggongError, match=r"审核规则表达式.*无法计算.*&、\|、~"):
        _evaluate(operands, expression, {}, None)
