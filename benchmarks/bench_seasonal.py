"""Seasonal adjustment throughput: 500 series × 120 months with X-13 and with the native method,
in parallel over all cores (`adjust_many`). Reference: the same batch on one process."""

from __future__ import annotations

import os
import time

import numpy as np
import pandas as pd

from qinggong.compute.calendar import spring_festival_regressors
from qinggong.compute.seasonal import adjust_many, x13_available


def _batch(n: int = 500, months: int = 120) -> dict[str, pd.Series]:
    periods = [f"{y}-{m:02d}" for y in range(2015, 2015 + months // 12) for m in range(1, 13)]
    regs = spring_festival_regressors(periods).to_numpy()
    rng = np.random.default_rng(7)
    t = np.arange(len(periods))
    out = {}
    for i in range(n):
        log_y = (4 + rng.normal(0, 1) + rng.normal(0.003, 0.002) * t + rng.uniform(0.03, 0.15) * np.sin(2 * np.pi * t / 12 + rng.uniform(0, 6))
                 + regs @ np.array([rng.normal(0.05, 0.03), rng.normal(-0.1, 0.05)]) + rng.normal(0, 0.02, len(t)))
        out[f"s{i:03d}"] = pd.Series(np.exp(log_y), index=periods)
    return out


def run() -> dict:
    batch = _batch()
    cores = os.cpu_count() or 1
    figures: dict = {"series": len(batch), "months": 120, "cores": cores,
                     "load_average_before": [round(v, 2) for v in os.getloadavg()]}
    methods = ["native"] + (["x13"] if x13_available() else [])
    for method in methods:
        started = time.perf_counter()
        results = adjust_many(batch, method=method)  # type: ignore[arg-type]
        seconds = time.perf_counter() - started
        failed = sum(isinstance(r, str) for r in results.values())
        figures[method] = {"seconds": round(seconds, 2), "series_per_second": round(len(batch) / seconds, 1), "failed": failed}
        sample = dict(list(batch.items())[:50])  # reference: one process, 50 series
        started = time.perf_counter()
        adjust_many(sample, method=method, workers=1)  # type: ignore[arg-type]
        one = time.perf_counter() - started
        figures[method]["reference_one_process_series_per_second"] = round(len(sample) / one, 1)
    figures["load_average_after"] = [round(v, 2) for v in os.getloadavg()]
    if "x13" not in methods:
        figures["x13"] = "x13as 未安装"
    return figures
