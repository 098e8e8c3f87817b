"""Five-light signals (红/黄/绿/浅蓝/蓝, scores 5…1), composite scores and the signal index.

Method (config/signals.yaml, methods.md §1.2, §1.2a):
- each rate series is judged on its deviation from the median of its own previous
  `center_window` months, so the secular slowdown of light industry does not paint every
  recent month blue; a sector growing steadily at its recent pace reads 绿;
- four cut-offs per series: percentiles of that deviation over the previous `window` months
  (data known before the month only), widened to at least `min_width`, or fixed analyst
  values from the config, or a stored, reviewed cut-off version (`cutoff_version=`);
- composite per sub-sector and for light industry: the mean score of the lights available,
  banded by `composite_bands`; index = 100·mean/3 (all-green = 100).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from qinggong.config import load_method, method_version
from qinggong.errors import QinggongError
from qinggong.monitor.panel import Panel, SeriesData, to_period
from qinggong.monitor.scope import LIGHT_TOTAL, industry_name, is_light
from qinggong.store import Store, current_actor, now_utc

LIGHTS = ["蓝", "浅蓝", "绿", "黄", "红"]  # index + 1 = score under the default scores
LIGHT_NAMES = {"红": "过热", "黄": "趋热", "绿": "正常", "浅蓝": "趋冷", "蓝": "过冷"}


def config() -> dict[str, Any]:
    return load_method("signals")


def signal_series(series: SeriesData) -> bool:
    cfg = config()
    return series.indicator in cfg["indicators"] and series.measure in cfg["measures"]


def _fixed_cutoffs(cfg: dict, series: SeriesData) -> list[float] | None:
    fixed = cfg.get("fixed") or {}
    values = fixed.get(series.key, fixed.get(series.indicator))
    if values is None:
        return None
    if len(values) != 4 or any(b < a for a, b in zip(values, values[1:])):
        raise QinggongError(f"signals.yaml 中 fixed 的临界值应为 4 个递增的数：{series.indicator} {values}")
    return [float(v) for v in values]


def signal_table(series: SeriesData, *, cutoffs: dict[str, list[float]] | None = None) -> pd.DataFrame:
    """Per month (full grid) the value, centre, deviation, the four cut-offs, light and score.

    Only data known at each month is used (trailing windows shifted by one month), so the
    row for month t is what a run at t would have produced.
    """
    cfg = config()
    values = series.monthly()
    if values.empty:
        return pd.DataFrame(columns=["month", "value", "center", "basis_value", "c1", "c2", "c3", "c4", "light", "score"])
    if cfg.get("basis", "deviation") == "deviation":
        center = values.shift(1).rolling(int(cfg["center_window"]), min_periods=int(cfg["center_min_periods"])).median()
        basis = values - center
    else:
        center = pd.Series(0.0, index=values.index)
        basis = values.copy()
    stored = (cutoffs or {}).get(series.key)
    fixed = stored or _fixed_cutoffs(cfg, series)
    cut = cfg["cutoffs"]
    if fixed is not None:
        bounds = [pd.Series(v, index=values.index) for v in fixed]
    elif cut.get("source", "percentile") == "percentile":
        window = int(cut["window"])
        past = basis.shift(1).rolling(window, min_periods=int(cut["min_periods"]))
        bounds = [past.quantile(p / 100.0, interpolation="linear") for p in cut["percentiles"]]
        widths = cut.get("min_width", [0.0, 0.0, 0.0, 0.0])
        bounds[0] = np.minimum(bounds[0], -widths[0])
        bounds[1] = np.minimum(bounds[1], -widths[1])
        bounds[2] = np.maximum(bounds[2], widths[2])
        bounds[3] = np.maximum(bounds[3], widths[3])
        bounds[0] = np.minimum(bounds[0], bounds[1])
        bounds[3] = np.maximum(bounds[3], bounds[2])
    else:
        raise QinggongError(f"signals.yaml 中 cutoffs.source 应为 percentile 或 fixed：{cut.get('source')}")
    c = [np.asarray(b, dtype="float64") for b in bounds]
    x = basis.to_numpy()
    code = np.select([x < c[0], x < c[1], x <= c[2], x <= c[3], x > c[3]], [0, 1, 2, 3, 4], default=-1)
    ok = ~np.isnan(x) & ~np.isnan(c[0]) & ~np.isnan(c[3])
    code = np.where(ok, code, -1)
    scores = cfg["scores"]
    light = np.array([LIGHTS[i] if i >= 0 else None for i in code], dtype=object)
    score = np.array([float(scores[LIGHTS[i]]) if i >= 0 else np.nan for i in code])
    return pd.DataFrame(
        {
            "month": values.index.to_numpy(),
            "value": values.to_numpy(),
            "center": center.to_numpy(),
            "basis_value": x,
            "c1": c[0],
            "c2": c[1],
            "c3": c[2],
            "c4": c[3],
            "light": pd.Series(light, dtype=object),
            "score": score,
        }
    )


def band_light(mean_score: float) -> str | None:
    if mean_score is None or np.isnan(mean_score):
        return None
    bands = config()["composite_bands"]
    return LIGHTS[int(np.searchsorted(np.asarray(bands, dtype=float), mean_score, side="right"))]


def signal_index(mean_score: float) -> float:
    return float(config().get("index_green", 100)) * mean_score / 3.0


@dataclass
class SignalResult:
    period: str
    lights: pd.DataFrame  # one row per series
    composite: pd.DataFrame  # one row per industry (and LI)
    method: str


def compute_signals(
    panel: Panel,
    month: int,
    *,
    industry: str | None = None,
    region: str = "000000",
    cutoffs: dict[str, list[float]] | None = None,
    tables: dict[str, pd.DataFrame] | None = None,
) -> SignalResult:
    """Lights of every rate series of light industry in `region` at `month`, and composites."""
    rows = []
    for s in panel.series.values():
        if s.region != region or not signal_series(s) or not is_light(s.industry):
            continue
        if industry is not None and s.industry != industry:
            continue
        table = tables[s.key] if tables is not None and s.key in tables else signal_table(s, cutoffs=cutoffs)
        hit = table[table["month"] == month]
        if hit.empty or pd.isna(hit.iloc[0]["light"]):
            continue
        r = hit.iloc[0]
        rows.append(
            {
                "period": to_period(month),
                "series_key": s.key,
                "industry_code": s.industry,
                "industry_name": industry_name(s.industry),
                "region_code": s.region,
                "indicator": s.indicator,
                "measure": s.measure,
                "value": round(float(r["value"]), 4),
                "center": None if np.isnan(r["center"]) else round(float(r["center"]), 4),
                "deviation": round(float(r["basis_value"]), 4),
                "cutoffs": [round(float(r[c]), 4) for c in ("c1", "c2", "c3", "c4")],
                "light": r["light"],
                "score": int(r["score"]),
            }
        )
    lights = pd.DataFrame(rows)
    comp_rows = []
    if not lights.empty:
        lights = lights.sort_values(["industry_code", "indicator", "measure"]).reset_index(drop=True)
        for code, group in lights.groupby("industry_code", sort=True):
            if code != LIGHT_TOTAL:
                comp_rows.append(_composite_row(month, code, group))
        if industry is None or industry == LIGHT_TOTAL:
            # light industry: every light of the region (its own series and all sub-sectors')
            comp_rows.append(_composite_row(month, LIGHT_TOTAL, lights))
    composite = pd.DataFrame(comp_rows)
    return SignalResult(to_period(month), lights, composite, method_version("signals"))


def _composite_row(month: int, code: str, group: pd.DataFrame) -> dict:
    mean = float(group["score"].mean())
    return {
        "period": to_period(month),
        "industry_code": code,
        "industry_name": industry_name(code),
        "indicators": int(len(group)),
        "total_score": int(group["score"].sum()),
        "mean_score": round(mean, 4),
        "light": band_light(mean),
        "index": round(signal_index(mean), 2),
    }


# ---------------------------------------------------------------------------- cut-off versions
def save_cutoffs(
    store: Store, panel: Panel, month: int, *, label: str, note: str | None = None, actor: str | None = None
) -> int:
    """Persist the cut-offs in force at `month` for every signalled series as version `label`.

    A saved version is a draft until an analyst approves it (`approve_cutoffs`); runs may use a
    version with `cutoff_version=label`. Returns the number of series saved.
    """
    if store.backend.scalar("SELECT COUNT(*) FROM signal_cutoff WHERE version_label = ?", [label]):
        raise QinggongError(f"临界值版本“{label}”已存在：请换一个版本名")
    rows = []
    stamp = now_utc()
    who = actor or current_actor()
    for s in panel.series.values():
        if not signal_series(s):
            continue
        table = signal_table(s)
        hit = table[(table["month"] == month) & table["light"].notna()]
        if hit.empty:
            continue
        r = hit.iloc[0]
        rows.append(
            [label, method_version("signals"), s.key, config().get("basis", "deviation"), to_period(month),
             float(r["c1"]), float(r["c2"]), float(r["c3"]), float(r["c4"]), "draft", note, stamp, who]
        )
    with store.transaction():
        store.backend.executemany(
            "INSERT INTO signal_cutoff (cutoff_id, version_label, method_version, series_key, basis, window_end,"
            " c1, c2, c3, c4, review_status, note, created_at, created_by)"
            " VALUES (nextval('signal_cutoff_seq'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        store.record_audit(
            "signals.save_cutoffs", object_type="signal_cutoff", object_id=label,
            details={"series": len(rows), "period": to_period(month)}, actor=who,
        )
    return len(rows)


def approve_cutoffs(store: Store, label: str, *, actor: str | None = None, comment: str | None = None) -> None:
    if not store.backend.scalar("SELECT COUNT(*) FROM signal_cutoff WHERE version_label = ?", [label]):
        raise QinggongError(f"没有临界值版本“{label}”")
    who = actor or current_actor()
    with store.transaction():
        store.backend.execute(
            "UPDATE signal_cutoff SET review_status = 'approved', reviewed_by = ?, reviewed_at = ? WHERE version_label = ?",
            [who, now_utc(), label],
        )
        store.record_audit("signals.approve_cutoffs", object_type="signal_cutoff", object_id=label,
                           details={"comment": comment}, actor=who)


def list_cutoff_versions(store: Store) -> pd.DataFrame:
    return store.backend.fetch_df(
        "SELECT version_label, method_version, window_end, review_status, COUNT(*) AS series,"
        " MIN(created_at) AS created_at, MIN(created_by) AS created_by, MIN(reviewed_by) AS reviewed_by"
        " FROM signal_cutoff GROUP BY version_label, method_version, window_end, review_status ORDER BY version_label"
    )


def load_cutoffs(store: Store, label: str) -> dict[str, list[float]]:
    rows = store.backend.fetchall(
        "SELECT series_key, c1, c2, c3, c4 FROM signal_cutoff WHERE version_label = ? ORDER BY series_key", [label]
    )
    if not rows:
        raise QinggongError(f"没有临界值版本“{label}”：可用 qinggong signals cutoffs 查看已保存的版本")
    return {r[0]: [float(v) for v in r[1:]] for r in rows}

