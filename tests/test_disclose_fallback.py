"""The fallback after the complement heuristic: when verification still finds a sensitive cell
that an attacker can narrow below the protection margin, more cells are hidden in every relation
of that cell until the exact LP check passes; nothing unverified is returned."""

from __future__ import annotations

import numpy as np
import pytest

from qinggong.disclose import build_relations, primary_suppression, protect_cells
from qinggong.disclose.suppress import _check, _cost, _heuristic, params

from test_disclose_suppression import TABLES, attack_with_residual, cells, unit_values  # noqa: F401


def _config(**secondary):
    base = params()
    return {**base, "secondary": {**base["secondary"], "verify": "all", **secondary}}


@pytest.mark.slow
def test_heuristic_alone_leaves_exposed_cells_and_fallback_fixes_them(cells):  # noqa: F811
    margin = params()["secondary"]["protection_margin"]
    relations = build_relations(cells, TABLES)
    primary = np.repeat(primary_suppression(cells) != "F", 2)
    supp = primary.copy()
    _heuristic(supp, relations, _cost(cells), np.repeat(cells["n_enterprises"].to_numpy(), 2), margin, True)
    failed, _ = _check(cells, relations, supp, primary, np.flatnonzero(supp), ["rev", "export"], margin)
    assert failed, "the one-pass heuristic should leave a cell the LP attack narrows (the case to fix)"
    # No complement rounds at all: only the fallback (relations of the failing cells) runs.
    protection = protect_cells(cells, _config(max_rounds=0), TABLES)
    assert protection.failed_units == []
    hidden = protection.units_suppressed
    assert hidden[failed].all()
    for item in ("rev", "export"):
        values = unit_values(cells, item)
        matrix = protection.relations.matrix
        cols, low, high = attack_with_residual(matrix, values, hidden, matrix @ values)
        x = values[cols]
        sensitive = protection.primary[cols] & (x > 1e-6)
        assert (high[sensitive] >= x[sensitive] * (1 + margin) - 1e-6).all()
        assert (low[sensitive] <= x[sensitive] * (1 - margin) + 1e-6).all()


def test_fallback_reaches_past_a_fully_hidden_relation():
    # u + sibling = parent, all three hidden; parent + aunt = grandparent, both published: u is
    # still bounded through its parent's relation, which the own-relation fallback cannot reach.
    from scipy import sparse

    from qinggong.disclose.suppress import Relations, _fallback

    matrix = sparse.csr_matrix(np.array([[-1, -1, 1, 0, 0], [0, 0, -1, -1, 1]], dtype=float))
    relations = Relations(matrix, ["industry", "industry"])
    cost = np.array([90.0, 5.0, 95.0, 40.0, 135.0])
    supp = np.array([True, True, True, False, False])
    assert _fallback([0], supp.copy(), relations, cost, whole=False, hops=1) == []
    reached = supp.copy()
    assert _fallback([0], reached, relations, cost, whole=False, hops=2) == [3]  # the smaller one
    everything = supp.copy()
    assert sorted(_fallback([0], everything, relations, cost, whole=True, hops=None)) == [3, 4]
    assert everything.all()


def test_an_item_nobody_reported_is_unknown_to_the_attacker_not_a_public_zero():
    # January: enterprises exist but report no revenue (1月免报); February's 累计 then carries
    # January's undisclosed revenue. The audit must not treat January's empty cell as a known 0.
    import pandas as pd

    from qinggong.disclose.suppress import _unreported

    table = pd.DataFrame({"n_enterprises": [3, 3, 0], "n_rev_m": [0, 3, 0], "n_rev_ytd": [0, 3, 0],
                          "n_export_m": [3, 3, 0], "n_export_ytd": [3, 3, 0]})
    assert _unreported(table, "rev").tolist() == [True, True, False, False, False, False]
    assert not _unreported(table, "export").any()  # reported every month; the empty cell is a real zero


def test_relations_the_figures_break_are_not_handed_to_the_attacker():
    # YTD_t = YTD_{t-1} + M_t fails by 30 when an enterprise with 30 of 累计 leaves in month t;
    # the attacker cannot know the 30, so the audit does not use that relation ("drop").
    from scipy import sparse

    from qinggong.disclose.suppress import Relations, _exact_relations

    values = np.array([100.0, 40.0, 110.0, 60.0, 20.0, 40.0])  # YTD_{t-1}, M_t, YTD_t, parent, child, child
    matrix = sparse.csr_matrix(np.array([[-1, -1, 1, 0, 0, 0], [0, 0, 0, 1, -1, -1]], dtype=float))
    kept = _exact_relations(Relations(matrix, ["time", "industry"]), values)
    assert kept.kinds == ["industry"] and kept.matrix.shape == (1, 6)


