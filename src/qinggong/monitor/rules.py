"""The warning-rule engine: rules as data (config/warning_rules.yaml), vectorised per series.

Each rule kind turns one series (and, for paired rules, its partner) into an observation-level
table: whether the condition holds, for how many months in a row (`streak`, bridging at most
`max_gap_months` unpublished months, a 1-2月 value covering two months), the first month the
rule fired in that run, the severity (base, escalated by streak) and the facts the sentence
needs. Every quantity uses only data up to the observation's month, so the table evaluated at
month t equals a run on the data truncated at t.

Kinds: threshold, vs_reference, falling, slowdown, widening_decline, pair, light, peak, outlier.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd

from qinggong.config import load_method, method_version
from qinggong.errors import QinggongError
from qinggong.monitor import signals as sig
from qinggong.monitor import turning_points as tp
from qinggong.monitor.panel import MONITORED_DATAFLOWS, Panel, SeriesData
from qinggong.monitor.scope import ALL_INDUSTRY, is_light

KINDS = ("threshold", "vs_reference", "falling", "slowdown", "widening_decline", "pair", "light", "peak", "outlier")
PAIR_CONDITIONS = ("primary_below_zero_other_above_zero", "primary_exceeds_other")


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    kind: str
    select: dict[str, Any]
    params: dict[str, Any]
    severity: str
    escalate: tuple[tuple[int, str], ...] = ()
    lights: tuple[tuple[str, str], ...] = ()
    min_streak: int = 1


@dataclass
class RuleSet:
    version: str
    severities: list[str]
    max_gap: int
    rules: list[Rule] = field(default_factory=list)

    def rank(self, severity: str) -> int:
        return self.severities.index(severity)


def _bad(rule_id: str, fieldname: str, reason: str) -> QinggongError:
    return QinggongError(f"预警规则文件 warning_rules.yaml 中规则“{rule_id}”的字段“{fieldname}”{reason}")


def load_rules(config: dict[str, Any] | None = None) -> RuleSet:
    cfg = config or load_method("warning_rules")
    severities = list(cfg.get("severities") or ["提示", "关注", "警示", "严重"])
    rules = []
    seen = set()
    for raw in cfg.get("rules") or []:
        rid = str(raw.get("id") or "")
        if not rid:
            raise QinggongError("预警规则文件 warning_rules.yaml 中有一条规则缺少字段“id”")
        if rid in seen:
            raise _bad(rid, "id", "重复")
        seen.add(rid)
        kind = raw.get("kind")
        if kind not in KINDS:
            raise _bad(rid, "kind", f"应为 {', '.join(KINDS)} 之一，实际为“{kind}”")
        lights = tuple((str(k), str(v)) for k, v in (raw.get("lights") or {}).items())
        severity = raw.get("severity") or (max((v for _, v in lights), key=severities.index) if lights else None)
        if severity not in severities:
            raise _bad(rid, "severity", f"应为 {'、'.join(severities)} 之一，实际为“{severity}”")
        escalate = []
        for streak, sev in sorted((raw.get("escalate") or {}).items()):
            if sev not in severities:
                raise _bad(rid, "escalate", f"中的级别“{sev}”不在 {'、'.join(severities)} 之中")
            escalate.append((int(streak), str(sev)))
        for light, sev in lights:
            if light not in sig.LIGHTS or sev not in severities:
                raise _bad(rid, "lights", f"中的“{light}: {sev}”不正确")
        if kind == "pair" and raw.get("condition") not in PAIR_CONDITIONS:
            raise _bad(rid, "condition", f"应为 {', '.join(PAIR_CONDITIONS)} 之一")
        if kind == "pair" and not (raw.get("other") or {}).get("indicator"):
            raise _bad(rid, "other", "应给出 indicator")
        select = dict(raw.get("select") or {})
        if select.get("scope", "light") not in ("light", "all"):
            raise _bad(rid, "select.scope", "应为 light 或 all")
        params = {k: v for k, v in raw.items() if k not in ("id", "name", "kind", "select", "severity", "escalate", "lights", "min_streak")}
        rules.append(
            Rule(rid, str(raw.get("name") or rid), kind, select, params, severity, tuple(escalate), lights,
                 int(raw.get("min_streak", 1)))
        )
    return RuleSet(method_version("warning_rules"), severities, int(cfg.get("max_gap_months", 2)), rules)


def selected(rule: Rule, series: SeriesData) -> bool:
    sel = rule.select
    if series.dataflow not in sel.get("dataflow", MONITORED_DATAFLOWS):
        return False
    for dim in ("indicator", "measure", "region"):
        if dim in sel and getattr(series, dim) not in sel[dim]:
            return False
    if "industry" in sel and series.industry not in sel["industry"]:
        return False
    if sel.get("scope", "light") == "light" and not is_light(series.industry):
        return False
    return True


# ------------------------------------------------------------------------------ helpers
def _prev(series: SeriesData, max_gap: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Previous observation's value, month and span; `linked` says it is close enough."""
    m, v, s = series.months, series.values, series.spans
    prev_v = np.r_[np.nan, v[:-1]]
    prev_m = np.r_[-1, m[:-1]]
    prev_s = np.r_[1, s[:-1]]
    linked = np.r_[False, (m[1:] - s[1:] - m[:-1]) <= max_gap]
    prev_v = np.where(linked, prev_v, np.nan)
    return prev_v, prev_m, prev_s, linked


