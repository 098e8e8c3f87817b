"""`qinggong plan …`: the work plan's tasks, dispatch rounds, targets and registries (calls qinggong.plan)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from qinggong import plan as service
from qinggong.cli.common import DbOption, JsonOption, console, emit_json, emit_table, open_store, records

plan_app = typer.Typer(help="工作方案调度：任务、调度轮次、量化目标及其名录和预测。", no_args_is_help=True)
round_app = typer.Typer(help="调度轮次：开启、报送、审核、关闭、逾期名单。", no_args_is_help=True)
plan_app.add_typer(round_app, name="round")


def register(app: typer.Typer) -> None:
    app.add_typer(plan_app, name="plan")


def _split(value: Optional[str]) -> list[str]:
    if not value:
        return []
    return [part.strip() for part in value.replace("，", ",").replace("、", ",").split(",") if part.strip()]


@plan_app.command("tasks", help="列出五个方面的15项任务和3项保障措施（措施为原文表述），及牵头、参与单位。")
def tasks(
    detail: Annotated[bool, typer.Option("--detail", help="同时列出每项任务的具体措施")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    with open_store(db) as store:
        frame = service.list_tasks(store)
        guards = service.list_safeguards(store)
        current = service.current_plan(store)
    if as_json:
        emit_json({"plan": current["title"], "version_id": current["version_id"], "tasks": records(frame), "safeguards": records(guards)})
        return
    rows = []
    for rec in frame.to_dict(orient="records"):
        rows.append({**rec, "lead": "、".join(rec["lead_units"]), "co": "、".join(rec["co_units"]),
                     "assumed": "是（待确认）" if rec["units_assumption"] else "否"})
    emit_table(rows, {"task_id": "编号", "area": "方面", "title": "任务", "measure_count": "措施数", "lead": "牵头单位",
                      "co": "参与单位", "assumed": "单位为推定"}, title=f"{current['title']}：任务（{len(frame)} 项）")
    if detail:
        for rec in frame.to_dict(orient="records"):
            console.print(f"[bold]{rec['task_id']} {rec['title']}[/]（{rec['area']}）")
            for measure in rec["measures"]:
                console.print(f"  · {measure}", highlight=False)
    emit_table([{**g, "lead": "、".join(g["lead_units"])} for g in guards.to_dict(orient="records")],
               {"safeguard_id": "编号", "title": "保障措施", "lead": "牵头单位"}, title="保障措施（3 项）")
    if frame["units_assumption"].any():
        console.print("注：解读原文未列明各项任务的牵头和参与单位，表中单位为按职责推定的可编辑假设（qinggong plan set-units 修改）。")


@plan_app.command("set-units", help="修改一项任务（或保障措施）的牵头、参与单位；保存为工作方案的新版本。")
def set_units(
    task: Annotated[str, typer.Argument(help="任务编号（T01—T15、S1—S3）或任务名称")],
    note: Annotated[str, typer.Option("--note", help="修改依据（必填）")],
    lead: Annotated[Optional[str], typer.Option("--lead", help="牵头单位，多个用顿号或逗号分隔")] = None,
    co: Annotated[Optional[str], typer.Option("--co", help="参与单位，多个用顿号或逗号分隔")] = None,
    assumption: Annotated[bool, typer.Option("--assumption", help="仍标记为推定（未经确认）")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    with open_store(db) as store:
        updated = service.update_task(store, task, lead=lead, co=co, assumption=assumption or None, note=note)
    if as_json:
        emit_json({"version_id": updated["version_id"]})
        return
    console.print(f"已保存为工作方案第 {updated['version_id']} 版。")


@plan_app.command("targets", help="量化目标的进度与预测：现值、所需进度、2026年末预测值及区间、状态（按期/滞后/风险）。")
def targets(
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="评估日期（北京时间），默认今天")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    with open_store(db) as store:
        progress = service.targets_progress(store, as_of=as_of)
    if as_json:
        emit_json(progress)
        return
    rows = [{**p, "interval": f"{p['projected_lower']:g}—{p['projected_upper']:g}", "target_text": f"{p['target']:g}{p['unit']}",
             "current_text": f"{p['current']}{p['unit']}（{p['share']}%）"} for p in progress]
    emit_table(rows, {"name": "目标", "target_text": "目标值", "current_text": "现值", "pace_current_per_month": "月均进度",
                      "pace_needed_per_month": "所需月均", "projected": f"{progress[0]['horizon'] if progress else ''}预测",
                      "interval": "区间", "status": "状态"}, title="量化目标进度")
    for p in progress:
        console.print(f"· {p['name']}：{p['detail']}", highlight=False)


@plan_app.command("status", help="工作方案总览：目标进度、各任务最新进展、调度轮次、名录数量。")
def status(
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="评估日期（北京时间），默认今天")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    with open_store(db) as store:
        payload = service.plan_status(store, as_of=as_of)
    if as_json:
        emit_json(payload)
        return
    info = payload["plan"]
    console.print(f"[bold]{info['title']}[/]（版本 {info['version_id'] or '初始'}；{len(info['areas'])} 个方面、"
                  f"{info['task_count']} 项任务、{info['safeguard_count']} 项保障措施）")
    emit_table([{**p, "interval": f"{p['projected_lower']:g}—{p['projected_upper']:g}"} for p in payload["targets"]],
               {"name": "目标", "target": "目标值", "current": "现值", "projected": "预测", "interval": "区间", "status": "状态"},
               title="量化目标")
    emit_table([{**t, "counts": "、".join(f"{k}{v}" for k, v in t["status_counts"].items())} for t in payload["tasks"]],
               {"task_id": "编号", "title": "任务", "reports": "报送单位数", "counts": "最新状态", "worst_status": "最滞后"},
               title="任务进展（各单位最新报送）")
    if payload["rounds"]:
        emit_table(payload["rounds"], {"round_id": "轮次", "title": "标题", "deadline": "截止（北京时间）", "status_label": "状态",
                                       "reported": "已报", "reporters": "应报", "late_names": "逾期/未报"}, title="调度轮次")
    reg = payload["registries"]
    console.print(f"名录：升级和创新消费品 已入选 {reg['upgrade_products']['listed']}、待审核 {reg['upgrade_products']['pending']}；"
                  f"中国消费名品方阵 已入选 {reg['brand_matrix']['listed']}；特色产业产区 {reg['clusters']} 个；强制性国家标准 {reg['standards']} 项")


@plan_app.command("rounds", help="列出调度轮次及逾期、未报单位。")
def rounds(db: DbOption = None, as_json: JsonOption = False) -> None:
    with open_store(db) as store:
        frame = service.list_rounds(store)
    if as_json:
        emit_json(frame)
        return
    if frame.empty:
        console.print("尚无调度轮次。用 qinggong plan round open 开启。")
        return
    emit_table(frame, {"round_id": "轮次", "title": "标题", "period": "调度期", "deadline": "截止（北京时间）", "status_label": "状态",
                       "reported": "已报", "reporters": "应报", "late_names": "逾期/未报"}, title="调度轮次")


@round_app.command("open", help="开启一轮调度：调度期、截止时间（北京时间）、报送单位、任务和填报字段。")
def round_open(
    title: Annotated[str, typer.Option("--title", help="标题")],
    period: Annotated[str, typer.Option("--period", help="调度期，如 2025-11 或 2025年第四季度")],
    deadline: Annotated[str, typer.Option("--deadline", help="截止时间（北京时间），如 2025-12-10 或 2025-12-10 17:00")],
    reporters: Annotated[str, typer.Option("--reporters", help="报送单位：省份名称或代码、部门、协会，用顿号或逗号分隔")],
    tasks: Annotated[Optional[str], typer.Option("--tasks", help="本轮任务编号，默认全部15项")] = None,
    fields: Annotated[Optional[str], typer.Option("--fields", help="必填字段：进展状态、进展情况、量化指标、佐证材料")] = None,
    kpis: Annotated[Optional[str], typer.Option("--kpis", help="本轮量化指标名称，用顿号或逗号分隔")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    with open_store(db) as store:
        info = service.open_round(store, title=title, period=period, deadline=deadline, reporters=_split(reporters),
                                  task_ids=_split(tasks) or None, fields=_split(fields) or None, kpis=_split(kpis))
    if as_json:
        emit_json(info)
        return
    console.print(f"已开启调度轮次 {info['round_id']}“{info['title']}”，截止 {info['deadline_beijing']}（北京时间），"
                  f"报送单位 {len(info['reporters'])} 个，任务 {len(info['task_ids'])} 项。")


@round_app.command("submit", help="报送一项任务的进展（同一任务再次报送即为新修订，历史保留）。")
def round_submit(
    round_id: Annotated[int, typer.Argument(help="轮次编号")],
    reporter: Annotated[str, typer.Option("--reporter", help="报送单位（省份名称或代码、部门、协会）")],
    task: Annotated[str, typer.Option("--task", help="任务编号，如 T03")],
    task_status: Annotated[Optional[str], typer.Option("--status", help="进展状态：已完成、按进度推进、进度滞后、尚未启动")] = None,
    narrative: Annotated[Optional[str], typer.Option("--narrative", help="进展情况")] = None,
    kpi: Annotated[Optional[list[str]], typer.Option("--kpi", help="量化指标，写作 名称=数值，可重复")] = None,
    item: Annotated[Optional[list[str]], typer.Option("--item", help="佐证材料（文件名或说明），可重复")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    from qinggong.errors import InputError

    values = {}
    for entry in kpi or []:
        if "=" not in entry:
            raise InputError(f"量化指标“{entry}”应写作 名称=数值", field="量化指标")
        name, value = entry.split("=", 1)
        values[name.strip()] = value.strip()
    with open_store(db) as store:
        result = service.submit_progress(store, round_id, reporter, task, task_status=task_status, narrative=narrative,
                                         kpis=values, items=item or [])
    if as_json:
        emit_json(result)
        return
    late = "（逾期）" if result["late"] else ""
    console.print(f"已报送：轮次 {round_id}，{result['reporter_code']}，任务 {result['task_id']}，第 {result['revision']} 次{late}。"
                  f"报送记录编号 {result['submission_id']}。")


@round_app.command("show", help="显示一轮调度的各单位最新报送及审核情况。")
def round_show(round_id: Annotated[int, typer.Argument(help="轮次编号")], db: DbOption = None, as_json: JsonOption = False) -> None:
    with open_store(db) as store:
        info = service.get_round(store, round_id)
        frame = service.round_submissions(store, round_id)
        late = service.late_reporters(store, round_id)
    if as_json:
        emit_json({"round": info, "submissions": records(frame), "late": records(late)})
        return
    console.print(f"[bold]轮次 {info['round_id']}：{info['title']}[/]（{info['status_label']}，截止 {info['deadline_beijing']}）")
    if not frame.empty:
        emit_table(frame, {"submission_id": "记录", "reporter_name": "单位", "task_id": "任务", "revision": "次", "task_status": "状态",
                           "narrative": "进展情况", "review_label": "审核", "is_late": "逾期"})
    if not late.empty:
        emit_table(late, {"reporter_name": "单位", "late_status": "情况", "tasks_reported": "已报任务", "tasks_required": "应报任务",
                          "days_late": "逾期天数"}, title="逾期、未报单位")


@round_app.command("review", help="审核一条报送：通过，或退回（须写审核意见）。")
def round_review(
    submission_id: Annotated[int, typer.Argument(help="报送记录编号")],
    decision: Annotated[str, typer.Option("--decision", help="通过 或 退回")],
    comment: Annotated[Optional[str], typer.Option("--comment", help="审核意见")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    with open_store(db) as store:
        result = service.review_submission(store, submission_id, decision=decision, comment=comment)
    if as_json:
        emit_json(result)
        return
    console.print(f"报送记录 {submission_id}：{result['decision_label']}。")


@round_app.command("close", help="关闭一轮调度（此后不再接受报送），并列出逾期、未报单位。")
def round_close(round_id: Annotated[int, typer.Argument(help="轮次编号")], db: DbOption = None, as_json: JsonOption = False) -> None:
    with open_store(db) as store:
        result = service.close_round(store, round_id)
    late = result["late"]
    if as_json:
        emit_json({**result, "late": records(late)})
        return
    console.print(f"已关闭调度轮次 {round_id}。" + ("逾期、未报单位：" + "、".join(f"{r['reporter_name']}（{r['late_status']}）"
                  for r in late.to_dict(orient="records")) if len(late) else "全部按时报送。"))


@round_app.command("late", help="列出一轮调度的逾期、未报单位。")
def round_late(round_id: Annotated[int, typer.Argument(help="轮次编号")], db: DbOption = None, as_json: JsonOption = False) -> None:
    with open_store(db) as store:
        late = service.late_reporters(store, round_id)
    if as_json:
        emit_json(late)
        return
    if late.empty:
        console.print("没有逾期或未报单位。")
        return
    emit_table(late, {"reporter_name": "单位", "late_status": "情况", "tasks_reported": "已报任务", "tasks_required": "应报任务",
                      "completed_at": "报齐时间", "days_late": "逾期天数"}, title=f"轮次 {round_id} 逾期、未报单位")


@plan_app.command("import-nominations", help="从 XLSX 导入升级和创新消费品、中国消费名品方阵的推荐（整表导入或全部不导入）。")
def import_nominations(
    file: Annotated[Path, typer.Argument(help="XLSX 文件：产品名称、企业、类别、地区、推荐方式、推荐单位、批次、名录")],
    sheet: Annotated[Optional[str], typer.Option("--sheet", help="工作表名称，默认第一个")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只检查，不入库")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    with open_store(db) as store:
        result = service.import_nominations(store, file, sheet=sheet, dry_run=dry_run)
    if as_json:
        emit_json(result)
        return
    console.print(("检查通过：" if dry_run else "已导入：") + f"{result['file']} 共 {result['rows']} 条推荐（待审核）。")


@plan_app.command("import-clusters", help="从 XLSX 导入特色产业产区及其年度营业收入（自动换算为亿元）。")
def import_clusters(
    file: Annotated[Path, typer.Argument(help="XLSX 文件：产区名称、地区、行业、批次，以及 年份+营业收入(+单位) 或每年一列")],
    sheet: Annotated[Optional[str], typer.Option("--sheet", help="工作表名称，默认第一个")] = None,
    source: Annotated[Optional[str], typer.Option("--source", help="数据来源说明")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只检查，不入库")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    with open_store(db) as store:
        result = service.import_clusters(store, file, sheet=sheet, source=source, dry_run=dry_run)
    if as_json:
        emit_json(result)
        return
    console.print(("检查通过：" if dry_run else "已导入：") + f"{result['file']} 产区 {result['clusters']} 个（新登记 "
                  f"{len(result['clusters_added'])} 个），营业收入 {result['revenue_rows']} 条"
                  + ("" if dry_run else f"（新增 {result['revenue_new']}、修订 {result['revenue_revised']}、未变 {result['revenue_unchanged']}）") + "。")


@plan_app.command("clusters", help="特色产业产区：最近营业收入、趋势增速、预计达到1000亿元的年份及区间。")
def cluster_list(db: DbOption = None, as_json: JsonOption = False) -> None:
    with open_store(db) as store:
        frame = service.cluster_forecasts(store)
    if as_json:
        emit_json(frame)
        return
    emit_table(frame, {"cluster_name": "产区", "region_name": "地区", "sector": "行业", "batch": "批次", "last_year": "最近年份",
                       "last_revenue": "营业收入（亿元）", "growth_pct": "趋势增速%", "crossing_year": "预计达到年份",
                       "crossing_year_early": "最早", "crossing_year_late": "最晚", "note": "说明"}, title="特色产业产区")


@plan_app.command("nominations", help="升级和创新消费品、中国消费名品方阵的推荐及审核状态。")
def nominations(
    registry: Annotated[Optional[str], typer.Option("--registry", help="名录：升级和创新消费品指南 或 中国消费名品方阵")] = None,
    status_filter: Annotated[Optional[str], typer.Option("--status", help="待审核、已入选、未入选")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    with open_store(db) as store:
        frame = service.list_nominations(store, registry=registry, status=status_filter)
    if as_json:
        emit_json(frame)
        return
    emit_table(frame, {"nomination_id": "编号", "registry_label": "名录", "product_name": "产品", "category": "类别",
                       "enterprise": "企业", "region_name": "地区", "nominator": "推荐单位", "status_label": "状态"},
               title=f"推荐（{len(frame)} 条）", limit=50)


@plan_app.command("standards", help="强制性国家标准制修订：各阶段日期及预计发布时间。")
def standard_list(db: DbOption = None, as_json: JsonOption = False) -> None:
    with open_store(db) as store:
        frame = service.standards(store)
    if as_json:
        emit_json(frame)
        return
    emit_table(frame, {"standard_name": "标准", "product": "产品", "stage": "当前阶段", "stage_date": "日期",
                       "projected_typical": "预计发布", "projected_slow": "最晚"}, title="强制性国家标准")
