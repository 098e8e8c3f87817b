"""`qinggong plan …` end to end through the Typer app, on a temporary DuckDB file.

In-process (CliRunner) rather than a subprocess: starting the CLI imports every command module,
which takes seconds; `cli.main.run` turns the InputError seen here into one Chinese line and exit 2."""

from __future__ import annotations

import json

from openpyxl import Workbook
from typer.testing import CliRunner

from qinggong.cli.main import app
from qinggong.errors import InputError


def qg(db, *args):
    return CliRunner().invoke(app, [*args, "--db", str(db)], env={"COLUMNS": "200"})


def test_cli_round_targets_and_imports(tmp_path):
    db = tmp_path / "q.duckdb"
    tasks = json.loads(qg(db, "plan", "tasks", "--json").stdout)
    assert len(tasks["tasks"]) == 15 and len(tasks["safeguards"]) == 3
    opened = qg(db, "plan", "round", "open", "--title", "测试调度", "--period", "2025-11", "--deadline", "2030-12-10",
                "--reporters", "浙江省、广东省", "--tasks", "T01,T02", "--json")
    assert opened.exit_code == 0, opened.output
    rid = str(json.loads(opened.stdout)["round_id"])
    for task in ("T01", "T02"):
        done = qg(db, "plan", "round", "submit", rid, "--reporter", "浙江", "--task", task, "--status", "按进度推进", "--narrative", "进展")
        assert done.exit_code == 0, done.output
    closed = qg(db, "plan", "round", "close", rid)
    assert "广东省（未报送）" in closed.stdout
    refused = qg(db, "plan", "round", "submit", rid, "--reporter", "广东", "--task", "T01", "--status", "按进度推进", "--narrative", "x")
    assert isinstance(refused.exception, InputError) and "关闭，不能再报送" in str(refused.exception)
    book = Workbook()
    for row in [["产区名称", "地区", "行业", "年份", "营业收入（万元）"], ["丁产区", "福建省", "制鞋", 2024, "abc"]]:
        book.active.append(row)
    book.save(tmp_path / "c.xlsx")
    bad = qg(db, "plan", "import-clusters", str(tmp_path / "c.xlsx"))
    assert isinstance(bad.exception, InputError)
    assert "第 2 行" in str(bad.exception) and "营业收入（万元）" in str(bad.exception) and "不是数字" in str(bad.exception)
    status = json.loads(qg(db, "plan", "status", "--json", "--as-of", "2025-12-01").stdout)
    assert [t["target"] for t in status["targets"]] == [300, 10, 10]
    assert status["rounds"][0]["late_names"] == "广东省"
