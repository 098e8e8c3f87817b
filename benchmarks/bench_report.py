"""Benchmark: the full monthly report in all formats (DOCX, PDF, HTML) plus the data release.

Store: the real published figures of /work/shared/data/real (VA growth 01, profit 02, exports 04,
2018-01 … 2025-12) with the warning rules' alerts stored for the month, as in the demo.
Reference measured in the same run: the bare cost of the two heaviest libraries on the same
content — WeasyPrint on the report's own HTML, and matplotlib drawing the same number of
figures — so the report's overhead over its renderers is visible. Target: under 15 s on 2 cores.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

PERIOD = "2025-11"
REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"


def run() -> dict:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "publish"))
    import publish_store

    from qinggong.publish import build_release, build_report
    from qinggong.store import Store

    figures: dict = {"period": PERIOD, "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with Store.open(str(folder / "bench.duckdb")) as store:
            started = time.perf_counter()
            publish_store.fill_store(store, REAL, start="2018-01")
            figures["store_fill_s"] = round(time.perf_counter() - started, 2)
            figures["observations"] = store.counts()["observations"]
            try:
                from qinggong.monitor.service import run_warnings

                started = time.perf_counter()
                run_warnings(store, PERIOD, persist=True)
                figures["monitor_alerts_s"] = round(time.perf_counter() - started, 2)
            except ImportError:
                figures["monitor_alerts_s"] = None

            # cold: first report in this process (imports, font caches)
            timings: dict = {}
            started = time.perf_counter()
            files = build_report(store, PERIOD, "all", folder / "cold", timings=timings)
            figures["report_all_formats_cold_s"] = round(time.perf_counter() - started, 2)
            # warm: what a second report costs
            timings = {}
            started = time.perf_counter()
            files = build_report(store, PERIOD, "all", folder / "warm", timings=timings)
            figures["report_all_formats_warm_s"] = round(time.perf_counter() - started, 2)
            figures["report_stages_warm_s"] = {k: round(v, 2) for k, v in timings.items()}
            figures["report_files"] = {p.suffix: p.stat().st_size for p in files}
            started = time.perf_counter()
            build_release(store, PERIOD, "all", folder / "warm")
            figures["release_all_formats_s"] = round(time.perf_counter() - started, 2)

            # reference: the renderers alone on the same content
            html = (folder / "warm" / [p.name for p in files if p.suffix == ".html"][0]).read_text(encoding="utf-8")
            from weasyprint import HTML

            started = time.perf_counter()
            HTML(string=html).write_pdf(str(folder / "ref.pdf"))
            figures["reference_weasyprint_same_html_s"] = round(time.perf_counter() - started, 2)
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
            import numpy as np

            started = time.perf_counter()
            for _ in range(4):
                fig, ax = plt.subplots(figsize=(7.2, 4))
                ax.imshow(np.random.default_rng(0).normal(size=(8, 13)))
                fig.savefig(folder / "ref.png", dpi=150)
                plt.close(fig)
            figures["reference_matplotlib_4_figures_s"] = round(time.perf_counter() - started, 2)
    figures["target_s"] = 15
    figures["meets_target"] = figures["report_all_formats_cold_s"] < 15
    return figures
