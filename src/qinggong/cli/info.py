"""`qinggong info` and `qinggong init`."""

from __future__ import annotations

import shutil

import typer

from qinggong import __version__
from qinggong.cli.common import DbOption, JsonOption, console, emit_json, open_store
from qinggong.config import available_methods
from qinggong.store import describe_url, resolve_db_url


def register(app: typer.Typer) -> None:
    app.command("info", help="显示版本、数据库位置与状态、方法配置版本和系统组件。")(info)
    app.command("init", help="初始化数据库（建表与迁移）；已初始化时只补齐缺少的迁移。")(init)


def info(db: DbOption = None, as_json: JsonOption = False) -> None:
    url = resolve_db_url(db)
    store = open_store(url)
    try:
        payload = {
            "version": __version__,
            "db": describe_url(url),
            "backend": store.backend.name,
            "schema_version": store.schema_version(),
            "counts": store.counts(),
            "methods": available_methods(),
            "x13as": shutil.which("x13as"),
        }
    finally:
        store.close()
    if as_json:
        emit_json(payload)
        return
    console.print(f"[bold]qinggong[/] {payload['version']}")
    console.print(f"数据库：{payload['db']}（{payload['backend']}，架构版本 {payload['schema_version']}）")
    c = payload["counts"]
    console.print(f"序列 {c['series']} 个，观测值 {c['observations']} 条，版本 {c['vintages']} 个，审计记录 {c['audit_records']} 条")
    if payload["methods"]:
        console.print("方法配置：" + "，".join(payload["methods"].values()))
    console.print(f"X-13ARIMA-SEATS：{payload['x13as'] or '未安装（季节调整将使用内置方法）'}")


def init(db: DbOption = None) -> None:
    url = resolve_db_url(db)
    store = open_store(url)
    try:
        version = store.schema_version()
    finally:
        store.close()
    console.print(f"数据库已就绪：{describe_url(url)}（架构版本 {version}）")
