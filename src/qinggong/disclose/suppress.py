"""Primary and secondary cell suppression on linked enterprise tables, verified by LP.

Units of protection: every aggregate cell (industry × region × period) appears twice, as 当月
(M; stock items share this pattern) and as 1–N月累计 (YTD). Relations between units:
- industry: parent = Σ children (published industry tree, per region level in the grid);
- region: parent = Σ children (county → province → 全国, per industry level);
- time: YTD_t = YTD_{t−1} + M_t within a year, and YTD = M in January.
Product tables (ilevel R, the product code in the industry position) have no industry
relation: products in different units do not add up. Cells that do not exist (no enterprise)
are public zeros. Right-hand sides use the true
values, so the system is consistent even where the enterprise set changes within a year; that
hands the attacker more than he has, which errs on the safe side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import highspy
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from qinggong.collect.aggregate import LIGHT_TOTAL, NATIONAL, grid, industry_tree
from qinggong.config import load_method
from qinggong.errors import QinggongError

CONF_LABELS = {"F": "可公开", "A": "初级保密（企业数过少）", "O": "初级保密（单一企业主导）",
               "G": "初级保密（一至两家企业主导）", "D": "次级保密（防止推算）"}
KINDS = ("M", "YTD")
ITEM_COLUMNS = {"rev": ("v_rev_m", "v_rev_ytd"), "cost": ("v_cost_m", "v_cost_ytd"),
                "export": ("v_export_m", "v_export_ytd"), "orders": ("v_orders_m", "v_orders_ytd"),
                "profit": ("v_profit_m", "v_profit_ytd"), "output": ("v_output_m", "v_output_ytd")}
NONNEGATIVE = {"rev", "cost", "export", "orders", "output"}


@dataclass
class Relations:
    """Linear relations Σ coef·x = 0 between units (sparse rows), unit u = 2·cell + kind."""

    matrix: sparse.csr_matrix  # equations × units, coefficients ±1
    kinds: list[str] = field(default_factory=list)  # "industry" | "region" | "time" per equation

    def subset(self, keep: np.ndarray) -> "Relations":
        """Only the equations at positions `keep`."""
        return Relations(self.matrix[keep], [self.kinds[e] for e in keep])

    # The relations stay the same through all rounds of suppression: these are built once.
    @cached_property
    def members(self) -> list[np.ndarray]:
        """The units of each equation."""
        m = self.matrix
        return [m.indices[m.indptr[e]:m.indptr[e + 1]] for e in range(m.shape[0])]

    @cached_property
    def by_column(self) -> sparse.csc_matrix:
        """The matrix by unit (column-major), for taking the hidden units' columns."""
        return self.matrix.tocsc()

    @cached_property
    def by_unit(self) -> sparse.csr_matrix:
        """Units × equations: the equations each unit is in."""
        return self.matrix.T.tocsr()


@dataclass
class Protection:
    cells: pd.DataFrame  # input cells + conf_m, conf_ytd
    units_suppressed: np.ndarray
    primary: np.ndarray
    relations: Relations
    rounds: int
    verified_units: int
    failed_units: list[int]
    lp_solves: int
    sample: int | None = None  # the number of suppressed units drawn for the audit, None = all



_BANNER = threading.Lock()
_banner_shown = False


def _quiet_highs(highspy):
    """A HiGHS instance without its start-up banner: the C++ constructor prints it on stdout for
    the first instance of the process only, so only that one is made with stdout silenced (under a
    lock: the audit makes instances on several threads, and swapping file descriptor 1 is global)."""
    global _banner_shown
    with _BANNER:
        if _banner_shown:
            solver = highspy.Highs()
        else:
            _banner_shown = True
            try:
                stdout_fd = sys.stdout.fileno()
            except (AttributeError, OSError, ValueError):  # stdout captured or replaced: nothing to silence
                solver = highspy.Highs()
            else:
                sys.stdout.flush()
                saved, devnull = os.dup(stdout_fd), os.open(os.devnull, os.O_WRONLY)
                try:
                    os.dup2(devnull, stdout_fd)
                    solver = highspy.Highs()
                finally:
                    os.dup2(saved, stdout_fd)
                    os.close(saved)
                    os.close(devnull)
    solver.setOptionValue("output_flag", False)
    # Each LP is a dual simplex, which runs on one thread; HiGHS's default worker pool only spins
    # beside it (0.3 CPU-s of a national audit's 1.8), taking the core the engine or the other
    # components could use. The audit spreads components over threads itself (LP_THREADS).
    solver.setOptionValue("threads", 1)
    # Components are solved in units of their largest value, so the smallest cells are ~1e-6 of
    # it: tolerances two orders tighter than HiGHS's 1e-7 keep them resolvable (LP_ACCURACY).
    solver.setOptionValue("primal_feasibility_tolerance", 1e-9)
    solver.setOptionValue("dual_feasibility_tolerance", 1e-9)
    # A component's LPs differ only in their objective, each re-started from the last optimal
    # basis: presolve would redo its reductions for every one. Without it, the same cells are
    # hidden in 8–15 % less time (national product tables 1.03 → 0.95 s; the sparse tables of
    # 400 to 3,000 enterprises alike). The primal simplex was faster on some tables, slower on others.
    solver.setOptionValue("presolve", "off")
    return solver

