"""Backtest: replay the warning rules month by month with only what was known at each month.

Where the store has no real-time vintages (published data are usually imported at once), the
data are truncated at each month: every rule quantity is computed from observations up to
that month only (trailing windows, Bry–Boschan on each truncation), so one evaluation over the
full history sliced at month t equals a run on the data truncated at t — `tests` check this.
With `as_of`, the store's state at that time is used as the data known.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from qinggong.errors import QinggongError
from qinggong.monitor import alerts as alert_store
from qinggong.monitor import rules as rule_engine
from qinggong.monitor.panel import Panel, load_panel, to_month, to_period
from qinggong.monitor.service import _records
from qinggong.store import Store


@dataclass
class BacktestResult:
    start: str
    end: str
    rule_version: str
    alerts: list[dict[str, Any]]  # every firing record, every month
    seconds: float = 0.0

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.alerts)

    def summary(self) -> list[dict[str, Any]]:
        """Per month: how many alerts, by severity, and which industries fired."""
        frame = self.frame()
        order = rule_engine.load_rules().severities
        out = []
        months = [to_period(m) for m in range(to_month(self.start), to_month(self.end) + 1)]
        groups = dict(tuple(frame.groupby("period"))) if not frame.empty else {}
        for p in months:
            g = groups.get(p)
            if g is None:
                out.append({"period": p, "alerts": 0, "by_severity": {}, "industries": []})
                continue
            out.append(
                {
                    "period": p,
                    "alerts": int(len(g)),
                    "by_severity": {k: int(v) for k, v in sorted(g["severity"].value_counts().items(),
                                                                   key=lambda kv: -order.index(kv[0]))},
                    "industries": sorted(set(g["industry_code"])),
                }
            )
        return out

    def episodes(self) -> pd.DataFrame:
        """Alert episodes (rule, series, first period) with the month they stopped firing."""
        frame = self.frame()
        if frame.empty:
            return frame
        g = frame.groupby(["rule", "series_key", "first_period"], sort=True)
        eps = g.agg(industry_code=("industry_code", "first"), last_period=("period", "max"),
                    max_streak=("streak", "max"), months=("period", "count")).reset_index()
        end = to_month(self.end)
        eps["closed_period"] = [to_period(to_month(p) + 1) if to_month(p) < end else None for p in eps["last_period"]]
        return eps


def run_panel(panel: Panel, start: str, end: str, ruleset: rule_engine.RuleSet | None = None) -> BacktestResult:
    import time

    t0 = time.perf_counter()
    a, b = to_month(start), to_month(end)
    if b < a:
        raise QinggongError(f"回测区间不正确：起始 {start} 晚于结束 {end}")
    ruleset = ruleset or rule_engine.load_rules()
    truncated = panel.truncate(b)
    tables = rule_engine.evaluate(truncated, ruleset)
    firing = rule_engine.firing_at(tables, np.arange(a, b + 1), ruleset.max_gap)
    records = _records(truncated, ruleset, firing)
    return BacktestResult(start, end, ruleset.version, records, time.perf_counter() - t0)


def backtest(store: Store, start: str, end: str, *, as_of: str | None = None, persist: bool = False,
             actor: str = alert_store.SYSTEM_ACTOR) -> BacktestResult:
    """Replay `start`…`end`; with `persist`, alerts are opened and closed month by month in the store."""
    panel = load_panel(store, end=end, as_of=as_of)
    result = run_panel(panel, start, end)
    if persist:
        by_period: dict[str, list] = {}
        for r in result.alerts:
            by_period.setdefault(r["period"], []).append(r)
        rule_ids = [r.id for r in rule_engine.load_rules().rules]
        for m in range(to_month(start), to_month(end) + 1):
            p = to_period(m)
            alert_store.sync_alerts(store, p, by_period.get(p, []), evaluated_rules=rule_ids,
                                    rule_version=result.rule_version, actor=actor)
    return result
