"""Every real statistics table in ../shared/data/real reads with --format auto, and a handful of
known values (read off the files by hand) come out right, with the Chinese conventions applied."""

from __future__ import annotations

import math

import pytest

from qinggong.errors import InputError
from qinggong.ingest.service import read_files

pytestmark = pytest.mark.slow  # reads every real table once (~20 s in all)

REAL_TABLES = [
    "01_htfa_分行业工业增加值增速_当月同比_Wind_199001-202512.csv",
    "02_htfa_分行业规上工业企业利润总额_累计值_Wind_199602-202508.csv",
    "03_htfa_分行业规上工业企业营业收入_累计值_200302-2025.csv",
    "04_htfa_分行业出口交货值_当月及累计_Wind_200201-202512.csv",
    "05_jw_NBS_限上单位商品零售类值_分商品类别_201705-202004.csv",
    "06_jw_NBS_分省主要工业产品产量_当期值与累计值_201805-202004.csv",
    "07_gkd_NBS导出_分行业工业增加值增速_月度数据_201705-202004.csv",
    "08_gkd_CEIdata_月度数据_塑料制品纱产量等_201005-202004.csv",
    "extra/gkd_CEIdata_分行业工业增加值增速_GBT4754-2017代码_201005-202004.csv",
    "extra/htfa_PPI_分行业_Wind_199610-202512.csv",
    "extra/htfa_规上工业企业经营效益_全国_Wind_199602-202511.csv",
    "extra/htfa_行业生产指标202412_统计局中类数据.csv",
    "extra/htfa_行业生产指标202412_统计局大类数据.csv",
    "extra/jw_NBS_社会消费品零售总额_201705-202004.csv",
    "format_samples/sunshine_NBS导出_分省月度数据_CPI_2020.csv",
    "format_samples/sunshine_NBS导出_月度数据_分类CPI与进出口_201601-202002.csv",
    "extra/htfa_工业分行业属性及权重_2012-2025.csv",
]

_cache: dict[str, tuple] = {}


def read(real_data, name):
    if name not in _cache:
        _cache[name] = read_files([real_data / name])
    return _cache[name]


def obs_at(obs, key, period):
    rows = obs[(obs["series_key"] == key) & (obs["period"] == period)]
    assert len(rows) == 1, f"{key} {period}: {len(rows)} rows"
    return rows.iloc[0]


def value(obs, key, period):
    row = obs_at(obs, key, period)
    assert row["status"] != "M", f"{key} {period} is missing: {row['note']}"
    return row["value"]


@pytest.mark.parametrize("name", REAL_TABLES)
def test_every_real_table_reads_and_lists_what_it_cannot_recognise(real_data, name):
    obs, reports = read(real_data, name)
    report = reports[0]
    assert len(obs) > 0 and report.observations == len(obs)
    # nothing dropped silently: every data cell is an observation, a listed unrecognised series,
    # a rejected cell, or a duplicate of a kept value
    accounted = (report.observations - report.derived + sum(u["cells"] for u in report.unrecognised)
                 + len(report.rejected) + report.duplicates)
    assert accounted >= report.cells
    assert set(obs["status"]) <= {"A", "M", "D"}
    assert not (obs["status"].eq("M") & obs["note"].isna()).any(), "missing values must say why"
    assert not obs.loc[obs["status"] == "M", "value"].notna().any()


def test_file01_wind_value_added(real_data):
    obs, reports = read(real_data, REAL_TABLES[0])
    assert reports[0].profile == "wind"
    assert value(obs, "OFFICIAL.M.VA.21.000000._Z.YOY_M.PCT", "2025-11") == -11.3
    assert value(obs, "OFFICIAL.M.VA.21.000000._Z.YOY_M.PCT", "2025-10") == -8.9
    dec = obs_at(obs, "OFFICIAL.M.VA.21.000000._Z.YOY_M.PCT", "2025-12")  # Wind's 0 = not yet published
    assert dec["status"] == "M" and "0" in dec["note"] and math.isnan(dec["value"])
    jan = obs_at(obs, "OFFICIAL.M.VA.21.000000._Z.YOY_M.PCT", "2025-01")
    assert jan["status"] == "M" and "1月" in jan["note"]
    feb = obs_at(obs, "OFFICIAL.M.VA._T.000000._Z.YOY_M.PCT", "2025-02")  # from the (1-2月合并) column
    assert feb["value"] == 5.9 and feb["span"] == 2 and "1-2月合并" in feb["note"]
    total_jan = obs_at(obs, "OFFICIAL.M.VA._T.000000._Z.YOY_M.PCT", "2025-01")  # 拆分 -11.11 is Wind's split
    assert total_jan["status"] == "M" and "-11.11" in total_jan["note"]
    assert value(obs, "OFFICIAL.M.VA.22.000000._Z.YOY_YTD.PCT", "2025-11") is not None
    labels = {u["label"] for u in reports[0].unrecognised}
    assert "中国:工业增加值:规模以上工业企业:国有及国有控股企业:当月同比" in labels


