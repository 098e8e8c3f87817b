"""Dispatch rounds (调度): the ministry opens a round, provinces and units report progress per task,
the ministry reviews and closes it; who is late is derived from the submission times.

History is kept by adding rows: a resubmission is a new revision of (round, reporter, task), each
review is a row of its own. Nothing is updated in place except a round's open/closed state, and
every write has an audit record.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any, Iterable

import pandas as pd

from qinggong.config import load_method
from qinggong.errors import InputError
from qinggong.plan.common import (
    actor_or_default,
    blank,
    clean_text,
    dumps,
    loads,
    now,
    region_of,
    to_beijing_text,
    to_utc,
)
from qinggong.plan.reference import current_plan, ensure_plan, find_task, iter_tasks
from qinggong.store import Store

# Fields a round may require in each submission: code → Chinese label.
SUBMISSION_FIELDS = {"task_status": "进展状态", "narrative": "进展情况", "kpis": "量化指标", "items": "佐证材料"}
DEFAULT_FIELDS = ["task_status", "narrative"]
DECISIONS = {"通过": "accepted", "退回": "returned", "accepted": "accepted", "returned": "returned"}
DECISION_LABELS = {"accepted": "通过", "returned": "退回修改"}
ROUND_STATUS_LABELS = {"open": "进行中", "closed": "已关闭"}


def status_values() -> list[str]:
    return list(load_method("plan_forecast")["tasks"]["status_values"])


def _field_code(value: str) -> str:
    text = str(value).strip()
    if text in SUBMISSION_FIELDS:
        return text
    for code, label in SUBMISSION_FIELDS.items():
        if text == label:
            return code
    allowed = "、".join(f"{label}（{code}）" for code, label in SUBMISSION_FIELDS.items())
    raise InputError(f"未知的报送字段“{text}”，可选：{allowed}", field="报送字段")


def _reporter(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        code = clean_text(value.get("code")) or clean_text(value.get("name"))
        name = clean_text(value.get("name")) or code
        kind = clean_text(value.get("type")) or "unit"
        if not code:
            raise InputError("报送单位缺少代码或名称", field="报送单位")
        return {"code": code, "name": name, "type": kind}
    text = clean_text(value)
    if text is None:
        raise InputError("报送单位不能为空", field="报送单位")
    region = region_of(text, field="报送单位")
    if region is not None:
        return {"code": region[0], "name": region[1], "type": "province"}
    return {"code": text, "name": text, "type": "unit"}


def open_round(
    store: Store,
    *,
    title: str,
    period: str,
    deadline: str | datetime,
    reporters: Iterable[Any],
    fields: Iterable[str] | None = None,
    kpis: Iterable[str] | None = None,
    task_ids: Iterable[str] | None = None,
    note: str | None = None,
    at: datetime | None = None,
    actor: str | None = None,
) -> dict[str, Any]:
    """Open a dispatch round; `deadline` is 北京时间 (a bare date means the end of that day)."""
    title = clean_text(title)
    if not title:
        raise InputError("调度轮次须有标题", field="标题")
    period = clean_text(period)
    if not period:
        raise InputError("调度轮次须注明调度期（如 2025年第四季度 或 2025-11）", field="调度期")
    opened_at = at or now()
    deadline_utc = to_utc(deadline, field="截止时间", end_of_day=True)
    if deadline_utc is None:
        raise InputError("调度轮次须有截止时间", field="截止时间")
    if deadline_utc <= opened_at:
        raise InputError(f"截止时间 {to_beijing_text(deadline_utc)} 早于开启时间 {to_beijing_text(opened_at)}", field="截止时间")
    people = [_reporter(r) for r in reporters]
    if not people:
        raise InputError("调度轮次须至少指定一个报送单位（省份或部门、协会）", field="报送单位")
    codes = [p["code"] for p in people]
    duplicated = sorted({c for c in codes if codes.count(c) > 1})
    if duplicated:
        raise InputError(f"报送单位重复：{'、'.join(duplicated)}", field="报送单位")
    field_codes = [_field_code(f) for f in (fields or DEFAULT_FIELDS)]
    kpi_names = [str(k).strip() for k in (kpis or []) if str(k).strip()]
    with store.transaction():
        plan = ensure_plan(store, actor=actor)
        if task_ids:
            chosen = [find_task(plan, t, field="任务")["id"] for t in task_ids]
        else:
            chosen = [task["id"] for _area, task in iter_tasks(plan)]
        round_id = int(store.backend.scalar("SELECT nextval('plan_round_seq')"))
        who = actor_or_default(actor)
        store.backend.execute(
            "INSERT INTO plan_round (round_id, title, period, opened_at, deadline, closed_at, round_status, fields, kpis,"
            " task_ids, plan_version_id, opened_by, note) VALUES (?,?,?,?,?,NULL,'open',?,?,?,?,?,?)",
            [round_id, title, period, opened_at, deadline_utc, dumps(field_codes), dumps(kpi_names), dumps(chosen),
             plan["version_id"], who, note],
        )
        store.backend.executemany(
            "INSERT INTO plan_round_reporter (round_id, reporter_code, reporter_name, reporter_type) VALUES (?,?,?,?)",
            [[round_id, p["code"], p["name"], p["type"]] for p in people],
        )
        store.record_audit(
            "plan.round.open",
            object_type="plan_round",
            object_id=str(round_id),
            details={"title": title, "period": period, "deadline": deadline_utc, "reporters": codes,
                     "fields": field_codes, "kpis": kpi_names, "tasks": chosen},
            actor=who,
        )
    return get_round(store, round_id)


def get_round(store: Store, round_id: int) -> dict[str, Any]:
    row = store.backend.fetchone(
        "SELECT round_id, title, period, opened_at, deadline, closed_at, round_status, fields, kpis, task_ids,"
        " plan_version_id, opened_by, note FROM plan_round WHERE round_id = ?",
        [int(round_id)],
    )
    if row is None:
        raise InputError(f"调度轮次 {round_id} 不存在", field="轮次")
    reporters = store.backend.fetchall(
        "SELECT reporter_code, reporter_name, reporter_type FROM plan_round_reporter WHERE round_id = ? ORDER BY reporter_code",
        [int(round_id)],
    )
    return {
        "round_id": int(row[0]),
        "title": row[1],
        "period": row[2],
        "opened_at": row[3],
        "deadline": row[4],
        "deadline_beijing": to_beijing_text(row[4]),
        "closed_at": row[5],
        "status": row[6],
        "status_label": ROUND_STATUS_LABELS[row[6]],
        "fields": loads(row[7], []),
        "kpis": loads(row[8], []),
        "task_ids": loads(row[9], []),
        "plan_version_id": row[10],
        "opened_by": row[11],
        "note": row[12],
        "reporters": [{"code": r[0], "name": r[1], "type": r[2]} for r in reporters],
    }


def list_rounds(store: Store, *, at: datetime | None = None) -> pd.DataFrame:
    ids = [int(r[0]) for r in store.backend.fetchall("SELECT round_id FROM plan_round ORDER BY round_id")]
    rows = []
    for round_id in ids:
        info = get_round(store, round_id)
        late = late_reporters(store, round_id, at=at)
        submitted = store.backend.scalar(
            "SELECT COUNT(DISTINCT reporter_code) FROM plan_submission WHERE round_id = ?", [round_id]
        )
        rows.append(
            {
                "round_id": round_id,
                "title": info["title"],
                "period": info["period"],
                "deadline": info["deadline_beijing"],
                "status": info["status"],
                "status_label": info["status_label"],
                "reporters": len(info["reporters"]),
                "reported": int(submitted or 0),
                "late": len(late),
                "late_names": "、".join(late["reporter_name"]) if len(late) else "",
            }
        )
    return pd.DataFrame(
        rows, columns=["round_id", "title", "period", "deadline", "status", "status_label", "reporters", "reported", "late", "late_names"]
    )


def _clean_kpis(kpis: Any, allowed: list[str]) -> dict[str, float]:
    if kpis is None or (isinstance(kpis, (dict, list)) and not kpis) or (not isinstance(kpis, (dict, list)) and blank(kpis)):
        return {}
    if not isinstance(kpis, dict):
        raise InputError("量化指标应为“指标名称: 数值”的对应表", field="量化指标")
    cleaned: dict[str, float] = {}
    for name, value in kpis.items():
        label = str(name).strip()
        if allowed and label not in allowed:
            raise InputError(f"本轮未要求报送指标“{label}”，应报指标：{'、'.join(allowed)}", field=f"量化指标/{label}")
        try:
            number = float(str(value).replace(",", "").strip()) if not isinstance(value, (int, float)) else float(value)
        except ValueError:
            raise InputError(f"指标“{label}”的数值“{value}”不是数字", field=f"量化指标/{label}") from None
        if math.isnan(number) or math.isinf(number):
            raise InputError(f"指标“{label}”的数值无效", field=f"量化指标/{label}")
        cleaned[label] = number
    return cleaned


def submit_progress(
    store: Store,
    round_id: int,
    reporter: str,
    task_id: str,
    *,
    task_status: str | None = None,
    narrative: str | None = None,
    kpis: dict[str, Any] | None = None,
    items: list[str] | None = None,
    at: datetime | None = None,
    actor: str | None = None,
) -> dict[str, Any]:
    """Report progress on one task in an open round; a second report is a new revision (history kept)."""
    info = get_round(store, round_id)
    submitted_at = at or now()
    if info["status"] != "open":
        raise InputError(
            f"调度轮次 {round_id}“{info['title']}”已于 {to_beijing_text(info['closed_at'])} 关闭，不能再报送；"
            "如需补报，请联系部里重新开启新一轮调度",
            field="轮次",
        )
    code = _match_reporter(info, reporter)
    plan = current_plan(store)
    task = find_task(plan, task_id, field="任务")
    if task["id"] not in info["task_ids"]:
        raise InputError(f"本轮调度不含任务“{task['id']} {task['title']}”", field="任务")
    values = {
        "task_status": clean_text(task_status),
        "narrative": clean_text(narrative),
        "kpis": _clean_kpis(kpis if kpis is not None else {}, info["kpis"]),
        "items": [str(i).strip() for i in (items or []) if str(i).strip()],
    }
    for field in info["fields"]:
        if not values[field]:
            raise InputError(f"本轮要求填报“{SUBMISSION_FIELDS[field]}”，不能为空", field=SUBMISSION_FIELDS[field])
    allowed_status = status_values()
    if values["task_status"] is not None and values["task_status"] not in allowed_status:
        raise InputError(f"进展状态“{values['task_status']}”无效，可选：{'、'.join(allowed_status)}", field="进展状态")
    missing_kpis = [k for k in info["kpis"] if k not in values["kpis"]] if "kpis" in info["fields"] else []
    if missing_kpis:
        raise InputError(f"缺少本轮要求的量化指标：{'、'.join(missing_kpis)}", field="量化指标")
    late = submitted_at > info["deadline"]
    who = actor_or_default(actor)
    with store.transaction():
        revision = int(
            store.backend.scalar(
                "SELECT COALESCE(MAX(revision), 0) FROM plan_submission WHERE round_id = ? AND reporter_code = ? AND task_id = ?",
                [int(round_id), code, task["id"]],
            )
        ) + 1
        submission_id = int(store.backend.scalar("SELECT nextval('plan_submission_seq')"))
        store.backend.execute(
            "INSERT INTO plan_submission (submission_id, round_id, reporter_code, task_id, revision, task_status, narrative,"
            " kpis, items, submitted_at, submitted_by, is_late) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [submission_id, int(round_id), code, task["id"], revision, values["task_status"], values["narrative"],
             dumps(values["kpis"]), dumps(values["items"]), submitted_at, who, late],
        )
        store.record_audit(
            "plan.round.submit",
            object_type="plan_submission",
            object_id=str(submission_id),
            details={"round_id": int(round_id), "reporter": code, "task_id": task["id"], "revision": revision, "late": late},
            actor=who,
        )
    return {"submission_id": submission_id, "round_id": int(round_id), "reporter_code": code, "task_id": task["id"],
            "revision": revision, "late": late}


def _match_reporter(info: dict[str, Any], reporter: str) -> str:
    text = clean_text(reporter) or ""
    for item in info["reporters"]:
        if text in (item["code"], item["name"]):
            return item["code"]
    region = region_of(text, field="报送单位")
    if region is not None:
        for item in info["reporters"]:
            if item["code"] == region[0]:
                return item["code"]
    names = "、".join(r["name"] for r in info["reporters"])
    raise InputError(f"“{text}”不在本轮调度的报送单位中（本轮报送单位：{names}）", field="报送单位")


def review_submission(
    store: Store,
    submission_id: int,
    *,
    decision: str,
    comment: str | None = None,
    at: datetime | None = None,
    actor: str | None = None,
) -> dict[str, Any]:
    """The ministry's review of one submission: 通过 or 退回 (with a comment saying what to fix)."""
    code = DECISIONS.get(str(decision).strip())
    if code is None:
        raise InputError(f"审核结论“{decision}”无效，可选：通过、退回", field="审核结论")
    if code == "returned" and not clean_text(comment):
        raise InputError("退回修改须写明审核意见", field="审核意见")
    row = store.backend.fetchone("SELECT round_id, reporter_code, task_id FROM plan_submission WHERE submission_id = ?", [int(submission_id)])
    if row is None:
        raise InputError(f"报送记录 {submission_id} 不存在", field="报送记录")
    who = actor_or_default(actor)
    with store.transaction():
        review_id = int(store.backend.scalar("SELECT nextval('plan_review_seq')"))
        store.backend.execute(
            "INSERT INTO plan_review (review_id, submission_id, decision, review_comment, reviewed_at, reviewer) VALUES (?,?,?,?,?,?)",
            [review_id, int(submission_id), code, clean_text(comment), at or now(), who],
        )
        store.record_audit(
            "plan.round.review",
            object_type="plan_submission",
            object_id=str(submission_id),
            details={"review_id": review_id, "round_id": int(row[0]), "reporter": row[1], "task_id": row[2],
                     "decision": code, "comment": clean_text(comment)},
            actor=who,
        )
    return {"review_id": review_id, "submission_id": int(submission_id), "decision": code, "decision_label": DECISION_LABELS[code]}


