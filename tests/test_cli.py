"""The command line as users meet it: Chinese help, one-line Chinese errors, non-zero exits, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from qinggong.store import Store

KEY = "OFFICIAL.M.VA.21.000000._Z.YOY_M.PCT"


def qinggong(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "qinggong.cli.main", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
        timeout=120,
    )


@pytest.fixture
def filled_db(tmp_path):
    db = str(tmp_path / "cli.duckdb")
    with Store.open(db) as store:
        frame = pd.DataFrame(
            {"indicator": "VA", "industry": "21", "measure": "YOY_M", "unit": "PCT",
             "period": ["2025-10", "2025-11"], "value": [-8.9, -11.3]}
        )
        store.write_observations(frame, source="测试", file_name="t.csv")
    return db


def test_help_is_chinese():
    result = qinggong("--help")
    assert result.returncode == 0
    assert "轻工业稳增长监测预警与调度平台" in result.stdout
    assert "显示帮助并退出" in result.stdout and "Show this message" not in result.stdout


@pytest.mark.parametrize(
    "args, expected",
    [
        (["series", "list", "--indicator", "NOPE"], "未知"),
        (["series", "list", "--industry", "99"], "未知的行业代码"),
        (["series", "show"], "缺少参数"),
        (["catalog", "industries", "--bogus"], "没有选项"),
        (["--db", "mysql://u@h/db", "info"], "不支持的数据库地址"),
        (["--db", "postgresql://nobody:x@127.0.0.1:1/none", "info"], "无法连接 PostgreSQL"),
        (["--db", "/proc/no/such/dir/q.duckdb", "info"], "无法创建数据库目录"),
        (["series", "show", "OFFICIAL.M.VA.99.000000._Z.YOY_M.PCT"], "库中没有序列"),
    ],
)
def test_bad_arguments_give_one_chinese_error(args, expected, tmp_path):
    result = qinggong(*args, env={"QINGGONG_DB": str(tmp_path / "x.duckdb")})
    assert result.returncode != 0
    assert expected in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_info_and_series_show_with_as_of(filled_db):
    info = json.loads(qinggong("--db", filled_db, "info", "--json").stdout)
    assert info["backend"] == "duckdb" and info["counts"]["observations"] == 2
    shown = json.loads(qinggong("series", "show", KEY, "--json", "--db", filled_db).stdout)
    assert shown["label"].startswith("全国 家具制造业")
    assert [o["value"] for o in shown["observations"]] == [-8.9, -11.3]
    listed = json.loads(qinggong("series", "list", "--industry", "21", "--json", "--db", filled_db).stdout)
    assert [s["series_key"] for s in listed] == [KEY]
    before = json.loads(qinggong("series", "show", KEY, "--as-of", "2000-01-01", "--json", "--db", filled_db).stdout)
    assert before["observations"] == []


def test_catalog_light_scope_json_matches_the_standard():
    result = qinggong("catalog", "industries", "--light-only", "--json")
    rows = {r["code"]: r["name"] for r in json.loads(result.stdout)}
    assert rows["21"] == "家具制造业"
    assert rows["22"] == "造纸和纸制品业"
    assert rows["3851"] == "家用制冷电器具制造"
    assert "17" not in rows and "27" not in rows
