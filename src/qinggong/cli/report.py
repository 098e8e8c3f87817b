"""`qinggong report` and `qinggong release`: the monthly operation report and the data release."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from qinggong.cli.common import DbOption, JsonOption, console, emit_json, open_store

PeriodOption = Annotated[str, typer.Option("--period", help="报告期，格式 YYYY-MM，如 2025-11")]
OptionalPeriod = Annotated[Optional[str], typer.Option("--period", help="报告期，格式 YYYY-MM，如 2025-11")]
OutOption = Annotated[Path, typer.Option("--out", help="输出目录（不存在时自动创建）")]


def register(app: typer.Typer) -> None:
    app.command("report", help="生成月度轻工业经济运行报告（DOCX、PDF、自包含 HTML），数字可追溯到序列、来源和版本。")(report)
    app.command("release", help="生成本月数据发布表（分行业、分地区，含保密标志）：XLSX（可打印）、CSV、SDMX-CSV。")(release)


def report(
    period: OptionalPeriod = None,
    fmt: Annotated[str, typer.Option("--format", help="输出格式：docx、pdf、html 或 all（可用逗号分隔多个）")] = "all",
    out: OutOption = Path("."),
    template: Annotated[Optional[str], typer.Option("--template", help="报告模板名称或文件夹（含 report.html.j2、style.css、report.docx）")] = None,
    save_template: Annotated[Optional[Path], typer.Option("--save-template", help="把内置模板（HTML、CSS、DOCX 样式）复制到该文件夹供修改，然后退出")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    from qinggong.errors import InputError
    from qinggong.publish import build_report

    if save_template is not None:
        from qinggong.publish.templates import save_template as save

        files = save(save_template)
        if as_json:
            emit_json({"files": [str(f) for f in files]})
            return
        console.print(f"已导出报告模板到 {save_template}：修改后用 --template {save_template} 生成报告")
        return
    if not period:
        raise InputError("缺少报告期：请用 --period YYYY-MM 指定，例如 --period 2025-11", field="period")
    with open_store(db) as store:
        files = build_report(store, period, fmt, out, template)
    if as_json:
        emit_json({"period": period, "files": [str(f) for f in files]})
        return
    console.print(f"已生成 {period} 运行报告：")
    for path in files:
        console.print(f"  {path}")


def release(
    period: PeriodOption,
    fmt: Annotated[str, typer.Option("--format", help="输出格式：xlsx、csv、sdmx-csv 或 all（可用逗号分隔多个）")] = "all",
    out: OutOption = Path("."),
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    from qinggong.publish import build_release

    with open_store(db) as store:
        files = build_release(store, period, fmt, out)
    if as_json:
        emit_json({"period": period, "files": [str(f) for f in files]})
        return
    console.print(f"已生成 {period} 数据发布：")
    for path in files:
        console.print(f"  {path}")
