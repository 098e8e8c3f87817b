"""Reference catalogs: GB/T 4754-2017 tree, light scope, regions, indicators, units, products,
name recognition against the spellings in the real files, and the `catalog` CLI."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qinggong import catalog
from qinggong.catalog import (
    IncompatibleUnitsError,
    ancestors,
    canonical_code,
    children,
    convert,
    descendants,
    industries,
    is_within,
    industry,
    light_scope,
    recognize_indicator,
    recognize_industry,
    recognize_product,
    recognize_region,
    recognize_unit,
)
from qinggong.cli.catalog import app
from qinggong.errors import QinggongError, UnknownCodeError

# The layout is /work/main (this repository) next to /work/shared (shared real data).
REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"
needs_real = pytest.mark.skipif(not REAL.is_dir(), reason=f"real data directory {REAL} is not present")

# Header tokens in the real files that are measures, ownership types or the country: not industries.
NON_INDUSTRY_TOKENS = {
    "中国", "当月同比", "当月同比(1-2月拆分)", "当月同比(1-2月合并)", "当月值", "当月值(1-2月合并)",
    "累计值", "累计同比", "环比", "定基指数", "季调", "Wind季调", "当期同比实际增速", "累计同比实际增速",
    "上年同期", "上年同期累计值", "同比", "当季同比",
    "国有及国有控股企业", "国有控股企业", "股份制企业", "私营企业", "外商及港澳台投资企业",
    "外商及港澳台商企业", "外商及港澳台商投资企业",
}  # fmt: skip
# Groupings that occur in the headers but have no single code; recognize_industry must say None.
EXPECTED_UNMAPPED = {
    "高技术产业", "装备制造业", "消费品制造业", "电子信息制造业",
    "冶金工业", "煤炭及炼焦工业", "石油工业", "化学工业", "机械工业", "建筑材料工业", "其他工业",
    "生产资料", "生活资料", "采掘工业", "原材料工业", "加工工业", "食品类", "衣着类", "一般日用品类", "耐用消费品类",
}  # fmt: skip
HEADER_FILES = [
    "01_htfa_分行业工业增加值增速_当月同比_Wind_199001-202512.csv",
    "02_htfa_分行业规上工业企业利润总额_累计值_Wind_199602-202508.csv",
    "03_htfa_分行业规上工业企业营业收入_累计值_200302-2025.csv",
    "04_htfa_分行业出口交货值_当月及累计_Wind_200201-202512.csv",
    "extra/htfa_PPI_分行业_Wind_199610-202512.csv",
    "extra/gkd_CEIdata_分行业工业增加值增速_GBT4754-2017代码_201005-202004.csv",
    "extra/htfa_规上工业企业经营效益_全国_Wind_199602-202511.csv",
]


def _read_rows(relative: str) -> list[list[str]]:
    with open(REAL / relative, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def _header_tokens() -> set[str]:
    """Column names split on `:` and `_`, except the `_` inside a CEIdata `(21_2017)` prefix."""
    tokens: set[str] = set()
    for relative in HEADER_FILES:
        for column in _read_rows(relative)[0][1:]:
            for part in column.split(":"):
                tokens.update(t.strip() for t in re.split(r"_(?![^()]*\))", part) if t.strip())
    # file 07 (data.stats.gov.cn export) carries the industry in the row label
    for row in _read_rows("07_gkd_NBS导出_分行业工业增加值增速_月度数据_201705-202004.csv"):
        match = re.match(r"^(.*)增加值(?:同比|累计)增长\(%\)$", row[0]) if row else None
        if match:
            tokens.add(match.group(1))
    return tokens


# -- GB/T 4754-2017 ---------------------------------------------------------------------------


def test_level_counts_match_the_standard() -> None:
    counts = industries()["level"].value_counts().to_dict()
    assert counts == {"门类": 20, "大类": 97, "中类": 473, "小类": 1382}


@pytest.mark.parametrize(
    ("code", "name", "level"),
    [
        ("C", "制造业", "门类"),
        ("13", "农副食品加工业", "大类"),
        ("19", "皮革、毛皮、羽毛及其制品和制鞋业", "大类"),
        ("21", "家具制造业", "大类"),
        ("22", "造纸和纸制品业", "大类"),
        ("24", "文教、工美、体育和娱乐用品制造业", "大类"),
        ("292", "塑料制品业", "中类"),
        ("385", "家用电力器具制造", "中类"),
        ("2110", "木质家具制造", "小类"),
        ("3851", "家用制冷电器具制造", "小类"),
        ("3587", "眼镜制造", "小类"),
        ("4030", "钟表与计时仪器制造", "小类"),
        ("1030", "采盐", "小类"),
    ],
)
def test_names_match_the_standard(code: str, name: str, level: str) -> None:
    node = industry(code)
    assert (node.name, node.level) == (name, level)


def test_tree_navigation() -> None:
    assert [c.code for c in children("21")] == ["211", "212", "213", "214", "219"]
    assert [a.code for a in ancestors("2110")] == ["211", "21", "C"]
    assert ancestors("C") == []
    assert industry("21").parent == "C" and industry("C").parent is None
    paper = [d.code for d in descendants("22", level="小类")]
    assert paper == ["2211", "2212", "2221", "2222", "2223", "2231", "2239"]
    frame = industries()
    assert frame["code"].is_unique
    parents = set(frame["parent"].dropna())
    assert parents <= set(frame["code"])


def test_unknown_industry_code_raises_chinese_error() -> None:
    with pytest.raises(UnknownCodeError, match="未知的行业代码：99（GB/T 4754-2017 中没有该代码）"):
        industry("99")
    with pytest.raises(UnknownCodeError):
        children("2999")


@pytest.mark.parametrize(
    ("code", "canonical"),
    [("103", "1030"), ("1030", "1030"), ("403", "4030"), ("211", "2110"), ("12", "12"), ("120", "12"), ("1200", "12"), ("292", "292"), ("C", "C")],
)
def test_canonical_code_merges_single_child_chains(code: str, canonical: str) -> None:
    assert canonical_code(code) == canonical


# -- light scope ------------------------------------------------------------------------------


def test_light_only_set() -> None:
    frame = industries()
    light = set(frame.loc[frame["light"], "code"])
    assert {"21", "22", "19", "24", "292", "385", "384", "387", "13", "14", "15", "2110", "1030", "3587", "4030"} <= light
    assert not {"17", "18", "27", "291", "3951", "C", "20", "30", "38", "23", "16"} & light


def test_is_light_rules() -> None:
    scope = light_scope()
    assert scope.is_light("103")  # its only 小类 1030 is listed
    assert scope.is_light("2923")  # a 小类 inside light 中类 292
    assert not scope.is_light("29")  # only partly light
    assert not scope.is_light("20")  # 201/202 uncertain …
    assert scope.is_light("20", include_uncertain=True)  # … unless asked
    assert scope.is_light("LI") and scope.is_light("LI_HOUSEHOLD_APPLIANCES") and not scope.is_light("_T")
    with pytest.raises(UnknownCodeError):
        scope.is_light("99")


def test_scope_metadata_and_sectors() -> None:
    scope = light_scope()
    assert scope.version and "CNLIF" in scope.source["classification"]
    assert {c.certainty for c in scope.codes} == {"confirmed", "inferred", "uncertain"}
    expected = {
        "家具", "家用电器", "玩具", "皮革、毛皮、羽毛及制鞋", "造纸和纸制品", "塑料制品", "日用化学品", "农副食品加工",
        "食品制造", "酒、饮料和精制茶", "文教、工美、体育和娱乐用品", "照明器具", "自行车和电动自行车", "钟表", "眼镜",
        "乐器", "日用陶瓷", "日用五金", "电池", "木、竹、藤、棕、草制品", "日用玻璃", "缝制机械",
    }  # fmt: skip
    assert expected <= {s.name for s in scope.sectors}
    for sector in scope.sectors:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", sector.id)
        wanted = sector.codes[0] if len(sector.codes) == 1 else f"LI_{sector.id.upper()}"
        assert sector.series_code == wanted
        assert all(scope.is_light(code) for code in sector.codes), sector.id
    key_industries = {k for s in scope.sectors for k in s.key_industries}
    assert len(key_industries) == 25  # 中国轻工业信息中心 25 重点行业, each mapped
    assert {a.code for a in scope.aggregates} == {"_T", "LI"}


def test_sector_for_picks_the_most_specific_sector() -> None:
    scope = light_scope()
    assert scope.sector_for("1340").id == "sugar"
    assert scope.sector_for("13").id == "agrifood_processing"
    assert scope.sector_for("3851").id == "household_appliances"
    assert scope.sector_for("403").id == "clocks"
    assert scope.sector_for("LI_FOOD").id == "food"
    assert scope.sector_for("20") is None and scope.sector_for("38") is None


def test_aggregate_codes_do_not_overlap() -> None:
    codes = light_scope().aggregate_codes(include_uncertain=True)
    for code in codes:
        assert not any(a.code in codes for a in ancestors(code)), code
    assert "201" not in light_scope().aggregate_codes()


def test_industry_name_covers_aggregates() -> None:
    assert catalog.industry_name("_T") == "全部规模以上工业"
    assert catalog.industry_name("LI") == "轻工业"
    assert catalog.industry_name("LI_HOUSEHOLD_APPLIANCES") == "家用电器"
    assert catalog.industry_name("21") == "家具制造业"


# -- recognition ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("家具制造业", "21"),
        ("造纸及纸制品业", "22"),
        ("木材加工及木、竹、藤、棕、草制品业", "20"),
        ("文教体育用品制造业", "24"),
        ("文教艺术用品工业", "24"),
        ("化学原料及化学制品制造业", "26"),
        ("有色金属冶炼及压延加工业", "32"),
        ("电气机械及器材制造业", "38"),
        ("印刷和记录媒介的复制业", "23"),
        ("印刷业和记录媒介的复制", "23"),
        ("电力、热力的生产和供应业", "44"),
        ("电力、燃气及水的生产和供应业", "D"),
        ("(21_2017)家具制造业", "21"),
        ("（22_2017）造纸和纸制品业", "22"),
        ("制造业", "C"),
        ("采矿业", "B"),
        ("规模以上工业企业", "_T"),
        ("工业", "_T"),
        ("轻工业", "LI"),
        ("开采辅助活动", "11"),
        ("采盐", "1030"),
        ("其他采矿业", "12"),
        ("羽毛(绒)加工及制品制造", "194"),
        (" 石油、煤炭及其他燃料加工业 ", "25"),
        ("家具", "21"),
        ("家电", "LI_HOUSEHOLD_APPLIANCES"),
        ("21", "21"),
        ("0600", "06"),
        ("2110", "2110"),
    ],
)
def test_recognize_industry(text: str, code: str) -> None:
    assert recognize_industry(text) == code


@pytest.mark.parametrize("text", ["家俱制造业", "高技术产业", "冶金工业", "", "foo", "99"])
def test_recognize_industry_does_not_guess(text: str) -> None:
    assert recognize_industry(text) is None


@needs_real
def test_every_real_industry_spelling_resolves() -> None:
    unresolved: set[str] = set()
    for token in _header_tokens() - NON_INDUSTRY_TOKENS:
        if recognize_indicator(token) is not None:
            continue
        if recognize_industry(token) is None:
            unresolved.add(token)
    assert unresolved == EXPECTED_UNMAPPED
    documented = {g.name for g in catalog.industry_groupings()}
    assert EXPECTED_UNMAPPED <= documented


@needs_real
def test_nbs_padded_codes_agree_with_names() -> None:
    """NBS 中类 tables print 4-digit codes (1310 = 中类 131); code and name must meet."""
    rows = _read_rows("extra/htfa_行业生产指标202412_统计局中类数据.csv")[1:]
    checked = 0
    for row in rows:
        code, name = row[1].strip(), row[3].strip()
        if not code:
            continue
        resolved = recognize_industry(code)
        assert resolved is not None, code
        from_name = recognize_industry(name)
        assert from_name is not None, name
        # the same code, or the name is shared with an ancestor (燃气生产和供应业 is 45 and 451)
        assert from_name == resolved or is_within(resolved, from_name), row
        checked += 1
    assert checked > 200


# -- regions ----------------------------------------------------------------------------------


def test_regions() -> None:
    frame = catalog.regions()
    assert len(frame) == 32
    assert (frame["level"] == "province").sum() == 31
    assert catalog.region("000000").name == "全国"
    assert catalog.region("450000").short_name == "广西"
    assert catalog.region("650000").short_name == "新疆"
    with pytest.raises(UnknownCodeError, match="未知的地区代码"):
        catalog.region("990000")
    for text in ("北京", "北京市", "110000", "11"):
        assert recognize_region(text) == "110000"
    assert recognize_region("内蒙古") == "150000"
    assert recognize_region("全国") == "000000"
    assert recognize_region("香港") is None


@needs_real
def test_every_province_in_the_output_file_resolves() -> None:
    names = {row[0] for row in _read_rows("06_jw_NBS_分省主要工业产品产量_当期值与累计值_201805-202004.csv")[1:]}
    codes = {recognize_region(name) for name in names}
    assert None not in codes and len(codes) == 31


# -- indicators -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("工业增加值", "VA"),
        ("规模以上工业增加值", "VA"),
        ("增加值", "VA"),
        ("营业收入", "REV"),
        ("主营业务收入", "REV"),
        ("营业成本", "COST"),
        ("利润总额", "PROFIT"),
        ("出口交货值", "EXPORT"),
        ("规模以上工业企业出口交货值", "EXPORT"),
        ("商品零售类值", "RETAIL"),
        ("零售额", "RETAIL"),
        ("社会消费品零售总额", "RETAIL_TOTAL"),
        ("产量", "OUTPUT"),
        ("PPI", "PPI"),
        ("工业生产者出厂价格指数", "PPI"),
        ("CPI", "CPI"),
        ("产成品存货", "INVENTORY"),
        ("存货", "INVENTORY_TOTAL"),
        ("应收账款", "RECEIVABLE"),
        ("平均用工人数", "EMPLOYMENT"),
        ("新订单", "ORDERS"),
        ("企业单位数", "ENTERPRISES"),
        ("亏损企业数", "LOSS_MAKERS"),
        ("资产总计", "ASSETS"),
        ("负债", "LIABILITIES"),
        ("出口总值", "EXPORT_CUSTOMS"),
        ("产销率", "SALES_RATIO"),
    ],
)
def test_recognize_indicator(text: str, code: str) -> None:
    assert recognize_indicator(text) == code


def test_indicator_metadata() -> None:
    va, profit = catalog.indicator("VA"), catalog.indicator("PROFIT")
    assert va.january == "combined_jan_feb" and va.aggregation == "weighted_growth"
    assert profit.january == "exempt" and profit.unit == "CNY_100M" and "YTD" in profit.measures
    units = catalog.indicators()["unit"]
    assert units.isna().sum() == 1  # OUTPUT: the unit depends on the product
    for code in units.dropna():
        catalog.unit(code)
    with pytest.raises(UnknownCodeError, match="未知的指标代码"):
        catalog.indicator("NOPE")


# -- units ------------------------------------------------------------------------------------


def test_unit_conversion() -> None:
    assert convert(1, "亿元", "万元") == 10000
    assert convert(1, "CNY_100M", "CNY_10K") == 10000
    assert convert(3, "万吨", "吨") == 30000
    assert convert(2500, "吨", "万吨") == 0.25
    assert convert(1, "亿美元", "千美元") == 100000
    assert convert(1, "万千升", "千升") == 10000


def test_rounded_sums_are_the_exact_decimal_sums() -> None:
    from decimal import Decimal

    import numpy as np

    from qinggong.catalog.units import round_significant, scale_values

    rng = np.random.default_rng(7)
    for decimals, size in ((1, 1e6), (4, 100.0)):  # 万元 with 1 decimal; outputs in 万吨 with 4
        figures = np.round(rng.uniform(0, size, size=(2000, 12)), decimals)
        sums = figures.sum(axis=1)
        exact = np.array([float(sum(Decimal(repr(float(x))) for x in row)) for row in figures])
        assert (sums != exact).any()  # the float sums carry noise …
        assert (round_significant(sums) == exact).all()  # … which rounding removes, and nothing else
    assert repr(float(round_significant(np.array([213277.29999999996]))[0])) == "213277.3"
    assert round_significant(np.array([0.0, np.nan, -0.30000000000000004])).tolist()[::2] == [0.0, -0.3]
    assert scale_values(np.array([0.036, 2.5]), np.array([100.0, 1.0])).tolist() == [3.6, 2.5]


def test_incompatible_units_raise_chinese_error() -> None:
    with pytest.raises(IncompatibleUnitsError, match="量纲不同"):
        convert(1, "亿元", "万吨")
    with pytest.raises(QinggongError):
        convert(1, "万台", "件")  # different 量词
    with pytest.raises(UnknownCodeError):
        convert(1, "亿元", "斤两")


@pytest.mark.parametrize(
    ("text", "code"),
    [("亿元", "CNY_100M"), ("万元", "CNY_10K"), ("％", "PCT"), ("%", "PCT"), ("百分点", "PP"), ("(万吨)", "T_10K"),
     ("上年同月=100", "IDX"), ("2015=100", "IDX"), ("万台", "UNIT_10K"), ("亿米", "M_100M"), ("万人", "PERSON_10K")],
)  # fmt: skip
def test_recognize_unit(text: str, code: str) -> None:
    assert recognize_unit(text) == code


# -- products ---------------------------------------------------------------------------------


@needs_real
def test_light_products_of_the_output_file_resolve() -> None:
    wanted = {"原盐", "成品糖", "饮料", "纱", "布", "机制纸及纸板", "新闻纸", "合成洗涤剂", "化学纤维", "塑料制品",
              "家用洗衣机", "家用电冰箱", "家用冷柜", "房间空气调节器", "彩色电视机"}  # fmt: skip
    names = {row[1].rsplit("_", 1)[0] for row in _read_rows("06_jw_NBS_分省主要工业产品产量_当期值与累计值_201805-202004.csv")[1:]}
    assert wanted <= names
    for name in wanted:
        code = recognize_product(name)
        assert code is not None, name
        item = catalog.product(code)
        assert item.kind == "industrial_product" and item.unit and item.gbt4754


@needs_real
def test_every_retail_class_of_the_retail_file_resolves() -> None:
    rows = _read_rows("05_jw_NBS_限上单位商品零售类值_分商品类别_201705-202004.csv")[1:]
    classes = {re.sub(r"零售类值_.*$", "", row[0]) for row in rows}
    for name in classes:
        code = recognize_product(name)
        assert code is not None, name
        assert catalog.product(code).kind == "retail_class"
    assert len({recognize_product(n) for n in classes}) == 20


def test_product_metadata() -> None:
    fridge = catalog.product("REFRIGERATOR")
    assert (fridge.unit, fridge.gbt4754, fridge.light) == ("UNIT_10K", "3851", True)
    assert catalog.product("FURNITURE").unit == "PCS_10K"
    assert catalog.product("COLOR_TV").light is False
    assert recognize_product("锂电池") == "LI_ION_BATTERY"
    assert recognize_product("服装鞋帽针纺织品类") == "RC_APPAREL_FOOTWEAR_TEXTILES"
    retail = catalog.products("retail_class")
    assert 8 <= int((retail["light_retail"] == True).sum()) <= 11  # noqa: E712 - object column


# -- CLI --------------------------------------------------------------------------------------


def test_cli_industries_light_only_json() -> None:
    result = CliRunner().invoke(app, ["industries", "--light-only", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    by_code = {row["code"]: row for row in rows}
    assert by_code["21"]["name"] == "家具制造业"
    assert by_code["21"]["sector"] == "furniture" and by_code["21"]["light"] is True
    assert {"22", "19", "24", "292", "385", "384", "387"} <= by_code.keys()
    assert not {"17", "18", "27", "291", "3951"} & by_code.keys()
    assert "家具制造业" in result.stdout  # ensure_ascii=False


def test_cli_other_commands() -> None:
    runner = CliRunner()
    level = runner.invoke(app, ["industries", "--level", "大类", "--json"])
    assert level.exit_code == 0 and len(json.loads(level.stdout)) == 97
    regions = runner.invoke(app, ["regions", "--json"])
    assert regions.exit_code == 0 and len(json.loads(regions.stdout)) == 32
    scope = runner.invoke(app, ["scope", "--json"])
    assert scope.exit_code == 0 and any(s["series_code"] == "LI_HOUSEHOLD_APPLIANCES" for s in json.loads(scope.stdout))
    for command in (["indicators"], ["products"], ["scope", "--codes"], ["industries", "--level", "大类"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 0, (command, result.output)
    bad = runner.invoke(app, ["industries", "--level", "组"])
    assert bad.exit_code != 0 and isinstance(bad.exception, QinggongError)
