"""Comparable-basis aggregation of accepted (已确认) reports, in SQL both engines run.

Cells: industry (小类 → 中类 → 大类 → 轻工业合计 LI) × region (county → province → 全国) ×
period, for every item as 当月 (M), 1–N月累计 (YTD) or 期末 (EOP), with the number of
enterprises behind each cell and the comparable-basis year-on-year growth:
g = Σ_{i∈B} y_i,t / Σ_{i∈B} y_i,t−12 − 1, B = enterprises with the item reported in both
periods (NBS: 上年同批企业, methods.md §3.1). A 中类/大类 is aggregated only when all its
小类 are in the light-industry scope, so its code never stands for part of itself.

Product output (主要产品产量) is aggregated the same way to product × province/全国 × period,
each product in its catalog unit; `aggregate_enterprise` builds both from one selection.
"""

from __future__ import annotations

from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterator

import numpy as np
import pandas as pd

from qinggong.catalog.units import round_significant
from qinggong.collect import codes
from qinggong.collect.forms import REPORT_COLUMNS, period_number, period_sql
from qinggong.store import Store

LEVEL_NAMES = {"S": "小类", "G": "中类", "D": "大类", "T": "轻工业合计", "C": "县级", "P": "省级", "N": "全国"}
LIGHT_TOTAL = "LI"
NATIONAL = "000000"


def industry_tree() -> pd.DataFrame:
    """Light 小类 with their published ancestors: code, mid (中类 or NULL), division (大类 or NULL)."""
    return _industry_tree().copy()


@lru_cache(maxsize=1)
def _industry_tree() -> pd.DataFrame:
    # Built once per process: the classification does not change while it runs, and each
    # publication asks for the tree three times (aggregation and both protections, 0.03 s each).
    frame = codes.industries()
    light = codes.light_classes()
    small = frame[frame["level"] == "小类"]
    by_mid = small.groupby(small["code"].str[:3])["code"].apply(lambda s: set(s) <= light)
    by_div = small.groupby(small["code"].str[:2])["code"].apply(lambda s: set(s) <= light)
    rows = [
        {
            "code": c,
            "mid": c[:3] if by_mid.get(c[:3], False) else None,
            "division": c[:2] if by_div.get(c[:2], False) else None,
        }
        for c in sorted(light)
    ]
    return pd.DataFrame(rows, columns=["code", "mid", "division"])


_IND_EXPR = {"S": "t.code", "G": "t.mid", "D": "t.division", "T": f"'{LIGHT_TOTAL}'"}
_REG_EXPR = {"C": "f.region", "P": "SUBSTR(f.region, 1, 2) || '0000'", "N": f"'{NATIONAL}'"}


def grid(tables: list[dict] | None = None) -> list[tuple[str, str]]:
    if tables is None:
        from qinggong.config import load_method

        tables = load_method("disclosure").get("tables", [])
    combos = []
    for table in tables:
        for i in table["industry"]:
            for r in table["region"]:
                if (i, r) not in combos:
                    combos.append((i, r))
    return combos


def _finest_region(combos: list[tuple[str, str]]) -> str:
    return "C" if any(r == "C" for _, r in combos) else "P" if any(r == "P" for _, r in combos) else "N"


def prepare_accepted(store: Store, *, periods: list[str] | None = None, region_level: str = "C",
                     dominance_items: list[str] | None = None) -> int:
    """Temp tables for one aggregation run, all computed in the engine:

    qg_acc  — the accepted (latest 已确认) report of each enterprise and period, with its 小类 and
              its region at `region_level`;
    qg_fine — the finest cells (小类 × region × period): levels, counts, comparable current and
              base sums (the same enterprise 12 months earlier), and for each dominance item the
              two largest contributions x1_/x2_ (every coarser cell rolls up from these: sums add,
              and the two largest of a union are among the two largest of its parts).
    Returns the number of fine cells. (On DuckDB qg_acc is not a table: see `_Accepted`.)"""
    accepted = _prepare_acc(store, periods=periods, region_level=region_level)
    return _prepare_fine(store, accepted, dominance_items)


