"""Alert persistence: status workflow 新 → 已知悉 → 已处置 → 已解除, with a history of every change.

`sync_alerts` is what a warning run calls: alerts that fire are opened (新) or updated, and
open alerts of the rules that no longer fire are closed automatically (已解除, with the
period). Analysts move alerts through the workflow with `acknowledge`, `dispose` and `resolve`
(comment and actor recorded); the web calls these same functions.
"""

from __future__ import annotations

import json
from typing import Any, Sequence

import pandas as pd

from qinggong.errors import QinggongError
from qinggong.store import Store, current_actor, now_utc

NEW, ACKNOWLEDGED, DISPOSED, RESOLVED = "新", "已知悉", "已处置", "已解除"
STATUSES = (NEW, ACKNOWLEDGED, DISPOSED, RESOLVED)
OPEN_STATUSES = (NEW, ACKNOWLEDGED, DISPOSED)
SYSTEM_ACTOR = "system"
AUTO_CLOSE_COMMENT = "预警条件不再满足，自动解除"

# allowed manual transitions
TRANSITIONS = {
    ACKNOWLEDGED: (NEW,),
    DISPOSED: (NEW, ACKNOWLEDGED),
    RESOLVED: (NEW, ACKNOWLEDGED, DISPOSED),
}

ALERT_COLUMNS = [
    "alert_id", "rule_id", "rule_version", "series_key", "dataflow", "industry_code", "region_code", "indicator",
    "measure", "severity", "light", "value", "first_period", "last_period", "streak", "message", "details",
    "status", "closed_period", "created_at", "updated_at",
]


def _history(store: Store, alert_id: int, stamp, actor: str, from_status: str | None, to_status: str,
             period: str | None, severity: str | None, comment: str | None) -> None:
    store.backend.execute(
        "INSERT INTO alert_history (history_id, alert_id, changed_at, actor, from_status, to_status, period, severity, comment)"
        " VALUES (nextval('alert_history_seq'), ?, ?, ?, ?, ?, ?, ?, ?)",
        [alert_id, stamp, actor, from_status, to_status, period, severity, comment],
    )


def sync_alerts(store: Store, period: str, alerts: Sequence[dict[str, Any]], *, evaluated_rules: Sequence[str],
                rule_version: str, actor: str = SYSTEM_ACTOR) -> dict[str, int]:
    """Bring the stored alerts in line with what fires at `period`.

    `alerts` are the firing records (contract fields plus series_key, dataflow, details).
    Open alerts of `evaluated_rules` whose last period is not after `period` and that do not
    fire now are closed with closed_period = period. An episode is (rule, series, first period);
    one resolved by hand is not reopened while the same episode keeps firing.
    """
    stamp = now_utc()
    counts = {"new": 0, "updated": 0, "closed": 0}
    with store.transaction():
        existing = store.backend.fetch_df(
            "SELECT alert_id, rule_id, series_key, first_period, last_period, status, severity FROM alert"
            " WHERE status IN (?, ?, ?) OR last_period >= ?",
            [*OPEN_STATUSES, min([a["first_period"] for a in alerts], default=period)],
        )
        by_episode = {(r.rule_id, r.series_key, r.first_period): r for r in existing.itertuples(index=False)}
        firing = set()
        for a in alerts:
            ep = (a["rule"], a["series_key"], a["first_period"])
            firing.add((a["rule"], a["series_key"]))
            row = by_episode.get(ep)
            details = json.dumps(a.get("details") or {}, ensure_ascii=False, sort_keys=True)
            if row is None:
                alert_id = int(store.backend.scalar("SELECT nextval('alert_seq')"))
                store.backend.execute(
                    "INSERT INTO alert (alert_id, rule_id, rule_version, series_key, dataflow, industry_code, region_code,"
                    " indicator, measure, severity, light, value, first_period, last_period, streak, message, details,"
                    " status, closed_period, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)",
                    [alert_id, a["rule"], rule_version, a["series_key"], a["dataflow"], a["industry_code"], a["region_code"],
                     a["indicator"], a["measure"], a["severity"], a["light"], a["value"], a["first_period"], a["period"],
                     int(a["streak"]), a["message"], details, NEW, stamp, stamp],
                )
                _history(store, alert_id, stamp, actor, None, NEW, a["period"], a["severity"], a["message"])
                counts["new"] += 1
                continue
            if row.status not in OPEN_STATUSES or row.last_period > a["period"]:
                continue
            store.backend.execute(
                "UPDATE alert SET severity = ?, light = ?, value = ?, last_period = ?, streak = ?, message = ?, details = ?,"
                " rule_version = ?, updated_at = ? WHERE alert_id = ?",
                [a["severity"], a["light"], a["value"], a["period"], int(a["streak"]), a["message"], details,
                 rule_version, stamp, int(row.alert_id)],
            )
            if a["severity"] != row.severity:
                _history(store, int(row.alert_id), stamp, actor, row.status, row.status, a["period"], a["severity"],
                         f"级别由{row.severity}调整为{a['severity']}")
            counts["updated"] += 1
        rules = set(evaluated_rules)
        for r in existing.itertuples(index=False):
            if r.status in OPEN_STATUSES and r.rule_id in rules and (r.rule_id, r.series_key) not in firing and r.last_period < period:
                store.backend.execute(
                    "UPDATE alert SET status = ?, closed_period = ?, updated_at = ? WHERE alert_id = ?",
                    [RESOLVED, period, stamp, int(r.alert_id)],
                )
                _history(store, int(r.alert_id), stamp, actor, r.status, RESOLVED, period, r.severity, AUTO_CLOSE_COMMENT)
                counts["closed"] += 1
        store.record_audit("monitor.warn", object_type="alert", object_id=period, details={**counts, "rules": rule_version},
                           actor=actor)
    return counts


