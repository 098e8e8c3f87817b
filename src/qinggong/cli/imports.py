"""`qinggong import FILE...`: load statistics tables (NBS exports, terminal wide sheets, long
CSV, XLSX/XLS, SDMX-CSV) in one transaction; `--suggest-mapping` writes a mapping file to edit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from qinggong.cli.common import DbOption, JsonOption, console, emit_json, emit_table, err_console, open_store
from qinggong.ingest.mapping import suggest_mapping
from qinggong.ingest.service import import_files

LARGE_FILE_BYTES = 2_000_000


def register(app: typer.Typer) -> None:
    app.command(
        "import",
        help="导入统计数据文件（国家统计局导出表、Wind/CEIdata/iFinD 宽表、长表 CSV、XLSX/XLS、SDMX-CSV），"
             "一次导入为一个事务：要么全部入库，要么不入库。",
    )(import_command)


def import_command(
    files: Annotated[list[Path], typer.Argument(help="要导入的文件（可多个）", show_default=False)],
    format: Annotated[str, typer.Option("--format", help="格式：auto（自动识别）、nbs、wide、long、sdmx")] = "auto",
    mapping: Annotated[Optional[Path], typer.Option("--mapping", help="映射文件（YAML）：说明无法自动识别的列")] = None,
    source: Annotated[Optional[str], typer.Option("--source", help="来源名称（记入数据版本与审计日志），默认为文件名")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只检查并显示将发生的变化，不写入数据库")] = False,
    suggest: Annotated[bool, typer.Option("--suggest-mapping", help="不导入，为文件生成一个待编辑的映射文件")] = False,
    out: Annotated[Optional[Path], typer.Option("--out", help="--suggest-mapping 的输出路径（默认：第一个文件名.mapping.yaml）")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    if suggest:
        text = suggest_mapping(files, format=format)
        target = out or Path(f"{files[0].stem}.mapping.yaml")
        target.write_text(text, encoding="utf-8")
        if as_json:
            emit_json({"mapping_file": str(target)})
        else:
            console.print(f"已生成映射文件：{target}（编辑后用 --mapping {target} 导入）")
        return
    large = sum(p.stat().st_size for p in files if p.is_file()) >= LARGE_FILE_BYTES
    with open_store(db) as store:
        if large and not as_json:
            with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                          TimeElapsedColumn(), console=err_console, transient=True) as bar:
                task = bar.add_task("导入", total=1)

                def tick(message: str, done: int, total: int) -> None:
                    bar.update(task, description=message, completed=done, total=total)

                report = import_files(store, files, format=format, mapping=mapping, source=source, dry_run=dry_run,
                                      progress=tick)
        else:
            report = import_files(store, files, format=format, mapping=mapping, source=source, dry_run=dry_run)
    if as_json:
        emit_json(report.as_dict())
        return
    _print_report(report)


def _print_report(report) -> None:
    write = report.write
    for f in report.files:
        console.print(
            f"[bold]{f.file}[/]：格式 {f.format}（{f.profile}），{f.cells} 个数据单元格 → {f.observations} 个观测值、"
            f"{f.series} 个序列（缺失 {f.missing}，推算 {f.derived}）；未识别 {len(f.unrecognised)} 项，拒收 {len(f.rejected)} 个单元格"
        )
        for note in f.notes:
            console.print(f"  说明：{note.splitlines()[0][:120]}")
        if f.unrecognised:
            emit_table(f.unrecognised, {"where": "位置", "label": "名称", "reason": "原因", "cells": "单元格数"},
                       title="未识别的序列（未导入）", limit=30)
        if f.rejected:
            emit_table(f.rejected, {"sheet": "工作表", "row": "行", "column": "列", "value": "值", "reason": "原因"},
                       title="拒收的单元格", limit=30)
    if write is None:
        return
    prefix = "【试运行，未写入】" if report.dry_run else ""
    console.print(
        f"{prefix}新序列 {len(write.new_series)} 个，新观测值 {write.new_observations} 个，修订 {write.revised_observations} 个，"
        f"未变 {write.unchanged_observations} 个" + (f"；数据版本 {write.vintage_id}" if write.vintage_id else "")
    )
    revised = write.changes[write.changes["change"] == "revised"] if not write.changes.empty else write.changes
    if len(revised):
        emit_table(revised, {"series_key": "序列", "period": "期别", "old_value": "原值", "new_value": "新值",
                             "old_status": "原状态", "new_status": "新状态"}, title="修订（原值 → 新值）", limit=30)
    if report.dry_run and len(write.new_series):
        emit_table([{"series_key": k} for k in write.new_series], {"series_key": "新序列"}, limit=20)
