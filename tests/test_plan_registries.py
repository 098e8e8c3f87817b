"""Registries and their imports: bad inputs get Chinese errors naming row and column/field, and
nothing already stored is lost; revenue units are converted or refused; every write is audited."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from qinggong import plan
from qinggong.errors import InputError


def xlsx(path, rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_nomination_without_enterprise_is_refused(store):
    kept = plan.nominate_product(store, product_name="智能晾衣架", enterprise="某家居公司", category="智能家居", region="浙江省")
    with pytest.raises(InputError, match="缺少企业名称") as caught:
        plan.nominate_product(store, product_name="适老化座椅", enterprise="  ", category="适老化用品", region="江苏省")
    assert caught.value.field == "企业"
    frame = plan.list_nominations(store)
    assert list(frame["nomination_id"]) == [kept["nomination_id"]] and frame.iloc[0]["status_label"] == "待审核"


def test_nomination_workflow_and_registry_counts(store):
    a = plan.nominate_product(store, product_name="多功能护理床", enterprise="甲公司", category="健康护理用品", region="330000",
                              nominator_type="省份", nominator="浙江")
    assert a["nominator"] == "浙江省" and a["region_name"] == "浙江省"
    b = plan.nominate_product(store, product_name="某品牌", enterprise="乙公司", registry="中国消费名品方阵",
                              nominator_type="协会", nominator="中国轻工业联合会")
    plan.review_nomination(store, a["nomination_id"], decision="入选", listed_in="升级和创新消费品指南（2025年版）")
    plan.review_nomination(store, b["nomination_id"], decision="未入选", comment="品牌影响力材料不足")
    with pytest.raises(InputError, match="已审核"):
        plan.review_nomination(store, a["nomination_id"], decision="未入选", comment="x")
    with pytest.raises(InputError, match="不能重复推荐"):
        plan.nominate_product(store, product_name="多功能护理床", enterprise="甲公司", category="健康护理用品")
    listed = plan.list_nominations(store, registry="升级和创新消费品指南", status="已入选")
    assert list(listed["listed_in"]) == ["升级和创新消费品指南（2025年版）"]
    history = plan.registries.nomination_history(store, a["nomination_id"])
    assert list(history["nomination_status"]) == ["pending", "listed"]
    assert {"plan.nomination.add", "plan.nomination.review"} <= set(store.audit_log()["action"])


def test_import_nominations_names_file_row_and_column_and_lands_whole(store, tmp_path):
    good = xlsx(tmp_path / "推荐.xlsx", [["产品名称", "企业名称", "类别", "地区", "推荐方式", "推荐单位"],
                                        ["智能马桶盖", "丙公司", "智能家居", "广东省", "企业", None],
                                        ["儿童安全座椅", "丁公司", "婴童用品", "江苏", "协会", "中国玩具和婴童用品协会"]])
    result = plan.import_nominations(store, good)
    assert result["rows"] == 2 and len(plan.list_nominations(store)) == 2
    bad = xlsx(tmp_path / "推荐2.xlsx", [["产品名称", "企业名称", "类别", "地区"],
                                        ["电动牙刷", "戊公司", "健康护理用品", "福建省"],
                                        ["智能门锁", None, "智能家居", "浙江省"]])
    with pytest.raises(InputError) as caught:
        plan.import_nominations(store, bad)
    assert (caught.value.file, caught.value.row, caught.value.column) == ("推荐2.xlsx", 3, "企业名称")
    assert "文件 推荐2.xlsx，第 3 行，列“企业名称”" in str(caught.value)
    assert len(plan.list_nominations(store)) == 2  # the good first row of the bad file did not land


def test_revenue_units_are_converted_or_refused(store, tmp_path):
    plan.register_cluster(store, name="某家具产区", region="广东省", sector="家具", batch="第一批")
    plan.add_cluster_revenue(store, "某家具产区", 2023, 900)
    converted = plan.add_cluster_revenue(store, "某家具产区", 2024, 9_800_000, unit="万元")
    assert converted["revenue"] == pytest.approx(980.0)
    with pytest.raises(InputError, match="疑似以万元或元填报") as caught:
        plan.add_cluster_revenue(store, "某家具产区", 2022, 8_500_000, unit=None)
    assert caught.value.field == "营业收入"
    with pytest.raises(InputError, match="不是人民币金额单位"):
        plan.add_cluster_revenue(store, "某家具产区", 2022, 850, unit="万吨")
    revenue = plan.cluster_revenue(store, "某家具产区")
    assert revenue.set_index("year")["revenue"].to_dict() == {2023: 900.0, 2024: pytest.approx(980.0)}
    # a correction adds a row; the earlier value stays in history
    plan.add_cluster_revenue(store, "某家具产区", 2023, 905)
    assert len(plan.cluster_revenue(store, "某家具产区", history=True)) == 3
    assert plan.cluster_revenue(store, "某家具产区").set_index("year").loc[2023, "revenue"] == 905


def test_import_clusters_long_and_wide_with_units(store, tmp_path):
    long_file = xlsx(tmp_path / "产区.xlsx", [["产区名称", "地区", "行业", "批次", "年份", "营业收入", "单位"],
                                             ["甲产区", "浙江省", "家电", "第一批", 2022, 8_000_000, "万元"],
                                             ["甲产区", "浙江省", "家电", "第一批", 2023, 880, "亿元"],
                                             ["甲产区", "浙江省", "家电", "第一批", 2024, 968, None]])
    result = plan.import_clusters(store, long_file)
    assert result["clusters_added"] == ["CL_甲产区"] and result["revenue_new"] == 3
    wide_file = xlsx(tmp_path / "产区宽表.xlsx", [["产区名称", "地区", "行业", "2022年", "2023年", "2024年（万元）"],
                                                ["乙产区", "山东省", "造纸", 500, 520, 5_400_000]])
    plan.import_clusters(store, wide_file)
    revenue = plan.cluster_revenue(store, "乙产区").set_index("year")["revenue"].to_dict()
    assert revenue == {2022: 500.0, 2023: 520.0, 2024: pytest.approx(540.0)}
    assert plan.cluster_revenue(store, "甲产区").set_index("year").loc[2022, "revenue"] == pytest.approx(800.0)
    before = len(plan.cluster_revenue(store, history=True))
    bad = xlsx(tmp_path / "产区错.xlsx", [["产区名称", "地区", "行业", "2024年", "2025年"],
                                         ["丙产区", "河北省", "皮革", 300, 310],
                                         ["乙产区", "山东省", "造纸", 560, 5_900_000]])
    with pytest.raises(InputError, match="疑似以万元或元填报") as caught:
        plan.import_clusters(store, bad)
    assert (caught.value.row, caught.value.column) == (3, "2025年")
    assert len(plan.cluster_revenue(store, history=True)) == before
    assert "CL_丙产区" not in set(plan.clusters(store)["cluster_id"])
    fc = plan.cluster_forecasts(store).set_index("cluster_name")
    assert fc.loc["甲产区", "crossing_year"] == 2025
    assert any(a.startswith("plan.cluster") for a in store.audit_log()["action"])
