"""The `qinggong` command: a root Typer app that mounts one module per verb group."""

from __future__ import annotations

import importlib
import os
import sys
from typing import Optional

import typer
import typer._click.core as click_core
import typer._click.exceptions as click_errors
import typer.rich_utils as rich_utils

from qinggong import __version__
from qinggong.errors import InputError, QinggongError

# Modules that contribute commands, in the order they appear in `qinggong --help`.
COMMAND_MODULES = [
    "info",
    "demo",
    "catalog",
    "series",
    "imports",
    "export",
    "enterprise",
    "compute",
    "monitor",
    "report",
    "plan",
    "serve",
    "user",
]

rich_utils.ARGUMENTS_PANEL_TITLE = "参数"
rich_utils.OPTIONS_PANEL_TITLE = "选项"
rich_utils.COMMANDS_PANEL_TITLE = "命令"
rich_utils.ERRORS_PANEL_TITLE = "错误"
rich_utils.ABORTED_TEXT = "已中止。"
rich_utils.RICH_HELP = "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。"
rich_utils.DEFAULT_STRING = "[默认：{}]"
rich_utils.REQUIRED_LONG_STRING = "[必填]"

# Typer vendors its own click; the help option's text comes from there.
_original_help_option = click_core.Command.get_help_option


def _chinese_help_option(self, ctx):
    option = _original_help_option(self, ctx)
    if option is not None:
        option.help = "显示帮助并退出"
    return option


click_core.Command.get_help_option = _chinese_help_option  # type: ignore[method-assign]

app = typer.Typer(
    name="qinggong",
    help="轻工业稳增长监测预警与调度平台（qinggong）：导入统计数据、计算指标、监测预警、生成运行报告、调度工作方案。",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"qinggong {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Optional[bool] = typer.Option(None, "--version", callback=_version, is_eager=True, help="显示版本并退出"),
    db: Optional[str] = typer.Option(
        None, "--db", help="数据库（对所有子命令生效）：DuckDB 文件路径或 postgresql://…；也可用环境变量 QINGGONG_DB"
    ),
) -> None:
    """轻工业稳增长监测预警与调度平台。"""
    if db:
        # Sub-commands read --db or QINGGONG_DB; a root-level --db is passed on through the latter.
        os.environ["QINGGONG_DB"] = db


for module_name in COMMAND_MODULES:
    importlib.import_module(f"qinggong.cli.{module_name}").register(app)


def usage_message(exc: click_errors.ClickException) -> str:
    """Click's usage errors, in Chinese."""
    if isinstance(exc, click_errors.MissingParameter):
        name = exc.param_hint if isinstance(exc.param_hint, str) else (exc.param.name if exc.param else "")
        if not name and exc.param is not None:
            name = "/".join(getattr(exc.param, "opts", []) or [exc.param.name or ""])
        return f"缺少参数 {name}".strip()
    if isinstance(exc, click_errors.NoSuchOption):
        hint = f"（是否想用 {'、'.join(exc.possibilities)}？）" if exc.possibilities else ""
        return f"没有选项 {exc.option_name}{hint}"
    if isinstance(exc, click_errors.BadParameter):
        name = exc.param_hint if isinstance(exc.param_hint, str) else (exc.param.name if exc.param else "")
        return f"参数 {name} 的值不正确：{exc.message}"
    if isinstance(exc, click_errors.UsageError):
        return f"用法错误：{exc.message}"
    return exc.format_message()


def run() -> None:
    """Entry point: user errors print one Chinese line and exit non-zero, never a traceback."""
    from qinggong.cli.common import emit_json, err_console

    try:
        result = app(standalone_mode=False)
    except InputError as exc:
        if "--json" in sys.argv:
            emit_json({"error": exc.as_dict()})
        err_console.print(f"[bold red]错误：[/]{exc}", highlight=False)
        sys.exit(2)
    except QinggongError as exc:
        if "--json" in sys.argv:
            emit_json({"error": {"message": str(exc)}})
        err_console.print(f"[bold red]错误：[/]{exc}", highlight=False)
        sys.exit(2)
    except click_errors.NoArgsIsHelpError as exc:
        typer.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        sys.exit(0)
    except click_errors.ClickException as exc:
        hint = f"（运行 {exc.ctx.command_path} --help 查看用法）" if getattr(exc, "ctx", None) else ""
        err_console.print(f"[bold red]参数错误：[/]{usage_message(exc)}{hint}", highlight=False)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("已中止。")
        sys.exit(130)
    sys.exit(result if isinstance(result, int) else 0)


if __name__ == "__main__":
    run()
