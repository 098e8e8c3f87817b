"""`compute` on a real store (DuckDB and PostgreSQL) and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd

from qinggong.compute.service import compute
from test_compute_data import efficiency


def _load(store):
    rows = []
    for measure, unit, col in (("YTD", "CNY_100M", "中国:利润总额:规模以上工业企业:累计值"),
                               ("YOY_YTD", "PCT", "中国:利润总额:规模以上工业企业:累计同比")):
        s = efficiency(col).loc["2012-01":]
        rows.append(pd.DataFrame({"indicator": "PROFIT", "industry": "_T", "measure": measure, "unit": unit,
                                  "period": s.index, "value": s.to_numpy(),
                                  "span": [2 if p.endswith("-02") else 1 for p in s.index]}))
    store.write_observations(pd.concat(rows), source="test")


def test_compute_writes_derived_series_with_meta(store):
    _load(store)
    report = compute(store, method="native", workers=1)
    assert report.series_read == 2
    month = store.series_values("DERIVED.M.PROFIT._T.000000._Z.M.CNY_100M")
    ytd = efficiency("中国:利润总额:规模以上工业企业:累计值")
    assert month["2025-08"] == pytest_approx(ytd["2025-08"] - ytd["2025-07"], 1e-6)
    assert store.read_observations(["DERIVED.M.PROFIT._T.000000._Z.M.CNY_100M"]).set_index("period").loc["2025-02", "span"] == 2
    info = store.series_info("DERIVED.M.PROFIT._T.000000._Z.SA.CNY_100M")
    assert info["inputs"] == ["DERIVED.M.PROFIT._T.000000._Z.M.CNY_100M"] and "seasonal@" in info["method"]
    implied = store.series_info("DERIVED.M.PROFIT._T.000000._Z.YOY_M_IMPLIED.PCT")
    assert implied["inputs"] == ["OFFICIAL.M.PROFIT._T.000000._Z.YTD.CNY_100M", "OFFICIAL.M.PROFIT._T.000000._Z.YOY_YTD.PCT"]
    obs = store.read_observations(["DERIVED.M.PROFIT._T.000000._Z.SA.CNY_100M"])
    assert set(obs["status"]) == {"D", "E"}
    assert report.seasonal_methods == {"native": 1}
    # recompute without changes: nothing new; after a revision the derived series get a new vintage
    again = compute(store, method="native", workers=1)
    assert again.new_observations == 0 and again.revised_observations == 0
    store.write_observations(pd.DataFrame({"indicator": ["PROFIT"], "industry": ["_T"], "measure": ["YTD"],
                                           "unit": ["CNY_100M"], "period": ["2025-08"], "value": [47000.0]}),
                             source="revision")
    revised = compute(store, "*PROFIT*", method="native", workers=1)
    assert revised.revised_observations > 0
    history = store.read_observations(["DERIVED.M.PROFIT._T.000000._Z.M.CNY_100M"], history=True)
    assert (history["period"] == "2025-08").sum() == 2


def pytest_approx(value, tol):
    import pytest

    return pytest.approx(value, abs=tol)


def test_cli_compute_json(tmp_path):
    from qinggong.store import Store

    db = str(tmp_path / "cli.duckdb")
    with Store.open(db) as store:
        _load(store)
    out = subprocess.run([sys.executable, "-m", "qinggong.cli.main", "compute", "--db", db, "--method", "native", "--json"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert payload["series_read"] == 2 and payload["derived"]["month_from_ytd"] == 1
    bad = subprocess.run([sys.executable, "-m", "qinggong.cli.main", "compute", "--db", db, "--method", "bogus"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "季节调整方法" in bad.stderr
