"""Comparable-basis aggregation of accepted (已确认) reports, in SQL both engines run.

Cells: industry (小类 → 中类 → 大类 → 轻工业合计 LI) × region (county → province → 全国) ×
period, for every item as 当月 (M), 1–N月累计 (YTD) or 期末 (EOP), with the number of
enterprises behind each cell and the comparable-basis year-on-year growth:
g = Σ_{i∈B} y_i,t / Σ_{i∈B} y_i,t−12 − 1, B = enterprises with the item reported in both
periods (NBS: 上年同批企业, methods.md §3.1). A 中类/大类 is aggregated only when all its
小类 are in the light-industry scope, so its code never stands for part of itself.
"""

from __future__ import annotations

import pandas as pd

from qinggong.collect import codes
from qinggong.collect.forms import REPORT_COLUMNS
from qinggong.store import Store

LEVEL_NAMES = {"S": "小类", "G": "中类", "D": "大类", "T": "轻工业合计", "C": "县级", "P": "省级", "N": "全国"}
LIGHT_TOTAL = "LI"
NATIONAL = "000000"


def industry_tree() -> pd.DataFrame:
    """Light 小类 with their published ancestors: code, mid (中类 or NULL), division (大类 or NULL)."""
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


_IND_EXPR = {"S": "a.ind_s", "G": "a.ind_g", "D": "a.ind_d", "T": f"'{LIGHT_TOTAL}'"}
_REG_EXPR = {"C": "a.reg_c", "P": "a.reg_p", "N": f"'{NATIONAL}'"}


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


def prepare_accepted(store: Store, *, periods: list[str] | None = None) -> int:
    """Temp table qg_acc: the accepted report of each enterprise and period with its last-year values."""
    b = store.backend
    tree = industry_tree()
    b.load_temp_table("qg_ind_tree", tree, {"code": "TEXT", "mid": "TEXT", "division": "TEXT"})
    b.execute("DROP TABLE IF EXISTS qg_acc0")
    period_filter = ""
    params: list = []
    if periods:
        wanted = sorted(set(periods) | {_shift(p, -12) for p in periods})
        period_filter = f" AND period IN ({', '.join('?' for _ in wanted)})"
        params = wanted
    cols = ", ".join(f"r.{c}" for c in REPORT_COLUMNS)
    b.execute(
        "CREATE TEMP TABLE qg_acc0 AS SELECT r.credit_code, r.period,"
        " CAST(SUBSTR(r.period, 1, 4) AS INTEGER) * 12 + CAST(SUBSTR(r.period, 6, 2) AS INTEGER) AS pidx,"
        " t.code AS ind_s, t.mid AS ind_g, t.division AS ind_d, e.region AS reg_c,"
        f" SUBSTR(e.region, 1, 2) || '0000' AS reg_p, {cols}"
        " FROM (SELECT x.*, ROW_NUMBER() OVER (PARTITION BY credit_code, period ORDER BY version DESC) AS rn"
        f"       FROM enterprise_report x WHERE status = 'CONFIRMED'{period_filter}) r"
        " JOIN enterprise e ON e.credit_code = r.credit_code"
        " JOIN qg_ind_tree t ON t.code = e.industry"
        " WHERE r.rn = 1",
        params,
    )
    prev = ", ".join(f"p.{c} AS p_{c}" for c in REPORT_COLUMNS)
    b.execute("DROP TABLE IF EXISTS qg_acc")
    b.execute(
        f"CREATE TEMP TABLE qg_acc AS SELECT a.*, {prev} FROM qg_acc0 a"
        " LEFT JOIN qg_acc0 p ON p.credit_code = a.credit_code AND p.pidx = a.pidx - 12"
    )
    b.execute("DROP TABLE IF EXISTS qg_acc0")
    return int(b.scalar("SELECT COUNT(*) FROM qg_acc"))


def _shift(period: str, months: int) -> str:
    y, m = int(period[:4]), int(period[5:7])
    k = y * 12 + m - 1 + months
    return f"{k // 12:04d}-{k % 12 + 1:02d}"