def _runs(series: SeriesData, cond: np.ndarray, max_gap: int, min_streak: int):
    """Streak (months) of `cond`, the first month each run fired, and whether it fires."""
    m, s = series.months, series.spans
    linked = np.r_[False, (m[1:] - s[1:] - m[:-1]) <= max_gap]
    cond = np.asarray(cond, dtype=bool)
    new = cond & ~(np.r_[False, cond[:-1]] & linked)
    run = np.cumsum(new)
    starts = (m - s + 1)[new]
    start_month = np.where(cond, starts[np.maximum(run - 1, 0)] if len(starts) else 0, 0)
    streak = np.where(cond, m - start_month + 1, 0)
    fire = cond & (streak >= min_streak)
    fire_new = fire & ~(np.r_[False, fire[:-1]] & ~new)
    fid = np.cumsum(fire_new)
    fm = m[fire_new]
    first_month = np.where(fire, fm[np.maximum(fid - 1, 0)] if len(fm) else 0, 0)
    return streak, first_month, fire, start_month


def _align(target: SeriesData, other: SeriesData | None) -> np.ndarray:
    """`other`'s value at each of `target`'s months (NaN where it has none)."""
    if other is None or len(other.months) == 0:
        return np.full(len(target.months), np.nan)
    pos = np.searchsorted(other.months, target.months)
    pos = np.minimum(pos, len(other.months) - 1)
    hit = other.months[pos] == target.months
    return np.where(hit, other.values[pos], np.nan)


def _on_grid(series: SeriesData, frame: pd.Series) -> np.ndarray:
    """Values of a monthly-grid series at the series' observation months."""
    return frame.reindex(series.months).to_numpy(dtype="float64")


