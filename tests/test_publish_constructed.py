"""The narrative on a constructed store: the light-industry aggregate against all industry,
revenue, profit and exports in 亿元/万亿元, sign changes, streaks, provinces, and values that
are withheld or missing."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from qinggong.publish import build_release, prepare
from qinggong.publish import release as rel

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "publish"))
import publish_store  # noqa: E402

MONTHS = ["2025-06", "2025-07", "2025-08", "2025-09", "2025-10", "2025-11"]


def _rows(dataflow, indicator, industry, measure, unit, values, region="000000", **extra):
    return [dict(dataflow=dataflow, indicator=indicator, industry=industry, region=region, measure=measure, unit=unit,
                 period=p, value=v, **extra) for p, v in zip(MONTHS[-len(values):], values)]


def _fill(store) -> None:
    rows = []
    rows += _rows("DERIVED", "VA", "LI", "YOY_M", "PCT", [-0.5, 1.0, 2.0, 3.0, 4.1, 5.3])
    rows += _rows("DERIVED", "VA", "LI", "YOY_YTD", "PCT", [3.0, 3.1])
    rows += _rows("OFFICIAL", "VA", "_T", "YOY_M", "PCT", [4.9, 4.8])
    rows += _rows("OFFICIAL", "VA", "_T", "YOY_YTD", "PCT", [6.1, 6.0])
    rows += _rows("DERIVED", "REV", "LI", "YTD", "CNY_100M", [170000.0, 187654.3])
    rows += _rows("DERIVED", "REV", "LI", "YOY_YTD", "PCT", [2.0, 2.5])
    rows += _rows("OFFICIAL", "REV", "_T", "YOY_YTD", "PCT", [1.8, 1.9])
    rows += _rows("DERIVED", "PROFIT", "LI", "YTD", "CNY_100M", [8800.0, 9876.5])
    rows += _rows("DERIVED", "PROFIT", "LI", "YOY_YTD", "PCT", [-5.0, -3.0])
    rows += _rows("DERIVED", "EXPORT", "LI", "M", "CNY_100M", [1480.0, 1500.5])
    rows += _rows("DERIVED", "EXPORT", "LI", "YOY_M", "PCT", [1.0, -2.0])
    rows += _rows("OFFICIAL", "VA", "22", "YOY_M", "PCT", [1.0, 2.4])
    rows += _rows("OFFICIAL", "VA", "21", "YOY_M", "PCT", [-8.9, -11.3], conf_status="D")     # withheld
    rows += _rows("OFFICIAL", "VA", "14", "YOY_M", "PCT", [2.1, None], status="M", note="未发布")  # missing
    for region, value in (("110000", 3.2), ("310000", -1.5), ("440000", 6.0), ("330000", 0.02)):
        rows += _rows("DERIVED", "VA", "LI", "YOY_M", "PCT", [value], region=region)
    rows += _rows("DERIVED", "VA", "LI", "YOY_M", "PCT", [9.9], region="320000", conf_status="A")  # withheld province
    # profit is published a month later: 2025-10 is the newest cumulative figure for 造纸
    rows += [dict(dataflow="OFFICIAL", indicator="PROFIT", industry="22", region="000000", measure=m, unit=u,
                  period="2025-10", value=v) for m, u, v in (("YTD", "CNY_100M", 350.4), ("YOY_YTD", "PCT", 12.3))]
    # 企业直报 aggregates by province, one cell protected by disclosure control (value withheld)
    rows += [dict(dataflow="ENTERPRISE", indicator="REV", industry="LI", region=r, measure="YTD", unit="CNY_100M",
                  period="2025-11", value=v, status=st, conf_status=c)
             for r, v, st, c in (("110000", 1234.5, "A", "F"), ("310000", None, "C", "A"), ("120000", 88.8, "A", "F"))]
    frame = pd.DataFrame(rows)
    for column, default in (("conf_status", "F"), ("status", "A"), ("note", None)):
        if column not in frame:
            frame[column] = default
        frame[column] = frame[column].where(frame[column].notna(), default)
    frame["product"] = "_Z"
    store.write_observations(frame, source="constructed", action="test")


@pytest.fixture
def report(store, tmp_path, monkeypatch):
    publish_store.report_config_override(tmp_path / "config", monkeypatch)
    _fill(store)
    return prepare(store, "2025-11")


def _text(narrative) -> str:
    return "".join(s.text for sec in narrative.sections for p in sec.paragraphs for s in p.sentences)


def test_light_industry_against_all_industry(report):
    model, narrative = report
    text = _text(narrative)
    assert "11月，规模以上轻工业增加值同比增长5.3%，增速较上月加快1.2个百分点，高于全部规模以上工业0.5个百分点。" in text
    assert "1—11月，规模以上轻工业增加值同比增长3.1%，增速较1—10月加快0.1个百分点，低于全部规模以上工业2.9个百分点。" in text
    assert "规模以上轻工业增加值当月增速已连续5个月保持增长。" in text
    assert ("1—11月，规模以上轻工企业实现营业收入18.77万亿元，同比增长2.5%，增速较1—10月加快0.5个百分点，"
            "高于全部规模以上工业0.6个百分点。") in text
    assert "1—11月，规模以上轻工企业实现利润总额9876.5亿元，同比下降3.0%，降幅较1—10月收窄2.0个百分点。" in text
    assert "11月，规模以上轻工业完成出口交货值1500.5亿元，同比下降2.0%，增速由正转负（上月为增长1.0%）。" in text
    assert [h.text for h in narrative.headline] == ["5.3%", "3.1%", "2.5%", "-3.0%", "-2.0%"]
    assert all(h.subject == "规模以上轻工业" for h in narrative.headline)
    assert not any("LI" in note for note in narrative.notes)


def test_withheld_and_missing_values_are_not_mentioned(report):
    model, narrative = report
    text = _text(narrative)
    assert [code for code, _ in model.sectors] == ["22"]          # 21 withheld, 14 missing
    assert "家具" not in text and "11.3" not in text and "食品制造" not in text
    assert "造纸和纸制品业增加值同比增长2.4%，增速较上月加快1.4个百分点。1—10月实现利润总额350.4亿元，同比增长12.3%。" in text
    cells = {(c.fact.industry, c.fact.region): c.flag for c in rel.suppressed_cells(model)}
    assert cells[("21", "000000")] == "D" and cells[("14", "000000")] == "M" and cells[("LI", "320000")] == "A"


def test_regions(report):
    model, narrative = report
    section = next(s for s in narrative.sections if s.title == "地区运行情况")
    text = "".join(s.text for p in section.paragraphs for s in p.sentences)
    assert "有数据的4个地区中，2个地区规模以上轻工业增加值同比增长，1个地区同比下降。" in text  # 0.02 shows as 持平
    assert "增速居前的有广东省（增长6.0%）、北京市（增长3.2%）。" in text
    assert "降幅较大的有上海市（下降1.5%）。" in text
    assert "9.9" not in text and "江苏" not in text
    assert [row[0] for row in section.tables[0].rows] == ["北京市", "上海市", "浙江省", "广东省"]


def test_release_regions_include_enterprise_aggregates_with_flags(report, store, tmp_path):
    import csv

    (flat,) = build_release(store, "2025-11", "csv", tmp_path)
    rows = list(csv.reader(open(flat, encoding="utf-8-sig")))
    start = next(i for i, r in enumerate(rows) if r and r[0].startswith("表2"))
    header = rows[start + 1]
    regions = {r[0]: dict(zip(header, r)) for r in rows[start + 2:] if r}
    rev = "营业收入累计(亿元)"
    assert regions["110000"][rev] == "1234.5" and regions["110000"][rev + "_标志"] == ""
    assert regions["310000"][rev] == "" and regions["310000"][rev + "_标志"] == "A"
    assert regions["320000"]["增加值当月同比(%)"] == "" and regions["320000"]["增加值当月同比(%)_标志"] == "A"
    assert regions["120000"][rev] == "88.8"
    # the narrative reads OFFICIAL/DERIVED only: 企业直报 aggregates are not in the text
    _, narrative = report
    assert "1234.5" not in _text(narrative) and "天津" not in _text(narrative)


def test_subheadings_are_numbered_without_gaps(store, tmp_path, monkeypatch):
    """Without revenue or profit the export part follows production as （二）, not （三）."""
    publish_store.report_config_override(tmp_path / "config", monkeypatch)
    rows = _rows("DERIVED", "VA", "LI", "YOY_M", "PCT", [1.0, 2.0])
    rows += _rows("DERIVED", "EXPORT", "LI", "M", "CNY_100M", [1480.0, 1500.5])
    frame = pd.DataFrame(rows)
    frame["product"] = "_Z"
    store.write_observations(frame, source="constructed", action="test")
    _, narrative = prepare(store, "2025-11")
    overall = narrative.sections[0]
    assert [p.heading for p in overall.paragraphs if p.heading] == ["（一）生产情况", "（二）出口情况"]