def _prepare_fine(store: Store, accepted: _Accepted, dominance_items: list[str] | None) -> int:
    """qg_fine and the qg_top_ tables of `prepare_accepted`, from the accepted reports.

    The two largest contributions of a cell are a window over qg_acc on PostgreSQL (qg_top_<item>).
    DuckDB has a top-n aggregate (`max(x, 2)`), which runs inside the GROUP BY of qg_fine and
    leaves the list in its column top_<item>: 0.12 s more for that statement instead of
    0.3–0.55 s for the two windows (national panel)."""
    b = store.backend
    dominance_items = dominance_items or []
    parts = []
    for c in REPORT_COLUMNS:
        both = f"a.{c} IS NOT NULL AND p.{c} IS NOT NULL"
        parts += [
            f"SUM(a.{c}) AS v_{c}",
            f"COUNT(a.{c}) AS n_{c}",
            f"SUM(CASE WHEN {both} THEN a.{c} END) AS c_{c}",
            f"SUM(CASE WHEN {both} THEN p.{c} END) AS b_{c}",
        ]
    top_n = b.name == "duckdb"
    if top_n:
        parts += [f"max(ABS(a.{c}), 2) AS top_{c}" for c in dominance_items]
    b.execute("DROP TABLE IF EXISTS qg_fine")
    prefix, params, acc = accepted.read(["e.cell", *(f"r.{c}" for c in REPORT_COLUMNS)], twice=True)
    # Grouped by two integers (the enterprise's cell, the month), labelled after: hashing 小类,
    # region and period text for 2.9 million reports cost 0.4 CPU-s more (national panel).
    outputs = ", ".join(["g.n_enterprises", *(f"g.{part.rsplit(' AS ', 1)[1]}" for part in parts)])
    b.execute(
        f"CREATE TEMP TABLE qg_fine AS {prefix}SELECT c.ind_s, c.region, {_PERIOD_OF_MONTH} AS period, {outputs}"
        f" FROM (SELECT a.cell, a.mkey % {_MONTH_SPAN} AS month, COUNT(*) AS n_enterprises, " + ", ".join(parts)
        + f" FROM {acc} a LEFT JOIN {acc} p ON p.mkey = a.mkey - 12 GROUP BY a.cell, a.mkey % {_MONTH_SPAN}) g"
        " JOIN qg_cells c ON c.cell = g.cell",
        params,
    )
    for column in dominance_items if not top_n else []:  # DuckDB rolls the lists of qg_fine up (aggregate_sql)
        b.execute(f"DROP TABLE IF EXISTS qg_top_{column}")
        b.execute(
            f"CREATE TEMP TABLE qg_top_{column} AS SELECT ind_s, region, period,"
            " MAX(CASE WHEN rn = 1 THEN x END) AS x1, MAX(CASE WHEN rn = 2 THEN x END) AS x2"
            f" FROM (SELECT ind_s, region, period, ABS({column}) AS x, ROW_NUMBER() OVER"
            f"       (PARTITION BY ind_s, region, period ORDER BY ABS({column}) DESC) AS rn"
            f"       FROM qg_acc WHERE {column} IS NOT NULL) t WHERE rn <= 2 GROUP BY ind_s, region, period"
        )
    return int(b.scalar("SELECT COUNT(*) FROM qg_fine"))


@dataclass(frozen=True)
class _Accepted:
    """Where a statement reads the accepted reports (`_accepted_sql`): on PostgreSQL the temp
    table qg_acc, selected once; on DuckDB a CTE `acc` that each statement selects for itself,
    with only the columns it needs. DuckDB writes a temp table of 2.9 million reports with its
    statistics for 0.6 s, while the fine cells read their CTE (materialised once for its self-join)
    and the product rows a narrow one for 0.3 s less in all; the statements then run in one
    transaction, so that they see one snapshot (`aggregate_enterprise`)."""

    engine: str
    periods: list[str] | None

    def read(self, columns: list[str], *, twice: bool = False) -> tuple[str, list, str]:
        """(a WITH prefix for the statement, its parameters, the relation to read). `columns`
        (of the report r and its enterprise e in qg_eno) are what the statement reads beside
        mkey: on DuckDB only they are selected; qg_acc has them all."""
        if self.engine != "duckdb":
            return "", [], "qg_acc"
        sql, params = _accepted_sql(", ".join(columns), self.periods, self.engine)
        return f"WITH acc AS {'MATERIALIZED ' if twice else ''}({sql}) ", params, "acc"


