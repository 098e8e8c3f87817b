"""Summaries from later stages for the overview (signal lights, this month's alerts, plan targets).

Each returns {"available": False, "message": …} while its stage is not installed (or cannot
answer on the data at hand), so the overview says so plainly instead of showing invented figures.
"""

from __future__ import annotations

import logging
from typing import Any

from qinggong.errors import QinggongError
from qinggong.store import Store
from qinggong.web.data import clean, frame_records
from qinggong.web.deps import Scope
from qinggong.web.modules import ModuleMissing, service

log = logging.getLogger("qinggong.web")
_PANELS: dict = {}


def _missing(message: str) -> dict[str, Any]:
    return {"available": False, "message": message, "items": []}


def _guard(label: str, compute) -> dict[str, Any]:
    try:
        return compute()
    except ModuleMissing as exc:
        return _missing(exc.message)
    except QinggongError as exc:
        return _missing(f"{label}暂无结果：{exc}")
    except Exception as exc:  # another stage failing must not take the overview down; say so
        log.exception("%s failed", label)
        return _missing(f"{label}暂时无法计算（{type(exc).__name__}）")


def signals_summary(store: Store, scope: Scope) -> dict[str, Any]:
    def compute() -> dict[str, Any]:
        latest_period, run_signals = service("monitor", "service.latest_period", "service.run_signals")
        period = store.backend.scalar("SELECT MAX(last_period) FROM alert") or latest_period(store)
        result = run_signals(store, period, region=scope.default_region())
        lights = result.lights
        composite = result.composite
        if lights.empty:
            return {"available": True, "period": period, "items": [], "message": None}
        lights = lights[[scope.industry_allowed(c) for c in lights["industry_code"]]]
        if not scope.microdata and not lights.empty:
            frame = store.read_observations(sorted(set(lights["series_key"])), start=period, end=period)
            secret = set(frame.loc[frame["conf_status"].astype(str) != "F", "series_key"])
            blocked = set(lights.loc[lights["series_key"].isin(secret), "industry_code"])
            lights = lights[~lights["industry_code"].isin(blocked)]
            composite = composite[~composite["industry_code"].isin(blocked)]
        composite = composite[[scope.industry_allowed(c) for c in composite["industry_code"]]]
        items = [
            {"industry_code": r["industry_code"], "name": r["industry_name"], "light": r["light"],
             "light_label": r["light"], "index": clean(r.get("index")), "indicators": clean(r.get("indicators"))}
            for r in frame_records(composite)
        ]
        return {"available": True, "period": period, "method": result.method, "items": items, "message": None}

    return _guard("信号灯", compute)


def alerts_summary(store: Store, scope: Scope) -> dict[str, Any]:
    def compute() -> dict[str, Any]:
        from qinggong.web.routes.alerts import scoped_alerts

        service("monitor", "alerts.list_alerts")
        from qinggong.monitor import alerts

        # "this month" is the month of the latest warning run, not of the latest data point
        period = store.backend.scalar("SELECT MAX(last_period) FROM alert")
        if period is None:
            return {"available": True, "period": None, "total": 0, "items": [], "message": "尚未运行预警规则"}
        frame = scoped_alerts(store, scope, period=period, status=list(alerts.OPEN_STATUSES))
        items = [
            {"alert_id": r["alert_id"], "level": r["severity"], "title": f"{r['region_name']} {r['industry_name']}：{r['message']}",
             "status": r["status"], "light": r.get("light")}
            for r in frame_records(frame.head(10))
        ]
        return {"available": True, "period": period, "total": int(len(frame)), "items": items, "message": None}

    return _guard("本月预警", compute)


def targets_summary(store: Store, scope: Scope) -> dict[str, Any]:
    def compute() -> dict[str, Any]:
        (targets_progress,) = service("plan", "targets_progress")
        items = [
            {"target_id": t.get("target_id"), "name": t.get("name"), "value": clean(t.get("current")),
             "target": clean(t.get("target")), "unit": t.get("unit") or "", "status": t.get("status"), "share": clean(t.get("share"))}
            for t in targets_progress(store)
        ]
        return {"available": True, "items": items, "message": None}

    return _guard("工作方案目标", compute)


def sector_signals(store: Store, scope: Scope, industry: str, region: str, months: int = 24) -> dict[str, Any]:
    """The five-colour light of each signal series of one sector over the last `months` months."""
    def compute() -> dict[str, Any]:
        (load_panel,) = service("monitor", "panel.load_panel")
        from qinggong.monitor import signals as sig
        from qinggong.monitor.panel import to_period

        from qinggong.web.data import data_version
        from qinggong.web.routes.overview import cached_in

        # one monitoring panel per data version, shared by every user and sector
        panel = cached_in(_PANELS, ("panel", id(store), data_version(store)), lambda: load_panel(store))
        rows = []
        for s in panel.series.values():
            if s.industry != industry or s.region != region or not sig.signal_series(s):
                continue
            table = sig.signal_table(s).dropna(subset=["score"]).tail(months)
            if table.empty:
                continue
            periods = [to_period(int(m)) for m in table["month"]]
            if not scope.microdata:
                frame = store.read_observations([s.key], start=periods[0], end=periods[-1])
                secret = set(frame.loc[frame["conf_status"].astype(str) != "F", "period"])
                keep = [p not in secret for p in periods]
                table = table[keep]
                periods = [p for p, k in zip(periods, keep) if k]
            from qinggong.store.keys import MEASURE_LABELS
            from qinggong.web.data import indicator_name

            rows.append({"series_key": s.key, "name": f"{indicator_name(s.indicator)}{MEASURE_LABELS.get(s.measure, s.measure)}",
                         "points": [[p, light] for p, light in zip(periods, table["light"])]})
        return {"available": True, "items": rows, "message": None}

    return _guard("信号灯历史", compute)


def sector_alerts(store: Store, scope: Scope, industry: str) -> dict[str, Any]:
    def compute() -> dict[str, Any]:
        from qinggong.web.routes.alerts import scoped_alerts

        service("monitor", "alerts.list_alerts")
        frame = scoped_alerts(store, scope, industry=industry)
        items = [{"alert_id": r["alert_id"], "level": r["severity"], "status": r["status"], "light": r.get("light"),
                  "title": f"{r['region_name']} {r['last_period']}：{r['message']}"} for r in frame_records(frame.head(20))]
        return {"available": True, "total": int(len(frame)), "items": items, "message": None}

    return _guard("行业预警", compute)
