"""`qinggong user`: web accounts (add, list, passwd, disable, enable)."""

from __future__ import annotations

import os
from typing import Annotated, Optional

import typer

from qinggong.cli.common import DbOption, JsonOption, console, emit_json, emit_table, open_store

user_app = typer.Typer(help="网页与 API 账户：新建、列出、改口令、停用。", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")


def _password(given: str | None, *, confirm: bool = True) -> str:
    if given:
        return given
    env = os.environ.get("QINGGONG_PASSWORD")
    if env:
        return env
    return typer.prompt("口令", hide_input=True, confirmation_prompt=confirm and "再次输入口令")


@user_app.command("add", help="新建账户。角色：admin 管理员、analyst 部级分析员、province 省级用户、association 协会用户、enterprise 企业用户、readonly 只读。")
def add(
    username: Annotated[str, typer.Argument(help="用户名")],
    role: Annotated[str, typer.Option("--role", help="角色代码或中文名称")],
    region: Annotated[Optional[str], typer.Option("--region", help="省级用户的省级行政区划代码，如 440000")] = None,
    sector: Annotated[Optional[list[str]], typer.Option("--sector", help="协会用户的行业代码（可重复），如 --sector 21 --sector LI_FURN")] = None,
    enterprise: Annotated[Optional[str], typer.Option("--enterprise", help="企业用户的企业标识（统一社会信用代码）")] = None,
    name: Annotated[Optional[str], typer.Option("--name", help="显示名称")] = None,
    password: Annotated[Optional[str], typer.Option("--password", help="口令（不给则交互输入或读取 QINGGONG_PASSWORD）")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    from qinggong.web import auth

    secret = _password(password)
    with open_store(db) as store:
        user = auth.create_user(
            store, username, secret, role, region=region, sectors=sector, enterprise_id=enterprise, display_name=name, actor=None
        )
    if as_json:
        emit_json(user.as_dict())
    else:
        console.print(f"已新建用户 {user.username}（{user.role_name}）")


@user_app.command("list", help="列出账户。")
def list_(db: DbOption = None, as_json: JsonOption = False) -> None:
    from qinggong.web import auth

    with open_store(db) as store:
        users = [u.as_dict() for u in auth.list_users(store)]
    if as_json:
        emit_json(users)
        return
    for u in users:
        u["scope"] = u["region"] or "、".join(u["sectors"]) or u["enterprise_id"] or "全部"
        u["state"] = "启用" if u["active"] else "停用"
    emit_table(users, {"username": "用户名", "display_name": "名称", "role_name": "角色", "scope": "范围", "state": "状态"}, title="账户")


@user_app.command("passwd", help="修改口令（同时结束该用户所有已登录会话）。")
def passwd(
    username: Annotated[str, typer.Argument(help="用户名")],
    password: Annotated[Optional[str], typer.Option("--password", help="新口令（不给则交互输入或读取 QINGGONG_PASSWORD）")] = None,
    db: DbOption = None,
) -> None:
    from qinggong.web import auth

    secret = _password(password)
    with open_store(db) as store:
        auth.set_password(store, username, secret)
    console.print(f"已修改用户 {username} 的口令")


@user_app.command("disable", help="停用账户（结束其会话并吊销其 API 令牌）。")
def disable(username: Annotated[str, typer.Argument(help="用户名")], db: DbOption = None) -> None:
    from qinggong.web import auth

    with open_store(db) as store:
        auth.set_active(store, username, False)
    console.print(f"已停用用户 {username}")


@user_app.command("enable", help="重新启用账户。")
def enable(username: Annotated[str, typer.Argument(help="用户名")], db: DbOption = None) -> None:
    from qinggong.web import auth

    with open_store(db) as store:
        auth.set_active(store, username, True)
    console.print(f"已启用用户 {username}")