def test_components_and_their_candidates_match_a_walk_from_each_unit():
    # The widening step looks up each failing unit's component once; it must offer exactly the
    # published cells a walk over the relations of the linked suppressed cells would reach.
    from scipy import sparse

    from qinggong.disclose.suppress import _components_with_candidates

    rng = np.random.default_rng(3)
    n_eq, n_units = 80, 300
    rows, cols = [], []
    for e in range(n_eq):
        members = rng.choice(n_units, size=rng.integers(2, 6), replace=False)
        rows += [e] * len(members)
        cols += members.tolist()
    matrix = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_eq, n_units))
    supp = rng.random(n_units) < 0.3
    component_of, candidates = _components_with_candidates(matrix, supp)
    by_unit = matrix.T.tocsr()
    for u in np.flatnonzero(supp):
        seen, frontier, reached = {int(u)}, [int(u)], set()
        while frontier:
            v = frontier.pop()
            for e in by_unit.indices[by_unit.indptr[v]:by_unit.indptr[v + 1]]:
                for w in matrix.indices[matrix.indptr[e]:matrix.indptr[e + 1]]:
                    if not supp[w]:
                        reached.add(int(w))
                    elif int(w) not in seen:
                        seen.add(int(w))
                        frontier.append(int(w))
        assert set(candidates.get(int(component_of[u]), np.zeros(0, dtype=int)).tolist()) == reached
        assert {int(component_of[w]) for w in seen} == {int(component_of[u])}
    assert (component_of[~supp] == -1).all()


def test_sweep_certificates_change_no_verdict(cells, monkeypatch):  # noqa: F811
    # The sweep only finds feasible tables; every cell must pass or fail exactly as with one LP
    # per bound, with fewer LPs.
    import qinggong.disclose.suppress as suppress

    margin = params()["secondary"]["protection_margin"]
    relations = build_relations(cells, TABLES)
    primary = np.repeat(primary_suppression(cells) != "F", 2)
    supp = primary.copy()
    # Hide far more than needed, as the last fallback stage does: large components.
    supp |= np.random.default_rng(5).random(len(supp)) < 0.6
    values = unit_values(cells)
    targets = np.flatnonzero(supp & (values > 1e-6))
    need = np.where(primary[targets], margin * values[targets], 0.0)
    outcomes = {}
    for threshold in (1, 10**9):
        monkeypatch.setattr(suppress, "SWEEP_MIN_TARGETS", threshold)
        outcomes[threshold] = suppress.verify_units(relations, values, supp, targets, need, nonnegative=True)
    (with_sweep, sweep_lps), (without, plain_lps) = outcomes[1], outcomes[10**9]
    assert with_sweep.tolist() == without.tolist()
    assert sweep_lps < plain_lps


def test_components_solved_on_several_threads_give_the_same_bounds(cells, monkeypatch):  # noqa: F811
    # The audit solves independent components on several threads: bounds, certificates and the
    # number of LPs must be exactly those of one thread.
    import qinggong.disclose.suppress as suppress

    margin = params()["secondary"]["protection_margin"]
    relations = build_relations(cells, TABLES)
    primary = np.repeat(primary_suppression(cells) != "F", 2)
    supp = primary | (np.random.default_rng(7).random(len(primary)) < 0.3)
    values = unit_values(cells)
    targets = np.flatnonzero(supp & (values > 1e-6))
    need = np.where(primary[targets], margin * values[targets], 0.0)
    results = {}
    for threads in (1, 4):
        monkeypatch.setattr(suppress, "LP_THREADS", threads)
        results[threads] = suppress.feasible_intervals(relations, values, supp, targets, nonnegative=True, need=need)
    (low1, high1, lps1, noise1), (low4, high4, lps4, noise4) = results[1], results[4]
    assert np.array_equal(low1, low4, equal_nan=True) and np.array_equal(high1, high4, equal_nan=True)
    assert lps1 == lps4 > 0 and np.array_equal(noise1, noise4)
    components = len(np.unique(np.round(noise1, 12)))
    assert components > 1  # more than one component, or the threads had nothing to share
