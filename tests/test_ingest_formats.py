"""Reading files: encodings, full-width digits, thousands separators, missing markers, XLSX/XLS,
garbage; periods; label recognition. No store needed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qinggong.errors import InputError
from qinggong.ingest.periods import parse_period
from qinggong.ingest.recognize import recognize_label
from qinggong.ingest.service import read_files
from qinggong.ingest.tabular import parse_values, read_sheets

FIX = Path(__file__).parent / "fixtures" / "ingest"


@pytest.mark.parametrize(
    "text, period, span, freq",
    [
        ("2025年10月", "2025-10", 1, "M"),
        ("2025年1-2月", "2025-02", 2, "M"),
        ("２０２５年１－２月", "2025-02", 2, "M"),
        ("202510", "2025-10", 1, "M"),
        ("2025-10-31", "2025-10", 1, "M"),
        ("2025/10/31 00:00:00", "2025-10", 1, "M"),
        ("2025-10", "2025-10", 1, "M"),
        ("2025M10", "2025-10", 1, "M"),
        ("2025年第三季度", "2025-Q3", 1, "Q"),
        ("2025Q1", "2025-Q1", 1, "Q"),
        ("2025", "2025", 1, "A"),
    ],
)
def test_periods(text, period, span, freq):
    p = parse_period(text)
    assert (p.period, p.span, p.freq) == (period, span, freq)


@pytest.mark.parametrize("text", ["指标名称", "202513", "2025-13-01", "频率", "", "注：本表"])
def test_non_periods(text):
    assert parse_period(text) is None


def test_values_fullwidth_thousands_and_missing_markers():
    values, missing, invalid = parse_values(pd.Series(["1,234.5", "１２３４．５", "—", "…", "-", "", "3.5%", "abc", "-0.2", "12 345"]))
    assert values[0] == 1234.5 and values[1] == 1234.5 and values[6] == 3.5 and values[8] == -0.2 and values[9] == 12345
    assert list(missing) == [False, False, True, True, True, True, False, False, False, False]
    assert list(invalid) == [False] * 7 + [True, False, False]
    assert np.isnan(values[7])


@pytest.mark.parametrize("name", ["long_gbk.csv", "long_bom.csv"])
def test_long_csv_in_gbk_and_bom(name):
    obs, reports = read_files([FIX / name])
    assert reports[0].format == "long"
    assert reports[0].encoding == ("gb18030" if "gbk" in name else "utf-8-sig")
    key = "OFFICIAL.M.PROFIT.21.000000._Z.YTD.CNY_100M"
    row = obs[(obs["series_key"] == key) & (obs["period"] == "2025-08")].iloc[0]
    assert row["value"] == 1234.5  # 全角数字 and 千分位
    assert obs[(obs["series_key"] == key) & (obs["period"] == "2025-06")].iloc[0]["status"] == "M"  # “—”
    beijing = obs[obs["series_key"] == "OFFICIAL.M.PROFIT.21.110000._Z.YTD.CNY_100M"].iloc[0]
    assert beijing["value"] == pytest.approx(1.2345)  # 12,345 万元 → 亿元
    merged = obs[obs["series_key"] == "OFFICIAL.M.VA.22.000000._Z.YOY_M.PCT"].set_index("period")
    assert merged.loc["2025-02", "span"] == 2 and merged.loc["2025-02", "value"] == 3.5
    assert merged.loc["2025-03", "status"] == "M"


def test_bad_value_is_rejected_with_row_and_column():
    obs, reports = read_files([FIX / "long_bad_value.csv"])
    rejected = reports[0].rejected
    assert len(rejected) == 1
    r = rejected[0]
    assert (r["file"], r["row"], r["column"], r["value"]) == ("long_bad_value.csv", 5, "G", "abc")
    assert "不是数值" in r["reason"]


def test_nbs_export_gbk_with_header_lines_and_footnotes():
    obs, reports = read_files([FIX / "nbs_gbk.csv"])
    report = reports[0]
    assert report.format == "nbs" and report.profile == "nbs_export"
    assert any(n.startswith("数据来源") for n in report.notes)
    furniture = obs[obs["series_key"] == "OFFICIAL.M.VA.21.000000._Z.YOY_M.PCT"].set_index("period")["value"]
    assert furniture.to_dict() == {"2025-09": -5.2, "2025-10": -8.9, "2025-11": -11.3}
    assert len(obs[obs["series_key"] == "OFFICIAL.M.VA.22.000000._Z.YOY_M.PCT"]) == 2  # the empty cell is not an observation
    unrec = report.unrecognised
    assert len(unrec) == 1 and "高技术产业" in unrec[0]["reason"] and unrec[0]["cells"] == 3


@pytest.mark.parametrize("name", ["wide.xlsx", "wide.xls"])
def test_wide_workbooks(name):
    obs, reports = read_files([FIX / name])
    assert reports[0].format == "wide" and reports[0].profile == "wind" and reports[0].sheets == ["工业"]
    va = obs[obs["series_key"] == "OFFICIAL.M.VA.21.000000._Z.YOY_M.PCT"].set_index("period")
    assert va.loc["2025-11", "value"] == -11.3
    assert va.loc["2025-09", "status"] == "M" and "0" in va.loc["2025-09", "note"]  # Wind's 0
    rev = obs[obs["series_key"] == "OFFICIAL.M.REV.21.000000._Z.YTD.CNY_100M"].set_index("period")
    assert rev.loc["2025-11", "value"] == pytest.approx(592.3)  # 万元 in the unit row → 亿元


@pytest.mark.parametrize(
    "name, words",
    [
        ("empty.csv", "为空"),
        ("image.csv", "PNG 图片"),
        ("truncated.xlsx", "损坏或不完整"),
        ("binary.dat", "二进制"),
    ],
)
def test_garbage_gives_one_clear_error(name, words):
    with pytest.raises(InputError) as info:
        read_sheets(FIX / name)
    assert words in str(info.value) and name in str(info.value)


def test_missing_file():
    with pytest.raises(InputError, match="不存在"):
        read_files([FIX / "no_such_file.csv"])


@pytest.mark.parametrize(
    "label, dims",
    [
        ("中国:工业增加值:规模以上工业企业:家具制造业:当月同比", ("VA", "21", "YOY_M", None)),
        ("规模以上工业增加值_(21_2017)家具制造业_当期同比实际增速", ("VA", "21", "YOY_M", None)),
        ("中国:出口交货值:规模以上工业企业:当月值(1-2月合并)", ("EXPORT", None, "M", "jan_feb_merged")),
        ("农副食品加工业增加值累计增长(%)", ("VA", "13", "YOY_YTD", None)),
        ("规模以上工业企业:利润总额:造纸及纸制品业:累计值", ("PROFIT", "22", "YTD", None)),
        ("中国:PPI:家具制造业:环比", ("PPI", "21", "MOM", None)),
        ("居民消费价格指数(上年同月=100)", ("CPI", None, "IDX_PY", None)),
    ],
)
def test_label_recognition(label, dims):
    rec = recognize_label(label)
    assert rec.ok, rec.reason
    assert (rec.indicator, rec.industry, rec.measure, rec.variant) == dims


def test_unrecognised_label_says_why():
    rec = recognize_label("中国:工业增加值:规模以上工业企业:国有及国有控股企业:当月同比")
    assert not rec.ok and "国有及国有控股企业" in rec.reason


def test_forced_format_that_does_not_fit_is_a_clear_error():
    with pytest.raises(InputError) as info:
        read_files([FIX / "wide.xlsx"], format="long")
    assert "不是长表" in str(info.value) and "wide.xlsx" in str(info.value) and "工作表 工业" in str(info.value)
    with pytest.raises(InputError, match="不是 SDMX-CSV"):
        read_files([FIX / "nbs_gbk.csv"], format="sdmx")
    obs, reports = read_files([FIX / "nbs_gbk.csv"], format="nbs")
    assert reports[0].format == "nbs" and len(obs) == 5
