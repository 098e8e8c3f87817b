"""Service functions the CLI, the demo and the web call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from qinggong.config import method_version
from qinggong.monitor import alerts as alert_store
from qinggong.monitor import rules as rule_engine
from qinggong.monitor import signals as sig
from qinggong.monitor.panel import Panel, load_panel, to_month, to_period
from qinggong.monitor.phrasing import alert_message
from qinggong.monitor.scope import industry_name
from qinggong.errors import QinggongError
from qinggong.store import Store

CONTRACT_FIELDS = [
    "period", "industry_code", "industry_name", "region_code", "indicator", "measure", "rule", "severity", "light",
    "value", "first_period", "streak", "message",
]
FACT_COLUMNS = ("prev", "ref", "other", "start_level", "total_drop", "center", "deviation", "z", "turn_month", "turn_value", "year_ago")


def latest_period(store: Store, *, as_of: str | None = None) -> str:
    panel = load_panel(store, as_of=as_of)
    if panel.last_month is None:
        raise QinggongError("库中没有可监测的月度数据（OFFICIAL 或 ENTERPRISE）：请先导入数据")
    return to_period(panel.last_month)


def run_signals(store: Store, period: str, *, industry: str | None = None, region: str = "000000",
                as_of: str | None = None, cutoff_version: str | None = None) -> sig.SignalResult:
    month = to_month(period)
    panel = load_panel(store, end=period, as_of=as_of)
    cutoffs = sig.load_cutoffs(store, cutoff_version) if cutoff_version else None
    return sig.compute_signals(panel, month, industry=industry, region=region, cutoffs=cutoffs)


def _clean(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and value != value:
        return None
    return value


def _records(panel: Panel, ruleset: rule_engine.RuleSet, firing: pd.DataFrame) -> list[dict[str, Any]]:
    rules = {r.id: r for r in ruleset.rules}
    window = int(sig.config().get("center_window", 12))
    names = {code: industry_name(code) for code in {s.industry for s in panel.series.values()}}
    facts = [c for c in FACT_COLUMNS if c in firing.columns]
    out = []
    for row in firing.to_dict(orient="records"):
        rule = rules[row["rule_id"]]
        s = panel.series[row["series_key"]]
        details = {k: round(float(row[k]), 4) for k in facts if _clean(row[k]) is not None and k != "turn_month"}
        details["data_period"] = to_period(int(row["data_month"]))
        if _clean(row.get("turn_month")) is not None:
            details["turn_month"] = to_period(int(row["turn_month"]))
        light = row.get("light")
        out.append(
            {
                "period": to_period(int(row["month"])),
                "industry_code": s.industry,
                "industry_name": names[s.industry],
                "region_code": s.region,
                "indicator": s.indicator,
                "measure": s.measure,
                "rule": rule.id,
                "severity": ruleset.severities[int(row["severity_rank"])],
                "light": light if isinstance(light, str) else None,
                "value": round(float(row["value"]), 4),
                "first_period": to_period(int(row["first_month"])),
                "streak": int(row["streak"]),
                "message": alert_message(rule.kind, rule.params, s.dims, row, light_window=window),
                # not part of the JSON contract, kept with the stored alert
                "series_key": s.key,
                "dataflow": s.dataflow,
                "rule_name": rule.name,
                "details": details,
            }
        )
    ranks = {name: i for i, name in enumerate(ruleset.severities)}
    out.sort(key=lambda a: (a["period"], -ranks[a["severity"]], a["industry_code"], a["region_code"], a["indicator"],
                            a["measure"], a["rule"], a["series_key"]))
    return out


def contract(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Only the fields of the `warn --json` contract, in order."""
    return [{k: r[k] for k in CONTRACT_FIELDS} for r in records]


@dataclass
class WarnRun:
    period: str
    alerts: list[dict[str, Any]]
    rule_version: str
    sync: dict[str, int] | None


def run_warnings(store: Store, period: str, *, as_of: str | None = None, persist: bool = True,
                 actor: str = alert_store.SYSTEM_ACTOR) -> WarnRun:
    """Alerts at `period` from the data known then (truncated at the period), optionally stored."""
    month = to_month(period)
    panel = load_panel(store, end=period, as_of=as_of)
    ruleset = rule_engine.load_rules()
    tables = rule_engine.evaluate(panel, ruleset)
    firing = rule_engine.firing_at(tables, np.array([month]), ruleset.max_gap)
    records = _records(panel, ruleset, firing)
    sync = None
    if persist:
        sync = alert_store.sync_alerts(store, period, records, evaluated_rules=[r.id for r in ruleset.rules],
                                       rule_version=ruleset.version, actor=actor)
    return WarnRun(period, records, ruleset.version, sync)


def run_indices(store: Store, *, end: str | None = None, as_of: str | None = None):
    from qinggong.monitor.indices import compute_indices

    panel = load_panel(store, end=end, as_of=as_of)
    if panel.last_month is None:
        raise QinggongError("库中没有可监测的月度数据（OFFICIAL 或 ENTERPRISE）：请先导入数据")
    return compute_indices(panel)


def versions() -> dict[str, str]:
    return {name: method_version(name) for name in ("signals", "indices", "warning_rules")}