def params() -> dict:
    return load_method("disclosure")


def primary_suppression(cells: pd.DataFrame, config: dict | None = None) -> np.ndarray:
    """CL_CONF_STATUS code per cell: A (small count), O (one unit dominates), G (one or two), F."""
    config = config or params()
    prim = config["primary"]
    n = cells["n_enterprises"].to_numpy()
    codes = np.full(len(cells), "F", dtype=object)
    dom_n = int(prim.get("dominance", {}).get("n", 2))
    k = float(prim.get("dominance", {}).get("k", 85)) / 100.0
    p = prim.get("p_percent")
    for item in prim.get("dominance_items", []):
        if f"x1_{item}" not in cells.columns:
            continue
        total = cells[f"v_{item}"].abs().to_numpy(dtype="float64")
        x1 = cells[f"x1_{item}"].fillna(0).to_numpy(dtype="float64")
        x2 = cells[f"x2_{item}"].fillna(0).to_numpy(dtype="float64")
        valid = total > 0
        one = valid & (x1 > k * total)
        top = x1 + (x2 if dom_n >= 2 else 0)
        two = valid & (top > k * total)
        if p is not None:
            two |= valid & ((total - x1 - x2) < float(p) / 100.0 * x1)
        codes = np.where((codes == "F") & one, "O", codes)
        codes = np.where((codes == "F") & two, "G", codes)
    codes = np.where(n < int(prim.get("min_count", 3)), "A", codes)
    return codes


def _parent_maps(tables: list[dict] | None) -> tuple[dict, dict]:
    combos = grid(tables)
    ind_levels_at: dict[str, list[str]] = {}
    reg_levels_at: dict[str, list[str]] = {}
    for i, r in combos:
        ind_levels_at.setdefault(r, []).append(i)
        reg_levels_at.setdefault(i, []).append(r)
    tree = industry_tree()
    ind_parent: dict[str, dict[tuple[str, str], tuple[str, str]]] = {}
    incomplete: dict[str, set[tuple[str, str]]] = {}
    for r, levels in ind_levels_at.items():
        levels = [lv for lv in levels if lv in "SGDT"]  # product tables (R) have no hierarchy
        if not levels:
            continue
        lowest = min(levels, key="SGDT".index)
        mapping: dict[tuple[str, str], tuple[str, str]] = {}
        partial: set[tuple[str, str]] = set()
        for rec in tree.itertuples():
            chain = [("S", rec.code), ("G", rec.mid), ("D", rec.division), ("T", LIGHT_TOTAL)]
            chain = [(lv, c) for lv, c in chain if c is not None and not pd.isna(c) and lv in levels]
            if chain and chain[0][0] != lowest:
                # Some enterprises of this cell sit in no published cell below it: its
                # children do not add up to it, so it has no additive relation downwards.
                partial.add(chain[0])
            for child, parent in zip(chain, chain[1:]):
                mapping[child] = parent
        ind_parent[r] = mapping
        incomplete[r] = partial
    reg_order = {i: [lv for lv in ("C", "P", "N") if lv in levels] for i, levels in reg_levels_at.items()}
    return ind_parent, reg_order, incomplete


def _region_parent(region: str, level: str) -> str:
    return region[:2] + "0000" if level == "P" else NATIONAL


