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


def _load_provinces(store, product_name: str, code: str):
    """File 06: 31 provinces' 当期值 (M) of one product as OFFICIAL series; returns the frame of
    provincial values (columns = GB/T 2260 codes)."""
    from qinggong.catalog.names import recognize_region

    from test_compute_data import province_pairs

    columns = {}
    for (region, product), (monthly, _) in province_pairs().items():
        if product == product_name:
            columns[recognize_region(region)] = monthly
    frame = pd.DataFrame(columns).sort_index()
    rows = []
    for region, series in columns.items():
        rows.append(pd.DataFrame({"indicator": "OUTPUT", "industry": "_T", "region": region, "product": code,
                                  "measure": "M", "unit": "T_10K", "period": series.index, "value": series.to_numpy()}))
    store.write_observations(pd.concat(rows), source="file 06")
    return frame


def test_compute_sums_provinces_to_national(store):
    import numpy as np

    from test_compute_data import REAL

    beverages = _load_provinces(store, "饮料", "BEVERAGES")
    yarn = _load_provinces(store, "纱", "YARN")
    assert beverages.shape[1] == 31 and beverages.notna().all().all()
    report = compute(store, "*OUTPUT*", method="native", workers=1)
    # 饮料: all 31 provinces in every month → complete sums, no note
    key = "DERIVED.M.OUTPUT._T.000000.BEVERAGES.M.T_10K"
    obs = store.read_observations([key]).set_index("period")
    assert len(obs) == len(beverages) == 20
    assert np.allclose(obs["value"], beverages.sum(axis=1).reindex(obs.index), rtol=1e-12)
    assert obs["note"].isna().all() and set(obs["status"]) == {"D"}
    assert report.regions[key] == {"provinces": 31, "periods": 20, "complete_periods": 20, "partial_periods": 0}
    assert len(store.series_info(key)["inputs"]) == 31 and "sum_regions" in store.series_info(key)["method"]
    # 纱: 27–28 provinces report (the others produce none) → partial sums, flagged in the note
    key = "DERIVED.M.OUTPUT._T.000000.YARN.M.T_10K"
    obs = store.read_observations([key]).set_index("period")
    assert obs["note"].str.startswith("部分省份合计").all() and report.regions[key]["partial_periods"] == 20
    assert obs.loc["2019-06", "note"] == f"部分省份合计：{int(yarn.loc['2019-06'].notna().sum())}/31 个省份"
    # File 06 has no 全国 row; file 08 has the national 纱产量 (CEIdata): the provincial sum matches it
    national = pd.read_csv(REAL / "08_gkd_CEIdata_月度数据_塑料制品纱产量等_201005-202004.csv", skiprows=[1, 2, 3])
    national = pd.to_numeric(national.set_index("指标")["纱产量_当期"], errors="coerce").dropna()
    common = obs.index.intersection(national.index)
    assert len(common) >= 15
    rel = (obs.loc[common, "value"] / national[common] - 1).abs()
    print(f"纱: provinces vs national (file 08), {len(common)} months, max rel. diff {rel.max():.4f}")
    assert rel.max() < 1e-3  # measured: equal to 4 decimals in all 20 months


def test_enterprise_aggregates_are_not_mixed_into_derived_series(store):
    # The same indicator, industry and measures from 企业直报 (another unit, other values): the
    # DERIVED series come from the official figures alone, and nothing collides.
    _load(store)
    official = store.read_observations(["OFFICIAL.M.PROFIT._T.000000._Z.YTD.CNY_100M",
                                        "OFFICIAL.M.PROFIT._T.000000._Z.YOY_YTD.PCT"])
    enterprise = official[["indicator", "industry", "measure", "unit", "period", "value", "span"]].copy()
    enterprise["value"] = enterprise["value"] * 0.5 + 1.0
    enterprise["unit"] = enterprise["unit"].replace({"CNY_100M": "CNY_10K"})
    store.write_observations(enterprise.assign(dataflow="ENTERPRISE"), source="企业直报")
    report = compute(store, method="native", workers=1)
    assert report.series_read == 2
    implied = store.series_info("DERIVED.M.PROFIT._T.000000._Z.YOY_M_IMPLIED.PCT")
    assert all(key.startswith("OFFICIAL.") for key in implied["inputs"])
