"""企业直报 at national scale: 130,000 generated enterprises × 24 months.

Measured, as the issue lists it: validate (edit rules) + store (submission with versions and
events, and the product rows of 主要产品产量) + aggregate (comparable-basis SQL) + suppress (primary, secondary, LP check) and write
the ENTERPRISE series; against the engine floor — one hand-written DuckDB SQL aggregation of the
same microdata (same cells: levels, counts, comparable bases) in the same run. Registering the
enterprises and the two review steps (审核通过, 已确认) are timed too and reported beside it.
Peak memory is the process's maximum resident set size.
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
from pathlib import Path

import duckdb

from qinggong.collect import register_enterprises, review_reports, submit_reports
from qinggong.collect.aggregate import grid, industry_tree
from qinggong.collect.forms import REPORT_COLUMNS
from qinggong.demo.generator import generate_panel
from qinggong.disclose import publish_enterprise_aggregates
from qinggong.store import Store

N_ENTERPRISES = int(os.environ.get("QG_BENCH_ENTERPRISES", "130000"))
MONTHS = 24


def _floor(panel) -> tuple[float, int]:
    """The same cells in hand-written DuckDB SQL: one GROUPING SETS statement over the published
    industry × region grid, one over product × province/全国 (both with comparable bases)."""
    con = duckdb.connect()
    tree = industry_tree()
    reports, firms = panel.reports, panel.enterprises
    con.register("reports", reports)
    con.register("firms", firms[["credit_code", "industry", "region"]])
    con.register("tree", tree)
    exprs = {"S": "ind_s", "G": "ind_g", "D": "ind_d", "T": "'LI'", "C": "reg_c", "P": "reg_p", "N": "'000000'"}
    combos = grid()
    sets = ", ".join("(" + ", ".join(e for e in (exprs[i], exprs[r], "period") if not e.startswith("'")) + ")"
                     for i, r in combos)
    grouped = [e for e in ("ind_s", "ind_g", "ind_d", "reg_c", "reg_p")
               if any(e in (exprs[i], exprs[r]) for i, r in combos)]
    sums = ", ".join(
        f"SUM({c}) AS v_{c}, COUNT({c}) AS n_{c}, SUM(CASE WHEN p_{c} IS NOT NULL THEN {c} END) AS c_{c},"
        f" SUM(CASE WHEN {c} IS NOT NULL THEN p_{c} END) AS b_{c}" for c in REPORT_COLUMNS)
    prev = ", ".join(f"p.{c} AS p_{c}" for c in REPORT_COLUMNS)
    sql = f"""
        WITH base AS (
            SELECT r.*, t.code AS ind_s, t.mid AS ind_g, t.division AS ind_d, f.region AS reg_c,
                   SUBSTR(f.region, 1, 2) || '0000' AS reg_p,
                   CAST(SUBSTR(r.period, 1, 4) AS INTEGER) * 12 + CAST(SUBSTR(r.period, 6, 2) AS INTEGER) AS pidx
            FROM reports r JOIN firms f USING (credit_code) JOIN tree t ON t.code = f.industry),
        joined AS (SELECT a.*, {prev} FROM base a LEFT JOIN base p ON p.credit_code = a.credit_code AND p.pidx = a.pidx - 12)
        SELECT {", ".join(grouped)}, period, COUNT(*) AS n_enterprises, {sums}
        FROM joined GROUP BY GROUPING SETS ({sets})"""
    con.register("products", panel.products)
    product_sums = ", ".join(
        f"SUM({c}) AS v_{c}, COUNT({c}) AS n_{c}, SUM(CASE WHEN p_{c} IS NOT NULL THEN {c} END) AS c_{c},"
        f" SUM(CASE WHEN {c} IS NOT NULL THEN p_{c} END) AS b_{c}" for c in ("output_m", "output_ytd"))
    product_sql = f"""
        WITH base AS (
            SELECT q.*, SUBSTR(f.region, 1, 2) || '0000' AS reg_p,
                   CAST(SUBSTR(q.period, 1, 4) AS INTEGER) * 12 + CAST(SUBSTR(q.period, 6, 2) AS INTEGER) AS pidx
            FROM products q JOIN firms f USING (credit_code) JOIN tree t ON t.code = f.industry),
        joined AS (SELECT a.*, p.output_m AS p_output_m, p.output_ytd AS p_output_ytd FROM base a LEFT JOIN base p
                   ON p.credit_code = a.credit_code AND p.product = a.product AND p.pidx = a.pidx - 12)
        SELECT product, reg_p, period, COUNT(*) AS n_enterprises, {product_sums}
        FROM joined GROUP BY GROUPING SETS ((product, reg_p, period), (product, period))"""
    started = time.perf_counter()
    cells = con.execute(sql).df()
    product_cells = con.execute(product_sql).df()
    seconds = time.perf_counter() - started
    con.close()
    return seconds, len(cells) + len(product_cells)


def _insert_floor(panel, folder: str) -> float:
    """The other floor a durable pipeline cannot go below: one INSERT of the same reports into a
    DuckDB file table with only a primary key, and one of the product rows, committed."""
    con = duckdb.connect(str(Path(folder) / "floor.duckdb"))
    columns = ", ".join(f"{c} DOUBLE" for c in REPORT_COLUMNS)
    con.execute(f"CREATE TABLE reports (report_id BIGINT PRIMARY KEY, credit_code TEXT, period TEXT, {columns})")
    frame = panel.reports.assign(report_id=range(len(panel.reports)))
    con.register("frame", frame)
    con.execute("CREATE TABLE products (report_id BIGINT, product TEXT, unit TEXT, output_m DOUBLE, output_ytd DOUBLE)")
    products = panel.products.assign(report_id=range(len(panel.products)))
    con.register("product_frame", products)
    started = time.perf_counter()
    con.execute(f"INSERT INTO reports SELECT report_id, credit_code, period, {', '.join(REPORT_COLUMNS)} FROM frame")
    con.execute("INSERT INTO products SELECT report_id, product, unit, output_m, output_ytd FROM product_frame")
    seconds = time.perf_counter() - started
    con.close()
    return seconds


def run() -> dict:
    started = time.perf_counter()
    panel = generate_panel(N_ENTERPRISES, end="2025-11", months=MONTHS, seed=20251130)
    generate_seconds = time.perf_counter() - started
    floor_seconds, floor_cells = _floor(panel)
    with tempfile.TemporaryDirectory() as folder:
        insert_floor_seconds = _insert_floor(panel, folder)
        db = str(Path(folder) / "bench.duckdb")
        with Store.open(db) as store:
            t0 = time.perf_counter()
            register_enterprises(store, panel.enterprises, actor="bench")
            t1 = time.perf_counter()
            # Soft findings are explained (as the generated demo does), so every report is stored.
            submitted = submit_reports(store, panel.reports, actor="bench", explanation="（生成）已核实", channel="bench",
                                       products=panel.products)
            t2 = time.perf_counter()
            review_reports(store, None, "approve", actor="bench")
            review_reports(store, None, "confirm", actor="bench")
            t3 = time.perf_counter()
            summary = publish_enterprise_aggregates(store, actor="bench")
            t4 = time.perf_counter()
    pipeline = (t2 - t1) + (t4 - t3)  # validate + store, aggregate + suppress + write
    whole = t4 - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "enterprises": N_ENTERPRISES,
        "reports": len(panel.reports),
        "product_rows": len(panel.products),
        "generate_seconds": round(generate_seconds, 1),
        "floor_duckdb_sql_seconds": round(floor_seconds, 2),
        "floor_cells": floor_cells,
        "bare_insert_seconds": round(insert_floor_seconds, 2),
        "register_seconds": round(t1 - t0, 1),
        "validate_and_store_seconds": round(t2 - t1, 1),
        "review_seconds": round(t3 - t2, 1),
        "aggregate_suppress_write_seconds": round(t4 - t3, 1),
        "pipeline_seconds": round(pipeline, 1),
        "ratio_to_floor": round(pipeline / floor_seconds, 1),
        "ratio_to_floor_plus_bare_insert": round(pipeline / (floor_seconds + insert_floor_seconds), 1),
        "with_register_and_review_seconds": round(whole, 1),
        "with_register_and_review_ratio": round(whole / floor_seconds, 1),
        "cells": summary["cells"],
        "product_cells": summary["products"]["cells"],
        "product_unprotected_units": summary["products"].get("unprotected_units", 0),
        "observations_written": summary["observations"],
        "suppressed_primary_units": summary["suppressed_primary"],
        "suppressed_secondary_units": summary["suppressed_secondary"],
        "lp_verified_units": summary["verified_units"],
        "unprotected_units": summary["unprotected_units"],
        "soft_findings_explained": len(submitted["explained_findings"]),
        "peak_rss_mb": round(peak_mb),
        "target": "pipeline ≤ 3 × floor, peak RSS < 4096 MB",
    }