def build_relations(cells: pd.DataFrame, tables: list[dict] | None = None) -> Relations:
    """Every additive relation between the units of `cells` (see module docstring)."""
    ind_parent, reg_order, incomplete = _parent_maps(tables)
    # Python objects once, per column: iterating pandas' Arrow-backed text makes an Arrow scalar per cell.
    key = list(zip(*(cells[c].to_numpy(dtype=object) for c in ("ilevel", "industry", "rlevel", "region", "period"))))
    index = {k: i for i, k in enumerate(key)}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    kinds: list[str] = []

    def add(members: list[int], coefs: list[float], kind: str) -> None:
        e = len(kinds)
        kinds.append(kind)
        rows.extend([e] * len(members))
        cols.extend(members)
        vals.extend(coefs)

    # Hierarchies: group children by their parent cell.
    groups: dict[tuple, list[int]] = {}
    for i, (il, ind, rl, reg, per) in enumerate(key):
        parent = ind_parent.get(rl, {}).get((il, ind))
        if parent is not None:
            groups.setdefault(("industry", parent[0], parent[1], rl, reg, per), []).append(i)
        order = reg_order.get(il, [])
        if rl in order and order.index(rl) + 1 < len(order):
            prl = order[order.index(rl) + 1]
            groups.setdefault(("region", il, ind, prl, _region_parent(reg, prl), per), []).append(i)
    for gk, children in groups.items():
        parent_idx = index.get(gk[1:])
        if parent_idx is None or (gk[0] == "industry" and (gk[1], gk[2]) in incomplete.get(gk[3], set())):
            continue
        for kind_offset in (0, 1):
            members = [2 * parent_idx + kind_offset] + [2 * c + kind_offset for c in children]
            add(members, [1.0] + [-1.0] * len(children), gk[0])
    # Time: YTD_t − YTD_{t−1} − M_t = 0 (January: YTD − M = 0).
    first_period = cells.attrs.get("first_period") or (cells["period"].min() if len(cells) else "")
    for i, (il, ind, rl, reg, per) in enumerate(key):
        year, month = int(per[:4]), int(per[5:7])
        if month == 1:
            add([2 * i + 1, 2 * i], [1.0, -1.0], "time")
            continue
        prev = index.get((il, ind, rl, reg, f"{year:04d}-{month - 1:02d}"))
        if prev is None:
            # Without a cell last month the previous 累计 is a public zero only if the cell did
            # not exist earlier in the year either; months before the panel starts are unknown.
            prior = [index.get((il, ind, rl, reg, f"{year:04d}-{m:02d}")) for m in range(1, month)]
            if any(p is not None for p in prior) or first_period > f"{year:04d}-01":
                continue
            add([2 * i + 1, 2 * i], [1.0, -1.0], "time")
        else:
            add([2 * i + 1, 2 * prev + 1, 2 * i], [1.0, -1.0, -1.0], "time")
    matrix = sparse.csr_matrix((vals, (rows, cols)), shape=(len(kinds), 2 * len(cells)))
    return Relations(matrix=matrix, kinds=kinds)


def _unit_values(cells: pd.DataFrame, item: str) -> np.ndarray:
    m_col, y_col = ITEM_COLUMNS[item]
    values = np.empty(2 * len(cells))
    values[0::2] = cells[m_col].fillna(0).to_numpy(dtype="float64")
    values[1::2] = cells[y_col].fillna(0).to_numpy(dtype="float64")
    return values


def _unreported(cells: pd.DataFrame, item: str) -> np.ndarray:
    """Units of cells with enterprises but none reporting `item` (January's financial items,
    1月免报): nothing is published for the item there, so to an attacker the value is unknown —
    not a public zero. (1–2月累计 − 2月 is January's revenue, which nobody has published; see
    `_known_relations`.)"""
    out = np.zeros(2 * len(cells), dtype=bool)
    has_firms = cells["n_enterprises"].to_numpy() > 0
    for offset, column in enumerate(ITEM_COLUMNS[item]):
        count = f"n_{column[2:]}"
        if count in cells.columns:
            out[offset::2] = has_firms & (cells[count].to_numpy() == 0)
    return out


def _known_relations(relations: Relations, unknown: np.ndarray) -> Relations:
    """The relations an attacker can use for an item: those without a unit whose value for the
    item nobody knows. Such a relation only ties the known units to an unknown amount — the
    data hold January's total there as 0, so keeping it would hand the attacker that total as
    an exact right-hand side, the opposite of what he has."""
    if not unknown.any():
        return relations
    touches = (abs(relations.matrix) @ unknown.astype(float)) > 0
    keep = np.flatnonzero(~touches)
    return relations.subset(keep)


def _exact_relations(relations: Relations, values: np.ndarray) -> Relations:
    """The relations the item's true figures satisfy (to 1e-9 of the figures involved)."""
    residual = np.abs(relations.matrix @ values)
    size = abs(relations.matrix) @ np.abs(values)
    keep = np.flatnonzero(residual <= 1e-9 * np.maximum(size, 1.0))
    if len(keep) == len(relations.kinds):
        return relations
    return relations.subset(keep)