def aggregate_sql(ilevel: str, rlevel: str, periods: list[str] | None = None) -> tuple[str, list]:
    """One GROUP BY over qg_acc for one industry level × region level (portable SQL)."""
    ind, reg = _IND_EXPR[ilevel], _REG_EXPR[rlevel]
    parts = []
    for c in REPORT_COLUMNS:
        both = f"a.{c} IS NOT NULL AND a.p_{c} IS NOT NULL"
        parts += [
            f"SUM(a.{c}) AS v_{c}",
            f"COUNT(a.{c}) AS n_{c}",
            f"SUM(CASE WHEN {both} THEN a.{c} END) AS c_{c}",
            f"SUM(CASE WHEN {both} THEN a.p_{c} END) AS b_{c}",
        ]
    where = f"{ind} IS NOT NULL"
    params: list = []
    if periods:
        where += f" AND a.period IN ({', '.join('?' for _ in periods)})"
        params = list(periods)
    sql = (
        f"SELECT '{ilevel}' AS ilevel, '{rlevel}' AS rlevel, {ind} AS industry, {reg} AS region, a.period,"
        f" COUNT(*) AS n_enterprises, {', '.join(parts)} FROM qg_acc a WHERE {where}"
        f" GROUP BY {', '.join(e for e in (ind, reg, 'a.period') if not e.startswith(chr(39)))}"
    )
    return sql, params


def top_two_sql(ilevel: str, rlevel: str, column: str, periods: list[str] | None = None) -> tuple[str, list]:
    """The two largest contributions (absolute values) per cell, for dominance rules."""
    ind, reg = _IND_EXPR[ilevel], _REG_EXPR[rlevel]
    where = f"{ind} IS NOT NULL AND a.{column} IS NOT NULL"
    params: list = []
    if periods:
        where += f" AND a.period IN ({', '.join('?' for _ in periods)})"
        params = list(periods)
    sql = (
        f"SELECT industry, region, period, MAX(CASE WHEN rn = 1 THEN x END) AS x1, MAX(CASE WHEN rn = 2 THEN x END) AS x2"
        f" FROM (SELECT {ind} AS industry, {reg} AS region, a.period, ABS(a.{column}) AS x,"
        f"        ROW_NUMBER() OVER (PARTITION BY {', '.join(e for e in (ind, reg, 'a.period') if not e.startswith(chr(39)))} ORDER BY ABS(a.{column}) DESC) AS rn"
        f"       FROM qg_acc a WHERE {where}) t WHERE rn <= 2 GROUP BY industry, region, period"
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
    frames = []
    with store.transaction():  # temp tables live on the transaction's connection
        prepare_accepted(store, periods=periods)
        for ilevel, rlevel in grid(tables):
            sql, params = aggregate_sql(ilevel, rlevel, periods)
            cells = store.backend.fetch_df(sql, params)
            for column in dominance_items or []:
                tsql, tparams = top_two_sql(ilevel, rlevel, column, periods)
                top = store.backend.fetch_df(tsql, tparams).rename(columns={"x1": f"x1_{column}", "x2": f"x2_{column}"})
                cells = cells.merge(top, on=["industry", "region", "period"], how="left")
            frames.append(cells)
        store.backend.execute("DROP TABLE IF EXISTS qg_acc")
        store.backend.execute("DROP TABLE IF EXISTS qg_ind_tree")
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    for column in out.columns:
        if column[:2] in ("v_", "c_", "b_", "x1", "x2"):
            out[column] = pd.to_numeric(out[column]).astype("float64")
        elif column[:2] == "n_":
            out[column] = pd.to_numeric(out[column]).fillna(0).astype("int64")
    for column in ("ilevel", "rlevel", "industry", "region", "period"):
        if column in out.columns:
            out[column] = out[column].astype(str)
    return out.sort_values(["period", "ilevel", "rlevel", "industry", "region"]).reset_index(drop=True)


def comparable_growth(cells: pd.DataFrame, column: str) -> pd.Series:
    """Comparable-basis growth (%) of `column` per cell; NaN where there is no base."""
    base = cells[f"b_{column}"]
    return (cells[f"c_{column}"] / base.where(base != 0) - 1.0) * 100.0

