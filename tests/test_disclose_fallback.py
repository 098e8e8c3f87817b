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