def test_file02_profit_ytd_and_derived_monthly(real_data):
    obs, _ = read(real_data, REAL_TABLES[1])
    assert value(obs, "OFFICIAL.M.PROFIT.21.000000._Z.YTD.CNY_100M", "2025-08") == 171
    derived = obs_at(obs, "OFFICIAL.M.PROFIT.21.000000._Z.M.CNY_100M", "2025-08")
    assert derived["status"] == "D" and derived["value"] == pytest.approx(171 - 151.9)
    feb = obs_at(obs, "OFFICIAL.M.PROFIT.21.000000._Z.M.CNY_100M", "2025-02")
    assert feb["span"] == 2 and feb["value"] == 34.1 and feb["status"] == "D"


def test_file03_revenue_with_unit_row(real_data):
    obs, _ = read(real_data, REAL_TABLES[2])
    assert value(obs, "OFFICIAL.M.REV.22.000000._Z.YTD.CNY_100M", "2025-03") == 3309.3
    assert value(obs, "OFFICIAL.M.REV.22.000000._Z.YTD.CNY_100M", "2025-02") == 2090.5


def test_file04_export_delivery(real_data):
    obs, _ = read(real_data, REAL_TABLES[3])
    assert value(obs, "OFFICIAL.M.EXPORT.21.000000._Z.YOY_M.PCT", "2025-11") == -9.9
    assert value(obs, "OFFICIAL.M.EXPORT.21.000000._Z.M.CNY_100M", "2025-11") == 116.7
    assert value(obs, "OFFICIAL.M.EXPORT.21.000000._Z.YOY_YTD.PCT", "2025-11") == -8.3
    assert obs_at(obs, "OFFICIAL.M.EXPORT.21.000000._Z.M.CNY_100M", "2025-12")["status"] == "M"


def test_file05_retail_by_commodity_class(real_data):
    obs, _ = read(real_data, REAL_TABLES[4])
    furniture = obs[obs["source_name"] == "家具类商品零售类值_当期值"]
    key = furniture["series_key"].iloc[0]
    assert key.startswith("OFFICIAL.M.RETAIL._Z.000000.") and key.endswith(".M.CNY_100M")
    assert value(obs, key, "2020-04") == 115.3
    assert obs_at(obs, key, "2020-02")["status"] == "M"  # 0: only 1-2月 累计 is published
    ytd = key.replace(".M.CNY_100M", ".YTD.CNY_100M")
    assert value(obs, ytd, "2020-02") == 142


def test_file06_provincial_output(real_data):
    obs, reports = read(real_data, REAL_TABLES[5])
    plastics = obs[(obs["region"] == "440000") & (obs["source_name"] == "塑料制品_当期值")]
    key = plastics["series_key"].iloc[0]
    assert ".OUTPUT._Z.440000." in key and key.endswith(".M.T_10K")
    assert value(obs, key, "2020-04") == pytest.approx(107.68071)
    assert obs_at(obs, key, "2020-01")["status"] == "M"
    paper = obs[(obs["region"] == "330000") & (obs["source_name"] == "机制纸及纸板_累计值")]
    assert value(obs, paper["series_key"].iloc[0], "2020-03") == pytest.approx(288.99526)
    assert any("铁矿石原矿量" in u["label"] for u in reports[0].unrecognised)


def test_file07_nbs_export(real_data):
    obs, reports = read(real_data, REAL_TABLES[6])
    assert reports[0].profile == "nbs_export"
    assert value(obs, "OFFICIAL.M.VA.21.000000._Z.YOY_M.PCT", "2020-04") == -7
    assert value(obs, "OFFICIAL.M.VA.21.000000._Z.YOY_YTD.PCT", "2020-02") == -30.5
    assert value(obs, "OFFICIAL.M.VA.13.000000._Z.YOY_M.PCT", "2020-04") is not None
    # the unlabeled trailing columns are reported cell by cell, not guessed
    assert reports[0].rejected and all("期别" in r["reason"] for r in reports[0].rejected)


