"""`qinggong enterprise list|show|import|template|submit|validate|review|aggregate`: 企业直报."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from qinggong.cli.common import DbOption, JsonOption, console, emit_json, emit_table, open_store, records
from qinggong.collect import (
    get_enterprise,
    list_enterprises,
    list_reports,
    read_registry_file,
    read_template,
    register_enterprises,
    report_history,
    review_report,
    review_reports,
    submit_reports,
    write_template,
)
from qinggong.collect.forms import ACTION_LABELS, STATUS_LABELS
from qinggong.collect.reports import ReportRejected, normalize_products, normalize_reports
from qinggong.errors import InputError

enterprise_app = typer.Typer(help="企业直报：企业名录、月报模板与报送、审核流程、可比口径汇总与保密处理。", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(enterprise_app, name="enterprise")


@enterprise_app.command("list", help="列出名录中的企业（生成数据带“（生成）”前缀）。")
def list_cmd(
    industry: Annotated[Optional[str], typer.Option("--industry", help="行业代码前缀（GB/T 4754），如 21")] = None,
    region: Annotated[Optional[str], typer.Option("--region", help="地区代码（GB/T 2260），如 330000")] = None,
    search: Annotated[Optional[str], typer.Option("--search", help="按名称或信用代码搜索")] = None,
    limit: Annotated[int, typer.Option("--limit", help="表格最多显示的行数")] = 50,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    with open_store(db) as store:
        frame = list_enterprises(store, industry=industry, region=region, search=search)
    if as_json:
        emit_json(frame)
        return
    if frame.empty:
        console.print("名录中没有符合条件的企业。")
        return
    frame["generated_label"] = frame["generated"].map({True: "是", False: "否"})
    frame["exit_date"] = frame["exit_date"].astype(object).where(frame["exit_date"].notna(), None)
    emit_table(frame, {"credit_code": "统一社会信用代码", "name": "企业名称", "industry": "行业", "region": "地区",
                       "size_class": "规模", "entry_date": "开业", "exit_date": "停业", "generated_label": "生成数据"},
               title=f"企业名录（{len(frame)} 家）", limit=limit)


@enterprise_app.command("show", help="显示一家企业的登记信息和月报（含各版本）。")
def show_cmd(
    credit_code: Annotated[str, typer.Argument(help="统一社会信用代码")],
    period: Annotated[Optional[str], typer.Option("--period", help="报告期 YYYY-MM：显示该期全部版本和审核记录")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    with open_store(db) as store:
        info = get_enterprise(store, credit_code)
        reports = list_reports(store, credit_code=credit_code, all_versions=period is not None, period=period)
        history = report_history(store, credit_code, period) if period else None
    if as_json:
        payload = {"enterprise": info, "reports": records(reports)}
        if history:
            payload["events"] = records(history["events"])
            payload["checks"] = records(history["checks"])
            payload["products"] = records(history["products"])
        emit_json(payload)
        return
    generated = "（生成数据）" if info["generated"] else ""
    console.print(f"[bold]{info['name']}[/]{generated}  {info['credit_code']}")
    console.print(f"行业 {info['industry']} {info['industry_name']}｜地区 {info['region']}｜规模 {info['size_name']}｜"
                  f"开业 {info['entry_date']}｜停业 {info['exit_date'] or '—'}")
    emit_table(reports, {"report_id": "编号", "period": "报告期", "version": "版本", "status_label": "状态",
                         "rev_ytd": "营业收入累计", "profit_ytd": "利润总额累计", "created_by": "填报人", "status_by": "最后处理人"},
               title="月报", limit=36)
    if history is not None and not history["products"].empty:
        emit_table(history["products"], {"version": "版本", "product": "产品代码", "product_name": "产品", "unit_name": "计量单位",
                                         "output_m": "本月产量", "output_ytd": "1-N月累计产量"}, title="主要产品产量")
    if history is not None and not history["events"].empty:
        ev = history["events"].assign(
            from_label=history["events"]["from_status"].map(STATUS_LABELS),
            to_label=history["events"]["to_status"].map(STATUS_LABELS))
        emit_table(ev, {"version": "版本", "from_label": "原状态", "to_label": "新状态", "actor": "操作人",
                        "event_time": "时间（UTC）", "reason": "原因"}, title="审核记录")


@enterprise_app.command("import", help="从 XLSX/CSV 导入企业名录（全部通过才入库）。")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="企业名录文件（.xlsx 或 .csv）")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    frame = read_registry_file(file)
    with open_store(db) as store:
        result = register_enterprises(store, frame, file=file.name)
    if as_json:
        emit_json(result)
        return
    console.print(f"已登记 {result['rows']} 家企业：新增 {result['new']}，更新 {result['updated']}。")


@enterprise_app.command("template", help="生成某报告期的 Excel 月报模板。")
def template_cmd(
    period: Annotated[str, typer.Option("--period", help="报告期 YYYY-MM")],
    out: Annotated[Path, typer.Option("--out", help="输出文件 .xlsx")],
    region: Annotated[Optional[str], typer.Option("--region", help="只含该地区的企业")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    with open_store(db) as store:
        result = write_template(store, period, out, region=region)
    if as_json:
        emit_json(result)
        return
    console.print(f"已生成 {period} 月报模板 {out}（{result['enterprises']} 家企业）。")


def _read_submission(file: Path, period: Optional[str]):
    if file.suffix.lower() in (".xlsx", ".xlsm"):
        return read_template(file, expected_period=period)
    raise InputError("请提交由 qinggong enterprise template 生成的 .xlsx 月报模板", file=file.name)


def _print_findings(findings) -> None:
    emit_table(findings, {"row": "行", "credit_code": "统一社会信用代码", "period": "报告期", "rule_id": "规则",
                          "severity": "类别", "field_label": "字段", "message": "说明"}, title="审核结果", limit=200)


@enterprise_app.command("validate", help="按审核规则检查月报模板，列出全部问题；不入库。")
def validate_cmd(
    file: Annotated[Path, typer.Argument(help="填好的月报模板 .xlsx")],
    period: Annotated[Optional[str], typer.Option("--period", help="应为此报告期的模板")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    from qinggong.validate import validate_reports

    reports, products, _ = _read_submission(file, period)
    clean = normalize_reports(reports, file=file.name)
    prods = normalize_products(products, file=file.name)
    with open_store(db) as store:
        findings = validate_reports(store, clean, products=prods, file=file.name)
    findings = findings.assign(severity=findings["severity"].map({"hard": "硬性", "soft": "提示性"}))
    if as_json:
        emit_json({"reports": len(clean), "findings": records(findings)})
        return
    if findings.empty:
        console.print(f"{len(clean)} 份月报全部通过审核规则。")
        return
    _print_findings(findings)
    console.print(f"{len(clean)} 份月报，发现 {len(findings)} 处问题（硬性错误须修改；提示性问题须填写说明）。")
    raise typer.Exit(1)


@enterprise_app.command("submit", help="上报填好的月报模板（全部通过才入库；提示性问题须在“说明”列填写说明）。")
def submit_cmd(
    file: Annotated[Path, typer.Argument(help="填好的月报模板 .xlsx")],
    period: Annotated[Optional[str], typer.Option("--period", help="应为此报告期的模板")] = None,
    correct: Annotated[bool, typer.Option("--correct", help="更正已上报的数据（保存为新版本，旧版本保留）")] = False,
    draft: Annotated[bool, typer.Option("--draft", help="保存为草稿，不上报")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    reports, products, explanations = _read_submission(file, period)
    with open_store(db) as store:
        try:
            result = submit_reports(store, reports, products=products, explanation=explanations, channel="excel",
                                    file=file.name, correction=correct, draft=draft)
        except ReportRejected as exc:
            if not as_json:
                _print_findings(exc.findings.assign(severity=exc.findings["severity"].map({"hard": "硬性", "soft": "提示性"})))
            raise
    if as_json:
        emit_json(result)
        return
    console.print(f"已{'保存草稿' if draft else '上报'} {result['reports']} 份月报（新增 {result['new']}，新版本 {result['new_versions']}）。")


@enterprise_app.command("review", help="审核流程：approve 省级审核通过、return 退回（须 --reason）、confirm 确认、submit 上报草稿。")
def review_cmd(
    action: Annotated[str, typer.Argument(help="操作：" + "、".join(f"{k}（{v}）" for k, v in ACTION_LABELS.items()))],
    report_id: Annotated[Optional[int], typer.Option("--id", help="报表编号")] = None,
    period: Annotated[Optional[str], typer.Option("--period", help="对该报告期全部符合条件的报表执行")] = None,
    region: Annotated[Optional[str], typer.Option("--region", help="限定地区（与 --period 同用）")] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="退回原因")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    if report_id is None and period is None:
        raise InputError("请用 --id 指定报表，或用 --period 指定报告期", field="--id")
    with open_store(db) as store:
        if report_id is not None:
            result = review_report(store, report_id, action, reason=reason)
        else:
            result = review_reports(store, None, action, reason=reason, period=period, region=region)
    if as_json:
        emit_json(result)
        return
    count = result.get("reports", 1)
    console.print(f"已执行“{ACTION_LABELS.get(action, action)}”：{count} 份报表，状态为“{STATUS_LABELS[result['status']]}”。")


@enterprise_app.command("aggregate", help="汇总已确认的月报（行业×地区与主要产品产量；可比口径同比、企业数），保密处理后写入 ENTERPRISE 序列。")
def aggregate_cmd(
    period: Annotated[Optional[list[str]], typer.Option("--period", help="只汇总这些报告期（可重复）")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="另存公开表（CSV，保密单元格只有 CONF_STATUS 标志）")] = None,
    indicator: Annotated[str, typer.Option("--indicator", help="公开表的指标：REV 营业收入、PROFIT、EXPORT、OUTPUT 主要产品产量等")] = "REV",
    measure: Annotated[str, typer.Option("--measure", help="公开表的计量方式：YTD 1-N月累计、M 当月、EOP 期末")] = "YTD",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    from qinggong.disclose import public_table, publish_enterprise_aggregates

    with open_store(db) as store:
        summary = publish_enterprise_aggregates(store, periods=period or None)
        if out:
            table = public_table(store, indicator=indicator.upper(), measure=measure.upper(), out=out)
            if table.empty:
                raise InputError(f"没有指标 {indicator.upper()}、计量方式 {measure.upper()} 的企业直报汇总，公开表为空",
                                 field="--indicator")
    if as_json:
        emit_json(summary)
        return
    console.print(
        f"已汇总 {summary['cells']} 个单元格（{summary.get('units', 0)} 个当月/累计单元），写入 {summary['observations']} 个观测值；"
        f"初级保密 {summary['suppressed_primary']} 个单元、次级保密 {summary['suppressed_secondary']} 个单元，"
        f"线性规划核验 {summary.get('verified_units', 0)} 个敏感单元（{summary.get('verification', '—')}），"
        f"未受保护 {summary.get('unprotected_units', 0)} 个。"
    )
    made = summary.get("products", {})
    if made.get("cells"):
        console.print(
            f"主要产品产量：{made['cells']} 个产品单元格（{made['units']} 个当月/累计单元），初级保密 {made['suppressed_primary']} 个单元、"
            f"次级保密 {made['suppressed_secondary']} 个单元，未受保护 {made['unprotected_units']} 个。"
        )