class Context:
    """Caches shared by the rules of one run (signal tables, turning points)."""

    def __init__(self, panel: Panel, ruleset: RuleSet) -> None:
        self.panel = panel
        self.ruleset = ruleset
        self._signals: dict[str, pd.DataFrame] = {}
        self._lights: dict[str, np.ndarray] = {}
        self.irregulars: dict[str, pd.Series | None] = {}
        self.cutoffs: dict[str, list[float]] | None = None

    def signal_table(self, series: SeriesData) -> pd.DataFrame | None:
        if not sig.signal_series(series):
            return None
        if series.key not in self._signals:
            self._signals[series.key] = sig.signal_table(series, cutoffs=self.cutoffs)
        return self._signals[series.key]

    def lights_at(self, series: SeriesData) -> np.ndarray:
        """The series' light at each of its observation months (None where there is none)."""
        if series.key in self._lights:
            return self._lights[series.key]
        table = self.signal_table(series)
        out = np.full(len(series.months), None, dtype=object)
        if table is not None and not table.empty:
            pos = self.grid_positions(series, table)
            ok = pos >= 0
            lights = table["light"].to_numpy(dtype=object)
            out[ok] = lights[pos[ok]]
            out = np.array([x if isinstance(x, str) else None for x in out], dtype=object)
        self._lights[series.key] = out
        return out

    @staticmethod
    def grid_positions(series: SeriesData, table: pd.DataFrame) -> np.ndarray:
        """Row of a monthly-grid table for each observation month (−1 outside the grid)."""
        first = int(table["month"].iloc[0])
        pos = series.months - first
        return np.where((pos >= 0) & (pos < len(table)), pos, -1)


# ------------------------------------------------------------------------------ kinds
def _threshold(rule: Rule, s: SeriesData, ctx: Context) -> dict[str, np.ndarray]:
    below = float(rule.params.get("below", 0.0))
    prev_v, prev_m, prev_s, _ = _prev(s, ctx.ruleset.max_gap)
    cond = s.values < below
    return {"cond": cond, "prev": prev_v, "prev_month": prev_m, "prev_span": prev_s, "threshold": np.full(len(s.values), below)}


def _vs_reference(rule: Rule, s: SeriesData, ctx: Context) -> dict[str, np.ndarray]:
    ref_code = str(rule.params.get("reference_industry", ALL_INDUSTRY))
    if s.industry == ref_code:
        return {"cond": np.zeros(len(s.values), dtype=bool)}
    ref = ctx.panel.find(**{**s.dims, "industry": ref_code})
    ref_v = _align(s, ref)
    margin = float(rule.params.get("margin", 0.0))
    with np.errstate(invalid="ignore"):
        cond = (ref_v - s.values) > margin
    return {"cond": cond & ~np.isnan(ref_v), "ref": ref_v, "margin": np.full(len(s.values), margin)}


def _falling(rule: Rule, s: SeriesData, ctx: Context) -> dict[str, np.ndarray]:
    prev_v, prev_m, prev_s, _ = _prev(s, ctx.ruleset.max_gap)
    with np.errstate(invalid="ignore"):
        cond = (s.values < prev_v - float(rule.params.get("min_drop", 0.0))) & ~np.isnan(prev_v)
    streak, first, fire, start = _runs(s, cond, ctx.ruleset.max_gap, 1)
    # level before the fall began = previous value of the run's first observation
    new = cond & ~np.r_[False, cond[:-1]]
    run = np.cumsum(new)
    before = prev_v[new]
    start_level = np.where(cond, before[np.maximum(run - 1, 0)] if len(before) else np.nan, np.nan)
    total = start_level - s.values
    min_total = float(rule.params.get("min_total_drop", 0.0))
    # the streak condition itself stays "falling"; the alert also needs the total drop
    return {"cond": cond, "extra_fire": total >= min_total, "prev": prev_v, "prev_month": prev_m,
            "prev_span": prev_s, "start_level": start_level, "total_drop": total}


def _slowdown(rule: Rule, s: SeriesData, ctx: Context) -> dict[str, np.ndarray]:
    """Growth well below its own pace a year earlier (增速较上年同期明显回落)."""
    grid = s.monthly()
    year_ago = _on_grid(s, grid.shift(12))
    drop = float(rule.params.get("drop", 8.0))
    with np.errstate(invalid="ignore"):
        cond = (year_ago - s.values) >= drop
    return {"cond": cond & ~np.isnan(year_ago), "year_ago": year_ago}


def _widening(rule: Rule, s: SeriesData, ctx: Context) -> dict[str, np.ndarray]:
    prev_v, prev_m, prev_s, _ = _prev(s, ctx.ruleset.max_gap)
    with np.errstate(invalid="ignore"):
        cond = (s.values < 0) & (prev_v < 0) & (s.values < prev_v)
    return {"cond": cond, "prev": prev_v, "prev_month": prev_m, "prev_span": prev_s}


