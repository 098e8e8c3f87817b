"""预警: alerts with filters and status changes (知悉 / 处置 / 解除) with comments, via qinggong.monitor."""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from qinggong.web.app import render
from qinggong.web.data import frame_records, industry_name, region_name
from qinggong.web.deps import Forbidden, Principal, Scope, get_store, require
from qinggong.web.download import paginate, table_response
from qinggong.web.modules import ModuleMissing, service

router = APIRouter()
ACTIONS = {"acknowledge": "知悉", "dispose": "处置", "resolve": "解除"}
CONFIDENTIAL_MESSAGE = "该预警涉及保密数据，详情仅限有微观数据权限的用户查看"


def _alerts_module():
    (list_alerts,) = service("monitor", "alerts.list_alerts")
    from qinggong.monitor import alerts

    return alerts


class Transition(BaseModel):
    comment: str | None = Field(default=None, description="处理意见")


def _confidential_pairs(store, keys: list[str]) -> set[tuple[str, str]]:
    if not keys:
        return set()
    frame = store.read_observations(sorted(set(keys)))
    frame = frame[frame["conf_status"].astype(str) != "F"]
    return set(zip(frame["series_key"], frame["period"]))


def scoped_alerts(store, scope: Scope, **filters: Any) -> pd.DataFrame:
    """Alerts of the user's provinces/sectors; for roles without microdata rights, alerts on
    confidential cells lose value, details and message (disclosure control)."""
    alerts = _alerts_module()
    frame = alerts.list_alerts(store, **{k: v for k, v in filters.items() if v})
    if frame.empty:
        return frame
    keep = [scope.region_allowed(r) and scope.industry_allowed(i) for r, i in zip(frame["region_code"], frame["industry_code"])]
    frame = frame[keep].reset_index(drop=True)
    if not scope.microdata and not frame.empty:
        secret = _confidential_pairs(store, list(frame["series_key"]))
        hidden = [(k, p) in secret for k, p in zip(frame["series_key"], frame["last_period"])]
        if any(hidden):
            frame = frame.astype({"value": "object", "message": "object", "details": "object"})
            frame.loc[hidden, "value"] = None
            frame.loc[hidden, "details"] = None
            frame.loc[hidden, "message"] = CONFIDENTIAL_MESSAGE
    frame.insert(1, "industry_name", [industry_name(c) for c in frame["industry_code"]])
    frame.insert(2, "region_name", [region_name(c) for c in frame["region_code"]])
    return frame


def _check_alert(store, scope: Scope, alert_id: int) -> dict[str, Any]:
    alerts = _alerts_module()
    record = alerts.get_alert(store, alert_id)
    if not (scope.region_allowed(record["region_code"]) and scope.industry_allowed(record["industry_code"])):
        raise Forbidden(f"无权处理预警 {alert_id}：超出{scope.user.role_name}的范围")
    return record


@router.get("/api/v1/alerts", tags=["预警"], summary="预警列表：按状态、级别、行业、地区、期别筛选")
def api_alerts(
    request: Request,
    status: str | None = Query(None, description="新、已知悉、已处置、已解除"),
    severity: str | None = Query(None, description="预警级别"),
    industry: str | None = Query(None, description="行业代码"),
    region: str | None = Query(None, description="地区代码"),
    period: str | None = Query(None, description="期别 YYYY-MM：该月有效的预警"),
    rule: str | None = Query(None, description="规则编号"),
    page: int = Query(1, ge=1),
    page_size: int = Query(100, ge=1, le=5000),
    format: str | None = Query(None, description="csv 或 xlsx"),
    principal: Principal = require("alerts.read"),
):
    scope = principal.scope
    for value, check, label in ((region, scope.region_allowed, "地区"), (industry, scope.industry_allowed, "行业")):
        if value and not check(value):
            raise Forbidden(f"无权查看{label}“{value}”的预警")
    frame = scoped_alerts(get_store(request), scope, status=status, severity=severity, industry=industry, region=region, period=period, rule=rule)
    if format:
        return table_response(frame, format, "预警")
    return paginate(frame_records(frame), page, page_size)


@router.get("/api/v1/alerts/{alert_id}/history", tags=["预警"], summary="一条预警的状态变更历史")
def api_alert_history(alert_id: int, request: Request, principal: Principal = require("alerts.read")) -> dict[str, Any]:
    store = get_store(request)
    _check_alert(store, principal.scope, alert_id)
    return {"alert_id": alert_id, "items": frame_records(_alerts_module().alert_history(store, alert_id))}


@router.post("/api/v1/alerts/{alert_id}/{action}", tags=["预警"], summary="改变预警状态：acknowledge 知悉、dispose 处置、resolve 解除")
def api_alert_action(
    alert_id: int, action: str, body: Transition, request: Request, principal: Principal = require("alerts.update")
) -> dict[str, Any]:
    if action not in ACTIONS:
        from qinggong.errors import InputError

        raise InputError(f"未知的操作“{action}”：可选 {'、'.join(f'{k}（{v}）' for k, v in ACTIONS.items())}", field="action")
    store = get_store(request)
    _check_alert(store, principal.scope, alert_id)
    alerts = _alerts_module()
    record = getattr(alerts, action)(store, alert_id, comment=body.comment, actor=principal.user.username)
    return {key: (value.isoformat() if hasattr(value, "isoformat") else value) for key, value in record.items() if not isinstance(value, float) or value == value}


@router.get("/alerts", include_in_schema=False)
def alerts_page(request: Request, principal: Principal = require("alerts.read")):
    try:
        alerts = _alerts_module()
    except ModuleMissing as exc:
        return render(request, "missing.html", principal, title="预警", message=exc.message)
    return render(
        request, "alerts.html", principal, title="预警", statuses=list(alerts.STATUSES), can_update=principal.can("alerts.update")
    )
