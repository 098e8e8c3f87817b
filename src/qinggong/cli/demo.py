"""`qinggong demo`: load the demo data, compute, write the outputs and say where they are."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qinggong.cli.common import DbOption, console
from qinggong.demo import run_demo
from qinggong.store import describe_url


def register(app: typer.Typer) -> None:
    app.command("demo", help="运行演示：装载内置的真实统计数据与生成的企业数据，计算、监测并把结果写到输出目录。")(demo)


def demo(
    out: Annotated[Path, typer.Option("--out", help="输出目录（演示数据库也放在这里，除非指定 --db）")] = Path("demo-output"),
    db: DbOption = None,
) -> None:
    console.rule("[bold]qinggong 演示")
    def on_step(step) -> None:
        console.print(f"[bold cyan]▶ {step.title}[/]")
    results = run_demo(out, db=db, log=lambda m: console.print(f"  {m}"), on_step=on_step)
    console.rule("[bold]用时")
    for result in results:
        console.print(f"  {result.title}：{result.seconds:.1f} 秒")
    console.rule("[bold]产出")
    for result in results:
        for file in result.files:
            console.print(f"  {result.title}：{file}")
    db_url = db or str(out / "qinggong.duckdb")
    console.print(f"\n演示数据库：{describe_url(db_url)}")
    console.print(f"继续浏览：qinggong --help；例如 QINGGONG_DB={db_url} qinggong series list")