def _cost(cells: pd.DataFrame) -> np.ndarray:
    """What hiding a unit costs users: its revenue, else its exports (or a product's output)."""
    present = [i for i in ("rev", "export", "output") if ITEM_COLUMNS[i][0] in cells.columns]
    cost = _unit_values(cells, present[0])
    for item in present[1:]:
        cost = np.where(cost > 0, cost, _unit_values(cells, item))
    return cost


def _heuristic(supp: np.ndarray, relations: Relations, cost: np.ndarray, count: np.ndarray, margin: float,
               singleton: bool, start: np.ndarray | None = None) -> None:
    """Suppress complements until every relation holds 0 or ≥ 2 suppressed units (in place)."""
    by_unit, eq_units = relations.by_unit, relations.members
    seeds = np.flatnonzero(supp) if start is None else start
    pending = set()
    for u in seeds:
        pending.update(by_unit.indices[by_unit.indptr[u]:by_unit.indptr[u + 1]].tolist())
    while pending:
        e = pending.pop()
        members = eq_units[e]
        hidden = members[supp[members]]
        need_more = len(hidden) == 1 or (singleton and len(hidden) == 2 and (count[hidden] == 1).any())
        if not need_more:
            continue
        candidates = members[~supp[members]]
        if len(candidates) == 0:
            continue
        need = margin * np.abs(cost[hidden]).max()
        enough = candidates[np.abs(cost[candidates]) >= need]
        pick = enough[np.argmin(np.abs(cost[enough]))] if len(enough) else candidates[np.argmax(np.abs(cost[candidates]))]
        supp[pick] = True
        pending.update(by_unit.indices[by_unit.indptr[pick]:by_unit.indptr[pick + 1]].tolist())