def _pair(rule: Rule, s: SeriesData, ctx: Context) -> dict[str, np.ndarray]:
    other_sel = rule.params["other"]
    other = ctx.panel.find(**{**s.dims, "indicator": other_sel["indicator"], "measure": other_sel.get("measure", s.measure)})
    o = _align(s, other)
    with np.errstate(invalid="ignore"):
        if rule.params["condition"] == "primary_below_zero_other_above_zero":
            cond = (s.values < 0) & (o > 0)
        else:
            cond = (s.values - o) > float(rule.params.get("margin", 0.0))
    return {"cond": cond & ~np.isnan(o), "other": o, "margin": np.full(len(s.values), float(rule.params.get("margin", 0.0))),
            "other_indicator": np.full(len(s.values), other_sel["indicator"], dtype=object),
            "other_measure": np.full(len(s.values), other_sel.get("measure", s.measure), dtype=object)}


def _light(rule: Rule, s: SeriesData, ctx: Context) -> dict[str, np.ndarray]:
    table = ctx.signal_table(s)
    if table is None or table.empty:
        return {"cond": np.zeros(len(s.values), dtype=bool)}
    lights = ctx.lights_at(s)
    wanted = {k for k, _ in rule.lights}
    cond = np.array([x in wanted for x in lights], dtype=bool)
    pos = ctx.grid_positions(s, table)

    def take(column: str) -> np.ndarray:
        values = table[column].to_numpy(dtype="float64")
        return np.where(pos >= 0, values[np.maximum(pos, 0)], np.nan)

    return {"cond": cond, "center": take("center"), "deviation": take("basis_value")}


def _peak(rule: Rule, s: SeriesData, ctx: Context) -> dict[str, np.ndarray]:
    grid = s.monthly()
    rt = tp.realtime_last_turn(grid, s.months)
    is_peak = (rt["kind"] == "peak").to_numpy()
    turn = rt["turn_month"].to_numpy(dtype="float64")
    turn_value = grid.reindex(np.nan_to_num(turn, nan=-1).astype(int)).to_numpy(dtype="float64")
    with np.errstate(invalid="ignore"):
        fallen = (turn_value - s.values) >= float(rule.params.get("min_fall", 0.0))
        recent = (s.months - turn) <= int(rule.params.get("max_months", 12))
    cond = is_peak & recent & fallen
    return {"cond": cond, "turn_month": turn, "turn_value": turn_value}


def _seasonal_adjust_many() -> Callable | None:
    try:
        from qinggong.compute.seasonal import adjust_many  # type: ignore[attr-defined]
    except ImportError:
        return None
    return adjust_many


def _irregular_from_result(result: Any) -> pd.Series:
    irregular = result.frame["irregular"].astype("float64")
    if getattr(result, "mode", "multiplicative") == "multiplicative":
        with np.errstate(divide="ignore", invalid="ignore"):
            irregular = 100.0 * np.log(irregular)
    months = [int(p[:4]) * 12 + int(p[5:7]) - 1 for p in irregular.index]
    return pd.Series(irregular.to_numpy(), index=months)


def _irregular_from_derived(panel: Panel, s: SeriesData) -> pd.Series | None:
    """SA / TREND already computed by qinggong.compute (DERIVED dataflow), if stored."""
    sa = panel.derived.get(("SA",) + _dims_no_measure(s))
    trend = panel.derived.get(("TREND",) + _dims_no_measure(s))
    if sa is None or trend is None:
        return None
    a, t = sa.monthly(), trend.monthly()
    with np.errstate(divide="ignore", invalid="ignore"):
        return 100.0 * np.log(a / t.reindex(a.index))


def _dims_no_measure(s: SeriesData) -> tuple:
    return (s.indicator, s.industry, s.region, s.product_code)


