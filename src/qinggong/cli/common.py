"""What every command shares: the --db option, opening the store, JSON and table output."""

from __future__ import annotations

import json
import math
import sys
from datetime import date, datetime
from typing import Annotated, Any, Iterable, Optional

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from qinggong.store import Store

console = Console()
err_console = Console(stderr=True)

DbOption = Annotated[
    Optional[str],
    typer.Option(
        "--db",
        help="数据库：DuckDB 文件路径或 postgresql://用户:口令@主机:端口/库名（默认读取环境变量 QINGGONG_DB）",
        envvar="QINGGONG_DB",
        show_envvar=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="以 JSON 输出（字段名为英文）")]


def open_store(db: str | None, *, read_only: bool = False) -> Store:
    return Store.open(db, read_only=read_only)


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, (datetime, date, pd.Timestamp)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return _jsonable(value.item())
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [_jsonable(row) for row in frame.to_dict(orient="records")]


def emit_json(payload: Any) -> None:
    if isinstance(payload, pd.DataFrame):
        payload = records(payload)
    sys.stdout.write(json.dumps(_jsonable(payload), ensure_ascii=False, indent=2) + "\n")


def emit_table(
    frame: pd.DataFrame | Iterable[dict[str, Any]],
    columns: dict[str, str],
    *,
    title: str | None = None,
    limit: int | None = None,
) -> None:
    """Print rows as a table; `columns` maps field name → Chinese header."""
    rows = records(frame) if isinstance(frame, pd.DataFrame) else list(frame)
    table = Table(title=title, show_lines=False)
    for header in columns.values():
        table.add_column(header)
    shown = rows if limit is None else rows[:limit]
    for row in shown:
        table.add_row(*["" if row.get(c) is None else str(row.get(c)) for c in columns])
    console.print(table)
    if limit is not None and len(rows) > limit:
        console.print(f"（共 {len(rows)} 行，仅显示前 {limit} 行；用 --json 查看全部）")
