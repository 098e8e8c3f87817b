"""The plan as reference data: the text's 5 areas, 15 tasks, 3 safeguards and targets, versioned edits."""

from __future__ import annotations

from pathlib import Path

import pytest

from qinggong import plan
from qinggong.errors import InputError

INTERPRETATION = Path(__file__).resolve().parents[2] / "shared" / "docs" / "work-plan-interpretation-2025-2026.txt"


def test_counts_and_wording_match_the_text():
    data = plan.read_plan_file()
    tasks = plan.list_tasks(plan=data)
    safeguards = plan.list_safeguards(plan=data)
    assert len(tasks) == 15
    assert list(tasks["task_id"]) == [f"T{i:02d}" for i in range(1, 16)]
    assert [a["name"] for a in data["areas"]] == ["强供给", "促消费", "稳出口", "优生态", "增动能"]
    assert tasks.groupby("area_id", sort=False).size().to_dict() == {
        "SUPPLY": 3, "CONSUMPTION": 4, "EXPORT": 3, "ECOSYSTEM": 3, "MOMENTUM": 2}
    assert list(safeguards["title"]) == ["加强政策支持", "加强预期管理", "加强组织实施"]
    by_id = tasks.set_index("task_id")
    assert by_id.loc["T01", "title"] == "加快产品创新"
    assert by_id.loc["T09", "title"] == "发展外贸新模式"
    assert by_id.loc["T15", "title"] == "促进绿色化发展"
    assert "通过“链长制”等方式，加速突破一批关键技术。" in by_id.loc["T01", "measures"]
    assert by_id.loc["T04", "measures"][0].startswith("针对产品安全，部署完成玩具、儿童手表、智能锁具、家用燃气灶具等10项强制性国家标准制修订")
    assert "建立部省会商工作协调机制，定期调度轻工业稳增长工作进展和行业运行情况，推动解决行业和企业的问题。" in safeguards.iloc[2]["measures"]
    targets = {t["id"]: t for t in data["targets"]}
    assert (targets["UPGRADE_PRODUCTS"]["target"], targets["CLUSTERS_1000"]["target"], targets["MANDATORY_STANDARDS"]["target"]) == (300, 10, 10)
    assert targets["CLUSTERS_1000"]["threshold"] == 1000


def test_every_text_is_verbatim_in_the_interpretation():
    if not INTERPRETATION.is_file():
        pytest.fail(f"找不到工作方案解读原文 {INTERPRETATION}")
    text = INTERPRETATION.read_text(encoding="utf-8")
    data = plan.read_plan_file()
    pieces = [g["text"] for g in data["goals"]] + [t["text"] for t in data["targets"]]
    for area in data["areas"]:
        for task in area["tasks"]:
            pieces += [task["title"], *task["measures"]]
    for item in data["safeguards"]:
        pieces += [item["title"], *item["measures"]]
    missing = [p for p in pieces if p not in text]
    assert missing == []
    assert len(pieces) > 60


def test_units_are_marked_as_assumptions_where_the_text_names_none():
    tasks = plan.list_tasks(plan=plan.read_plan_file())
    assert tasks["units_assumption"].all()
    assert all(len(lead) >= 1 for lead in tasks["lead_units"])
    assert "假设" in plan.plan_file().read_text(encoding="utf-8") or "ASSUMPTION" in plan.plan_file().read_text(encoding="utf-8")


def test_editing_units_creates_a_version_and_keeps_the_old_one(store):
    before = plan.current_plan(store)
    assert before["version_id"] is None  # nothing stored yet: the shipped file
    plan.ensure_plan(store, actor="部调度员")
    edited = plan.update_task(store, "T06", lead=["商务部"], co="工业和信息化部、中国轻工业联合会", note="按部门分工文件确认", actor="部调度员")
    task = plan.list_tasks(plan=edited).set_index("task_id").loc["T06"]
    assert task["co_units"] == ["工业和信息化部", "中国轻工业联合会"]
    assert not task["units_assumption"]
    versions = plan.plan_versions(store)
    assert len(versions) == 2
    first = plan.reference.plan_version(store, int(versions.iloc[0]["version_id"]))
    old = plan.list_tasks(plan=first).set_index("task_id").loc["T06"]
    assert old["co_units"] == ["工业和信息化部", "各省级工业和信息化主管部门", "有关行业协会"] and old["units_assumption"]
    audit = store.audit_log()
    assert {"plan.version", "plan.task.update"} <= set(audit["action"])


def test_bad_edit_is_refused_and_changes_nothing(store):
    plan.ensure_plan(store)
    with pytest.raises(InputError, match="T99"):
        plan.update_task(store, "T99", lead=["商务部"], note="试")
    with pytest.raises(InputError, match="牵头单位不能为空"):
        plan.update_task(store, "T01", lead=[], note="试")
    with pytest.raises(InputError, match="修改依据"):
        plan.update_task(store, "T01", lead=["商务部"], note=" ")
    assert len(plan.plan_versions(store)) == 1
