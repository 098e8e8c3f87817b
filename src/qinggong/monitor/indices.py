"""Composite leading / coincident / lagging indices for light industry (Conference Board method).

Steps (methods.md §1.4, config/indices.yaml):
1. reference series: light-industry VA 当月同比 (LI) or, without it, the equally weighted mean
   of the light sub-sectors' VA 当月同比;
2. data-driven classification of every candidate series by the lag of its largest
   cross-correlation with the reference (k ≥ lead_min leading, |k| ≤ 2 coincident, k ≤ −lag_min
   lagging, best |corr| < min_corr unclassified; methods.md §2.3);
3. per group: monthly changes x_t = X_t − X_{t−1} (the components are rates), weights
   1/sd(x) normalised to sum 1 (re-normalised over the components available each month),
   i_t = Σ r·x; leading and lagging get a = mean(i coincident) − mean(i); levels
   I_t = I_{t−1}(200 + i_t)/(200 − i_t) from 100, rebased to the base-year average = 100;
4. Bry–Boschan turning points of the reference and of the coincident index; the diffusion index.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from qinggong.config import load_method, method_version
from qinggong.monitor import diffusion as dif
from qinggong.monitor import turning_points as tp
from qinggong.monitor.panel import Panel, SeriesData, to_period
from qinggong.monitor.scope import ALL_INDUSTRY, LIGHT_TOTAL, industry_name, is_light

GROUPS = ("leading", "coincident", "lagging")
GROUP_NAMES = {"leading": "先行", "coincident": "一致", "lagging": "滞后", "unclassified": "未分类"}


def config() -> dict[str, Any]:
    return load_method("indices")


def reference_series(panel: Panel) -> tuple[pd.Series, str]:
    ref = config()["reference"]
    direct = [s for s in panel.select(indicator=[ref["indicator"]], measure=[ref["measure"]], region=[ref["region"]],
                                      industry=[ref["industry"]])]
    if direct:
        s = sorted(direct, key=lambda x: x.dataflow != "OFFICIAL")[0]
        return s.monthly(), s.key
    subs = dif.sub_sector_series(panel, ref["indicator"], ref["measure"], ref["region"])
    frame = dif.wide(subs)
    if frame.empty:
        return pd.Series(dtype="float64"), ""
    from qinggong.monitor.phrasing import MEASURE_SHORT, indicator_short

    what = f"{indicator_short(ref['indicator'])}{MEASURE_SHORT.get(ref['measure'], ref['measure'])}"
    label = f"轻工细分行业（{'、'.join(frame.columns)}）{what}的简单平均"
    return frame.mean(axis=1, skipna=True), label


def candidate_series(panel: Panel) -> list[SeriesData]:
    cfg = config()
    region = cfg["reference"]["region"]
    out = []
    for sel in cfg["candidates"]:
        for s in panel.select(indicator=[sel["indicator"]], measure=[sel["measure"]], region=[region]):
            if s.industry in (ALL_INDUSTRY, LIGHT_TOTAL) or is_light(s.industry):
                out.append(s)
    return sorted({s.key: s for s in out}.values(), key=lambda s: s.key)


def classify(reference: pd.Series, candidates: list[SeriesData]) -> pd.DataFrame:
    """Lead (+) or lag (−) in months at the largest cross-correlation, and the group."""
    cfg = config()["classification"]
    max_lag, min_corr, min_overlap = int(cfg["max_lag"]), float(cfg["min_corr"]), int(cfg["min_overlap"])
    rows = []
    if reference.empty:
        return pd.DataFrame(rows)
    r_start = int(reference.index[0])
    ref = reference.to_numpy(dtype="float64")
    for s in candidates:
        x = s.monthly(r_start - max_lag, r_start + len(ref) - 1 + max_lag).to_numpy(dtype="float64")
        best_k, best_c = None, None
        for k in range(-max_lag, max_lag + 1):
            # candidate at t − k against the reference at t
            xs = x[max_lag - k : max_lag - k + len(ref)]
            ok = ~np.isnan(xs) & ~np.isnan(ref)
            if ok.sum() < min_overlap:
                continue
            a, b = xs[ok], ref[ok]
            if a.std() == 0 or b.std() == 0:
                continue
            c = float(np.corrcoef(a, b)[0, 1])
            if best_c is None or c > best_c + 1e-12:
                best_k, best_c = k, c
        if best_c is None or best_c < min_corr:
            group = "unclassified"
        elif best_k >= int(cfg["lead_min"]):
            group = "leading"
        elif best_k <= -int(cfg["lag_min"]):
            group = "lagging"
        elif abs(best_k) <= 2:
            group = "coincident"
        else:
            group = "unclassified"
        rows.append({"series_key": s.key, "industry_code": s.industry, "industry_name": industry_name(s.industry),
                     "indicator": s.indicator, "measure": s.measure, "lead_months": best_k,
                     "correlation": None if best_c is None else round(best_c, 4), "group": group,
                     "group_name": GROUP_NAMES[group]})
    return pd.DataFrame(rows)


def tcb_growth(components: pd.DataFrame, min_components: int = 1) -> pd.Series:
    """i_t = Σ r_x·x_t with x = monthly change, r ∝ 1/sd(x), re-normalised over available x."""
    changes = components.diff()
    sd = changes.std(ddof=1)
    weights = 1.0 / sd.where(sd > 0)
    weights = weights.dropna()
    changes = changes[weights.index]
    if changes.empty:
        return pd.Series(np.nan, index=components.index)
    avail = changes.notna()
    wsum = avail.mul(weights, axis=1).sum(axis=1)
    growth = changes.fillna(0.0).mul(weights, axis=1).sum(axis=1) / wsum.where(wsum > 0)
    growth[avail.sum(axis=1) < min_components] = np.nan
    return growth


def tcb_levels(growth: pd.Series, base_year: int) -> pd.Series:
    """I_t = I_{t−1}(200 + i)/(200 − i), I_0 = 100, rebased to the base-year mean = 100."""
    valid = growth.dropna()
    if valid.empty:
        return pd.Series(np.nan, index=growth.index)
    g = growth.loc[valid.index[0]:].fillna(0.0).to_numpy().copy()
    g[0] = 0.0
    levels = 100.0 * np.cumprod((200.0 + g) / (200.0 - g))
    out = pd.Series(levels, index=growth.loc[valid.index[0]:].index)
    years = out.index.to_numpy() // 12
    base = base_year if (years == base_year).sum() == 12 else next((y for y in sorted(set(years)) if (years == y).sum() == 12), None)
    if base is not None:
        out = out * 100.0 / out[years == base].mean()
    return out.reindex(growth.index)


@dataclass
class IndicesResult:
    reference: str
    classification: pd.DataFrame
    indices: pd.DataFrame  # month, period, leading, coincident, lagging (levels) and growth
    diffusion: pd.DataFrame
    turning_points: pd.DataFrame
    method: str
    base_year: int

    def as_dict(self) -> dict[str, Any]:
        idx = self.indices.drop(columns=["month"]).round(4)
        dfi = self.diffusion.copy()
        dfi.insert(0, "period", [to_period(int(m)) for m in dfi["month"]])
        tps = self.turning_points.copy()
        tps["period"] = [to_period(int(m)) for m in tps["month"]]
        return {
            "method": self.method,
            "reference": self.reference,
            "base_year": self.base_year,
            "classification": self.classification.to_dict(orient="records"),
            "indices": idx.to_dict(orient="records"),
            "diffusion": dfi.drop(columns=["month"]).round(4).to_dict(orient="records"),
            "turning_points": tps.drop(columns=["month"]).round(4).to_dict(orient="records"),
        }


def compute_indices(panel: Panel) -> IndicesResult:
    cfg = config()
    reference, ref_label = reference_series(panel)
    cands = candidate_series(panel)
    table = classify(reference, cands) if not reference.empty else pd.DataFrame(
        columns=["series_key", "industry_code", "industry_name", "indicator", "measure", "lead_months", "correlation", "group", "group_name"])
    by_key = {s.key: s for s in cands}
    start = panel.first_month
    end = panel.last_month
    grid = pd.RangeIndex(start, end + 1) if start is not None else pd.RangeIndex(0)
    growth: dict[str, pd.Series] = {}
    for group in GROUPS:
        keys = table.loc[table["group"] == group, "series_key"].tolist() if not table.empty else []
        if not keys:
            continue
        comps = pd.DataFrame({k: by_key[k].monthly(start, end) for k in keys}, index=grid)
        growth[group] = tcb_growth(comps, int(cfg["composite"]["min_components"]))
    if "coincident" in growth:
        target = growth["coincident"].mean()
        for group in ("leading", "lagging"):
            if group in growth:
                growth[group] = growth[group] + (target - growth[group].mean())
    base_year = int(cfg["composite"]["base_year"])
    frame = pd.DataFrame({"month": grid.to_numpy(), "period": [to_period(int(m)) for m in grid]})
    for group in GROUPS:
        if group in growth:
            frame[group] = tcb_levels(growth[group], base_year).to_numpy()
            frame[f"{group}_growth"] = growth[group].to_numpy()
        else:
            frame[group] = np.nan
            frame[f"{group}_growth"] = np.nan
    frame = frame.dropna(subset=list(GROUPS), how="all").reset_index(drop=True)
    turns = []
    if not reference.empty:
        t = tp.turning_points(reference)
        t.insert(0, "series", "reference")
        turns.append(t)
    if "coincident" in frame and frame["coincident"].notna().any():
        t = tp.turning_points(pd.Series(frame["coincident"].to_numpy(), index=frame["month"].to_numpy()))
        t.insert(0, "series", "coincident")
        turns.append(t)
    turning = pd.concat(turns, ignore_index=True) if turns else pd.DataFrame(columns=["series", "month", "kind", "value"])
    return IndicesResult(ref_label, table, frame, dif.compute_diffusion(panel), turning, method_version("indices"), base_year)