def feasible_intervals(relations: Relations, values: np.ndarray, suppressed: np.ndarray, targets: np.ndarray,
                       *, nonnegative: bool, need: np.ndarray | None = None
                       ) -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
    """Attacker's min and max of each target unit given all published units: exact LPs over each
    connected component of suppressed units (HiGHS through highspy, one warm-started model per
    component; scipy.optimize.linprog would rebuild the model for every one of the 2 × targets).

    With `need` (the margin each target must reach on both sides), a bound is only computed when
    no feasible point found so far already reaches it: every LP solution is a table the attacker
    cannot rule out, so a unit that differs there from its true value by at least its margin is
    protected on that side whatever the exact bound. The bound returned is then the one that
    point proves (the true bound lies beyond it), which is all `verify_units` needs; secondary
    cells (margin 0) are mostly certified by the solutions of the others.

    Each component is solved in units of its largest value (万元 sums reach 1e9, and HiGHS's
    absolute tolerances would misjudge the equalities); the last array returned is each target's
    solver noise in the original units, below which a difference proves nothing."""
    matrix = relations.by_column
    hidden = np.flatnonzero(suppressed)
    position = -np.ones(len(values), dtype=np.int64)
    position[hidden] = np.arange(len(hidden))
    sub = matrix[:, hidden]
    touched = np.flatnonzero(np.diff(sub.tocsr().indptr) > 0)
    sub = sub.tocsr()[touched]
    # Components of hidden units linked through relations.
    link = (sub.T @ sub).tocsr() if sub.shape[0] else sparse.csr_matrix((len(hidden), len(hidden)))
    n_comp, label = connected_components(link, directed=False)
    rhs = sub @ values[hidden]
    noise_of = np.zeros(len(targets))
    lows = np.full(len(targets), np.nan)
    highs = np.full(len(targets), np.nan)
    sub_csc = sub.tocsc()
    target_comp = label[position[targets]]
    order = np.argsort(label, kind="stable")
    starts = np.searchsorted(label[order], np.arange(n_comp + 1))
    t_order = np.argsort(target_comp, kind="stable")
    t_starts = np.searchsorted(target_comp[t_order], np.arange(n_comp + 1))
    inf = highspy.kHighsInf

    def solve(comp: int) -> int:
        """The bounds of one component's targets (into lows/highs/noise_of); its number of LPs."""
        solves = 0
        members = order[starts[comp]:starts[comp + 1]]
        block = sub_csc[:, members].tocsr()
        eq = np.flatnonzero(np.diff(block.indptr) > 0)
        local = {int(m): j for j, m in enumerate(members)}
        comp_targets = t_order[t_starts[comp]:t_starts[comp + 1]]
        if len(eq) == 0:
            for t_i in comp_targets:
                lows[t_i], highs[t_i] = (0.0 if nonnegative else -np.inf), np.inf
            return 0
        # One model per component; each target only changes the objective, and HiGHS re-solves
        # from the previous optimal basis (warm start).
        a_eq = block[eq].tocsc()
        scale = float(np.abs(values[hidden[members]]).max()) or 1.0
        noise = LP_ACCURACY * scale
        noise_of[comp_targets] = noise
        b_eq = rhs[eq] / scale
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = len(members), len(eq)
        lp.col_cost_ = np.zeros(len(members))
        lp.col_lower_ = np.zeros(len(members)) if nonnegative else np.full(len(members), -inf)
        lp.col_upper_ = np.full(len(members), inf)
        lp.row_lower_ = b_eq
        lp.row_upper_ = b_eq
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = a_eq.indptr
        lp.a_matrix_.index_ = a_eq.indices
        lp.a_matrix_.value_ = a_eq.data
        h = _quiet_highs(highspy)
        h.passModel(lp)
        previous = None
        truth = values[hidden[members]] / scale
        seen_low, seen_high = truth.copy(), truth.copy()  # per member: extremes over feasible points found
        if need is not None and len(comp_targets) >= SWEEP_MIN_TARGETS:
            at = np.array([local[int(position[targets[t_i]])] for t_i in comp_targets])
            solves += _sweep(h, truth, seen_low, seen_high, lp.col_lower_, lp.col_upper_, at, need[comp_targets] / scale)
        for t_i in comp_targets:
            j = local[int(position[targets[t_i]])]
            for sign, store in ((1.0, lows), (-1.0, highs)):
                if need is not None:
                    proven = seen_low[j] if sign > 0 else seen_high[j]
                    if _side_ok(sign, proven * scale, truth[j] * scale, float(need[t_i]), noise):
                        store[t_i] = proven * scale
                        continue
                if previous is not None and previous != j:
                    h.changeColCost(previous, 0.0)
                previous = j
                h.changeColCost(j, sign)
                h.run()
                solves += 1
                status = h.getModelStatus()
                if status == highspy.HighsModelStatus.kOptimal:
                    store[t_i] = sign * float(h.getInfo().objective_function_value) * scale
                    if need is not None:
                        point = np.asarray(h.getSolution().col_value)
                        np.minimum(seen_low, point, out=seen_low)
                        np.maximum(seen_high, point, out=seen_high)
                elif status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
                    store[t_i] = -np.inf if sign > 0 else np.inf
                else:
                    # The true values satisfy the system, so this is numerical trouble: the unit
                    # cannot be certified, and counts as exposed (more suppression, never less).
                    store[t_i] = values[targets[t_i]]
        return solves

    # Components are independent and HiGHS releases the GIL while it solves: they run on every
    # core, largest first. Each writes only its own targets' entries.
    components = sorted(np.unique(target_comp).tolist(), key=lambda c: starts[c] - starts[c + 1])
    if LP_THREADS > 1 and len(components) > 1:
        with ThreadPoolExecutor(LP_THREADS) as pool:
            solves = sum(pool.map(solve, components))
    else:
        solves = sum(map(solve, components))
    return lows, highs, solves, noise_of


# Components with at least this many targets are first swept with a few LPs whose objectives move
# all members at once (see `_sweep`); below it the per-target LPs are few anyway.
SWEEP_MIN_TARGETS = 20
LP_THREADS = min(4, os.cpu_count() or 1)  # threads solving components of the audit at once
SWEEP_MAX_AIMED = 30  # at most this many aimed sweeps per component


