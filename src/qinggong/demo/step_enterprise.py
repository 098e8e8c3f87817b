"""Demo step: a generated enterprise panel through registry, edit rules, workflow, comparable
aggregation and disclosure control (企业直报)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from qinggong.collect import list_reports, register_enterprises, review_reports, submit_reports, write_template
from qinggong.collect.reports import normalize_products, normalize_reports
from qinggong.demo import DemoContext, DemoStep
from qinggong.demo.generator import generate_panel
from qinggong.disclose import public_table, publish_enterprise_aggregates
from qinggong.validate import validate_reports

N_ENTERPRISES = 2000
END = "2025-11"
ACTOR = "演示-企业填报员"
REVIEWER = "演示-省级审核员"


def run(context: DemoContext) -> list[Path]:
    store = context.store
    folder = context.out_dir / "enterprise"
    folder.mkdir(parents=True, exist_ok=True)
    panel = generate_panel(N_ENTERPRISES, end=END, months=24)
    registry_csv = folder / "企业名录（生成）.csv"
    panel.enterprises.to_csv(registry_csv, index=False, encoding="utf-8-sig")
    reg = register_enterprises(store, panel.enterprises, actor=ACTOR, file=registry_csv.name)
    context.log(f"企业名录：登记 {reg['rows']} 家（生成数据）")
    findings_all = []
    for period in panel.periods:
        month = panel.reports[panel.reports["period"] == period].reset_index(drop=True)
        made = panel.products[panel.products["period"] == period]
        findings = validate_reports(store, normalize_reports(month), products=normalize_products(made))
        explanations = {c: "（生成）经核实数据属实：订单波动" for c in findings["credit_code"].unique()}
        findings_all.append(findings)
        submit_reports(store, month, actor=ACTOR, explanation=explanations, channel="demo", products=made)
        review_reports(store, None, "approve", actor=REVIEWER, period=period)
        review_reports(store, None, "confirm", actor=REVIEWER, period=period)
    findings = pd.concat(findings_all, ignore_index=True)
    context.log(f"月报：{len(panel.reports)} 份已上报并确认；提示性审核 {len(findings)} 条（已附说明）")
    # A late correction: a new version of one confirmed report, the old one is kept.
    last = panel.reports[panel.reports["period"] == END].iloc[[0]].copy()
    last["orders_m"] = last["orders_m"] + 10.0
    last["orders_ytd"] = last["orders_ytd"] + 10.0
    submit_reports(store, last, actor=ACTOR, correction=True, explanation="（生成）更正新订单", channel="demo")
    review_reports(store, None, "approve", actor=REVIEWER, period=END)
    review_reports(store, None, "confirm", actor=REVIEWER, period=END)
    summary = publish_enterprise_aggregates(store, actor=REVIEWER)
    context.log(
        f"汇总：{summary['cells']} 个单元格（{summary['units']} 个当月/累计单元），初级保密 {summary['suppressed_primary']} 个单元，"
        f"次级保密 {summary['suppressed_secondary']} 个单元，线性规划核验：{summary['verification']} {summary['verified_units']} 个，"
        f"未受保护 {summary['unprotected_units']}"
    )
    made = summary["products"]
    context.log(
        f"产品产量：{len(panel.products)} 条产品报表，{made['cells']} 个产品单元格（{made.get('units', 0)} 个当月/累计单元），"
        f"初级保密 {made.get('suppressed_primary', 0)} 个单元，次级保密 {made.get('suppressed_secondary', 0)} 个单元，"
        f"未受保护 {made.get('unprotected_units', 0)}"
    )
    files = [registry_csv]
    findings_csv = folder / "审核提示（生成）.csv"
    findings.to_csv(findings_csv, index=False, encoding="utf-8-sig")
    table_csv = folder / f"营业收入累计_{END}（企业直报，含保密标志）.csv"
    public_table(store, indicator="REV", measure="YTD", period=END, out=table_csv)
    output_csv = folder / f"主要产品产量累计_{END}（企业直报，含保密标志）.csv"
    public_table(store, indicator="OUTPUT", measure="YTD", period=END, out=output_csv)
    template = folder / f"月报模板_{END}.xlsx"
    write_template(store, END, template)
    history = list_reports(store, credit_code=last["credit_code"].iloc[0], period=END, all_versions=True)
    summary_json = folder / "汇总与保密摘要.json"
    public = {k: v for k, v in summary.items() if k != "write"}
    public["correction_versions"] = history[["version", "status"]].to_dict(orient="records")
    summary_json.write_text(json.dumps(public, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    files += [findings_csv, table_csv, output_csv, template, summary_json]
    context.shared["enterprise_summary"] = public
    return files


STEP = DemoStep(order=40, title="企业直报：名录、审核、汇总与保密", run=run)
