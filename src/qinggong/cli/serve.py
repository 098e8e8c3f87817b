"""`qinggong serve`: the web dashboard and REST API."""

from __future__ import annotations

import os
from typing import Annotated, Optional

import typer

from qinggong.cli.common import DbOption, console
from qinggong.errors import QinggongError
from qinggong.store import describe_url, is_postgres_url, resolve_db_url


def register(app: typer.Typer) -> None:
    app.command("serve", help="启动网页看板与 REST API（/api/v1，文档见 /api/v1/docs）。DuckDB 单进程，PostgreSQL 可多进程。")(serve)


def serve(
    host: Annotated[str, typer.Option("--host", help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="端口")] = 8000,
    db: DbOption = None,
    workers: Annotated[Optional[int], typer.Option("--workers", help="工作进程数（仅 PostgreSQL；默认按 CPU 数，最多 4）")] = None,
    secure_cookies: Annotated[
        Optional[bool],
        typer.Option("--secure-cookies/--no-secure-cookies", help="会话 Cookie 是否强制 Secure（默认：HTTPS 请求自动加 Secure）"),
    ] = None,
) -> None:
    import uvicorn

    url = resolve_db_url(db)
    postgres = is_postgres_url(url)
    if workers is not None and workers < 1:
        raise QinggongError("--workers 至少为 1")
    if not postgres and workers and workers > 1:
        raise QinggongError("DuckDB 只允许一个写入进程：嵌入式数据库请用单进程（去掉 --workers），多进程请改用 PostgreSQL")
    count = (workers or min(4, os.cpu_count() or 1)) if postgres else 1
    console.print(f"数据库：{describe_url(url)}")
    console.print(f"看板：http://{host}:{port}/   API 文档：http://{host}:{port}/api/v1/docs   进程数：{count}")
    console.print("按 Ctrl+C 停止。")
    if count == 1:
        from qinggong.web.app import create_app
        from qinggong.web.security import WebSettings

        uvicorn.run(create_app(url, settings=WebSettings(secure_cookies=secure_cookies), warm=True), host=host, port=port, log_level="warning", proxy_headers=True)
        return
    os.environ["QINGGONG_DB"] = url
    os.environ["QINGGONG_SECURE_COOKIES"] = "auto" if secure_cookies is None else ("1" if secure_cookies else "0")
    # Migrate once before the workers start, so they do not race on DDL.
    from qinggong.store import Store

    Store.open(url).close()
    uvicorn.run("qinggong.web.app:app_from_env", factory=True, host=host, port=port, workers=count, log_level="warning", proxy_headers=True)
