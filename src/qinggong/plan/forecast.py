"""Forecasts of attainment: when will a 特色产业产区 cross 1000亿元, and with what uncertainty.

The trend is log-linear (constant growth rate), fitted by OLS with statsmodels; its prediction
interval for ln(revenue) is exponentiated, so the band is asymmetric in 亿元 and widens with the
horizon. Parameters come from config/plan_forecast.yaml (method plan_forecast).
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
import pandas as pd

from qinggong.config import load_method, method_version
from qinggong.store import Store


def _config() -> dict[str, Any]:
    return load_method("plan_forecast")


def forecast_crossing(
    years: Sequence[int],
    values: Sequence[float],
    *,
    threshold: float | None = None,
    level: float | None = None,
    until: int | None = None,
    max_horizon: int | None = None,
    min_points: int | None = None,
    recent_years: int | None = None,
) -> dict[str, Any]:
    """Fit ln(value) = a + b·year and find the year the series reaches `threshold`.

    Returns a dict: crossed (already reached in the data), crossing_year (first year whose point
    forecast reaches the threshold), crossing_year_early / crossing_year_late (first years whose upper /
    lower prediction bound reaches it; None beyond the horizon), growth (annual rate of the trend),
    path (DataFrame year, mean, lower, upper for every forecast year up to the horizon), at_until
    (mean, lower, upper at `until`, default the plan's horizon year), n_points, note (Chinese).
    """
    config = _config()["clusters"]
    threshold = float(config["threshold"] if threshold is None else threshold)
    level = float(config["interval_level"] if level is None else level)
    max_horizon = int(config["max_horizon_years"] if max_horizon is None else max_horizon)
    min_points = int(config["min_points"] if min_points is None else min_points)
    recent_years = int(config["recent_years"] if recent_years is None else recent_years)
    until = int(until if until is not None else str(_config()["horizon_end"])[:4])

    series = pd.Series([float(v) for v in values], index=[int(y) for y in years]).sort_index()
    series = series[series.notna()]
    result: dict[str, Any] = {
        "threshold": threshold,
        "level": level,
        "n_points": int(len(series)),
        "last_year": int(series.index[-1]) if len(series) else None,
        "last_value": float(series.iloc[-1]) if len(series) else None,
        "crossed": False,
        "crossed_year": None,
        "crossing_year": None,
        "crossing_year_early": None,
        "crossing_year_late": None,
        "growth": None,
        "path": pd.DataFrame(columns=["year", "mean", "lower", "upper"]),
        "at_until": None,
        "until": until,
        "method": method_version("plan_forecast"),
        "note": None,
    }
    reached = series[series >= threshold]
    if len(reached):
        result["crossed"] = True
        result["crossed_year"] = int(reached.index[0])
    if len(series) < min_points or (series <= 0).any():
        result["note"] = f"年度数据不足 {min_points} 年（或含非正值），无法估计趋势"
        if until in series.index:
            value = float(series.loc[until])
            result["at_until"] = {"mean": value, "lower": value, "upper": value}
        return result

    fit_series = series.iloc[-recent_years:]
    last_year = int(series.index[-1])
    x = np.asarray(fit_series.index, dtype=float) - last_year
    import statsmodels.api as sm  # imported here: the CLI loads this module at start-up

    model = sm.OLS(np.log(fit_series.to_numpy()), sm.add_constant(x)).fit()
    slope = float(model.params[1])
    result["growth"] = math.exp(slope) - 1
    horizon_years = np.arange(last_year + 1, last_year + max_horizon + 1)
    frame = model.get_prediction(sm.add_constant(horizon_years - last_year, has_constant="add")).summary_frame(alpha=1 - level)
    path = pd.DataFrame(
        {
            "year": horizon_years.astype(int),
            "mean": np.exp(frame["mean"].to_numpy()),
            "lower": np.exp(frame["obs_ci_lower"].to_numpy()),
            "upper": np.exp(frame["obs_ci_upper"].to_numpy()),
        }
    )
    result["path"] = path
    if until in series.index:
        value = float(series.loc[until])
        result["at_until"] = {"mean": value, "lower": value, "upper": value}
    elif until > last_year and until <= int(horizon_years[-1]):
        row = path[path["year"] == until].iloc[0]
        result["at_until"] = {"mean": float(row["mean"]), "lower": float(row["lower"]), "upper": float(row["upper"])}
    if result["crossed"]:
        result["note"] = f"{result['crossed_year']}年已达到{threshold:g}亿元"
        return result

    def first(column: str) -> int | None:
        hit = path[path[column] >= threshold]
        return int(hit["year"].iloc[0]) if len(hit) else None

    result["crossing_year"] = first("mean")
    result["crossing_year_early"] = first("upper")
    result["crossing_year_late"] = first("lower")
    if slope <= 0:
        result["note"] = f"按近年趋势（年均{result['growth'] * 100:.1f}%）规模不增，{max_horizon}年内难以达到{threshold:g}亿元"
    elif result["crossing_year"] is None:
        result["note"] = f"按近年趋势（年均增长{result['growth'] * 100:.1f}%），{max_horizon}年内达不到{threshold:g}亿元"
    else:
        late = result["crossing_year_late"]
        span = f"{result['crossing_year_early']}—{late}年" if late else f"{result['crossing_year_early']}年以后"
        result["note"] = (
            f"按近年趋势（年均增长{result['growth'] * 100:.1f}%），预计{result['crossing_year']}年达到{threshold:g}亿元"
            f"（{level * 100:.0f}%区间：{span}）"
        )
    return result


def cluster_forecasts(store: Store, *, until: int | None = None) -> pd.DataFrame:
    """One row per registered cluster: latest revenue, trend growth, crossing year with its interval,
    and the projected revenue at the plan's horizon year with its interval (亿元)."""
    from qinggong.plan.registries import cluster_revenue, clusters

    registry = clusters(store)
    revenue = cluster_revenue(store)
    rows = []
    for rec in registry.to_dict(orient="records"):
        data = revenue[revenue["cluster_id"] == rec["cluster_id"]] if not revenue.empty else revenue
        fc = forecast_crossing(list(data["year"]) if len(data) else [], list(data["revenue"]) if len(data) else [], until=until)
        at = fc["at_until"] or {}
        rows.append(
            {
                "cluster_id": rec["cluster_id"],
                "cluster_name": rec["cluster_name"],
                "region": rec["region"],
                "region_name": rec["region_name"],
                "sector": rec["sector"],
                "batch": rec["batch"],
                "n_years": fc["n_points"],
                "last_year": fc["last_year"],
                "last_revenue": fc["last_value"],
                "growth_pct": None if fc["growth"] is None else round(fc["growth"] * 100, 2),
                "crossed": fc["crossed"],
                "crossed_year": fc["crossed_year"],
                "crossing_year": fc["crossing_year"],
                "crossing_year_early": fc["crossing_year_early"],
                "crossing_year_late": fc["crossing_year_late"],
                "until": fc["until"],
                "projected": at.get("mean"),
                "projected_lower": at.get("lower"),
                "projected_upper": at.get("upper"),
                "level": fc["level"],
                "note": fc["note"],
                "method": fc["method"],
            }
        )
    frame = pd.DataFrame(rows, columns=[
        "cluster_id", "cluster_name", "region", "region_name", "sector", "batch", "n_years", "last_year", "last_revenue",
        "growth_pct", "crossed", "crossed_year", "crossing_year", "crossing_year_early", "crossing_year_late", "until",
        "projected", "projected_lower", "projected_upper", "level", "note", "method"])
    for column in ("n_years", "last_year", "crossed_year", "crossing_year", "crossing_year_early", "crossing_year_late", "until"):
        frame[column] = frame[column].astype("Int64")
    frame["crossed"] = frame["crossed"].astype(bool)
    return frame