def prefetch_irregulars(ctx: "Context", series: list[SeriesData]) -> None:
    """Irregular components for the level series the outlier rules need: from stored DERIVED
    SA/TREND where the compute stage wrote them, otherwise one parallel batch through
    qinggong.compute.seasonal.adjust_many (X-13 with the Spring Festival regressors)."""
    todo = {}
    for s in series:
        if s.key in ctx.irregulars:
            continue
        derived = _irregular_from_derived(ctx.panel, s)
        if derived is not None:
            ctx.irregulars[s.key] = derived
        elif len(s.months) >= 36:
            todo[s.key] = s
    adjust_many = _seasonal_adjust_many()
    if not todo or adjust_many is None:
        for key in todo:
            ctx.irregulars[key] = None
        return
    from qinggong.monitor.panel import to_period

    batch, spans = {}, {}
    for key, s in todo.items():
        index = [to_period(int(m)) for m in s.months]
        batch[key] = pd.Series(s.values, index=index)
        spans[key] = pd.Series(s.spans, index=index)
    results = adjust_many(batch, method="auto", kind="flow", spans=spans)
    for key, result in results.items():
        ctx.irregulars[key] = None if isinstance(result, str) else _irregular_from_result(result)


def _outlier(rule: Rule, s: SeriesData, ctx: Context) -> dict[str, np.ndarray]:
    window, minp, zmax = int(rule.params.get("window", 24)), int(rule.params.get("min_periods", 12)), float(rule.params.get("z", 4.0))
    if s.measure in ("M", "YTD", "SA"):
        if s.measure == "M" and s.key not in ctx.irregulars:
            prefetch_irregulars(ctx, [s])
        basis = ctx.irregulars.get(s.key) if s.measure == "M" else None
        if basis is None:
            return {"cond": np.zeros(len(s.values), dtype=bool)}
    else:
        basis = s.monthly()
    med = basis.shift(1).rolling(window, min_periods=minp).median()
    dev = basis - med
    scale = 1.4826 * dev.abs().shift(1).rolling(window, min_periods=minp).median()
    z = dev / scale.where(scale > 0)
    zs = _on_grid(s, z)
    with np.errstate(invalid="ignore"):
        cond = np.abs(zs) >= zmax
    return {"cond": cond & ~np.isnan(zs), "z": zs, "center": _on_grid(s, med), "deviation": _on_grid(s, dev),
            "sa_based": np.full(len(s.values), s.measure == "M")}


KIND_FUNCS = {
    "threshold": _threshold,
    "vs_reference": _vs_reference,
    "falling": _falling,
    "widening_decline": _widening,
    "slowdown": _slowdown,
    "pair": _pair,
    "light": _light,
    "peak": _peak,
    "outlier": _outlier,
}


def evaluate_series(rule: Rule, s: SeriesData, ctx: Context) -> dict[str, Any] | None:
    """Observation-level columns (numpy arrays) of one rule on one series; None when it never fires."""
    if len(s.months) == 0:
        return None
    facts = KIND_FUNCS[rule.kind](rule, s, ctx)
    cond = np.asarray(facts.pop("cond"), dtype=bool)
    if not cond.any():
        return None
    extra = facts.pop("extra_fire", None)
    if rule.kind == "peak":
        streak, first, fire, start = _runs(s, cond, ctx.ruleset.max_gap, 1)
    else:
        streak, first, fire, start = _runs(s, cond, ctx.ruleset.max_gap, rule.min_streak)
    if extra is not None:
        with np.errstate(invalid="ignore"):
            ok = np.asarray(extra, dtype=bool)
        fire = fire & ok
        # first month the rule fired within the run, given the extra condition
        new_run = cond & ~(np.r_[False, cond[:-1]])
        run = np.cumsum(new_run)
        fire_new = fire & ~(np.r_[False, fire[:-1]] & (run == np.r_[-1, run[:-1]]))
        fid = np.cumsum(fire_new)
        fm = s.months[fire_new]
        first = np.where(fire, fm[np.maximum(fid - 1, 0)] if len(fm) else 0, 0)
    if not fire.any():
        return None
    ranks = np.full(len(s.values), ctx.ruleset.rank(rule.severity))
    lights = ctx.lights_at(s)
    if rule.lights:
        light_rank = {k: ctx.ruleset.rank(v) for k, v in rule.lights}
        ranks = np.array([light_rank.get(x, ranks[i]) for i, x in enumerate(lights)])
    for threshold, sev in rule.escalate:
        ranks = np.where(streak >= threshold, np.maximum(ranks, ctx.ruleset.rank(sev)), ranks)
    return {
        "data_month": s.months,
        "span": s.spans,
        "value": s.values,
        "fire": fire,
        "streak": streak,
        "first_month": first,
        "run_start": start,
        "severity_rank": ranks,
        "light": lights,
        **{k: np.asarray(v) for k, v in facts.items()},
    }


