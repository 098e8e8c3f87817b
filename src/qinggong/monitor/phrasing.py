"""One Chinese sentence per alert, with the numbers that triggered it.

Rates have one decimal (rounded half away from zero), differences of rates are 个百分点.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from qinggong import catalog
from qinggong.errors import UnknownCodeError
from qinggong.monitor.panel import period_label
from qinggong.monitor.scope import industry_name, region_name

# Short forms used in sentences (工业增加值 → 增加值 after an industry name, as NBS writes it).
INDICATOR_SHORT = {
    "VA": "增加值",
    "REV": "营业收入",
    "PROFIT": "利润总额",
    "EXPORT": "出口交货值",
    "RETAIL": "商品零售额",
    "OUTPUT": "产品产量",
    "PPI": "出厂价格",
    "INVENTORY": "产成品存货",
    "INVENTORY_TOTAL": "存货",
    "RECEIVABLE": "应收账款",
}
MEASURE_SHORT = {
    "YOY_M": "当月同比",
    "YOY_YTD": "累计同比",
    "YOY_EOP": "期末同比",
    "M": "当月值",
    "YTD": "累计值",
    "MOM": "环比",
    "MOM_SA": "季调环比",
    "SA": "季调值",
}


def fmt1(value: float) -> str:
    """One decimal, half away from zero (−0.0 printed as 0.0)."""
    text = str(Decimal(repr(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    return "0.0" if text == "-0.0" else text


def indicator_short(code: str) -> str:
    if code in INDICATOR_SHORT:
        return INDICATOR_SHORT[code]
    try:
        return catalog.indicator(code).name
    except (UnknownCodeError, KeyError, LookupError):
        return code


def subject(industry: str, region: str, indicator: str, measure: str) -> str:
    prefix = "" if region == "000000" else region_name(region)
    return f"{prefix}{industry_name(industry)}{indicator_short(indicator)}{MEASURE_SHORT.get(measure, measure)}"


def growth(value: float) -> str:
    """增长x% / 下降x% / 与上年同期持平, judged on the rounded figure."""
    text = fmt1(abs(value))
    if text == "0.0":
        return "与上年同期持平"
    return f"增长{text}%" if value > 0 else f"下降{text}%"


def previous_label(month: int, prev_month: int, prev_span: int) -> str:
    if month - prev_month == 1 and prev_span == 1:
        return "上月"
    if prev_span == 2 and prev_month % 12 == 1:
        return "1-2月"
    if month - prev_month == 1:
        return "上月"
    return period_label(prev_month)


def change_clause(value: float, prev: float, prev_name: str) -> str:
    """降幅较上月扩大/收窄, 增速较上月回落/加快 — empty when there is no previous figure."""
    if prev is None or prev != prev:
        return ""
    diff = value - prev
    d = fmt1(abs(diff))
    if value < 0 and prev < 0:
        if d == "0.0":
            return f"降幅与{prev_name}持平"
        return f"降幅较{prev_name}{'扩大' if diff < 0 else '收窄'}{d}个百分点"
    if value >= 0 and prev >= 0:
        if d == "0.0":
            return f"增速与{prev_name}持平"
        return f"增速较{prev_name}{'回落' if diff < 0 else '加快'}{d}个百分点"
    if value < 0 <= prev:
        return f"{prev_name}为增长{fmt1(prev)}%"
    return f"{prev_name}为下降{fmt1(abs(prev))}%"


def join(*parts: str) -> str:
    return "，".join(p for p in parts if p)


def _streak_text(streak: int) -> str:
    return f"已连续{int(streak)}个月"


def alert_message(kind: str, params: dict, dims: dict, row: dict, *, light_window: int = 36) -> str:
    """The sentence for one firing row of `qinggong.monitor.rules` (a dict of its columns)."""
    industry, region, indicator, measure = dims["industry"], dims["region"], dims["indicator"], dims["measure"]
    subj = subject(industry, region, indicator, measure)
    month, data_month = int(row["month"]), int(row["data_month"])
    lead = f"截至{period_label(data_month)}，" if data_month != month else ""
    value = float(row["value"])
    streak = int(row["streak"])

    def prev_clause() -> str:
        prev = row.get("prev")
        if prev is None or prev != prev:
            return ""
        name = previous_label(data_month, int(row["prev_month"]), int(row["prev_span"]))
        return change_clause(value, float(prev), name)

    if kind == "threshold":
        below = float(row.get("threshold", params.get("below", 0.0)))
        if below == 0.0:
            body = join(f"{subj}{growth(value)}", f"{_streak_text(streak)}负增长", prev_clause())
        else:
            body = join(f"{subj}{growth(value)}", f"{_streak_text(streak)}低于{fmt1(below)}%", prev_clause())
    elif kind == "vs_reference":
        ref = float(row["ref"])
        ref_subj = f"{industry_name(params.get('reference_industry', '_T'))}"
        body = join(
            f"{subj}{growth(value)}",
            f"低于{ref_subj}（{growth(ref)}）{fmt1(ref - value)}个百分点",
            f"{_streak_text(streak)}低于{ref_subj}{fmt1(float(row['margin']))}个百分点以上",
        )
    elif kind == "falling":
        body = join(
            f"{subj}{growth(value)}",
            f"{_streak_text(streak)}回落",
            f"较回落前的{fmt1(float(row['start_level']))}%累计回落{fmt1(float(row['total_drop']))}个百分点",
        )
    elif kind == "slowdown":
        year_ago = float(row["year_ago"])
        body = join(f"{subj}{growth(value)}", f"比上年同月（{growth(year_ago)}）回落{fmt1(year_ago - value)}个百分点",
                    f"{_streak_text(streak)}比上年同月回落{fmt1(float(params.get('drop', 8.0)))}个百分点以上")
    elif kind == "widening_decline":
        body = join(f"{subj}{growth(value)}", prev_clause(), f"降幅{_streak_text(streak)}扩大")
    elif kind == "pair":
        other_subj = subject(industry, region, str(row["other_indicator"]), str(row["other_measure"]))
        other = float(row["other"])
        if params.get("condition") == "primary_below_zero_other_above_zero":
            body = join(f"{other_subj}{growth(other)}", f"{indicator_short(indicator)}{MEASURE_SHORT.get(measure, measure)}{growth(value)}",
                        f"增收不增利{_streak_text(streak)}")
        else:
            body = join(
                f"{subj}{growth(value)}",
                f"高于{indicator_short(str(row['other_indicator']))}增速（{growth(other)}）{fmt1(value - other)}个百分点",
                f"{_streak_text(streak)}快于{indicator_short(str(row['other_indicator']))}{fmt1(float(row['margin']))}个百分点以上",
            )
    elif kind == "light":
        light = row.get("light")
        center = float(row["center"])
        body = join(
            f"{subj}{growth(value)}",
            f"比近{light_window}个月中位数{fmt1(center)}%低{fmt1(center - value)}个百分点",
            f"景气信号为{light}灯",
            f"{_streak_text(streak)}处于趋冷区间" if streak > 1 else "",
        )
    elif kind == "peak":
        turn = int(row["turn_month"])
        body = join(
            f"{subj}于{period_label(turn)}出现阶段性峰值{fmt1(float(row['turn_value']))}%（Bry–Boschan法识别）",
            f"目前{growth(value)}，较峰值回落{fmt1(float(row['turn_value']) - value)}个百分点",
        )
    elif kind == "outlier":
        z = float(row["z"])
        if bool(row.get("sa_based")):
            body = join(f"{subj}为{fmt1(value)}，季节调整后的不规则成分偏离近期中位数{fmt1(abs(float(row['deviation'])))}%",
                        f"稳健z值{fmt1(z)}，属季调后异常值")
        else:
            body = join(f"{subj}{growth(value)}",
                        f"偏离近期中位数{fmt1(float(row['center']))}%达{fmt1(abs(float(row['deviation'])))}个百分点",
                        f"稳健z值{fmt1(z)}，属异常值")
    else:
        body = join(f"{subj}{growth(value)}")
    return lead + body