def _sweep(h, truth: np.ndarray, seen_low: np.ndarray, seen_high: np.ndarray, lower: np.ndarray,
           upper: np.ndarray, at: np.ndarray, need: np.ndarray) -> int:
    """Feasible tables far from the true one in many cells at once: minimise and maximise the sum
    of all members relative to their true values, two random mixes of directions, then mixes aimed
    at the targets (members `at`, margins `need`, in the component's units) whose sides no table
    has proven yet, while each such LP still proves a good share of them. Every solution is a
    table the attacker cannot rule out, so a cell it moves by the margin needs no LP of its own on
    that side: in a nearly all-suppressed table this saves most of them.

    Members are boxed within three times their true value during the sweep so that no direction is
    unbounded; a point of the boxed system is a point of the real one. Returns the number of LPs
    solved; objective and bounds are restored."""
    n = len(truth)
    index = np.arange(n, dtype=np.int32)
    reach = 2.0 * np.abs(truth) + 1e-3
    h.changeColsBounds(n, index, np.maximum(lower, truth - reach), np.minimum(upper, truth + reach))
    weights = 1.0 / np.maximum(np.abs(truth), 1e-6)
    rng = np.random.default_rng(n)
    gap = np.maximum(need, 2 * LP_ACCURACY)  # a side is proven once a table is this far from the truth

    def open_sides() -> tuple[np.ndarray, np.ndarray]:
        return truth[at] - seen_low[at] < gap, seen_high[at] - truth[at] < gap

    def solve(cost: np.ndarray) -> None:
        h.changeColsCost(n, index, cost)
        h.run()
        if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            point = np.asarray(h.getSolution().col_value)
            np.minimum(seen_low, point, out=seen_low)
            np.maximum(seen_high, point, out=seen_high)

    solved = 0
    for signs in (np.ones(n), -np.ones(n), rng.choice([-1.0, 1.0], n), rng.choice([-1.0, 1.0], n)):
        solve(signs * weights)
        solved += 1
    for _ in range(SWEEP_MAX_AIMED):
        low_open, high_open = open_sides()
        remaining = int(low_open.sum() + high_open.sum())
        if remaining < SWEEP_MIN_TARGETS:
            break
        # Push each open side outward; a cell open on both sides goes one way at random.
        direction = np.where(low_open & high_open, rng.choice([-1.0, 1.0], len(at)),
                             np.where(low_open, 1.0, np.where(high_open, -1.0, 0.0)))
        cost = np.zeros(n)
        cost[at] = direction * weights[at]
        solve(cost)
        solved += 1
        low_open, high_open = open_sides()
        if remaining - int(low_open.sum() + high_open.sum()) < max(3, remaining // 50):
            break  # the per-cell LPs are cheaper from here
    h.changeColsCost(n, index, np.zeros(n))
    h.changeColsBounds(n, index, np.asarray(lower, dtype=float), np.asarray(upper, dtype=float))
    return solved


# Differences smaller than this share of a component's largest value are solver noise, not room
# an attacker has: the LPs are solved in units of that value with 1e-9 tolerances (_quiet_highs).
LP_ACCURACY = 1e-8


def _side_ok(sign: float, bound: float, x: float, need: float, noise: float) -> bool:
    """One side of `_interval_ok`: the attacker's min (sign +1) or max (−1) is at least `need`
    away from x, and strictly away beyond solver noise (secondary cells have margin 0)."""
    tol = 1e-6 * max(1.0, abs(x))
    gap = (x - bound) if sign > 0 else (bound - x)
    return gap >= need - tol and gap > max(tol, noise)


def _interval_ok(high: float, low: float, x: float, need: float, noise: float = 0.0) -> bool:
    """The margin is met on both sides, and the unit is not pinned down (beyond solver noise)."""
    tol = 1e-6 * max(1.0, abs(x))
    return not ((high - x < need - tol) or (x - low < need - tol) or (high - low <= max(tol, noise)))


def verify_units(relations: Relations, values: np.ndarray, suppressed: np.ndarray, targets: np.ndarray,
                 need: np.ndarray, *, nonnegative: bool) -> tuple[np.ndarray, int]:
    """Targets whose exact attacker interval is narrower than `need` on either side, or a single
    point; returns them and the number of LPs solved."""
    if len(targets) == 0:
        return np.array([], dtype=np.int64), 0
    lows, highs, solves, noise = feasible_intervals(relations, values, suppressed, targets, nonnegative=nonnegative,
                                                    need=need)
    x = values[targets]
    bad = [int(t) for t, lo, hi, xi, nd, ns in zip(targets, lows, highs, x, need, noise)
           if not _interval_ok(hi, lo, float(xi), float(nd), float(ns))]
    return np.array(bad, dtype=np.int64), solves


def _check(cells: pd.DataFrame, relations: Relations, supp: np.ndarray, primary: np.ndarray, targets: np.ndarray,
           items: list[str], margin: float, inexact: str = "drop",
           usable_by_item: dict[str, tuple[np.ndarray, Relations]] | None = None) -> tuple[list[int], int]:
    """Suppressed units among `targets` an attacker can narrow below the margin (primary) or pin down.

    `inexact` — relations that the true figures of an item do not satisfy exactly (an enterprise
    leaving within the year breaks 累计 = 上月累计 + 当月): "drop" audits without them, since the
    attacker cannot know by how much they fail; "exact" hands him the exact shortfall, which is
    figures nobody published and can leave cells unprotectable whatever is hidden."""
    failed: set[int] = set()
    solves = 0
    # An item's values and the relations it may use do not change from round to round.
    usable_by_item = {} if usable_by_item is None else usable_by_item
    for item in items:
        if item not in usable_by_item:
            values = _unit_values(cells, item)
            usable = relations
            if inexact == "drop":
                usable = _exact_relations(_known_relations(relations, _unreported(cells, item)), values)
            usable_by_item[item] = (values, usable)
        values, usable = usable_by_item[item]
        nonneg = item in NONNEGATIVE
        tgt = targets
        if nonneg:
            # A zero in a non-negative item is implied by a published zero total (group
            # disclosure, not an individual figure); such cells are not tested on this item.
            tgt = tgt[values[tgt] > 1e-6]
        if len(tgt) == 0:
            continue
        need = np.where(primary[tgt], margin * np.abs(values[tgt]), 0.0)
        bad, n = verify_units(usable, values, supp, tgt, need, nonnegative=nonneg)
        solves += n
        failed.update(bad.tolist())
    return sorted(failed), solves


def protect_cells(cells: pd.DataFrame, config: dict | None = None, tables: list[dict] | None = None) -> Protection:
    """Primary and secondary suppression with LP verification; adds conf_m / conf_ytd columns.

    Raises QinggongError when the verified pattern cannot be reached: nothing is published then.
    """
    config = config or params()
    sec = config.get("secondary", {})
    margin = float(sec.get("protection_margin", 0.1))
    singleton = bool(sec.get("singleton", True))
    cells = cells.reset_index(drop=True)
    codes = primary_suppression(cells, config)
    primary = np.repeat(codes != "F", 2)
    supp = primary.copy()
    relations = build_relations(cells, tables)
    cost = _cost(cells)
    count = np.repeat(cells["n_enterprises"].to_numpy(), 2)
    _heuristic(supp, relations, cost, count, margin, singleton)
    items = [i for i in sec.get("verify_items", ["rev"]) if f"v_{i}_m" in cells.columns]
    inexact = str(sec.get("inexact_relations", "drop"))
    if inexact not in ("drop", "exact"):
        raise QinggongError(f"disclosure.yaml 的 secondary.inexact_relations 应为 drop 或 exact，而不是“{inexact}”")
    verify = sec.get("verify", "all")
    # Primary cells must reach the protection margin; secondary cells must not be pinned down.
    targets = np.flatnonzero(supp)
    sample = None
    if verify != "all" and len(targets) > int(verify):
        rng = np.random.default_rng(int(sec.get("seed", 0)))
        targets = np.sort(rng.choice(targets, size=int(verify), replace=False))
        sample = int(verify)
    checked = len(targets)
    heuristic_rounds = int(sec.get("max_rounds", 10))
    fallback_rounds = int(sec.get("fallback_rounds", 5))
    rounds, solves, failed = 0, 0, []
    usable_by_item: dict[str, tuple[np.ndarray, Relations]] = {}
    # Stages of widening, one per round: the complement heuristic; the fallback's smallest cell in
    # each of the failing unit's own relations, then all cells of them; then reaching 2 and 3
    # relations out; then (three times) every published cell of its whole component. A stage
    # that finds nothing to hide passes to the next one in the same round. Reaching further only
    # when nearer fails keeps the suppression small (at national scale the own relations settle it).
    stages = (["widen"] * heuristic_rounds + [(False, 1)] * fallback_rounds + [(True, 1)] * 2
              + [(False, 2), (False, 3)] + [(True, None)] * 3)
    stage = 0
    for rounds in range(1, len(stages) + 2):
        failed, n = _check(cells, relations, supp, primary, targets, items, margin, inexact, usable_by_item)
        solves += n
        if not failed or stage >= len(stages):
            break
        before = supp.copy()
        added: list[int] = []
        while not added and stage < len(stages):
            kind = stages[stage]
            stage += 1
            if kind == "widen":
                added = _widen(failed, supp, relations, cost, margin)
            else:
                whole, hops = kind  # safe by construction in the limit (see _fallback)
                added = _fallback(failed, supp, relations, cost, whole=whole, hops=hops)
        if not added:
            break
        _heuristic(supp, relations, cost, count, margin, singleton, start=np.array(added))
        # Hiding more cells only relaxes the attacker's system (a feasible point stays feasible
        # with the newly hidden cells at their true values), so cells that passed stay passed:
        # the next round re-checks the failures and the newly hidden cells only.
        targets = np.array(sorted(set(failed) | set(np.flatnonzero(supp & ~before).tolist())))
        checked += int((supp & ~before).sum())
    if failed:
        raise QinggongError(
            f"保密核验未通过：仍有 {len(failed)} 个保密单元格可被推算到保护区间以内，"
            "即使扩大次级保密范围也无法保护，已停止发布（请检查发布表式配置 disclosure.yaml 的 tables）"
        )
    conf = np.where(primary, np.repeat(codes, 2), np.where(supp, "D", "F"))
    out = cells.copy()
    out["conf_m"] = conf[0::2]
    out["conf_ytd"] = conf[1::2]
    out.attrs.update(cells.attrs)
    return Protection(out, supp, primary, relations, rounds, checked, failed, solves, sample)


def _fallback(failed: list[int], supp: np.ndarray, relations: Relations, cost: np.ndarray, *, whole: bool,
              hops: int | None) -> list[int]:
    """Hide more cells around each failing unit: in every relation of the failing unit and of the
    suppressed cells linked to it up to `hops` relations away (None: its whole component — a
    dominant cell is pinned through its hidden parent's own relations, not only its own), the
    smallest published cell, or all of them.

    Safe in the limit: once a component has no published cell left in any of its relations,
    its units are bounded only by their signs."""
    by_unit, eq_units = relations.by_unit, relations.members
    added: list[int] = []
    seen_eqs: set[int] = set()
    for u in failed:
        seen_units, frontier = {u}, [(u, 0)]
        while frontier:
            v, depth = frontier.pop()
            if hops is not None and depth >= hops:
                continue
            for e in by_unit.indices[by_unit.indptr[v]:by_unit.indptr[v + 1]]:
                if e in seen_eqs:
                    continue
                seen_eqs.add(int(e))
                members = eq_units[e]
                free = members[~supp[members]]
                for w in members[supp[members]]:
                    if int(w) not in seen_units:
                        seen_units.add(int(w))
                        frontier.append((int(w), depth + 1))
                if len(free) == 0:
                    continue
                pick = free if whole else free[[int(np.argmin(np.abs(cost[free])))]]
                supp[pick] = True
                added.extend(int(w) for w in pick)
    return added


def _widen(failed: list[int], supp: np.ndarray, relations: Relations, cost: np.ndarray, margin: float) -> list[int]:
    """For each unit still too well determined, hide one more published cell: the smallest one
    large enough for the margin among the relations of the suppressed cells linked to it (its
    component), else the largest available.

    Components are found once per call (scipy), not walked again for every failing unit: in a
    sparse table one component can hold thousands of suppressed units."""
    matrix = relations.matrix.tocsr()
    component_of, candidates = _components_with_candidates(matrix, supp)
    added: list[int] = []
    for u in failed:
        cand = candidates.get(int(component_of[u]), np.zeros(0, dtype=np.int64))
        cand = cand[~supp[cand]]  # hidden by an earlier unit of this call
        if not len(cand):
            continue
        need = margin * abs(cost[u])
        enough = cand[np.abs(cost[cand]) >= need]
        best = enough[np.argmin(np.abs(cost[enough]))] if len(enough) else cand[np.argmax(np.abs(cost[cand]))]
        supp[best] = True
        added.append(int(best))
    return added


def _components_with_candidates(matrix: sparse.csr_matrix, supp: np.ndarray) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """Components of suppressed units linked through relations (label per unit, −1 for published
    units), and for each component the published units of its relations, sorted."""
    n_eq, n_units = matrix.shape
    hidden = supp.astype(bool)
    pattern = matrix.copy()
    pattern.data = np.ones_like(pattern.data)
    to_hidden = pattern[:, hidden]
    # Bipartite graph of relations and suppressed units: a component is a set of suppressed units
    # with every relation that touches them.
    graph = sparse.bmat([[None, to_hidden], [to_hidden.T, None]], format="csr")
    _, label = connected_components(graph, directed=False)
    eq_label, unit_label = label[:n_eq], label[n_eq:]
    component_of = np.full(n_units, -1, dtype=np.int64)
    component_of[np.flatnonzero(hidden)] = unit_label
    touches_hidden = np.diff(to_hidden.indptr) > 0
    coo = pattern.tocoo()
    keep = touches_hidden[coo.row] & ~hidden[coo.col]
    # Distinct (component, unit) pairs, as one integer each: np.unique along an axis sorts rows
    # as structured records, several times slower.
    keys = np.unique(eq_label[coo.row[keep]].astype(np.int64) * n_units + coo.col[keep])
    pairs = np.stack([keys // n_units, keys % n_units])
    candidates: dict[int, np.ndarray] = {}
    if pairs.size:
        bounds = np.flatnonzero(np.diff(pairs[0])) + 1
        for group in np.split(np.arange(pairs.shape[1]), bounds):
            candidates[int(pairs[0, group[0]])] = pairs[1, group].astype(np.int64)
    return component_of, candidates