# mkey = enterprise number × _MONTH_SPAN + month index (period_no, year × 12 + month − 1): the
# month is mkey % _MONTH_SPAN.
_MONTH_SPAN = 100_000
_PERIOD_OF_MONTH = period_sql("g.month")


def _prepare_acc(store: Store, *, periods: list[str] | None, region_level: str,
                 report_columns: list[str] = REPORT_COLUMNS) -> _Accepted:
    """qg_ind_tree, qg_eno and, on PostgreSQL, qg_acc (see `prepare_accepted`) with `report_columns`;
    the accepted reports also carry `prov`, the province, for the product tables."""
    b = store.backend
    b.load_temp_table("qg_ind_tree", industry_tree(), {"code": "TEXT", "mid": "TEXT", "division": "TEXT"})
    region = {"C": "e.region", "P": "e.prov", "N": f"'{NATIONAL}'"}[region_level]
    _number_enterprises(store, region)
    accepted = _Accepted(b.name, periods)
    if b.name != "duckdb":
        b.execute("DROP TABLE IF EXISTS qg_acc")
        columns = ["r.report_id", f"{period_sql('r.period_no')} AS period", "e.cell", "e.industry AS ind_s",
                   f"{region} AS region", "e.prov", "e.pno",
                   *(f"r.{c}" for c in report_columns)]
        sql, params = _accepted_sql(", ".join(columns), periods, b.name)
        b.execute(f"CREATE TEMP TABLE qg_acc AS {sql}", params)
        b.analyze("qg_acc")  # joined to itself by month: the planner must know its size
    return accepted


def _period_filter(periods: list[str] | None) -> tuple[str, list]:
    """Reports of `periods` and of the same months a year earlier (the comparable base)."""
    if not periods:
        return "", []
    months = {period_number(p) for p in periods}
    wanted = sorted(months | {m - 12 for m in months})
    return f" AND period_no IN ({', '.join('?' for _ in wanted)})", wanted


def _accepted_sql(columns: str, periods: list[str] | None, engine: str) -> tuple[str, list]:
    """The latest 已确认 version of each enterprise and period, for enterprises in the light scope
    (qg_eno, see `_number_enterprises`). `mkey` = enterprise number × 100000 + month index: the
    same enterprise a year earlier is `mkey − 12`, a join on one integer. The reports are read
    by their stored integer keys (enterprise_no, period_no: migration 0015).

    On DuckDB a confirmed version is dropped when a later confirmed version of it exists: only
    versions above 1 can be later ones, so that set is small (late corrections) and the millions
    of first versions are joined to it by hash, not sorted in a window (0.87 s → 0.48 s for 2.9
    million reports). PostgreSQL numbers the versions in a window: planning that join before its
    statistics caught up with a bulk load, it once ran it for more than 15 minutes."""
    period_filter, params = _period_filter(periods)
    select = f"SELECT e.eno * {_MONTH_SPAN} + r.period_no AS mkey, {columns}"
    if engine == "duckdb":
        sql = (
            "WITH later AS (SELECT enterprise_no, period_no, MAX(version) AS version FROM enterprise_report_data"
            f"              WHERE status = 'CONFIRMED' AND version > 1{period_filter} GROUP BY enterprise_no, period_no) "
            f"{select} FROM enterprise_report_data r JOIN qg_eno e ON e.enterprise_no = r.enterprise_no"
            " LEFT JOIN later l ON l.enterprise_no = r.enterprise_no AND l.period_no = r.period_no"
            f" WHERE r.status = 'CONFIRMED'{period_filter.replace('period_no', 'r.period_no')}"
            " AND (l.version IS NULL OR l.version = r.version)"
        )
        return sql, params + params
    sql = (
        f"{select} FROM (SELECT x.*, ROW_NUMBER() OVER (PARTITION BY enterprise_no, period_no ORDER BY version DESC) AS rn"
        f"       FROM enterprise_report_data x WHERE status = 'CONFIRMED'{period_filter}) r"
        " JOIN qg_eno e ON e.enterprise_no = r.enterprise_no"
        " WHERE r.rn = 1"
    )
    return sql, params