def close_round(store: Store, round_id: int, *, at: datetime | None = None, actor: str | None = None) -> dict[str, Any]:
    """Close a round: no submission is accepted afterwards; the late list is kept in the audit record."""
    info = get_round(store, round_id)
    if info["status"] != "open":
        raise InputError(f"调度轮次 {round_id} 已于 {to_beijing_text(info['closed_at'])} 关闭", field="轮次")
    closed_at = at or now()
    who = actor_or_default(actor)
    with store.transaction():
        store.backend.execute(
            "UPDATE plan_round SET round_status = 'closed', closed_at = ? WHERE round_id = ?", [closed_at, int(round_id)]
        )
        late = late_reporters(store, round_id, at=closed_at)
        store.record_audit(
            "plan.round.close",
            object_type="plan_round",
            object_id=str(round_id),
            details={"late": late[["reporter_code", "reporter_name", "late_status"]].to_dict(orient="records")},
            actor=who,
        )
    return {**get_round(store, round_id), "late": late}


def _latest_submissions(store: Store, where: str, params: list[Any]) -> pd.DataFrame:
    frame = store.backend.fetch_df(
        "SELECT s.submission_id, s.round_id, s.reporter_code, r.reporter_name, r.reporter_type, s.task_id, s.revision,"
        " s.task_status, s.narrative, s.kpis, s.items, s.submitted_at, s.submitted_by, s.is_late"
        " FROM plan_submission s JOIN plan_round_reporter r ON r.round_id = s.round_id AND r.reporter_code = s.reporter_code"
        f" WHERE {where} ORDER BY s.round_id, s.reporter_code, s.task_id, s.revision",
        params,
    )
    return frame