def test_file08_ceidata(real_data):
    obs, _ = read(real_data, REAL_TABLES[7])
    plastics = obs[obs["source_name"] == "塑料制品产量_当期"]["series_key"].iloc[0]
    assert plastics.endswith(".M.T_10K")
    assert value(obs, plastics, "2020-03") == 784.49
    assert value(obs, "OFFICIAL.M.VA._T.000000._Z.YOY_M.PCT", "2020-03") == -1.1
    assert value(obs, "OFFICIAL.M.EXPORT._T.000000._Z.M.CNY_100M", "2020-03") == 10307.1


def test_extra_tables(real_data):
    obs, _ = read(real_data, REAL_TABLES[9])
    assert value(obs, "OFFICIAL.M.PPI.21.000000._Z.YOY_M.PCT", "2025-11") == -0.2
    mom = obs_at(obs, "OFFICIAL.M.PPI._T.000000._Z.MOM.PCT", "2025-09")  # 环比 0.0 inside the series is genuine
    assert mom["status"] == "A" and mom["value"] == 0
    tail = obs_at(obs, "OFFICIAL.M.PPI.21.000000._Z.MOM.PCT", "2025-12")  # Wind's trailing 0s are fills
    assert tail["status"] == "M" and "首尾" in tail["note"]
    obs, _ = read(real_data, REAL_TABLES[10])
    assert value(obs, "OFFICIAL.M.PROFIT._T.000000._Z.YTD.CNY_100M", "2025-11") == 66268.6
    obs, reports = read(real_data, REAL_TABLES[8])
    assert reports[0].profile == "ceidata"
    assert len(obs[obs["industry"] == "21"]) > 0
    obs, reports = read(real_data, REAL_TABLES[11])
    assert (obs["period"] == "2024-12").all() and any("文件名" in n for n in reports[0].notes)


def test_format_samples_gbk_nbs_exports(real_data):
    obs, reports = read(real_data, REAL_TABLES[14])
    assert reports[0].encoding == "gb18030"
    assert value(obs, "OFFICIAL.M.CPI._Z.110000._Z.IDX_PY.IDX", "2020-02") == 103.6
    obs, reports = read(real_data, REAL_TABLES[15])
    assert value(obs, "OFFICIAL.M.CPI._Z.000000._Z.IDX_PY.IDX", "2020-02") == 105.2


def test_weights_table_with_year_columns_reads_as_annual_shares(real_data):
    # 权重_2012 … 权重_2025 next to Wind series names ending in 当月同比: the column says these are
    # weights (SHARE), the name says whose; decimals become % without binary noise.
    obs, reports = read(real_data, "extra/htfa_工业分行业属性及权重_2012-2025.csv")
    assert len(obs) == 40 * 7 and reports[0].unrecognised == []
    assert value(obs, "OFFICIAL.A.VA.35.000000._Z.SHARE.PCT", "2025") == 3.6  # 专用设备 0.036
    assert value(obs, "OFFICIAL.A.VA.35.000000._Z.SHARE.PCT", "2012") == 3.2416263  # 0.032416263
    assert value(obs, "OFFICIAL.A.VA.22.000000._Z.SHARE.PCT", "2024") == 0.9  # 造纸 0.009
    assert not obs["measure"].isin(["YOY_M"]).any()
    # The text attribute columns are listed, not dropped silently.
    notes = " ".join(reports[0].notes)
    assert all(f"“{name}”" in notes for name in ("门类", "出口依赖", "上中下游")) and "文字属性" in notes
    # Each year's weights add up to the whole of industry (the file's 40 大类).
    for year in ("2012", "2025"):
        assert abs(obs.loc[obs["period"] == year, "value"].sum() - 100) < 2


def test_table_without_periods_anywhere_is_a_clear_error(tmp_path):
    path = tmp_path / "属性表.csv"
    path.write_text("指标名称,门类,出口依赖\n家具制造业,制造业,高出口依赖\n造纸和纸制品业,制造业,低出口依赖\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_files([path])
    assert "布局" in str(info.value) and "属性表.csv" in str(info.value)
