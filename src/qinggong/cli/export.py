"""`qinggong export`: write stored observations as CSV, XLSX or SDMX-CSV (1.0/2.0)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from qinggong.cli.common import DbOption, JsonOption, console, emit_json, open_store
from qinggong.ingest.export import export_observations


def register(app: typer.Typer) -> None:
    app.command("export", help="导出观测值：CSV（长表）、XLSX 或 SDMX-CSV（含 OBS_STATUS、CONF_STATUS），可按维度和期别筛选。")(
        export_command
    )


def export_command(
    out: Annotated[Path, typer.Option("--out", help="输出文件路径", show_default=False)],
    format: Annotated[str, typer.Option("--format", help="格式：csv、xlsx、sdmx-csv")] = "csv",
    sdmx_version: Annotated[str, typer.Option("--sdmx-version", help="SDMX-CSV 版本：1.0 或 2.0")] = "2.0",
    key: Annotated[Optional[list[str]], typer.Option("--key", help="序列键（可重复）")] = None,
    indicator: Annotated[Optional[str], typer.Option("--indicator", help="指标代码，如 VA")] = None,
    industry: Annotated[Optional[str], typer.Option("--industry", help="行业代码，如 21")] = None,
    region: Annotated[Optional[str], typer.Option("--region", help="地区代码，如 000000")] = None,
    measure: Annotated[Optional[str], typer.Option("--measure", help="计量方式，如 YOY_M")] = None,
    dataflow: Annotated[Optional[str], typer.Option("--dataflow", help="数据流：OFFICIAL、ENTERPRISE、DERIVED")] = None,
    start: Annotated[Optional[str], typer.Option("--start", help="起始期别，如 2020-01")] = None,
    end: Annotated[Optional[str], typer.Option("--end", help="截止期别，如 2025-12")] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="导出某一时点的数据版本")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    with open_store(db) as store:
        result = export_observations(
            store, out, format=format, sdmx_version=sdmx_version, keys=key, as_of=as_of, start=start, end=end,
            indicator=indicator, industry=industry, region=region, measure=measure, dataflow=dataflow,
        )
    if as_json:
        emit_json(result)
    else:
        console.print(f"已导出 {result['observations']} 个观测值（{result['series']} 个序列）到 {result['file']}")
