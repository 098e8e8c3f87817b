"""The commands as users run them: `qinggong warn|signals|indices|alerts|cutoffs`, and the demo step."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from test_monitor_data import load_real_va

from qinggong.demo import DemoContext
from qinggong.monitor.service import CONTRACT_FIELDS
from qinggong.store import Store

QG = [sys.executable, "-m", "qinggong.cli.main"]


def qg_process(*args: str, db: str) -> subprocess.CompletedProcess:
    """The command exactly as a user runs it (entry point, exit codes, stderr)."""
    return subprocess.run([*QG, *args, "--db", db], capture_output=True, text=True, timeout=300)


class _Done:
    def __init__(self, result) -> None:
        self.returncode = result.exit_code if result.exception is None or isinstance(result.exception, SystemExit) else 2
        self.stdout = result.stdout
        self.stderr = str(result.exception or "")


def qg(*args: str, db: str) -> _Done:
    """The same Typer app in-process (the real commands; only the interpreter start is saved)."""
    from typer.testing import CliRunner

    from qinggong.cli.main import app

    return _Done(CliRunner().invoke(app, [*args, "--db", db], catch_exceptions=True, terminal_width=200))


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("monitor") / "q.duckdb")
    with Store.open(path) as store:
        load_real_va(store)
    return path


def test_warn_json_contract(db):
    done = qg("warn", "--period", "2025-11", "--json", db=db)
    assert done.returncode == 0, done.stderr
    alerts = json.loads(done.stdout)
    assert alerts and all(list(a) == CONTRACT_FIELDS for a in alerts)
    furniture = [a for a in alerts if a["industry_code"] == "21" and a["rule"] == "growth_negative"][0]
    assert furniture["message"] == "家具制造业增加值当月同比下降11.3%，已连续17个月负增长，降幅较上月扩大2.4个百分点"
    assert furniture["industry_name"] == "家具制造业" and furniture["region_code"] == "000000"
    # the run stored the alerts; the workflow commands act on them
    listed = json.loads(qg("alerts", "list", "--industry", "21", "--rule", "growth_negative", "--json", db=db).stdout)
    assert len(listed) == 1 and listed[0]["status"] == "新"
    alert_id = str(listed[0]["alert_id"])
    done = qg("alerts", "ack", alert_id, "--comment", "已转家具协会", "--actor", "分析员甲", db=db)
    assert done.returncode == 0 and "已知悉" in done.stdout
    history = json.loads(qg("alerts", "history", alert_id, "--json", db=db).stdout)
    assert [h["to_status"] for h in history] == ["新", "已知悉"] and history[1]["actor"] == "分析员甲"
    again = qg("alerts", "ack", alert_id, db=db)
    assert again.returncode == 2 and "不能改为" in again.stderr


@pytest.mark.slow
def test_entry_point_json_and_errors(db):
    done = qg_process("warn", "--period", "2025-11", "--json", "--no-save", db=db)
    assert done.returncode == 0, done.stderr
    assert all(list(a) == CONTRACT_FIELDS for a in json.loads(done.stdout))
    done = qg_process("warn", "--period", "2025-13x", db=db)
    assert done.returncode == 2 and "期别“2025-13x”格式不正确" in done.stderr and "Traceback" not in done.stderr


def test_backtest_command(db):
    done = qg("warn", "--from", "2020-01", "--to", "2020-06", db=db)
    assert done.returncode == 0, done.stderr
    assert "预警回测 2020-01 至 2020-06" in done.stdout and "2020-03" in done.stdout
    as_json = json.loads(qg("warn", "--from", "2020-01", "--to", "2020-06", "--json", db=db).stdout)
    assert {a["period"] for a in as_json} <= {f"2020-0{m}" for m in range(1, 7)}
    assert all(list(a) == CONTRACT_FIELDS for a in as_json)


def test_signals_and_indices_commands(db):
    payload = json.loads(qg("signals", "--period", "2020-02", "--json", db=db).stdout)
    li = [c for c in payload["composite"] if c["industry_code"] == "LI"][0]
    assert li["light"] == "蓝" and payload["method"].startswith("signals@")
    payload = json.loads(qg("indices", "--json", db=db).stdout)
    assert payload["indices"] and payload["turning_points"] and payload["method"].startswith("indices@")
    done = qg("cutoffs", "save", "--label", "v1", "--period", "2025-06", db=db)
    assert done.returncode == 0 and "待审核" in done.stdout


def test_errors_in_process(db):
    done = qg("warn", "--from", "2020-01", db=db)
    assert done.returncode == 2 and "同时给出 --from 和 --to" in done.stderr


def test_demo_step_writes_outputs(db, tmp_path):
    from qinggong.demo.step_monitor import STEP

    logs: list[str] = []
    with Store.open(db) as store:
        files = STEP.run(DemoContext(store=store, out_dir=tmp_path, db_url=db, log=logs.append))
    names = {Path(f).name for f in files}
    assert "预警_2025-11.json" in names and "合成指数.csv" in names
    alerts = json.loads((tmp_path / "monitor" / "预警_2025-11.json").read_text(encoding="utf-8"))
    assert any(a["industry_code"] == "21" for a in alerts)
    assert STEP.order == 60 and logs and "监测预警 2025-11" in logs[0]


def test_demo_step_skips_an_empty_store(tmp_path):
    from qinggong.demo.step_monitor import STEP

    logs: list[str] = []
    with Store.open(str(tmp_path / "empty.duckdb")) as store:
        files = STEP.run(DemoContext(store=store, out_dir=tmp_path, db_url="", log=logs.append))
    assert files == [] and "跳过" in logs[0]
