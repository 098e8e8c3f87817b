"""Dispatch rounds through the service API on both backends: open, two provinces report (one late),
review, close, late list; submissions after close are refused; history kept; every write audited."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from qinggong import plan
from qinggong.errors import InputError

OPENED = datetime(2025, 11, 1, 2, 0)          # UTC
DEADLINE = "2025-11-10"                       # 北京时间, end of day → 2025-11-10 15:59:59 UTC


def open_q4(store, **extra):
    return plan.open_round(
        store,
        title="2025年11月轻工业稳增长工作调度",
        period="2025-11",
        deadline=DEADLINE,
        reporters=["浙江省", "330000" if False else "广东省", "中国轻工业联合会"][: extra.pop("n", 2)],
        task_ids=["T01", "T12"],
        fields=["进展状态", "进展情况", "量化指标"],
        kpis=["新增推广升级和创新产品数"],
        at=OPENED,
        actor="部调度员",
        **extra,
    )


def report(store, round_id, province, task, when, status="按进度推进", kpi=3):
    return plan.submit_progress(
        store, round_id, province, task, task_status=status, narrative=f"{province}{task}进展情况说明",
        kpis={"新增推广升级和创新产品数": kpi}, items=["佐证材料.pdf"], at=when, actor=province,
    )


def test_round_with_one_late_province(store):
    info = open_q4(store)
    rid = info["round_id"]
    assert {r["code"] for r in info["reporters"]} == {"330000", "440000"}
    assert info["deadline"] == datetime(2025, 11, 10, 15, 59, 59, 999999)
    on_time = datetime(2025, 11, 8, 1, 0)
    after = datetime(2025, 11, 12, 3, 0)
    first = report(store, rid, "浙江省", "T01", on_time, kpi=2)
    report(store, rid, "浙江省", "T12", on_time + timedelta(hours=1))
    # before the deadline nobody is late yet
    assert plan.late_reporters(store, rid, at=on_time + timedelta(days=1)).empty
    # after the deadline 广东省 has reported nothing
    missing = plan.late_reporters(store, rid, at=datetime(2025, 11, 11, 0, 0))
    assert list(missing["reporter_name"]) == ["广东省"] and missing.iloc[0]["late_status"] == "未报送"
    report(store, rid, "广东", "T01", after)
    partial = plan.late_reporters(store, rid, at=after + timedelta(minutes=5))
    assert partial.iloc[0]["late_status"] == "部分报送" and partial.iloc[0]["missing_tasks"] == ["T12"]
    report(store, rid, "440000", "T12", after + timedelta(hours=2), status="进度滞后")
    # the ministry returns 浙江's T01 report; 浙江 resubmits; the first revision stays in history
    returned = plan.review_submission(store, first["submission_id"], decision="退回", comment="请补充量化指标口径", actor="部审核员")
    assert returned["decision_label"] == "退回修改"
    second = report(store, rid, "浙江省", "T01", on_time + timedelta(days=1), kpi=4)
    assert second["revision"] == 2 and not second["late"]
    plan.review_submission(store, second["submission_id"], decision="通过", actor="部审核员")
    closed = plan.close_round(store, rid, at=datetime(2025, 11, 13, 0, 0), actor="部调度员")
    assert closed["status"] == "closed"
    late = closed["late"]
    assert list(late["reporter_name"]) == ["广东省"]
    assert late.iloc[0]["late_status"] == "逾期报送"
    assert late.iloc[0]["days_late"] == pytest.approx((after + timedelta(hours=2) - info["deadline"]).total_seconds() / 86400, abs=0.05)
    # the late list persists after close
    assert list(plan.late_reporters(store, rid)["reporter_code"]) == ["440000"]
    latest = plan.round_submissions(store, rid).set_index(["reporter_code", "task_id"])
    assert len(latest) == 4
    assert latest.loc[("330000", "T01"), "kpis"] == {"新增推广升级和创新产品数": 4.0}
    assert latest.loc[("330000", "T01"), "review_label"] == "通过"
    assert latest.loc[("440000", "T01"), "review_label"] == "待审核"
    history = plan.submission_history(store, rid, reporter="浙江省", task_id="T01")
    assert list(history["revision"]) == [1, 2]
    assert list(history["review_comment"]) == ["请补充量化指标口径", None]
    rounds = plan.list_rounds(store)
    assert rounds.iloc[0]["late_names"] == "广东省" and rounds.iloc[0]["status_label"] == "已关闭"
    # latest task status across units
    status = plan.task_status(store).set_index("task_id")
    assert status.loc["T12", "status_counts"] == {"按进度推进": 1, "进度滞后": 1}
    assert status.loc["T12", "worst_status"] == "进度滞后"
    assert status.loc["T02", "reports"] == 0
    actions = list(store.audit_log(limit=100)["action"])
    assert actions.count("plan.round.submit") == 5
    assert {"plan.round.open", "plan.round.review", "plan.round.close"} <= set(actions)


def test_submission_after_close_is_refused_and_keeps_what_was_stored(store):
    rid = open_q4(store)["round_id"]
    report(store, rid, "浙江省", "T01", datetime(2025, 11, 5))
    plan.close_round(store, rid, at=datetime(2025, 11, 11))
    before = plan.submission_history(store, rid)
    audit_before = len(store.audit_log(limit=1000))
    with pytest.raises(InputError) as caught:
        report(store, rid, "广东省", "T01", datetime(2025, 11, 12))
    message = str(caught.value)
    assert "已于" in message and "关闭，不能再报送" in message and "轮次" in message
    after = plan.submission_history(store, rid)
    assert after[["submission_id", "revision"]].equals(before[["submission_id", "revision"]])
    assert len(store.audit_log(limit=1000)) == audit_before
    with pytest.raises(InputError, match="已于"):
        plan.close_round(store, rid)


def test_bad_submissions_name_the_field(store):
    rid = open_q4(store)["round_id"]
    when = datetime(2025, 11, 5)
    with pytest.raises(InputError, match="不在本轮调度的报送单位中") as caught:
        report(store, rid, "江苏省", "T01", when)
    assert caught.value.field == "报送单位"
    with pytest.raises(InputError, match="本轮调度不含任务") as caught:
        report(store, rid, "浙江省", "T05", when)
    with pytest.raises(InputError, match="不能为空") as caught:
        plan.submit_progress(store, rid, "浙江省", "T01", task_status="按进度推进", narrative="  ",
                             kpis={"新增推广升级和创新产品数": 1}, at=when)
    assert caught.value.field == "进展情况"
    with pytest.raises(InputError, match="不是数字") as caught:
        plan.submit_progress(store, rid, "浙江省", "T01", task_status="按进度推进", narrative="说明",
                             kpis={"新增推广升级和创新产品数": "三项"}, at=when)
    assert caught.value.field == "量化指标/新增推广升级和创新产品数"
    with pytest.raises(InputError, match="进展状态“差不多”无效"):
        plan.submit_progress(store, rid, "浙江省", "T01", task_status="差不多", narrative="说明",
                             kpis={"新增推广升级和创新产品数": 1}, at=when)
    with pytest.raises(InputError, match="截止时间"):
        plan.open_round(store, title="x", period="2025-11", deadline="2025-10-01", reporters=["浙江省"], at=OPENED)
    with pytest.raises(InputError, match="退回修改须写明审核意见"):
        ok = report(store, rid, "浙江省", "T01", when)
        plan.review_submission(store, ok["submission_id"], decision="退回")
    assert len(plan.submission_history(store, rid)) == 1


def test_units_and_associations_can_be_reporters(store):
    info = open_q4(store, n=3)
    kinds = {r["name"]: r["type"] for r in info["reporters"]}
    assert kinds == {"浙江省": "province", "广东省": "province", "中国轻工业联合会": "unit"}
    report(store, info["round_id"], "中国轻工业联合会", "T01", datetime(2025, 11, 2))
    late = plan.late_reporters(store, info["round_id"], at=datetime(2025, 11, 20))
    assert set(late["reporter_name"]) == {"浙江省", "广东省", "中国轻工业联合会"}
    assert late.set_index("reporter_name").loc["中国轻工业联合会", "late_status"] == "部分报送"
