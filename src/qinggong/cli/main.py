"""The `qinggong` command: a root Typer app that mounts one module per verb group."""

from __future__ import annotations

import importlib
import sys
from typing import Optional

import click
import typer
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

_original_help_option = click.Command.get_help_option


def _chinese_help_option(self: click.Command, ctx: click.Context) -> click.Option | None:
    option = _original_help_option(self, ctx)
    if option is not None:
        option.help = "显示帮助并退出"
    return option


click.Command.get_help_option = _chinese_help_option  # type: ignore[method-assign]

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
) -> None:
    """轻工业稳增长监测预警与调度平台。"""


for module_name in COMMAND_MODULES:
    importlib.import_module(f"qinggong.cli.{module_name}").register(app)


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
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        sys.exit(0)
    except click.ClickException as exc:
        err_console.print(f"[bold red]参数错误：[/]{exc.format_message()}", highlight=False)
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        err_console.print("已中止。")
        sys.exit(130)
    except KeyboardInterrupt:
        err_console.print("已中止。")
        sys.exit(130)
    sys.exit(result if isinstance(result, int) else 0)


if __name__ == "__main__":
    run()
