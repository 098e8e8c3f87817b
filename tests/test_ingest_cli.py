"""`qinggong import` and `qinggong export` as users run them (subprocess, real DuckDB file)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qinggong.cli.main import app

FIX = Path(__file__).parent / "fixtures" / "ingest"
runner = CliRunner()


class Result:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def qg(*args, db):
    """In-process run of the real command (the CLI process start-up costs seconds per call)."""
    result = runner.invoke(app, [*args, "--db", str(db)], catch_exceptions=False)
    return Result(result.exit_code, result.stdout, result.stderr if result.stderr_bytes is not None else "")


def qg_process(*args, db):
    """As a user runs it: exit code and the one-line Chinese error come from cli.main.run."""
    return subprocess.run([sys.executable, "-m", "qinggong.cli.main", *args, "--db", str(db)],
                          capture_output=True, text=True, timeout=180)


def test_import_dry_run_json_then_import_and_export(tmp_path):
    db = tmp_path / "q.duckdb"
    dry = qg("import", str(FIX / "nbs_gbk.csv"), "--dry-run", "--json", db=db)
    assert dry.returncode == 0, dry.stderr
    payload = json.loads(dry.stdout)
    assert payload["dry_run"] and payload["write"]["new_observations"] == 5
    assert payload["files"][0]["unrecognised"][0]["reason"].startswith("无法识别“高技术产业")
    assert {c["change"] for c in payload["changes"]} == {"new"}
    done = qg("import", str(FIX / "nbs_gbk.csv"), db=db)
    assert done.returncode == 0 and "新观测值 5 个" in done.stdout and "未识别的序列" in done.stdout
    out = tmp_path / "x.csv"
    exported = qg("export", "--format", "sdmx-csv", "--sdmx-version", "1.0", "--out", str(out), "--industry", "21", db=db)
    assert exported.returncode == 0 and "已导出 3 个观测值" in exported.stdout
    assert out.read_text(encoding="utf-8").startswith("DATAFLOW,")


@pytest.mark.slow  # one real process: the CLI start-up imports every stage
def test_garbage_exits_non_zero_with_one_chinese_line(tmp_path):
    db = tmp_path / "q.duckdb"
    as_json = qg_process("import", str(FIX / "image.csv"), "--json", db=db)
    assert as_json.returncode == 2
    assert "image.csv" in as_json.stderr and "PNG 图片" in as_json.stderr and "Traceback" not in as_json.stderr
    assert json.loads(as_json.stdout)["error"]["file"] == "image.csv"


def test_rejected_cells_in_json(tmp_path):
    result = qg("import", str(FIX / "long_bad_value.csv"), "--json", db=tmp_path / "q.duckdb")
    assert result.returncode == 0
    rejected = json.loads(result.stdout)["files"][0]["rejected"]
    assert rejected == [{"file": "long_bad_value.csv", "sheet": None, "row": 5, "column": "G", "value": "abc",
                         "reason": "“abc”不是数值"}]


def test_suggest_mapping_writes_a_file(tmp_path):
    target = tmp_path / "m.yaml"
    result = qg("import", str(FIX / "nbs_gbk.csv"), "--suggest-mapping", "--out", str(target), db=tmp_path / "q.duckdb")
    assert result.returncode == 0 and target.is_file()
    assert "家具制造业增加值同比增长(%)" in target.read_text(encoding="utf-8")