def _number_enterprises(store: Store, region: str) -> None:
    """qg_eno: the enterprises in the light scope (qg_ind_tree), each with an integer number, its
    province (derived once per enterprise, not once per report; pno: its first two digits as a
    number) and the number of its fine cell
    (小类 × `region`, an expression over qg_eno e); qg_cells: each cell number's 小类 and region."""
    b = store.backend
    b.execute("DROP TABLE IF EXISTS qg_eno")
    b.execute("DROP TABLE IF EXISTS qg_cells")
    # The numbers only tell enterprises and cells apart within this run: they are drawn in
    # whatever order the engine reads, not sorted (half the time for 130,000 enterprises).
    light = ("SELECT credit_code, enterprise_no, industry, region, SUBSTR(region, 1, 2) || '0000' AS prov,"
             " CAST(SUBSTR(region, 1, 2) AS INTEGER) AS pno FROM enterprise WHERE industry IN (SELECT code FROM qg_ind_tree)")
    b.execute(f"CREATE TEMP TABLE qg_cells AS SELECT ind_s, region, ROW_NUMBER() OVER () AS cell"
              f" FROM (SELECT DISTINCT e.industry AS ind_s, {region} AS region FROM ({light}) e) d")
    b.execute(f"CREATE TEMP TABLE qg_eno AS SELECT e.*, ROW_NUMBER() OVER () AS eno, c.cell FROM ({light}) e"
              f" JOIN qg_cells c ON c.ind_s = e.industry AND c.region = {region}")


PRODUCT_LEVEL = "R"  # the first dimension of product cells: a product, not an industry
PRODUCT_COLUMNS = ("output_m", "output_ytd")


def aggregate_products(store: Store, *, periods: list[str] | None = None, region_levels: list[str] | None = None,
                       dominance_items: list[str] | None = None) -> pd.DataFrame:
    """Product output (主要产品产量) of accepted reports: product × region × period cells.

    Products are measured in their own catalog units, so they never add up across products:
    cells are linked only along the region hierarchy and in time. The frame has the shape of
    `aggregate_reports` (ilevel R, the product code in `industry`, plus `product` and `unit`) so
    that disclosure control treats both alike. Same population (accepted reports of enterprises
    in the light scope) and the same comparable basis: an enterprise enters a cell's growth only
    if it reported the product in both months."""
    with _temp_tables(store, []):
        accepted = _prepare_acc(store, periods=periods, region_level="N", report_columns=[])  # no report item needed
        return _product_cells(store, accepted, periods=periods, region_levels=region_levels,
                              dominance_items=dominance_items)


