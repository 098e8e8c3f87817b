"""What the web pages and the report ask of the plan: progress and forecast per target, one status dict.

`targets_progress(store)` gives, for each quantitative target, the current value, the pace so far and
the pace needed, the projected value at the plan's horizon (2026-12-31) with an interval, and a status
(按期 / 滞后 / 风险, rules in config/plan_forecast.yaml). `plan_status(store)` bundles the plan, the
targets, the latest task status across units, the rounds and the registry counts.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd

from qinggong.config import load_method, method_version
from qinggong.plan.common import BEIJING_OFFSET, now
from qinggong.plan.forecast import cluster_forecasts
from qinggong.plan.reference import current_plan, list_safeguards, list_tasks
from qinggong.plan.registries import NOMINATION_STATUS, REGISTRIES, list_nominations, standards
from qinggong.plan.rounds import list_rounds, task_status
from qinggong.store import Store

DAYS_PER_MONTH = 365.25 / 12


def _today() -> date:
    return (now() + BEIJING_OFFSET).date()


def _months(start: date, end: date) -> float:
    return max(0.0, (end - start).days / DAYS_PER_MONTH)


def _status(projected: float, upper: float, target: float, labels: dict[str, str]) -> str:
    if projected >= target:
        return labels["on_track"]
    if upper >= target:
        return labels["behind"]
    return labels["at_risk"]


def _count_interval(current: int, rate: float, months_left: float, level: float, overdispersion: float) -> tuple[float, float, float]:
    """Projected total: current plus a count over the remaining months at `rate` per month.

    Plain Poisson when overdispersion = 1, else negative binomial with variance = overdispersion × mean.
    """
    mean = rate * months_left
    if mean <= 0:
        return float(current), float(current), float(current)
    from scipy import stats  # imported here: the CLI loads this module at start-up

    tail = (1 - level) / 2
    if overdispersion <= 1:
        dist = stats.poisson(mean)
    else:
        dist = stats.nbinom(mean / (overdispersion - 1), 1 / overdispersion)
    return current + mean, current + float(dist.ppf(tail)), current + float(dist.ppf(1 - tail))


def targets_progress(store: Store, *, as_of: date | str | None = None) -> list[dict[str, Any]]:
    """Progress and forecast per quantitative target (see module docstring)."""
    config = load_method("plan_forecast")
    labels = config["status"]
    day = pd.Timestamp(as_of).date() if as_of else _today()
    start = pd.Timestamp(config["plan_start"]).date()
    end = pd.Timestamp(config["horizon_end"]).date()
    elapsed, left = _months(start, min(day, end)), _months(min(day, end), end)
    cutoff = datetime.combine(day, datetime.max.time()) - BEIJING_OFFSET
    plan = current_plan(store)
    out = []
    for target in plan["targets"]:
        goal = float(target["target"])
        row: dict[str, Any] = {
            "target_id": target["id"],
            "name": target["name"],
            "text": target["text"],
            "target": goal,
            "unit": target["unit"],
            "as_of": day.isoformat(),
            "horizon": end.isoformat(),
            "months_elapsed": round(elapsed, 1),
            "months_remaining": round(left, 1),
            "method": method_version("plan_forecast"),
        }
        registry = target.get("registry")
        if registry == "upgrade_products":
            listed = list_nominations(store, registry="upgrade_products", status="已入选")
            listed = listed[pd.to_datetime(listed["decided_at"]) <= cutoff] if len(listed) else listed
            current = int(len(listed))
            rate = current / elapsed if elapsed > 0 else 0.0
            cfg = config["products"]
            projected, lower, upper = _count_interval(current, rate, left, float(cfg["interval_level"]), float(cfg["overdispersion"]))
            pending = list_nominations(store, registry="upgrade_products", status="待审核")
            detail = f"已入选 {current} 项，待审核 {len(pending)} 项；按已有节奏外推（准泊松，离散系数 {cfg['overdispersion']}）"
            level = float(cfg["interval_level"])
        elif registry == "clusters":
            threshold = float(target.get("threshold", config["clusters"]["threshold"]))
            fc = cluster_forecasts(store, until=end.year)
            crossed = fc[fc["crossed"].astype(bool)] if len(fc) else fc
            current = int(len(crossed))
            rate = current / elapsed if elapsed > 0 else 0.0
            if len(fc):
                proj = fc["projected"].astype(float)
                projected = float(((proj >= threshold) | fc["crossed"].astype(bool)).sum())
                lower = float(((fc["projected_lower"].astype(float) >= threshold) | fc["crossed"].astype(bool)).sum())
                upper = float(((fc["projected_upper"].astype(float) >= threshold) | fc["crossed"].astype(bool)).sum())
                no_trend = int(((fc["n_years"] < int(config["clusters"]["min_points"])) & ~fc["crossed"].astype(bool)).sum())
            else:
                projected = lower = upper = 0.0
                no_trend = 0
            detail = (f"登记产区 {len(fc)} 个，已达 {threshold:g} 亿元 {current} 个；按各产区营业收入对数线性趋势预测"
                      f"{end.year}年规模" + (f"；{no_trend} 个产区年度数据不足，未计入预测" if no_trend else ""))
            level = float(config["clusters"]["interval_level"])
        elif registry == "standards":
            frame = standards(store)
            done = frame[frame["completed"].astype(bool)] if len(frame) else frame
            done = done[[pd.Timestamp(d).date() <= day for d in done["published_on"]]] if len(done) else done
            current = int(len(done))
            rate = current / elapsed if elapsed > 0 else 0.0
            pending = frame[~frame["completed"].astype(bool)] if len(frame) else frame

            def by(column: str) -> int:
                return int(sum(1 for d in pending[column] if d is not None and not pd.isna(d) and d <= end)) if len(pending) else 0

            projected, lower, upper = float(current + by("projected_typical")), float(current + by("projected_slow")), float(current + by("projected_fast"))
            detail = (f"登记标准 {len(frame)} 项，已发布 {current} 项；按各标准当前阶段和配置的阶段周期推算"
                      + (f"；尚有 {int(goal) - len(frame)} 项未登记，不计入预测" if len(frame) < goal else ""))
            level = None
        else:
            continue
        row.update(
            current=current,
            share=round(current / goal * 100, 1) if goal else None,
            pace_current_per_month=round(rate, 2),
            pace_needed_per_month=round(max(goal - current, 0) / left, 2) if left > 0 else None,
            projected=round(projected, 1),
            projected_lower=round(lower, 1),
            projected_upper=round(upper, 1),
            interval_level=level,
            status=_status(projected, upper, goal, labels),
            detail=detail,
        )
        out.append(row)
    return out


def registry_counts(store: Store) -> dict[str, Any]:
    counts: dict[str, Any] = {}
    for code, label in REGISTRIES.items():
        frame = list_nominations(store, registry=code)
        counts[code] = {"label": label, **{status: int((frame["status"] == status).sum()) if len(frame) else 0 for status in NOMINATION_STATUS}}
    counts["clusters"] = int(store.backend.scalar("SELECT COUNT(*) FROM plan_cluster") or 0)
    counts["standards"] = int(store.backend.scalar("SELECT COUNT(*) FROM plan_standard") or 0)
    return counts


def plan_status(store: Store, *, as_of: date | str | None = None) -> dict[str, Any]:
    """Everything the leadership page needs, as one JSON-ready dict (English keys)."""
    plan = current_plan(store)
    tasks = list_tasks(plan=plan)
    statuses = task_status(store)
    rounds = list_rounds(store)
    return {
        "plan": {
            "plan_id": plan["plan_id"],
            "title": plan["title"],
            "version_id": plan.get("version_id"),
            "issued_by": plan.get("issued_by", []),
            "period": plan.get("period"),
            "source": plan.get("source"),
            "areas": [{"area_id": a["id"], "name": a["name"], "tasks": len(a["tasks"])} for a in plan["areas"]],
            "task_count": int(len(tasks)),
            "safeguard_count": int(len(list_safeguards(plan=plan))),
            "units_assumed_tasks": int(tasks["units_assumption"].sum()),
            "goals": [g["text"] for g in plan.get("goals", [])],
        },
        "targets": targets_progress(store, as_of=as_of),
        "tasks": statuses.to_dict(orient="records"),
        "rounds": rounds.to_dict(orient="records"),
        "open_rounds": int((rounds["status"] == "open").sum()) if len(rounds) else 0,
        "registries": registry_counts(store),
        "method": method_version("plan_forecast"),
    }