def _reviews(store: Store, submission_ids: list[int]) -> dict[int, dict[str, Any]]:
    if not submission_ids:
        return {}
    marks = ",".join("?" for _ in submission_ids)
    rows = store.backend.fetchall(
        f"SELECT submission_id, decision, review_comment, reviewed_at, reviewer FROM plan_review WHERE submission_id IN ({marks})"
        " ORDER BY review_id",
        [int(i) for i in submission_ids],
    )
    latest: dict[int, dict[str, Any]] = {}
    for sid, decision, comment, when, reviewer in rows:
        latest[int(sid)] = {"decision": decision, "decision_label": DECISION_LABELS[decision], "comment": comment,
                            "reviewed_at": when, "reviewer": reviewer}
    return latest


def _decorate(store: Store, frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return frame.assign(review=[], review_label=[], review_comment=[])
    frame = frame.copy()
    frame["kpis"] = [loads(v, {}) for v in frame["kpis"]]
    frame["items"] = [loads(v, []) for v in frame["items"]]
    frame["is_late"] = frame["is_late"].astype(bool)
    reviews = _reviews(store, [int(i) for i in frame["submission_id"]])
    ids = [int(i) for i in frame["submission_id"]]
    frame["review"] = pd.Series([reviews.get(i, {}).get("decision") for i in ids], index=frame.index, dtype=object)
    frame["review_label"] = [reviews.get(i, {}).get("decision_label", "待审核") for i in ids]
    frame["review_comment"] = pd.Series([reviews.get(i, {}).get("comment") for i in ids], index=frame.index, dtype=object)
    return frame


def submission_history(store: Store, round_id: int, reporter: str | None = None, task_id: str | None = None) -> pd.DataFrame:
    """Every revision (and its latest review) in a round, oldest first."""
    where, params = "s.round_id = ?", [int(round_id)]
    if reporter:
        where += " AND s.reporter_code = ?"
        params.append(_match_reporter(get_round(store, round_id), reporter))
    if task_id:
        where += " AND s.task_id = ?"
        params.append(str(task_id))
    return _decorate(store, _latest_submissions(store, where, params))


def round_submissions(store: Store, round_id: int) -> pd.DataFrame:
    """The latest revision per reporter and task in a round, with its review."""
    frame = submission_history(store, round_id)
    if frame.empty:
        return frame
    return frame.groupby(["reporter_code", "task_id"], as_index=False).tail(1).reset_index(drop=True)


def late_reporters(store: Store, round_id: int, *, at: datetime | None = None) -> pd.DataFrame:
    """Reporters that missed the deadline: 未报送, 部分报送 (not every task) or 逾期报送 (complete, but late).

    A reporter counts as complete once every task of the round has a submission; its completion time is
    the first submission time of the last task it reported. Before the deadline nobody is late.
    """
    info = get_round(store, round_id)
    moment = at or now()
    tasks = set(info["task_ids"])
    firsts = store.backend.fetchall(
        "SELECT reporter_code, task_id, MIN(submitted_at) FROM plan_submission WHERE round_id = ? AND submitted_at <= ?"
        " GROUP BY reporter_code, task_id",
        [int(round_id), moment],
    )
    by_reporter: dict[str, dict[str, datetime]] = {}
    for code, task, first in firsts:
        by_reporter.setdefault(code, {})[task] = first
    rows = []
    deadline = info["deadline"]
    for item in info["reporters"]:
        got = by_reporter.get(item["code"], {})
        done = tasks & set(got)
        missing = sorted(tasks - done)
        completion = max(got[t] for t in done) if done and not missing else None
        if moment <= deadline and info["status"] == "open" and (missing or completion is None):
            continue  # still time to report (closing a round early ends the time to report)
        if not done:
            late_status = "未报送"
        elif missing:
            late_status = "部分报送"
        elif completion > deadline:
            late_status = "逾期报送"
        else:
            continue
        late_by = (completion or moment) - deadline
        rows.append(
            {
                "reporter_code": item["code"],
                "reporter_name": item["name"],
                "reporter_type": item["type"],
                "late_status": late_status,
                "tasks_reported": len(done),
                "tasks_required": len(tasks),
                "missing_tasks": missing,
                "completed_at": to_beijing_text(completion) if completion else None,
                "days_late": round(late_by.total_seconds() / 86400, 1),
            }
        )
    return pd.DataFrame(
        rows,
        columns=["reporter_code", "reporter_name", "reporter_type", "late_status", "tasks_reported", "tasks_required",
                 "missing_tasks", "completed_at", "days_late"],
    )


def task_status(store: Store) -> pd.DataFrame:
    """For each task, the latest reported status of each unit across rounds, summarised.

    Columns: task_id, title, area, reports (units with a report), status_counts ({status: n}),
    worst_status (the least advanced status reported), latest_round, latest_at, units (latest per unit).
    """
    plan = current_plan(store)
    frame = _decorate(store, _latest_submissions(store, "1 = 1", []))
    order = status_values()
    rows = []
    for area, task in iter_tasks(plan):
        subset = frame[frame["task_id"] == task["id"]] if not frame.empty else frame
        units: list[dict[str, Any]] = []
        if not subset.empty:
            latest = subset.sort_values(["submitted_at", "revision"]).groupby("reporter_code").tail(1)
            for rec in latest.sort_values("reporter_code").to_dict(orient="records"):
                units.append({"reporter_code": rec["reporter_code"], "reporter_name": rec["reporter_name"],
                              "task_status": rec["task_status"], "round_id": int(rec["round_id"]),
                              "submitted_at": to_beijing_text(rec["submitted_at"]), "review": rec["review_label"]})
        statuses = [u["task_status"] for u in units if u["task_status"]]
        counts = {s: statuses.count(s) for s in order if s in statuses}
        worst = max(statuses, key=lambda s: order.index(s) if s in order else -1) if statuses else None
        rows.append(
            {
                "task_id": task["id"],
                "title": task["title"],
                "area": area["name"],
                "reports": len(units),
                "status_counts": counts,
                "worst_status": worst,
                "latest_round": max((u["round_id"] for u in units), default=None),
                "latest_at": max((u["submitted_at"] for u in units), default=None),
                "units": units,
            }
        )
    return pd.DataFrame(rows)
