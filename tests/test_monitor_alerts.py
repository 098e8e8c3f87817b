"""Alert persistence and workflow on both backends, with small synthetic series in the store."""

from __future__ import annotations

import pandas as pd
import pytest

from qinggong.errors import QinggongError
from qinggong.monitor import alerts
from qinggong.monitor.backtest import backtest
from qinggong.monitor.service import run_warnings


def _frame(industry: str, values: dict[str, float], *, indicator="VA", measure="YOY_M", dataflow="OFFICIAL", region="000000"):
    return pd.DataFrame(
        [{"dataflow": dataflow, "freq": "M", "indicator": indicator, "industry": industry, "region": region, "product": "_Z",
          "measure": measure, "unit": "PCT", "period": p, "value": v} for p, v in values.items()]
    )


def _months(start: str, n: int) -> list[str]:
    return [str(p) for p in pd.period_range(start, periods=n, freq="M")]


def _write(store, frames, source="测试"):
    return store.write_observations(pd.concat(frames, ignore_index=True), source=source)


def test_lifecycle_open_update_close_and_history(store):
    months = _months("2023-01", 20)
    # furniture: steady +5 for 12 months, negative for 4 months, then recovers
    values = [5.0] * 12 + [-2.0, -3.5, -4.0, -1.0] + [3.0] * 4
    _write(store, [_frame("21", dict(zip(months, values))), _frame("_T", dict(zip(months, [5.0] * 20)))])
    first = run_warnings(store, "2024-02")
    neg = [a for a in first.alerts if a["rule"] == "growth_negative"]
    assert len(neg) == 1 and neg[0]["streak"] == 2 and neg[0]["first_period"] == "2024-02"
    assert first.sync["new"] >= 1
    second = run_warnings(store, "2024-04")
    neg = [a for a in second.alerts if a["rule"] == "growth_negative"][0]
    assert neg["streak"] == 4 and neg["severity"] == "警示" and neg["first_period"] == "2024-02"
    stored = alerts.list_alerts(store, rule="growth_negative")
    assert len(stored) == 1 and stored.iloc[0]["status"] == "新" and stored.iloc[0]["last_period"] == "2024-04"
    alert_id = int(stored.iloc[0]["alert_id"])
    alerts.acknowledge(store, alert_id, comment="已通知行业协会", actor="张三")
    # recovery in 2024-05: the alert stops firing and is closed automatically with the period
    run_warnings(store, "2024-05")
    closed = alerts.get_alert(store, alert_id)
    assert closed["status"] == "已解除" and closed["closed_period"] == "2024-05"
    history = alerts.alert_history(store, alert_id)
    assert list(history["to_status"]) == ["新", "新", "已知悉", "已解除"]
    assert history.iloc[1]["comment"] == "级别由关注调整为警示"
    assert history.iloc[2]["actor"] == "张三" and history.iloc[2]["comment"] == "已通知行业协会"
    assert history.iloc[3]["actor"] == alerts.SYSTEM_ACTOR and history.iloc[3]["period"] == "2024-05"
    assert alerts.list_alerts(store, status="已解除", period="2024-03", rule="growth_negative")["alert_id"].tolist() == [alert_id]
    assert alerts.list_alerts(store, status="新", rule="growth_negative").empty


def test_workflow_transitions_and_errors(store):
    months = _months("2023-01", 16)
    _write(store, [_frame("22", dict(zip(months, [4.0] * 12 + [-5.0, -6.0, -7.0, -8.0])))])
    run_warnings(store, "2024-04")
    row = alerts.list_alerts(store, rule="growth_negative").iloc[0]
    alert_id = int(row["alert_id"])
    with pytest.raises(QinggongError, match="不能改为"):
        alerts.acknowledge(store, alert_id) and alerts.acknowledge(store, alert_id)
    assert alerts.get_alert(store, alert_id)["status"] == "已知悉"
    alerts.dispose(store, alert_id, comment="已调度企业复产", actor="李四")
    assert alerts.get_alert(store, alert_id)["status"] == "已处置"
    alerts.resolve(store, alert_id, comment="人工解除", actor="李四")
    rec = alerts.get_alert(store, alert_id)
    assert rec["status"] == "已解除" and rec["closed_period"] == "2024-04"
    with pytest.raises(QinggongError, match="不能改为"):
        alerts.dispose(store, alert_id)
    with pytest.raises(QinggongError, match="没有编号为 999999 的预警"):
        alerts.acknowledge(store, 999999)
    with pytest.raises(QinggongError, match="预警状态"):
        alerts.list_alerts(store, status="关闭")
    # a hand-resolved episode is not reopened while it keeps firing
    run_warnings(store, "2024-04")
    assert len(alerts.list_alerts(store, rule="growth_negative")) == 1
    assert alerts.list_alerts(store, min_severity="严重").empty is not None


def test_paired_rules_enterprise_and_provinces(store):
    months = _months("2024-01", 6)
    region = "330000"
    frames = [
        _frame("21", dict(zip(months, [3.0, 4.0, 5.0, 5.0, 6.0, 6.0])), indicator="REV", measure="YOY_YTD", dataflow="ENTERPRISE", region=region),
        _frame("21", dict(zip(months, [2.0, -1.0, -4.0, -6.0, -7.0, -8.0])), indicator="PROFIT", measure="YOY_YTD", dataflow="ENTERPRISE", region=region),
        _frame("21", dict(zip(months, [4.0, 9.0, 12.0, 13.0, 14.0, 15.0])), indicator="INVENTORY", measure="YOY_EOP", dataflow="ENTERPRISE", region=region),
    ]
    frames[2]["unit"] = "PCT"
    _write(store, frames)
    run = run_warnings(store, "2024-06", persist=False)
    by_rule = {a["rule"]: a for a in run.alerts}
    pair = by_rule["revenue_up_profit_down"]
    assert pair["region_code"] == region and pair["indicator"] == "PROFIT" and pair["streak"] == 5
    assert pair["message"].startswith("浙江省家具制造业营业收入累计同比增长6.0%，利润总额累计同比下降8.0%，增收不增利已连续5个月")
    inv = by_rule["inventory_outpaces_revenue"]
    assert inv["message"].startswith("浙江省家具制造业产成品存货期末同比增长15.0%，高于营业收入增速（增长6.0%）9.0个百分点")
    assert inv["value"] == 15.0 and inv["first_period"] == "2024-04" and "快于营业收入5.0个百分点以上" in inv["message"]
    assert alerts.list_alerts(store).empty  # persist=False stores nothing


def test_backtest_persist_opens_and_closes_month_by_month(store):
    months = _months("2022-01", 30)
    values = [6.0] * 14 + [-1.0, -2.0, -3.0] + [4.0] * 13
    _write(store, [_frame("24", dict(zip(months, values)))])
    result = backtest(store, "2023-01", "2024-06", persist=True)
    neg = alerts.list_alerts(store, rule="growth_negative")
    assert len(neg) == 1
    row = neg.iloc[0]
    assert row["first_period"] == "2023-04" and row["last_period"] == "2023-05" and row["closed_period"] == "2023-06"
    assert row["status"] == "已解除"
    assert {a["period"] for a in result.alerts if a["rule"] == "growth_negative"} == {"2023-04", "2023-05"}
