"""Readers of the real published files used as fixtures by the compute tests (pandas only,
independent of the importer), and checks that they read what PROVENANCE.md describes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"
EFFICIENCY = REAL / "extra" / "htfa_规上工业企业经营效益_全国_Wind_199602-202511.csv"
EXPORT = REAL / "04_htfa_分行业出口交货值_当月及累计_Wind_200201-202512.csv"
RETAIL = REAL / "05_jw_NBS_限上单位商品零售类值_分商品类别_201705-202004.csv"
PROVINCE = REAL / "06_jw_NBS_分省主要工业产品产量_当期值与累计值_201805-202004.csv"


def _wind_column(path: Path, column: str, *, zero_is_missing: bool = True) -> pd.Series:
    frame = pd.read_csv(path, usecols=["指标名称", column])
    frame = frame[frame["指标名称"].astype(str).str.match(r"^\d{4}-\d{2}-\d{2}$")]
    values = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    if zero_is_missing:
        values = values.where(values != 0)
    series = pd.Series(values.to_numpy(), index=frame["指标名称"].astype(str).str[:7].to_numpy())
    return series.sort_index().dropna()


def efficiency(column: str) -> pd.Series:
    """National 规上工业 累计值/累计同比 (Wind), e.g. '中国:营业收入:规模以上工业企业:累计值'."""
    return _wind_column(EFFICIENCY, column)


def export(column: str) -> pd.Series:
    return _wind_column(EXPORT, column)


def export_columns() -> list[str]:
    return list(pd.read_csv(EXPORT, nrows=0).columns[1:])


def retail_pairs() -> dict[str, tuple[pd.Series, pd.Series]]:
    """File 05: commodity class → (当期值, 累计值), 0 read as not published."""
    frame = pd.read_csv(RETAIL)
    periods = [f"{c[:4]}-{c[4:]}" for c in frame.columns[1:]]
    out: dict[str, dict[str, pd.Series]] = {}
    for _, row in frame.iterrows():
        name, _, measure = str(row["指标"]).rpartition("_")
        values = pd.to_numeric(row.iloc[1:], errors="coerce").astype("float64").to_numpy()
        series = pd.Series(values, index=periods).sort_index()
        out.setdefault(name, {})[measure] = series.where(series != 0).dropna()
    return {k: (v["当期值"], v["累计值"]) for k, v in out.items() if "当期值" in v and "累计值" in v}


def province_pairs() -> dict[tuple[str, str], tuple[pd.Series, pd.Series]]:
    """File 06: (省份, 产品) → (当期值, 累计值)."""
    frame = pd.read_csv(PROVINCE)
    periods = [pd.Period(f"{c[:4]}-{c[c.index('年') + 1:-1]}", freq="M").strftime("%Y-%m") for c in frame.columns[2:]]
    out: dict[tuple[str, str], dict[str, pd.Series]] = {}
    for _, row in frame.iterrows():
        name, _, measure = str(row.iloc[1]).rpartition("_")
        values = pd.to_numeric(row.iloc[2:], errors="coerce").astype("float64").to_numpy()
        series = pd.Series(values, index=periods).sort_index()
        out.setdefault((str(row.iloc[0]), name), {})[measure] = series.where(series != 0).dropna()
    return {k: (v["当期值"], v["累计值"]) for k, v in out.items() if "当期值" in v and "累计值" in v}


def test_readers_return_monthly_series():
    revenue = efficiency("中国:营业收入:规模以上工业企业:累计值")
    assert revenue.index.is_monotonic_increasing and revenue.index[0] <= "2017-02"
    assert revenue["2019-12"] > 1e6  # 营业收入 in 亿元, over 100 trillion yuan
    pairs = province_pairs()
    assert len(pairs) > 1000
    monthly, ytd = pairs[("北京", "铁矿石原矿量")]
    assert np.isclose(monthly["2020-04"], 111.38786) and np.isclose(ytd["2020-04"], 460.40684)
    assert len(retail_pairs()) == 20
