"""Disclosure control on generated tables: an attacker who knows every published cell and
every additive relation (industry, region, 累计 = 上月累计 + 当月) tries to solve for each
suppressed cell by linear programming and cannot pin any of them down."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog

from qinggong.collect import aggregate_reports, register_enterprises, review_reports, submit_reports
from qinggong.demo.generator import generate_panel
from qinggong.disclose import build_relations, primary_suppression, protect_cells
from qinggong.disclose.suppress import params
from qinggong.store import Store

TABLES = [{"industry": ["S", "G", "D", "T"], "region": ["N"]}, {"industry": ["T"], "region": ["P", "N"]}]


@pytest.fixture(scope="module")
def cells(tmp_path_factory):
    panel = generate_panel(120, end="2025-02", months=3, seed=7)
    path = tmp_path_factory.mktemp("sdc") / "q.duckdb"
    with Store.open(str(path)) as store:
        register_enterprises(store, panel.enterprises)
        submit_reports(store, panel.reports, run_rules=False)
        review_reports(store, None, "approve")
        review_reports(store, None, "confirm")
        return aggregate_reports(store, tables=TABLES, dominance_items=["rev_ytd", "export_ytd"])


def config(verify="all", inexact="drop"):
    base = params()
    return {**base, "secondary": {**base["secondary"], "verify": verify, "inexact_relations": inexact}}


def unit_values(frame, item="rev"):
    values = np.empty(2 * len(frame))
    values[0::2] = frame[f"v_{item}_m"].fillna(0).to_numpy()
    values[1::2] = frame[f"v_{item}_ytd"].fillna(0).to_numpy()
    return values


def test_relations_hold_on_the_true_values(cells):
    relations = build_relations(cells, TABLES)
    residual = relations.matrix @ unit_values(cells, "export")
    kinds = np.array(relations.kinds)
    # Industry and region sums are exact; 累计 relations hold up to entries/exits within the year.
    assert np.abs(residual[kinds != "time"]).max() < 1e-6
    assert relations.matrix.shape[0] > 0 and set(kinds) == {"industry", "region", "time"}


def test_primary_rules(cells):
    codes = primary_suppression(cells)
    small = cells["n_enterprises"] < 3
    assert (codes[small] == "A").all()
    x1, x2, total = cells["x1_rev_ytd"].fillna(0), cells["x2_rev_ytd"].fillna(0), cells["v_rev_ytd"].abs()
    dominated = (~small) & (total > 0) & ((x1 + x2) > 0.85 * total)
    assert set(codes[dominated]) <= {"O", "G"}
    assert (codes[~small & ~dominated & (total > 0) & ((total - x1 - x2) >= 0.10 * x1)
                  & (cells["x1_export_ytd"].fillna(0) + cells["x2_export_ytd"].fillna(0) <= 0.85 * cells["v_export_ytd"].abs())
                  & ((cells["v_export_ytd"].abs() - cells["x1_export_ytd"].fillna(0) - cells["x2_export_ytd"].fillna(0))
                     >= 0.10 * cells["x1_export_ytd"].fillna(0))] == "F").all()


@pytest.mark.slow
@pytest.mark.parametrize("inexact", ["exact", "drop"])
def test_no_suppressed_cell_can_be_derived(cells, inexact):
    # exact: the attacker even knows by how much the relations broken by entries and exits fail
    # (their true residuals); drop: he uses the relations the published figures satisfy.
    protection = protect_cells(cells, config("all", inexact), TABLES)
    assert protection.failed_units == []
    hidden = protection.units_suppressed
    primary = protection.primary
    assert primary.sum() > 10 and (hidden & ~primary).sum() > 0  # secondary suppression was needed
    margin = params()["secondary"]["protection_margin"]
    for item in ("rev", "export"):
        values = unit_values(cells, item)
        matrix = protection.relations.matrix
        residual = matrix @ values
        if inexact == "drop":
            holds = np.abs(residual) <= 1e-9 * np.maximum(abs(matrix) @ np.abs(values), 1.0)
            matrix, residual = matrix[np.flatnonzero(holds)], residual[holds]
        cols, low, high = attack_with_residual(matrix, values, hidden, residual)
        x = values[cols]
        positive = x > 1e-6
        assert (high[positive] - low[positive] > 1e-6).all(), f"{item}: a suppressed cell is pinned down"
        is_primary = primary[cols] & positive
        assert (high[is_primary] >= x[is_primary] * (1 + margin) - 1e-6).all()
        assert (low[is_primary] <= x[is_primary] * (1 - margin) + 1e-6).all()
    flags = set(protection.cells["conf_m"]) | set(protection.cells["conf_ytd"])
    assert flags <= {"F", "A", "O", "G", "D"} and "D" in flags


def attack_with_residual(matrix, values, hidden, residual):
    cols = np.flatnonzero(hidden)
    full = matrix.tocsr()
    a = full.tocsc()[:, cols].tocsr()
    rows = np.flatnonzero(np.diff(a.indptr) > 0)
    b = residual[rows] - full[rows][:, np.flatnonzero(~hidden)] @ values[~hidden]
    a = a[rows]
    low, high = np.zeros(len(cols)), np.zeros(len(cols))
    for j in range(len(cols)):
        c = np.zeros(len(cols))
        for sign, out in ((1.0, low), (-1.0, high)):
            c[j] = sign
            res = linprog(c, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
            assert res.status in (0, 3), res.message
            out[j] = (-np.inf if sign > 0 else np.inf) if res.status == 3 else sign * res.fun
    return cols, low, high


@pytest.mark.slow
def test_primary_suppression_alone_is_breakable(cells):
    """The attack is not vacuous: without secondary suppression some sensitive cell is exposed."""
    relations = build_relations(cells, TABLES)
    primary = np.repeat(primary_suppression(cells) != "F", 2)
    values = unit_values(cells, "rev")
    cols, low, high = attack_with_residual(relations.matrix, values, primary, relations.matrix @ values)
    x = values[cols]
    margin = params()["secondary"]["protection_margin"]
    exposed = (x > 0) & ((high < x * (1 + margin) - 1e-6) | (low > x * (1 - margin) + 1e-6))
    assert exposed.any()