def aggregate_enterprise(store: Store, *, periods: list[str] | None = None, tables: list[dict] | None = None,
                         product_regions: list[str] | None = None, dominance_items: list[str] | None = None,
                         ready: Callable[[str, pd.DataFrame], object] | None = None,
                         ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`aggregate_reports` and `aggregate_products` in one pass: the accepted reports are selected
    once for both. Dominance items apply to the table that has them (rev_ytd, output_ytd, …).

    The product table comes first (it needs only the accepted reports), then the industry table.
    `ready("products" | "industry", cells)` is called as soon as a table exists: publishing
    protects the product cells on another core while the engine aggregates the industry cells."""
    dominance_items = dominance_items or []
    report_items = [c for c in dominance_items if c in REPORT_COLUMNS]
    with _temp_tables(store, report_items):
        combos = grid(tables)
        accepted = _prepare_acc(store, periods=periods, region_level=_finest_region(combos))
        # DuckDB selects the accepted reports twice (product rows, fine cells): one transaction.
        with store.backend.transaction() if accepted.engine == "duckdb" else nullcontext():
            products = _product_cells(store, accepted, periods=periods, region_levels=product_regions,
                                      dominance_items=[c for c in dominance_items if c in PRODUCT_COLUMNS])
            if ready is not None:
                ready("products", products)
            _prepare_fine(store, accepted, report_items)
        cells = _industry_cells(store, combos, periods, report_items)
        if ready is not None:
            ready("industry", cells)
    return cells, products


@contextmanager
def _temp_tables(store: Store, dominance_items: list[str]) -> Iterator[None]:
    """The connection for one aggregation run, its temp tables dropped at the end.

    A session, not a transaction: on PostgreSQL qg_acc is selected in one statement (one
    snapshot) and all else derives from it or from product rows, which never change once stored;
    DuckDB scans temp tables made inside a transaction half as fast, so it opens one only around
    the statements that select the accepted reports themselves (`_Accepted`)."""
    with store.session():
        try:
            yield
        finally:
            for table in ["qg_acc", "qg_fine", "qg_pacc", "qg_pfine", "qg_prod", "qg_eno", "qg_cells", "qg_ind_tree",
                          *(f"qg_top_{c}" for c in dominance_items)]:
                store.backend.execute(f"DROP TABLE IF EXISTS {table}")


def _product_cells(store: Store, accepted: _Accepted, *, periods: list[str] | None,
                   region_levels: list[str] | None, dominance_items: list[str] | None) -> pd.DataFrame:
    """Product cells of the accepted reports (`_prepare_acc`)."""
    levels = [lv for lv in ("P", "N") if lv in (region_levels or ["P", "N"])]
    if not levels:
        return pd.DataFrame()
    finest = levels[0]
    b = store.backend
    region = "a.prov" if finest == "P" else f"'{NATIONAL}'"
    parts = []
    for c in PRODUCT_COLUMNS:
        both = f"a.{c} IS NOT NULL AND p.{c} IS NOT NULL"
        parts += [f"SUM(a.{c}) AS v_{c}", f"COUNT(a.{c}) AS n_{c}",
                  f"SUM(CASE WHEN {both} THEN a.{c} END) AS c_{c}", f"SUM(CASE WHEN {both} THEN p.{c} END) AS b_{c}"]
    b.execute("DROP TABLE IF EXISTS qg_pacc")
    b.execute("DROP TABLE IF EXISTS qg_pfine")
    b.execute("DROP TABLE IF EXISTS qg_prod")
    # Each (product, unit) and each product a number: the rows are grouped and joined to a year
    # earlier by integers, and labelled after (0.13 CPU-s less than by text, national panel).
    b.execute("CREATE TEMP TABLE qg_prod AS SELECT product, unit, ROW_NUMBER() OVER (ORDER BY product, unit) AS pid,"
              " DENSE_RANK() OVER (ORDER BY product) AS prod_no"
              " FROM (SELECT DISTINCT product, unit FROM enterprise_report_product) d")
    top_n = b.name == "duckdb"
    prefix, params, acc = accepted.read(["r.report_id", "e.pno"])
    pno, region_label = ("a.pno", "LPAD(CAST(g.pno AS TEXT), 2, '0') || '0000'") if finest == "P" else ("0", f"'{NATIONAL}'")
    # PostgreSQL keeps the text keys too: its two largest contributions are windows over qg_pacc.
    text_keys = "" if top_n else f", {region} AS region, a.period, p.product"
    product_rows = (f"SELECT a.mkey, {pno} AS pno, q.pid, q.prod_no, p.output_m, p.output_ytd{text_keys}"
                    f" FROM {acc} a JOIN enterprise_report_product p ON p.report_id = a.report_id"
                    " JOIN qg_prod q ON q.product = p.product AND q.unit = p.unit")
    outputs = ", ".join(["g.n_enterprises", *(f"g.{part.rsplit(' AS ', 1)[1]}" for part in parts)])
    fine = (f"SELECT q.product, q.unit, {region_label} AS region, {_PERIOD_OF_MONTH} AS period, {outputs}{{tops_out}}"
            f" FROM (SELECT a.pid, a.pno, a.mkey % {_MONTH_SPAN} AS month, COUNT(*) AS n_enterprises, " + ", ".join(parts)
            + "{tops} FROM {rows} a LEFT JOIN {rows} p ON p.mkey = a.mkey - 12 AND p.prod_no = a.prod_no"
            f" GROUP BY a.pid, a.pno, a.mkey % {_MONTH_SPAN}) g JOIN qg_prod q ON q.pid = g.pid")
    if top_n:
        # The product rows as a CTE (materialised once for the self-join) and each fine cell's two
        # largest outputs as a top-n list, rolled up below like the industry cells' (`aggregate_sql`):
        # no qg_pacc table to write, nor to scan inside the caller's transaction.
        tops = "".join(f", max(a.{c}, 2) AS top_{c}" for c in dominance_items or [])
        tops_out = "".join(f", g.top_{c}" for c in dominance_items or [])
        b.execute(f"CREATE TEMP TABLE qg_pfine AS {prefix.rstrip()}, pacc AS MATERIALIZED ({product_rows}) "
                  + fine.format(tops=tops, tops_out=tops_out, rows="pacc"), params)
    else:
        b.execute(f"CREATE TEMP TABLE qg_pacc AS {prefix}{product_rows}", params)
        b.analyze("qg_pacc")  # likewise
        b.execute("CREATE TEMP TABLE qg_pfine AS " + fine.format(tops="", tops_out="", rows="qg_pacc"))
    frames = []
    sums = ", ".join(f"SUM({k}_{c}) AS {k}_{c}" for c in PRODUCT_COLUMNS for k in ("v", "n", "c", "b"))
    if top_n:
        sums += "".join(f", (max(top_{c}[1], 2))[1] AS x1_{c}, (max(top_{c}[1], 2))[2] AS x1_second_{c},"
                        f" MAX(top_{c}[2]) AS x2_max_{c}" for c in dominance_items or [])
    where, wparams = (f"period IN ({', '.join('?' for _ in periods)})", list(periods)) if periods else ("1 = 1", [])
    for level in levels:
        # The finest level keeps its regions; 全国 is a constant (PostgreSQL refuses one in GROUP BY).
        reg, keys = ("region", "product, region, period") if level == finest else (f"'{NATIONAL}'", "product, period")
        cells = b.fetch_df(
            f"SELECT '{PRODUCT_LEVEL}' AS ilevel, '{level}' AS rlevel, product AS industry, product, MAX(unit) AS unit,"
            f" {reg} AS region, period, SUM(n_enterprises) AS n_enterprises, {sums}"
            f" FROM qg_pfine WHERE {where} GROUP BY {keys}",
            wparams,
        )
        for column in dominance_items or []:
            if top_n:
                x1 = cells.pop(f"x1_{column}")
                second = _second_largest(cells, f"x1_second_{column}", f"x2_max_{column}")
                cells = cells.drop(columns=[f"x1_second_{column}", f"x2_max_{column}"])
                cells[f"x1_{column}"], cells[f"x2_{column}"] = x1, second
                continue
            top = b.fetch_df(
                f"SELECT product, {reg} AS region, period, MAX(CASE WHEN rn = 1 THEN x END) AS x1,"
                " MAX(CASE WHEN rn = 2 THEN x END) AS x2"
                f" FROM (SELECT product, region, period, {column} AS x,"
                f"       ROW_NUMBER() OVER (PARTITION BY {keys} ORDER BY {column} DESC) AS rn"
                f"       FROM qg_pacc WHERE {column} IS NOT NULL AND {where}) t WHERE rn <= 2 GROUP BY {keys}",
                wparams,
            ).rename(columns={"x1": f"x1_{column}", "x2": f"x2_{column}"})
            cells = cells.merge(top, on=["product", "region", "period"], how="left")
        frames.append(cells)
    return _typed(pd.concat(frames, ignore_index=True))


def _second_largest(frame: pd.DataFrame, x1_second: str, x2_max: str) -> np.ndarray:
    """The second largest contribution of a rolled-up cell: the larger of its parts' second
    largest first and their largest second (NULL-safe, unlike GREATEST on some engines)."""
    return np.fmax(pd.to_numeric(frame[x1_second]).to_numpy(dtype="float64"),
                   pd.to_numeric(frame[x2_max]).to_numpy(dtype="float64"))


def _typed(out: pd.DataFrame) -> pd.DataFrame:
    for column in out.columns:
        if column[:2] in ("v_", "c_", "b_", "x1", "x2"):
            # Sums of figures with a few decimals carry binary noise (213277.29999999996): rounded
            # to 15 significant digits they are the exact decimal sums users expect to see.
            out[column] = round_significant(pd.to_numeric(out[column]).to_numpy(dtype="float64", na_value=np.nan))
        elif column[:2] == "n_":
            out[column] = pd.to_numeric(out[column]).fillna(0).astype("int64")
    for column in ("ilevel", "rlevel", "industry", "region", "period", "product", "unit"):
        if column in out.columns:
            out[column] = out[column].astype(str)
    if out.empty:
        return out
    return out.sort_values(["period", "ilevel", "rlevel", "industry", "region"]).reset_index(drop=True)


def _keys(ilevel: str, rlevel: str) -> tuple[str, str, str]:
    """(industry expression, region expression, GROUP BY list) over fine cells f joined to the tree t."""
    ind, reg = _IND_EXPR[ilevel], _REG_EXPR[rlevel]
    group = ", ".join(e for e in (ind, reg, "f.period") if not e.startswith("'"))
    return ind, reg, group


def aggregate_sql(ilevel: str, rlevel: str, periods: list[str] | None = None,
                  largest: list[str] | None = None) -> tuple[str, list]:
    """One GROUP BY over the fine cells for one industry level × region level (portable SQL).

    `largest` (DuckDB only): items whose fine cells hold their two largest contributions as a
    list (`top_<item>`, see `_prepare_fine`); the cell gets x1_<item> (the largest fine x1),
    x1_second_<item> (the second largest fine x1) and x2_max_<item> (the largest fine x2), as
    `top_two_sql` gives them, from the same scan as the sums."""
    ind, reg, group = _keys(ilevel, rlevel)
    parts = []
    for c in REPORT_COLUMNS:
        parts += [f"SUM(f.v_{c}) AS v_{c}", f"SUM(f.n_{c}) AS n_{c}", f"SUM(f.c_{c}) AS c_{c}", f"SUM(f.b_{c}) AS b_{c}"]
    for c in largest or []:
        parts += [f"(max(f.top_{c}[1], 2))[1] AS x1_{c}", f"(max(f.top_{c}[1], 2))[2] AS x1_second_{c}",
                  f"MAX(f.top_{c}[2]) AS x2_max_{c}"]
    where, params = _where(ind, periods)
    sql = (
        f"SELECT '{ilevel}' AS ilevel, '{rlevel}' AS rlevel, {ind} AS industry, {reg} AS region, f.period,"
        f" SUM(f.n_enterprises) AS n_enterprises, {', '.join(parts)}"
        f" FROM qg_fine f JOIN qg_ind_tree t ON t.code = f.ind_s WHERE {where} GROUP BY {group}"
    )
    return sql, params


def _where(ind: str, periods: list[str] | None) -> tuple[str, list]:
    where = f"{ind} IS NOT NULL"
    if periods:
        return where + f" AND f.period IN ({', '.join('?' for _ in periods)})", list(periods)
    return where, []


def top_two_sql(ilevel: str, rlevel: str, column: str, periods: list[str] | None = None) -> tuple[str, list]:
    """The two largest contributions (absolute values) per cell, rolled up from the fine cells:
    x1 is the largest fine x1; the second is the larger of the largest fine x2 and the second
    largest fine x1 (combined by the caller, because GREATEST treats NULL differently per engine)."""
    ind, reg, group = _keys(ilevel, rlevel)
    where, params = _where(ind, periods)
    sql = (
        f"SELECT '{ilevel}' AS ilevel, '{rlevel}' AS rlevel, industry, region, period,"
        " MAX(CASE WHEN rn = 1 THEN x1 END) AS x1, MAX(CASE WHEN rn = 2 THEN x1 END) AS x1_second, MAX(x2) AS x2_max"
        f" FROM (SELECT {ind} AS industry, {reg} AS region, f.period, f.x1, f.x2,"
        f"       ROW_NUMBER() OVER (PARTITION BY {group} ORDER BY f.x1 DESC) AS rn"
        f"       FROM qg_top_{column} f JOIN qg_ind_tree t ON t.code = f.ind_s WHERE {where}) u"
        " GROUP BY industry, region, period"
    )
    return sql, params


def aggregate_reports(
    store: Store,
    *,
    periods: list[str] | None = None,
    tables: list[dict] | None = None,
    dominance_items: list[str] | None = None,
) -> pd.DataFrame:
    """Wide cells: ilevel, rlevel, industry, region, period, n_enterprises and per report column
    v_ (level), n_ (enterprises reporting it), c_ / b_ (comparable current / base), plus
    x1_/x2_ (largest contributions) for the dominance items."""
    combos = grid(tables)
    with _temp_tables(store, dominance_items or []):
        prepare_accepted(store, periods=periods, region_level=_finest_region(combos), dominance_items=dominance_items)
        return _industry_cells(store, combos, periods, dominance_items or [])


def _industry_cells(store: Store, combos: list[tuple[str, str]], periods: list[str] | None,
                    dominance_items: list[str]) -> pd.DataFrame:
    """Every published industry level × region level, rolled up from qg_fine (and on PostgreSQL
    qg_top_*): one statement for the sums of all levels (a UNION ALL of `aggregate_sql`), which on
    DuckDB also rolls up the largest contributions; on PostgreSQL one more per dominance item for
    them (of `top_two_sql`). Statements, not levels, are what cost here: 18 small queries took
    0.56 s for a national panel, the three of PostgreSQL's way 0.32 s on DuckDB, the one 0.2 s."""
    if not combos:
        return pd.DataFrame()
    keys = ["ilevel", "rlevel", "industry", "region", "period"]

    def union(parts: list[tuple[str, list]]) -> pd.DataFrame:
        return store.backend.fetch_df(" UNION ALL ".join(sql for sql, _ in parts),
                                      [p for _, params in parts for p in params])

    if store.backend.name == "duckdb":
        # The fine cells carry each item's two largest contributions as a list: they roll up in
        # the same statement as the sums (0.27 s less than the two window queries, national panel).
        cells = union([aggregate_sql(ilevel, rlevel, periods, largest=dominance_items) for ilevel, rlevel in combos])
        for column in dominance_items:
            x1 = cells.pop(f"x1_{column}")
            second = _second_largest(cells, f"x1_second_{column}", f"x2_max_{column}")
            cells = cells.drop(columns=[f"x1_second_{column}", f"x2_max_{column}"])
            cells[f"x1_{column}"], cells[f"x2_{column}"] = x1, second
        return _typed(cells)
    cells = union([aggregate_sql(ilevel, rlevel, periods) for ilevel, rlevel in combos])
    for column in dominance_items:
        top = union([top_two_sql(ilevel, rlevel, column, periods) for ilevel, rlevel in combos])
        top = pd.DataFrame({**{k: top[k] for k in keys}, f"x1_{column}": top["x1"],
                            f"x2_{column}": _second_largest(top, "x1_second", "x2_max")})
        cells = cells.merge(top, on=keys, how="left")
    return _typed(cells)


def comparable_growth(cells: pd.DataFrame, column: str) -> pd.Series:
    """Comparable-basis growth (%) of `column` per cell; NaN where there is no base."""
    base = cells[f"b_{column}"]
    return (cells[f"c_{column}"] / base.where(base != 0) - 1.0) * 100.0

