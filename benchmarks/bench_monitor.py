"""The whole monitor over 20 years of monthly data: five-light signals, composite and diffusion
indices, every warning rule on every light sub-sector nationally and in 31 provinces, replayed
month by month (2006-01 … 2025-11, data known at each month).

Data: the real national value-added growth file (01, ~45 series) plus, for 31 provinces × 9
light sub-sectors, VA 当月同比, 营业收入/利润总额 累计同比 (ENTERPRISE) and 出口交货值 当月同比
built from the national figures with province noise (1 116 series).
Reference measured in the same run: the naive replay (re-evaluate everything on the data
truncated at each month) on the national series for 24 months, per month processed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from qinggong.monitor import backtest as bt
from qinggong.monitor import signals as sig
from qinggong.monitor.indices import compute_indices
from qinggong.monitor.panel import panel_from_frame, to_month

ROOT = Path(__file__).resolve().parents[1]
LIGHT = ["13", "14", "15", "19", "20", "21", "22", "24", "29"]
PROVINCES = ["110000", "120000", "130000", "140000", "150000", "210000", "220000", "230000", "310000", "320000",
             "330000", "340000", "350000", "360000", "370000", "410000", "420000", "430000", "440000", "450000",
             "460000", "500000", "510000", "520000", "530000", "540000", "610000", "620000", "630000", "640000", "650000"]


def _national() -> pd.DataFrame:
    sys.path.insert(0, str(ROOT / "tests"))
    from test_monitor_data import real_va_frame

    frame = real_va_frame("2004-01").copy()
    return frame


def _provinces(national: pd.DataFrame) -> pd.DataFrame:
    rng = np.random.default_rng(2025)
    parts = []
    for code in LIGHT:
        base = national[national["industry"] == code][["period", "value", "span"]]
        for region in PROVINCES:
            shift = rng.normal(0, 2)
            for indicator, measure, dataflow, scale in [("VA", "YOY_M", "OFFICIAL", 1.0), ("REV", "YOY_YTD", "ENTERPRISE", 0.9),
                                                        ("PROFIT", "YOY_YTD", "ENTERPRISE", 2.5), ("EXPORT", "YOY_M", "OFFICIAL", 1.6)]:
                values = scale * base["value"].to_numpy() + shift + rng.normal(0, 1.5, len(base))
                parts.append(pd.DataFrame({"dataflow": dataflow, "freq": "M", "indicator": indicator, "industry": code,
                                           "region": region, "product": "_Z", "measure": measure, "unit": "PCT",
                                           "period": base["period"].to_numpy(), "value": values, "span": base["span"].to_numpy()}))
    return pd.concat(parts, ignore_index=True)


def run() -> dict:
    national = _national()
    frame = pd.concat([national, _provinces(national)], ignore_index=True)
    frame["series_key"] = (frame["dataflow"] + ".M." + frame["indicator"] + "." + frame["industry"] + "." + frame["region"]
                           + "._Z." + frame["measure"] + "." + frame["unit"])
    panel = panel_from_frame(frame)
    start, end = "2006-01", "2025-11"
    months = to_month(end) - to_month(start) + 1
    figures: dict = {"series": len(panel.series), "observations": int(len(frame)), "months": months}

    t0 = time.perf_counter()
    result = bt.run_panel(panel, start, end)
    t_rules = time.perf_counter() - t0
    t0 = time.perf_counter()
    signals = sig.compute_signals(panel, to_month(end))
    for region in PROVINCES:
        sig.compute_signals(panel, to_month(end), region=region)
    t_signals = time.perf_counter() - t0
    t0 = time.perf_counter()
    compute_indices(panel)
    t_indices = time.perf_counter() - t0
    total = t_rules + t_signals + t_indices
    figures["whole_monitor_seconds"] = round(total, 2)
    figures["ms_per_month_processed"] = round(1000 * total / months, 1)
    figures["parts_seconds"] = {"rules_backtest": round(t_rules, 2), "signals_latest_all_regions": round(t_signals, 2),
                                "indices": round(t_indices, 2)}
    figures["alerts_month_rows"] = len(result.alerts)
    figures["lights_latest_national"] = int(len(signals.lights))

    # reference: naive month-by-month replay on the national series (truncate, re-evaluate)
    national_panel = panel_from_frame(national.assign(series_key="OFFICIAL.M.VA." + national["industry"] + ".000000._Z.YOY_M.PCT"))
    sample = [f"2024-{m:02d}" for m in range(1, 13)] + [f"2025-{m:02d}" for m in range(1, 13)]
    t0 = time.perf_counter()
    for p in sample:
        bt.run_panel(national_panel.truncate(to_month(p)), p, p)
    naive = (time.perf_counter() - t0) / len(sample)
    t0 = time.perf_counter()
    bt.run_panel(national_panel, start, end)
    vector = (time.perf_counter() - t0) / months
    figures["reference_national_only"] = {
        "series": len(national_panel.series),
        "naive_ms_per_month": round(1000 * naive, 1),
        "vectorised_ms_per_month": round(1000 * vector, 1),
        "speed_up": round(naive / vector, 1),
    }
    return figures
