"""`qinggong series list|show`: browse what is stored."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from qinggong.cli.common import DbOption, JsonOption, console, emit_json, emit_table, open_store
from qinggong.store.browse import describe_series, find_series

series_app = typer.Typer(help="浏览已入库的序列及其观测值、版本。", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(series_app, name="series")


@series_app.command("list", help="列出序列，可按指标、行业、地区、计量方式筛选。")
def list_series(
    indicator: Annotated[Optional[str], typer.Option("--indicator", help="指标代码，如 VA、REV、PROFIT")] = None,
    industry: Annotated[Optional[str], typer.Option("--industry", help="行业代码（GB/T 4754），如 21")] = None,
    region: Annotated[Optional[str], typer.Option("--region", help="地区代码（GB/T 2260），如 000000")] = None,
    measure: Annotated[Optional[str], typer.Option("--measure", help="计量方式，如 YOY_M、YTD")] = None,
    dataflow: Annotated[Optional[str], typer.Option("--dataflow", help="数据流：OFFICIAL、ENTERPRISE、DERIVED")] = None,
    search: Annotated[Optional[str], typer.Option("--search", help="在序列键和来源名称中搜索")] = None,
    limit: Annotated[int, typer.Option("--limit", help="表格最多显示的行数")] = 50,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    with open_store(db) as store:
        frame = find_series(
            store, indicator=indicator, industry=industry, region=region, measure=measure, dataflow=dataflow, search=search
        )
    if as_json:
        emit_json(frame)
        return
    if frame.empty:
        console.print("没有符合条件的序列。")
        return
    emit_table(
        frame,
        {"series_key": "序列键", "label": "名称", "first_period": "起", "last_period": "止", "periods": "期数"},
        title=f"序列（{len(frame)} 个）",
        limit=limit,
    )


@series_app.command("show", help="显示一个序列的观测值；--as-of 查看某一时点的数据版本。")
def show_series(
    key: Annotated[str, typer.Argument(help="序列键，如 OFFICIAL.M.VA.21.000000._Z.YOY_M.PCT")],
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="时点（日期或时间，UTC），返回当时的最新版本")] = None,
    history: Annotated[bool, typer.Option("--history", help="列出每个观测值的全部版本")] = False,
    limit: Annotated[int, typer.Option("--limit", help="表格最多显示的期数（最新的在前）")] = 36,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    with open_store(db) as store:
        payload = describe_series(store, key, as_of=as_of, history=history)
    if as_json:
        emit_json(payload)
        return
    console.print(f"[bold]{payload['label']}[/]")
    console.print(f"序列键：{payload['series_key']}")
    if payload.get("source_name"):
        console.print(f"来源名称：{payload['source_name']}")
    if payload.get("method"):
        console.print(f"方法：{payload['method']}")
    rows = list(reversed(payload["observations"]))
    emit_table(
        rows,
        {"period_label": "期别", "value": "数值", "status_label": "状态", "vintage_id": "版本", "vintage_at": "入库时间", "note": "说明"},
        limit=limit,
    )
