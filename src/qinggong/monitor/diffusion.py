"""Diffusion index across light sub-sectors (methods.md §1.5, config/indices.yaml `diffusion`).

For each sub-sector the change of its rate over `span` months scores 1 (rise above the dead
band), 0.5 (within) or 0 (fall); DI = 100 · mean score over the sub-sectors with data. Rates use
arithmetic differences (TCB); DI > 50 means more sectors improving than worsening.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from qinggong.config import load_method
from qinggong.monitor.panel import Panel, SeriesData
from qinggong.monitor.scope import is_sub_sector


def config() -> dict[str, Any]:
    return load_method("indices")["diffusion"]


def sub_sector_series(panel: Panel, indicator: str, measure: str, region: str = "000000") -> list[SeriesData]:
    """One series per light sub-sector (OFFICIAL preferred over ENTERPRISE)."""
    chosen: dict[str, SeriesData] = {}
    for s in panel.select(indicator=[indicator], measure=[measure], region=[region]):
        if not is_sub_sector(s.industry) or s.industry.startswith("LI_"):
            continue
        if s.industry not in chosen or (s.dataflow == "OFFICIAL" and chosen[s.industry].dataflow != "OFFICIAL"):
            chosen[s.industry] = s
    return [chosen[k] for k in sorted(chosen)]


def wide(series: list[SeriesData]) -> pd.DataFrame:
    if not series:
        return pd.DataFrame()
    start = min(int(s.months[0] - s.spans[0] + 1) for s in series if len(s.months))
    end = max(int(s.months[-1]) for s in series if len(s.months))
    return pd.DataFrame({s.industry: s.monthly(start, end) for s in series if len(s.months)})


def diffusion_index(frame: pd.DataFrame, span: int, dead_band: float) -> pd.DataFrame:
    """DI over `span` months: month, di, sectors (with data), rising, falling."""
    change = frame - frame.shift(span)
    scores = np.where(change > dead_band, 1.0, np.where(change < -dead_band, 0.0, 0.5))
    scores = np.where(change.isna(), np.nan, scores)
    counted = (~np.isnan(scores)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        di = np.where(counted > 0, 100.0 * np.nansum(scores, axis=1) / np.maximum(counted, 1), np.nan)
    return pd.DataFrame(
        {
            "month": frame.index.to_numpy(),
            "span": span,
            "di": di,
            "sectors": counted,
            "rising": (change > dead_band).sum(axis=1).to_numpy(),
            "falling": (change < -dead_band).sum(axis=1).to_numpy(),
        }
    )


def compute_diffusion(panel: Panel) -> pd.DataFrame:
    cfg = config()
    frame = wide(sub_sector_series(panel, cfg["indicator"], cfg["measure"]))
    if frame.empty:
        return pd.DataFrame(columns=["month", "span", "di", "sectors", "rising", "falling"])
    parts = [diffusion_index(frame, int(k), float(cfg["dead_band"])) for k in cfg["spans"]]
    out = pd.concat(parts, ignore_index=True)
    return out[out["sectors"] > 0].reset_index(drop=True)