def _transition(store: Store, alert_id: int, to_status: str, comment: str | None, actor: str | None) -> dict[str, Any]:
    row = store.backend.fetchone("SELECT status, last_period, severity FROM alert WHERE alert_id = ?", [int(alert_id)])
    if row is None:
        raise QinggongError(f"没有编号为 {alert_id} 的预警")
    status, last_period, severity = row
    if status not in TRANSITIONS[to_status]:
        raise QinggongError(f"预警 {alert_id} 当前状态为“{status}”，不能改为“{to_status}”")
    who = actor or current_actor()
    stamp = now_utc()
    with store.transaction():
        if to_status == RESOLVED:
            store.backend.execute("UPDATE alert SET status = ?, closed_period = ?, updated_at = ? WHERE alert_id = ?",
                                  [to_status, last_period, stamp, int(alert_id)])
        else:
            store.backend.execute("UPDATE alert SET status = ?, updated_at = ? WHERE alert_id = ?", [to_status, stamp, int(alert_id)])
        _history(store, int(alert_id), stamp, who, status, to_status, last_period, severity, comment)
        store.record_audit(f"alert.{to_status}", object_type="alert", object_id=str(alert_id), details={"comment": comment}, actor=who)
    return get_alert(store, alert_id)


def acknowledge(store: Store, alert_id: int, *, comment: str | None = None, actor: str | None = None) -> dict[str, Any]:
    """新 → 已知悉."""
    return _transition(store, alert_id, ACKNOWLEDGED, comment, actor)


def dispose(store: Store, alert_id: int, *, comment: str | None = None, actor: str | None = None) -> dict[str, Any]:
    """新/已知悉 → 已处置 (measures taken; the alert stays open until the data say otherwise)."""
    return _transition(store, alert_id, DISPOSED, comment, actor)


def resolve(store: Store, alert_id: int, *, comment: str | None = None, actor: str | None = None) -> dict[str, Any]:
    """Any open status → 已解除 by hand."""
    return _transition(store, alert_id, RESOLVED, comment, actor)


def get_alert(store: Store, alert_id: int) -> dict[str, Any]:
    frame = store.backend.fetch_df("SELECT * FROM alert WHERE alert_id = ?", [int(alert_id)])
    if frame.empty:
        raise QinggongError(f"没有编号为 {alert_id} 的预警")
    record = frame.iloc[0].to_dict()
    record["details"] = json.loads(record["details"]) if record.get("details") else {}
    return record


def list_alerts(
    store: Store,
    *,
    status: str | Sequence[str] | None = None,
    industry: str | None = None,
    region: str | None = None,
    rule: str | None = None,
    severity: str | None = None,
    min_severity: str | None = None,
    period: str | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Stored alerts, newest first; `period` keeps those active in that month."""
    where, params = [], []
    if status is not None:
        statuses = [status] if isinstance(status, str) else list(status)
        bad = [s for s in statuses if s not in STATUSES]
        if bad:
            raise QinggongError(f"预警状态“{bad[0]}”不正确：应为 {'、'.join(STATUSES)} 之一")
        where.append(f"status IN ({', '.join('?' for _ in statuses)})")
        params += statuses
    for column, value in (("industry_code", industry), ("region_code", region), ("rule_id", rule), ("severity", severity)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if min_severity is not None:
        from qinggong.monitor.rules import load_rules

        levels = load_rules().severities
        if min_severity not in levels:
            raise QinggongError(f"预警级别“{min_severity}”不正确：应为 {'、'.join(levels)} 之一")
        keep = levels[levels.index(min_severity):]
        where.append(f"severity IN ({', '.join('?' for _ in keep)})")
        params += keep
    if period is not None:
        where.append("first_period <= ? AND COALESCE(closed_period, last_period) >= ?")
        params += [period, period]
    sql = "SELECT * FROM alert" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY last_period DESC, alert_id DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return store.backend.fetch_df(sql, params)


def alert_history(store: Store, alert_id: int) -> pd.DataFrame:
    get_alert(store, alert_id)
    return store.backend.fetch_df("SELECT * FROM alert_history WHERE alert_id = ? ORDER BY history_id", [int(alert_id)])
