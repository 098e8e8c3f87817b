"""What the report takes from later stages when they are present: alerts and signal lights
(qinggong.monitor), plan progress (qinggong.plan). A stage that is absent, fails to load or has
nothing for the month leaves its section out, with a note in the traceability appendix.

Alerts and lights are built from series values, so they are filtered like everything else:
an alert whose series has a withheld (conf ≠ F) observation in the months it speaks about is
left out, and a composite light is recomputed from the publishable series only.
"""

from __future__ import annotations

import pandas as pd

from qinggong.config import load_method
from qinggong.publish.model import PUBLISHABLE_CONF, ReportModel, _optional, shift
from qinggong.store import Store


def attach(store: Store, model: ReportModel, *, release_only: bool = False) -> None:
    if release_only:
        return
    _attach_monitor(store, model)
    _attach_plan(store, model)


# ---------------------------------------------------------------------------- monitor
def _attach_monitor(store: Store, model: ReportModel) -> None:
    service = _optional("qinggong.monitor.service")
    alerts_mod = _optional("qinggong.monitor.alerts")
    signals = _optional("qinggong.monitor.signals")
    if service is None or alerts_mod is None:
        model.notes.append("监测预警模块（qinggong.monitor）不可用：第四部分（监测预警）、信号灯和第六部分（下一步建议）从略。")
        return
    model.methods.update(service.versions())
    stored = alerts_mod.list_alerts(store, period=model.period)
    none_stored = stored.empty and int(store.backend.scalar("SELECT COUNT(*) FROM alert") or 0) == 0
    # a stored alert updated in a later month describes that month, not this one
    later = not stored.empty and bool((stored["last_period"] > model.period).any())
    if none_stored and not model.config.get("monitor", {}).get("evaluate_when_none_stored", True):
        model.notes.append("库中尚无已保存的预警，且配置未要求即时计算：第四部分（监测预警）和第六部分（下一步建议）从略。")
        return
    if none_stored or later:
        run = service.run_warnings(store, model.period, persist=False)
        frame = pd.DataFrame(run.alerts)
        origin = ("本月预警由监测预警规则按本月数据即时计算（未写入预警库）。" if later
                  else "本月预警由监测预警规则即时计算（库中尚无已保存的预警）。")
    else:
        frame = stored.rename(columns={"rule_id": "rule"})
        if not frame.empty:
            from qinggong.monitor.scope import industry_name

            frame["industry_name"] = [industry_name(c) for c in frame["industry_code"]]
            frame["period"] = model.period
        origin = "本月预警取自库中已保存的预警（活动于本月）。"
    if not frame.empty and "rule_name" not in frame:
        try:
            names = {r["id"]: r.get("name", r["id"]) for r in load_method("warning_rules").get("rules", [])}
        except Exception:  # without the rule file the table shows the rule ids
            names = {}
        frame["rule_name"] = [names.get(r, r) for r in frame["rule"]]
    if frame.empty:
        model.alerts = frame
        model.notes.append(origin)
    else:
        kept = _publishable_alerts(store, model, frame)
        dropped = len(frame) - len(kept)
        model.alerts = kept.reset_index(drop=True)
        model.notes.append(origin + (f"另有{dropped}条预警涉及不公布的数据，未列入。" if dropped else ""))
        model.recommendations = _countermeasures(model)
    if signals is not None:
        try:
            model.lights = _lights(store, model, signals)
        except Exception as exc:  # lights are an addition: a failure there must not stop the report
            model.notes.append(f"景气信号灯计算失败（{exc}），信号灯从略。")


def _publishable_alerts(store: Store, model: ReportModel, frame: pd.DataFrame) -> pd.DataFrame:
    keys = sorted(set(frame["series_key"])) if "series_key" in frame else []
    if not keys:
        return frame
    start = min(frame["first_period"].min(), model.period)
    obs = store.read_observations(keys, start=shift(start, -1), end=model.period)
    # confidential values anywhere in the months an alert speaks about (a missing month, such as an
    # unpublished January, has no value that a message could reveal)
    bad = obs[obs["conf_status"] != PUBLISHABLE_CONF]
    keep = []
    for row in frame.itertuples(index=False):
        window = bad[(bad["series_key"] == row.series_key) & (bad["period"] >= shift(row.first_period, -1))]
        keep.append(window.empty)
    return frame[keep]


