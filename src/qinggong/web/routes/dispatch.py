"""调度: the work plan's tasks, dispatch rounds, submissions, targets and forecasts (qinggong.plan).

Provinces see their own submissions and report progress as their own province; ministry roles
open and close rounds and see every unit.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from qinggong.errors import InputError
from qinggong.web.app import render
from qinggong.web.data import clean, frame_records
from qinggong.web.deps import Forbidden, Principal, Scope, get_store, require
from qinggong.web.download import table_response
from qinggong.web.modules import ModuleMissing, service

router = APIRouter()


def _plan():
    service("plan", "plan_status", "targets_progress", "list_rounds", "get_round", "round_submissions", "submit_progress",
            "open_round", "close_round", "late_reporters")
    import qinggong.plan as plan

    return plan


def _jsonable(value: Any) -> Any:
    if isinstance(value, pd.DataFrame):
        return frame_records(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return clean(value)


def _own_units(scope: Scope, units: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if scope.user.role != "province":
        return units
    return [u for u in units if u.get("reporter_code") == scope.user.region]


class RoundBody(BaseModel):
    title: str
    period: str = Field(description="调度期，如 2025-11 或 2025年第四季度")
    deadline: str = Field(description="截止时间（北京时间），如 2025-12-10")
    reporters: list[str] = Field(description="报送单位：省级行政区划代码或名称、部门或协会名称")
    task_ids: list[str] | None = None
    kpis: list[str] | None = None
    note: str | None = None


class ProgressBody(BaseModel):
    task_id: str
    task_status: str | None = None
    narrative: str | None = None
    kpis: dict[str, Any] | None = None
    reporter: str | None = Field(default=None, description="报送单位（省级用户可省略，即本省）")


@router.get("/api/v1/plan/status", tags=["调度"], summary="工作方案总体情况：目标进度与预测、任务状态、调度轮次")
def api_plan_status(request: Request, principal: Principal = require("plan.read")) -> dict[str, Any]:
    plan = _plan()
    status = _jsonable(plan.plan_status(get_store(request)))
    for task in status.get("tasks", []):
        task["units"] = _own_units(principal.scope, task.get("units") or [])
        if principal.user.role == "province":
            task["reports"] = len(task["units"])
            task["status_counts"] = {}
            task["worst_status"] = task["units"][0]["task_status"] if task["units"] else None
    return status


@router.get("/api/v1/plan/targets", tags=["调度"], summary="量化目标的进度与到期预测")
def api_targets(request: Request, format: str | None = Query(None), principal: Principal = require("plan.read")):
    items = _jsonable(_plan().targets_progress(get_store(request)))
    if format:
        return table_response(items, format, "目标进度")
    return {"items": items, "total": len(items)}


@router.get("/api/v1/plan/rounds", tags=["调度"], summary="调度轮次")
def api_rounds(request: Request, format: str | None = Query(None), principal: Principal = require("plan.read")):
    frame = _plan().list_rounds(get_store(request))
    if principal.user.role == "province":
        frame = frame.drop(columns=["late_names"], errors="ignore")
    if format:
        return table_response(frame, format, "调度轮次")
    return {"items": frame_records(frame), "total": len(frame)}


@router.get("/api/v1/plan/rounds/{round_id}", tags=["调度"], summary="一个调度轮次：报送单位、最新报送与逾期单位")
def api_round(round_id: int, request: Request, format: str | None = Query(None), principal: Principal = require("plan.read")):
    plan = _plan()
    store = get_store(request)
    info = _jsonable(plan.get_round(store, round_id))
    submissions = plan.round_submissions(store, round_id)
    late = plan.late_reporters(store, round_id)
    if principal.user.role == "province":
        region = principal.user.region
        submissions = submissions[submissions["reporter_code"] == region] if len(submissions) else submissions
        late = late[late["reporter_code"] == region] if len(late) and "reporter_code" in late else late
        info["reporters"] = [r for r in info["reporters"] if r["code"] == region]
    if format:
        return table_response(submissions, format, f"调度轮次{round_id}报送")
    return {"round": info, "submissions": frame_records(submissions), "late": frame_records(late)}


@router.post("/api/v1/plan/rounds", tags=["调度"], summary="开启调度轮次", status_code=201)
def api_open_round(body: RoundBody, request: Request, principal: Principal = require("plan.write")) -> dict[str, Any]:
    info = _plan().open_round(
        get_store(request), title=body.title, period=body.period, deadline=body.deadline, reporters=body.reporters,
        task_ids=body.task_ids, kpis=body.kpis, note=body.note, actor=principal.user.username,
    )
    return _jsonable(info)


@router.post("/api/v1/plan/rounds/{round_id}/close", tags=["调度"], summary="关闭调度轮次")
def api_close_round(round_id: int, request: Request, principal: Principal = require("plan.write")) -> dict[str, Any]:
    return _jsonable(_plan().close_round(get_store(request), round_id, actor=principal.user.username))


@router.post("/api/v1/plan/rounds/{round_id}/submissions", tags=["调度"], summary="报送任务进展（省级用户为本省）", status_code=201)
def api_submit_progress(round_id: int, body: ProgressBody, request: Request, principal: Principal = require("plan.submit")) -> dict[str, Any]:
    if principal.user.role == "province":
        if body.reporter and body.reporter != principal.user.region:
            raise Forbidden("省级用户只能以本省名义报送")
        reporter = principal.user.region
    else:
        if not body.reporter:
            raise InputError("请指定报送单位", field="reporter")
        reporter = body.reporter
    result = _plan().submit_progress(
        get_store(request), round_id, reporter, body.task_id, task_status=body.task_status, narrative=body.narrative,
        kpis=body.kpis, actor=principal.user.username,
    )
    return _jsonable(result)


@router.get("/dispatch", include_in_schema=False)
def dispatch_page(request: Request, principal: Principal = require("plan.read")):
    try:
        _plan()
    except ModuleMissing as exc:
        return render(request, "missing.html", principal, title="调度", message=exc.message)
    from qinggong.plan.rounds import status_values

    return render(
        request, "dispatch.html", principal, title="调度", can_submit=principal.can("plan.submit"),
        can_write=principal.can("plan.write"), status_values=status_values(),
    )