def evaluate(panel: Panel, ruleset: RuleSet | None = None, *, cutoffs: dict[str, list[float]] | None = None) -> dict[tuple[str, str], dict[str, Any]]:
    """Every rule on every selected series: (rule id, series key) → observation-level table."""
    ruleset = ruleset or load_rules()
    ctx = Context(panel, ruleset)
    ctx.cutoffs = cutoffs
    out: dict[tuple[str, str], dict[str, Any]] = {}
    levels = [s for r in ruleset.rules if r.kind == "outlier" for s in panel.series.values()
              if s.measure == "M" and selected(r, s)]
    if levels:
        prefetch_irregulars(ctx, sorted({s.key: s for s in levels}.values(), key=lambda s: s.key))
    for rule in ruleset.rules:
        for key in sorted(panel.series):
            s = panel.series[key]
            if not selected(rule, s):
                continue
            table = evaluate_series(rule, s, ctx)
            if table is not None:
                out[(rule.id, key)] = table
    return out


def firing_at(tables: dict[tuple[str, str], dict[str, Any]], months: np.ndarray, max_gap: int) -> pd.DataFrame:
    """What fires at each evaluation month: the latest observation at or before the month,
    if at most `max_gap` months old, and if the rule fires there."""
    months = np.asarray(months, dtype=np.int64)
    parts: list[dict[str, np.ndarray]] = []
    for (rule_id, key), table in tables.items():
        obs = table["data_month"]
        pos = np.searchsorted(obs, months, side="right") - 1
        safe = np.maximum(pos, 0)
        ok = (pos >= 0) & ((months - obs[safe]) <= max_gap) & table["fire"][safe]
        if not ok.any():
            continue
        rows = safe[ok]
        part = {name: column[rows] for name, column in table.items() if name != "fire"}
        part["month"] = months[ok]
        part["rule_id"] = np.full(len(rows), rule_id, dtype=object)
        part["series_key"] = np.full(len(rows), key, dtype=object)
        parts.append(part)
    columns = ["month", "rule_id", "series_key", "data_month", "value", "streak", "first_month", "severity_rank", "light"]
    if not parts:
        return pd.DataFrame({c: [] for c in columns})
    names = list(dict.fromkeys(columns + [n for part in parts for n in part]))
    data = {}
    for name in names:
        chunks = []
        for part in parts:
            n = len(part["month"])
            if name in part:
                chunks.append(part[name].astype(object) if part[name].dtype == object else part[name].astype("float64")
                              if name not in ("month", "data_month", "streak", "first_month", "severity_rank", "span", "run_start") else part[name])
            else:
                chunks.append(np.full(n, np.nan))
        data[name] = np.concatenate(chunks) if len({c.dtype for c in chunks}) == 1 else np.concatenate([c.astype(object) for c in chunks])
    frame = pd.DataFrame({k: pd.Series(v, dtype=object) if v.dtype == object else v for k, v in data.items()})
    order = np.lexsort((frame["series_key"].to_numpy(dtype=str), frame["rule_id"].to_numpy(dtype=str), frame["month"].to_numpy()))
    return frame.iloc[order].reset_index(drop=True)