def _countermeasures(model: ReportModel) -> list[dict]:
    templates = dict(model.config.get("countermeasures", {}))
    try:
        rules = load_method("warning_rules").get("rules", [])
        templates.update({r["id"]: r["countermeasure"] for r in rules if r.get("countermeasure")})
    except Exception:  # the monitor's rule file is optional here; report.yaml templates remain
        pass
    out = []
    alerts = model.alerts
    for rule in dict.fromkeys(alerts["rule"]):
        template = templates.get(rule)
        if not template:
            continue
        short = {str(x["code"]): x.get("short", x["label"]) for x in model.config["sectors"]}
        fired = alerts.loc[alerts["rule"] == rule]
        names = list(dict.fromkeys(short.get(str(c), str(n)) for c, n in zip(fired["industry_code"], fired["industry_name"])))
        industries = "、".join(names[:6]) + ("等行业" if len(names) > 6 else "")
        out.append({"rule": rule, "text": template.format(industries=industries)})
    return out


def _lights(store: Store, model: ReportModel, signals) -> pd.DataFrame | None:
    from qinggong.monitor.panel import load_panel, to_month

    months = int(model.config.get("monitor", {}).get("light_months", 6))
    panel = load_panel(store, end=model.period)
    if panel.last_month is None:
        return None
    tables = {}
    for key, s in panel.series.items():
        if signals.signal_series(s):
            table = signals.signal_table(s)
            # months without a light carry NaN (not None); compute_signals would fail on them
            tables[key] = table[table["light"].notna() & table["score"].notna()]
    periods = [shift(model.period, -k) for k in range(months)][::-1]
    rows = []
    for period in periods:
        result = signals.compute_signals(panel, to_month(period), tables=tables)
        lights = result.lights
        if lights is None or lights.empty:
            continue
        for code, group in lights.groupby("industry_code"):
            ok = [r for r in group.itertuples(index=False)
                  if pd.notna(r.score) and _free(model, r.indicator, code, r.measure, period, r.region_code)]
            if not ok:
                continue
            mean = sum(r.score for r in ok) / len(ok)
            rows.append({"period": period, "industry_code": code, "industry_name": group.iloc[0]["industry_name"],
                         "light": signals.band_light(mean), "series": len(ok)})
    frame = pd.DataFrame(rows)
    return frame if not frame.empty else None


def _free(model: ReportModel, indicator: str, industry: str, measure: str, period: str, region: str) -> bool:
    """False when the value the light is computed from is withheld in this report."""
    return period not in model.withheld.get((indicator, industry, region, measure), {})


# ---------------------------------------------------------------------------- plan
def _attach_plan(store: Store, model: ReportModel) -> None:
    plan = _optional("qinggong.plan")
    if plan is None or not hasattr(plan, "plan_status"):
        model.notes.append("工作方案调度模块（qinggong.plan）不可用：第五部分（稳增长工作进展）从略。")
        return
    status = plan.plan_status(store)
    model.methods["plan_forecast"] = status.get("method", "")
    reports = sum(int(t.get("reports") or 0) for t in status.get("tasks", []))
    registries = status.get("registries", {})
    registry_entries = sum(sum(v for k, v in entry.items() if k != "label") if isinstance(entry, dict) else int(entry)
                           for entry in registries.values())
    if not status.get("rounds") and reports == 0 and registry_entries == 0:
        model.notes.append("工作方案调度模块尚无调度轮次、任务进展或登记数据：第五部分（稳增长工作进展）从略。")
        return
    targets = status.get("targets", [])
    counts: dict[str, int] = {}
    for t in targets:
        counts[t["status"]] = counts.get(t["status"], 0) + 1
    paragraphs = []
    title = status["plan"]["title"]
    if targets:
        parts = "、".join(f"{k}{v}项" for k, v in counts.items())
        paragraphs.append([f"《{title}》{len(targets)}项量化目标中，{parts}（截至{targets[0]['as_of']}，按当前进度外推至{targets[0]['horizon']}）。"])
    tasks = status.get("tasks", [])
    reported = [t for t in tasks if int(t.get("reports") or 0) > 0]
    if tasks:
        text = f"方案{len(tasks)}项重点任务中，{len(reported)}项已有调度进展报送"
        if status.get("open_rounds"):
            text += f"，当前有{status['open_rounds']}个调度轮次正在进行"
        paragraphs.append([text + "。"])
    rows = [[t["name"], f"{t['target']:g}{t['unit']}", f"{t['current']:g}", f"{t['share']:.1f}%" if t.get("share") is not None else "—",
             f"{t['projected']:g}", t["status"]] for t in targets]
    model.plan = {"paragraphs": paragraphs, "headers": ["目标", "目标值", "当前", "完成比例", "期末预计", "状态"], "rows": rows}
