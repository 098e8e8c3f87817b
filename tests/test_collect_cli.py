"""`qinggong enterprise …` as an enterprise and a provincial reviewer use it, in a subprocess on a
real store: registry import, template, validate, submit, review, aggregate with the public table."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest
from openpyxl import load_workbook

from qinggong.collect import make_credit_code
from qinggong.store import Store

CODES = [make_credit_code("330102", 70 + i) for i in range(3)]


def qinggong(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qinggong.cli.main", *args], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200"}, timeout=180)


def _fill(path, *, with_products: bool) -> None:
    """Fill the template as the three enterprises would: equal revenue, beer output."""
    wb = load_workbook(path)
    ws = wb["月报"]
    header = [c.value for c in ws[1]]
    values = {"营业收入（本月）": 100.0, "营业收入（1-N月累计）": 300.0, "营业成本（本月）": 80.0, "营业成本（1-N月累计）": 240.0,
              "利润总额（本月）": 5.0, "利润总额（1-N月累计）": 15.0, "出口交货值（本月）": 10.0, "出口交货值（1-N月累计）": 30.0,
              "产成品存货（期末）": 50.0, "应收账款（期末）": 120.0, "平均用工人数（本月）": 80, "新订单（本月）": 100.0,
              "新订单（1-N月累计）": 300.0, "说明": "新入统企业，此前无报表"}
    for row in range(2, ws.max_row + 1):
        for col, title in enumerate(header, start=1):
            if title in values:
                ws.cell(row, col).value = values[title]
    if with_products:
        for code in CODES:
            wb["产品产量"].append([code, "2025-03", "啤酒", "千升", 5000, 15000])
    wb.save(path)


@pytest.fixture
def registry_csv(tmp_path):
    path = tmp_path / "名录.csv"
    pd.DataFrame({"统一社会信用代码": CODES, "企业名称": [f"啤酒{i}" for i in range(3)], "行业代码": "1513",
                  "地区代码": "330102", "规模": "小型", "开业日期": "2010-01-01"}).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def test_an_enterprise_month_end_through_the_command_line(tmp_path, registry_csv):
    db = str(tmp_path / "cli.duckdb")
    imported = qinggong("enterprise", "import", str(registry_csv), "--db", db)
    assert imported.returncode == 0, imported.stderr
    assert "已登记 3 家企业" in imported.stdout
    listed = json.loads(qinggong("enterprise", "list", "--region", "330000", "--json", "--db", db).stdout)
    assert sorted(e["credit_code"] for e in listed) == sorted(CODES)

    template = tmp_path / "T.xlsx"
    made = qinggong("enterprise", "template", "--period", "2025-03", "--out", str(template), "--db", db)
    assert made.returncode == 0 and "3 家企业" in made.stdout
    _fill(template, with_products=True)

    checked = qinggong("enterprise", "validate", str(template), "--json", "--db", db)
    report = json.loads(checked.stdout)
    assert report["reports"] == 3
    assert all({"credit_code", "rule_id", "message", "severity"} <= set(f) for f in report["findings"])

    # A template from another month: one Chinese line, exit 2, nothing stored.
    wrong = qinggong("enterprise", "submit", str(template), "--period", "2025-04", "--db", db)
    assert wrong.returncode == 2 and "这是 2025-03 的模板" in wrong.stderr and "Traceback" not in wrong.stderr
    with Store.open(db) as store:
        assert store.backend.scalar("SELECT COUNT(*) FROM enterprise_report") == 0

    sent = qinggong("enterprise", "submit", str(template), "--period", "2025-03", "--json", "--db", db)
    assert sent.returncode == 0, sent.stderr
    assert json.loads(sent.stdout)["reports"] == 3
    for action in ("approve", "confirm"):
        done = qinggong("enterprise", "review", action, "--period", "2025-03", "--db", db)
        assert done.returncode == 0 and "3 份报表" in done.stdout, done.stderr
    shown = json.loads(qinggong("enterprise", "show", CODES[0], "--period", "2025-03", "--json", "--db", db).stdout)
    assert [e["to_status"] for e in shown["events"]] == ["SUBMITTED", "APPROVED", "CONFIRMED"]
    assert [(p["product"], p["unit_name"], p["output_ytd"]) for p in shown["products"]] == [("BEER", "万千升", 1.5)]
    table_view = qinggong("enterprise", "show", CODES[0], "--period", "2025-03", "--db", db)
    assert "主要产品产量" in table_view.stdout and "啤酒" in table_view.stdout

    table = tmp_path / "公开表.csv"
    summary = qinggong("enterprise", "aggregate", "--out", str(table), "--json", "--db", db)
    assert summary.returncode == 0, summary.stderr
    result = json.loads(summary.stdout)
    assert result["products"]["cells"] == 2 and result["unprotected_units"] == 0
    public = pd.read_csv(table, dtype=str)
    assert {"KEY", "TIME_PERIOD", "OBS_VALUE", "CONF_STATUS", "保密说明"} <= set(public.columns)
    # Three equal enterprises: the national light-industry total is publishable, and equals their sum.
    total = public[public["KEY"] == "ENTERPRISE.M.REV.LI.000000._Z.YTD.CNY_10K"].iloc[0]
    assert total["CONF_STATUS"] == "F" and float(total["OBS_VALUE"]) == pytest.approx(900.0)
    products = tmp_path / "产品产量.csv"
    again = qinggong("enterprise", "aggregate", "--out", str(products), "--indicator", "OUTPUT", "--db", db)
    assert again.returncode == 0 and "主要产品产量" in again.stdout, again.stderr
    output = pd.read_csv(products, dtype=str)
    assert set(output["PRODUCT"]) == {"BEER"} and set(output["UNIT_MEASURE"]) == {"KL_10K"}
    empty = qinggong("enterprise", "aggregate", "--out", str(tmp_path / "x.csv"), "--indicator", "REV", "--measure", "EOP",
                     "--db", db)
    assert empty.returncode == 2 and "公开表为空" in empty.stderr
    with Store.open(db) as store:
        beer = store.read_observations(dataflow="ENTERPRISE", indicator="OUTPUT", measure="YTD", region="000000")
    assert beer["product"].tolist() == ["BEER"] and beer["value"].tolist() == [pytest.approx(4.5)]  # 3 × 15,000 千升
