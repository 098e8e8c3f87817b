"""`qinggong compute`: derive indicators (当月/累计, 推算同比, 比重, 拉动, 轻工业汇总, 季节调整)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from qinggong.cli.common import DbOption, JsonOption, console, emit_json, emit_table, open_store

KIND_LABELS = {
    "month_from_ytd": "累计值推算当月值",
    "implied_monthly_yoy": "推算当月同比",
    "aggregate_levels": "轻工业水平值汇总",
    "weighted_growth": "轻工业加权增速",
    "share": "比重",
    "contribution": "拉动",
    "seasonal_SA": "季调值",
    "seasonal_TREND": "趋势循环",
    "seasonal_SF": "季节因子",
    "seasonal_HF": "春节因子",
    "seasonal_MOM_SA": "季调环比",
}


def register(app: typer.Typer) -> None:
    @app.command("compute", help="计算派生指标：累计值推算当月值、推算当月同比、比重、拉动、轻工业汇总和季节调整（含春节因素），结果写入 DERIVED 序列。")
    def compute_command(
        series: Annotated[Optional[str], typer.Option("--series", help="只处理序列键包含该文本（或匹配通配符 * ?）的序列")] = None,
        method: Annotated[str, typer.Option("--method", help="季节调整方法：auto（有 x13as 用 X-13，否则本地方法）、x13、native")] = "auto",
        workers: Annotated[Optional[int], typer.Option("--workers", help="并行进程数（默认全部 CPU 核）")] = None,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="只计算并报告，不写入数据库")] = False,
        db: DbOption = None,
        as_json: JsonOption = False,
    ) -> None:
        from qinggong.compute.seasonal import choose_method
        from qinggong.compute.service import compute

        choose_method(method)
        with open_store(db) as store:
            report = compute(store, series, method=method, workers=workers, dry_run=dry_run)
        if as_json:
            emit_json(report.as_dict())
            return
        if report.series_read == 0:
            console.print("库中没有可计算的官方或企业直报序列（先用导入命令载入数据）。")
            return
        rows = [{"kind": KIND_LABELS.get(k, k), "count": v} for k, v in sorted(report.derived.items())]
        emit_table(rows, {"kind": "派生类型", "count": "序列数"}, title=f"读取 {report.series_read} 个序列")
        methods = "、".join(f"{'X-13ARIMA-SEATS' if m == 'x13' else '本地方法(STL+春节回归)'} {n} 个" for m, n in report.seasonal_methods.items())
        if methods:
            console.print(f"季节调整：{methods}")
        verb = "将新增" if dry_run else "新增"
        console.print(f"{verb} {report.new_observations} 条、修订 {report.revised_observations} 条观测"
                      + (f"（版本 {report.vintage_id}）" if report.vintage_id else ""))
        for problem in report.problems[:20]:
            console.print(f"[yellow]未能计算[/] {problem['series']}：{problem['message']}", highlight=False)
