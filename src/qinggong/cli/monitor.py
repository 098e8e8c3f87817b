"""`qinggong signals|indices|warn|alerts|cutoffs`: five-light signals, composite indices,
warning runs and backtests, and the alert workflow."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from qinggong.cli.common import DbOption, JsonOption, console, emit_json, emit_table, open_store, records
from qinggong.errors import QinggongError

alerts_app = typer.Typer(help="预警处理：查看、知悉、处置、解除预警，查看处理记录。", no_args_is_help=True)
cutoffs_app = typer.Typer(help="景气信号临界值版本：保存当前临界值、审核通过、列出版本。", no_args_is_help=True)

PeriodOption = Annotated[Optional[str], typer.Option("--period", help="月份 YYYY-MM（默认为库中最新月份）")]
AsOfOption = Annotated[Optional[str], typer.Option("--as-of", help="只使用该时点（UTC）前入库的数据版本")]
CommentOption = Annotated[Optional[str], typer.Option("--comment", help="处理意见")]
ActorOption = Annotated[Optional[str], typer.Option("--actor", help="处理人（默认为当前用户或 QINGGONG_USER）")]


def register(app: typer.Typer) -> None:
    app.command("signals", help="五色景气信号灯（红/黄/绿/浅蓝/蓝）：各行业各指标的信号、综合得分与信号指数。")(signals)
    app.command("indices", help="轻工业先行、一致、滞后合成指数（美国经济咨商会方法）、扩散指数与转折点。")(indices)
    app.command("warn", help="运行预警规则：--period 给出一个月的预警并入库；--from/--to 逐月回测。")(warn)
    app.add_typer(alerts_app, name="alerts")
    app.add_typer(cutoffs_app, name="cutoffs")


def _period(store, period: str | None, as_of: str | None) -> str:
    from qinggong.monitor.service import latest_period

    return period or latest_period(store, as_of=as_of)


def signals(
    period: PeriodOption = None,
    industry: Annotated[Optional[str], typer.Option("--industry", help="行业代码，如 21")] = None,
    region: Annotated[str, typer.Option("--region", help="地区代码")] = "000000",
    cutoff_version: Annotated[Optional[str], typer.Option("--cutoff-version", help="使用已保存的临界值版本")] = None,
    as_of: AsOfOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    from qinggong.monitor.service import run_signals

    with open_store(db) as store:
        p = _period(store, period, as_of)
        result = run_signals(store, p, industry=industry, region=region, as_of=as_of, cutoff_version=cutoff_version)
    if as_json:
        emit_json({"period": result.period, "method": result.method, "lights": records(result.lights),
                   "composite": records(result.composite)})
        return
    if result.lights.empty:
        console.print(f"{p} 没有可评价的轻工业指标。")
        return
    emit_table(result.composite, {"industry_code": "行业代码", "industry_name": "行业", "indicators": "指标数",
                                  "mean_score": "平均得分", "light": "综合信号", "index": "信号指数(全绿=100)"},
               title=f"{result.period} 景气信号综合（{result.method}）")
    emit_table(result.lights, {"industry_name": "行业", "indicator": "指标", "measure": "口径", "value": "数值",
                               "center": "近期中位数", "cutoffs": "临界值(偏离)", "light": "信号", "score": "得分"})


def indices(
    end: Annotated[Optional[str], typer.Option("--end", help="截至月份 YYYY-MM")] = None,
    as_of: AsOfOption = None,
    last: Annotated[int, typer.Option("--last", help="表格显示最近多少个月")] = 24,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    from qinggong.monitor.service import run_indices

    with open_store(db) as store:
        result = run_indices(store, end=end, as_of=as_of)
    if as_json:
        emit_json(result.as_dict())
        return
    console.print(f"基准序列：{result.reference}；方法：{result.method}；基年 {result.base_year} = 100")
    emit_table(result.classification, {"industry_name": "行业", "indicator": "指标", "measure": "口径",
                                       "lead_months": "领先月数", "correlation": "相关系数", "group_name": "分类"},
               title="指标分类（时差相关）")
    emit_table(result.indices.tail(last).round(2), {"period": "月份", "leading": "先行指数", "coincident": "一致指数",
                                                     "lagging": "滞后指数"}, title="合成指数")
    d = result.diffusion
    if not d.empty:
        from qinggong.monitor.panel import to_period

        d = d.copy()
        d["period"] = [to_period(int(m)) for m in d["month"]]
        emit_table(d[d["span"] == d["span"].min()].tail(last).round(1),
                   {"period": "月份", "di": "扩散指数", "sectors": "行业数", "rising": "上升", "falling": "下降"},
                   title="扩散指数")
    tps = result.turning_points
    if not tps.empty:
        from qinggong.monitor.panel import to_period

        tps = tps.copy()
        tps["period"] = [to_period(int(m)) for m in tps["month"]]
        tps["kind_name"] = tps["kind"].map({"peak": "峰", "trough": "谷"})
        tps["series_name"] = tps["series"].map({"reference": "基准序列（轻工业增加值增速）", "coincident": "一致指数"})
        emit_table(tps.round(2), {"series_name": "序列", "period": "月份", "kind_name": "转折", "value": "数值"},
                   title="转折点（Bry–Boschan）")


def warn(
    period: PeriodOption = None,
    start: Annotated[Optional[str], typer.Option("--from", help="回测起始月份 YYYY-MM")] = None,
    end: Annotated[Optional[str], typer.Option("--to", help="回测结束月份 YYYY-MM")] = None,
    save: Annotated[Optional[bool], typer.Option("--save/--no-save", help="是否把预警写入库（单月默认写入，回测默认不写）")] = None,
    as_of: AsOfOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    from qinggong.monitor import backtest as bt
    from qinggong.monitor.service import contract, run_warnings

    if (start is None) != (end is None):
        raise QinggongError("回测需要同时给出 --from 和 --to")
    if start is not None and period is not None:
        raise QinggongError("--period 与 --from/--to 不能同时使用")
    with open_store(db) as store:
        if start is not None:
            result = bt.backtest(store, start, end, as_of=as_of, persist=bool(save))
            if as_json:
                emit_json(contract(result.alerts))
                return
            rows = [
                {**r, "by_severity": "，".join(f"{k}{v}" for k, v in r["by_severity"].items()),
                 "industries": " ".join(r["industries"])}
                for r in result.summary()
            ]
            emit_table(rows, {"period": "月份", "alerts": "预警数", "by_severity": "按级别", "industries": "触发行业"},
                       title=f"预警回测 {start} 至 {end}（{result.rule_version}，按各月当时已知数据）")
            console.print(f"共 {len(result.alerts)} 条月度预警，{len(result.episodes())} 个预警过程；用时 {result.seconds:.2f} 秒。")
            return
        p = _period(store, period, as_of)
        run = run_warnings(store, p, as_of=as_of, persist=save is not False)
    if as_json:
        emit_json(contract(run.alerts))
        return
    if not run.alerts:
        console.print(f"{p} 没有触发预警。")
    else:
        emit_table(run.alerts, {"severity": "级别", "industry_name": "行业", "rule_name": "规则", "light": "信号",
                                "first_period": "首次", "streak": "连续月数", "message": "说明"},
                   title=f"{p} 预警（{run.rule_version}）")
    if run.sync:
        console.print(f"入库：新增 {run.sync['new']} 条，更新 {run.sync['updated']} 条，自动解除 {run.sync['closed']} 条。")


@alerts_app.command("list", help="列出已入库的预警，可按状态、行业、规则、级别、月份筛选。")
def alerts_list(
    status: Annotated[Optional[str], typer.Option("--status", help="状态：新、已知悉、已处置、已解除")] = None,
    industry: Annotated[Optional[str], typer.Option("--industry", help="行业代码")] = None,
    region: Annotated[Optional[str], typer.Option("--region", help="地区代码")] = None,
    rule: Annotated[Optional[str], typer.Option("--rule", help="规则编号，如 growth_negative")] = None,
    severity: Annotated[Optional[str], typer.Option("--severity", help="级别：提示、关注、警示、严重")] = None,
    min_severity: Annotated[Optional[str], typer.Option("--min-severity", help="不低于该级别")] = None,
    period: Annotated[Optional[str], typer.Option("--period", help="该月份处于有效期的预警")] = None,
    limit: Annotated[int, typer.Option("--limit", help="最多显示的条数")] = 100,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    from qinggong.monitor.alerts import list_alerts

    with open_store(db) as store:
        frame = list_alerts(store, status=status, industry=industry, region=region, rule=rule, severity=severity,
                            min_severity=min_severity, period=period, limit=limit)
    if as_json:
        emit_json(frame)
        return
    if frame.empty:
        console.print("没有符合条件的预警。")
        return
    emit_table(frame, {"alert_id": "编号", "status": "状态", "severity": "级别", "industry_code": "行业", "rule_id": "规则",
                       "first_period": "首次", "last_period": "最近", "closed_period": "解除", "message": "说明"})


def _act(action: str, alert_id: int, comment: str | None, actor: str | None, db: str | None, as_json: bool) -> None:
    from qinggong.monitor import alerts

    with open_store(db) as store:
        record = getattr(alerts, action)(store, alert_id, comment=comment, actor=actor)
    if as_json:
        emit_json(record)
        return
    console.print(f"预警 {alert_id} 状态已改为“{record['status']}”。")


@alerts_app.command("ack", help="知悉一条预警（新 → 已知悉）。")
def alerts_ack(alert_id: Annotated[int, typer.Argument(help="预警编号")], comment: CommentOption = None,
               actor: ActorOption = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    _act("acknowledge", alert_id, comment, actor, db, as_json)


@alerts_app.command("dispose", help="登记已处置（新/已知悉 → 已处置）。")
def alerts_dispose(alert_id: Annotated[int, typer.Argument(help="预警编号")], comment: CommentOption = None,
                   actor: ActorOption = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    _act("dispose", alert_id, comment, actor, db, as_json)


@alerts_app.command("resolve", help="人工解除预警（→ 已解除）。")
def alerts_resolve(alert_id: Annotated[int, typer.Argument(help="预警编号")], comment: CommentOption = None,
                   actor: ActorOption = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    _act("resolve", alert_id, comment, actor, db, as_json)


@alerts_app.command("history", help="一条预警的状态变化记录。")
def alerts_history(alert_id: Annotated[int, typer.Argument(help="预警编号")], db: DbOption = None,
                   as_json: JsonOption = False) -> None:
    from qinggong.monitor.alerts import alert_history

    with open_store(db) as store:
        frame = alert_history(store, alert_id)
    if as_json:
        emit_json(frame)
        return
    emit_table(frame, {"changed_at": "时间", "actor": "处理人", "from_status": "原状态", "to_status": "新状态",
                       "period": "月份", "severity": "级别", "comment": "说明"})


@cutoffs_app.command("list", help="列出已保存的临界值版本。")
def cutoffs_list(db: DbOption = None, as_json: JsonOption = False) -> None:
    from qinggong.monitor.signals import list_cutoff_versions

    with open_store(db) as store:
        frame = list_cutoff_versions(store)
    if as_json:
        emit_json(frame)
        return
    emit_table(frame, {"version_label": "版本", "method_version": "方法", "window_end": "截至", "review_status": "审核",
                       "series": "序列数", "created_by": "创建人", "reviewed_by": "审核人"})


@cutoffs_app.command("save", help="把某月生效的临界值保存为一个版本（待审核）。")
def cutoffs_save(
    label: Annotated[str, typer.Option("--label", help="版本名，如 2025H2")],
    period: PeriodOption = None,
    note: Annotated[Optional[str], typer.Option("--note", help="说明")] = None,
    actor: ActorOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    from qinggong.monitor.panel import load_panel, to_month
    from qinggong.monitor.signals import save_cutoffs

    with open_store(db) as store:
        p = _period(store, period, None)
        count = save_cutoffs(store, load_panel(store, end=p), to_month(p), label=label, note=note, actor=actor)
    if as_json:
        emit_json({"label": label, "period": p, "series": count})
        return
    console.print(f"已保存临界值版本“{label}”（{p}，{count} 个序列），待审核。")


@cutoffs_app.command("approve", help="审核通过一个临界值版本。")
def cutoffs_approve(label: Annotated[str, typer.Argument(help="版本名")], comment: CommentOption = None,
                    actor: ActorOption = None, db: DbOption = None) -> None:
    from qinggong.monitor.signals import approve_cutoffs

    with open_store(db) as store:
        approve_cutoffs(store, label, actor=actor, comment=comment)
    console.print(f"临界值版本“{label}”已审核通过。")
