"""Chinese statistical phrasing: pure functions from numbers to the words an official report uses.

The conventions follow NBS / CNLIF / MIIT releases (see /work/shared/docs/report-anchor.md A8):

* a rate is "增长5.2%" or "下降3.1%" (never "增长-3.1%"); a rate that rounds to zero is "持平";
* the change of a growth rate against a reference period is "加快/回落 x.x个百分点" while both
  rates are growths, "降幅收窄/扩大 x.x个百分点" while both are declines, and "由负转正/由正转负"
  when the sign changes;
* a comparison with a benchmark is "高于/低于 … x.x个百分点";
* runs of growth or decline are "连续N个月保持增长" / "连续N个月下降".

Differences are taken between the *displayed* (rounded) rates, so a reader can check every
"个百分点" against the two printed numbers. Rounding is half-up, as in statistical tables.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Sequence

UNIT_NAMES = {"CNY_100M": "亿元", "CNY_10K": "万元"}


def is_number(value: float | None) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def round_half_up(value: float, decimals: int = 1) -> float:
    """Round like a statistical table does (2.25 → 2.3), not like binary floats do (→ 2.2)."""
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def fmt_number(value: float, decimals: int = 1) -> str:
    rounded = round_half_up(value, decimals)
    if rounded == 0:
        rounded = 0.0  # never print "-0.0"
    return f"{rounded:.{decimals}f}"


def fmt_rate(value: float, decimals: int = 1) -> str:
    """The magnitude of a rate, one decimal: 5.2 → '5.2', -3.14 → '3.1'."""
    return fmt_number(abs(value), decimals)


def shown(value: float, decimals: int = 1) -> float:
    """The value as a reader sees it in the text (rounded)."""
    return round_half_up(value, decimals)


def growth(value: float, *, decimals: int = 1, up: str = "增长", down: str = "下降", flat: str = "持平") -> str:
    """'增长5.2%' / '下降3.1%' / '持平'."""
    rounded = shown(value, decimals)
    if rounded > 0:
        return f"{up}{fmt_rate(rounded, decimals)}%"
    if rounded < 0:
        return f"{down}{fmt_rate(rounded, decimals)}%"
    return flat


def change(current: float, previous: float, *, reference: str = "上月", decimals: int = 1) -> str:
    """How a growth rate moved against a reference period's rate.

    both ≥ 0: '增速较上月加快0.4个百分点' / '回落…' / '增速与上月持平'
    both < 0: '降幅较上月收窄…' / '降幅较上月扩大…' / '降幅与上月持平'
    sign change: '增速由负转正（上月为下降4.1%）' / '增速由正转负（上月为增长2.0%）'
    from or to 持平: '由上月持平转为增长' etc.
    """
    cur = shown(current, decimals)
    prev = shown(previous, decimals)
    diff = round_half_up(cur - prev, decimals)
    points = f"{fmt_rate(diff, decimals)}个百分点"
    if prev < 0 and cur > 0:
        return f"增速由负转正（{reference}为{growth(prev, decimals=decimals)}）"
    if prev > 0 and cur < 0:
        return f"增速由正转负（{reference}为{growth(prev, decimals=decimals)}）"
    if prev == 0 and cur != 0:
        return f"由{reference}持平转为{'增长' if cur > 0 else '下降'}"
    if cur == 0 and prev < 0:
        return f"由{reference}{growth(prev, decimals=decimals)}转为持平"
    if cur < 0 and prev < 0:
        if diff > 0:
            return f"降幅较{reference}收窄{points}"
        if diff < 0:
            return f"降幅较{reference}扩大{points}"
        return f"降幅与{reference}持平"
    # both non-negative (cur == 0 with prev > 0 is a slowdown to zero)
    if diff > 0:
        return f"增速较{reference}加快{points}"
    if diff < 0:
        return f"增速较{reference}回落{points}"
    return f"增速与{reference}持平"


def compare(value: float, benchmark: float, *, benchmark_label: str, decimals: int = 1) -> str:
    """'高于全部规模以上工业0.3个百分点' / '低于…' / '与…持平' (difference of the displayed rates)."""
    diff = round_half_up(shown(value, decimals) - shown(benchmark, decimals), decimals)
    if diff > 0:
        return f"高于{benchmark_label}{fmt_rate(diff, decimals)}个百分点"
    if diff < 0:
        return f"低于{benchmark_label}{fmt_rate(diff, decimals)}个百分点"
    return f"与{benchmark_label}持平"


def streak_length(values: Sequence[float | None], *, decimals: int = 1, bounded: bool = True) -> int:
    """How many consecutive values, ending with the last, share the last value's sign.

    `values` are consecutive periods, oldest first; None/NaN is a period without a publishable
    value. A value that rounds to zero has no sign and gives 0. With `bounded` (the default) the
    run must be preceded by a known value of another sign: a run that reaches the start of the
    data or a gap could be longer than we can see, so its length is not claimed (0).
    """
    if not values or not is_number(values[-1]):
        return 0
    sign = _sign(shown(values[-1], decimals))
    if sign == 0:
        return 0
    count = 0
    for value in reversed(values):
        if not is_number(value):
            return 0 if bounded else count
        if _sign(shown(value, decimals)) != sign:
            return count
        count += 1
    return 0 if bounded else count


def streak(values: Sequence[float | None], *, minimum: int = 3, decimals: int = 1) -> str:
    """'连续5个月保持增长' / '连续4个月下降', or '' when the run is shorter than `minimum` or its
    start is not known."""
    length = streak_length(values, decimals=decimals)
    if length < minimum:
        return ""
    return f"连续{length}个月保持增长" if shown(values[-1], decimals) > 0 else f"连续{length}个月下降"


def amount(value: float, unit: str, *, decimals: int = 1, large_decimals: int = 2, large_threshold: float = 10000) -> str:
    """Money in the units reports use: '6575.7亿元', '10.80万亿元', '356.0万元'.

    Values in 万元 of 1亿 or more are shown in 亿元; values in 亿元 of `large_threshold` or
    more in 万亿元.
    """
    if unit == "CNY_10K":
        if abs(value) >= 10000:
            return amount(value / 10000, "CNY_100M", decimals=decimals, large_decimals=large_decimals,
                          large_threshold=large_threshold)
        return f"{fmt_number(value, decimals)}万元"
    if unit == "CNY_100M":
        if abs(value) >= large_threshold:
            return f"{fmt_number(value / 10000, large_decimals)}万亿元"
        return f"{fmt_number(value, decimals)}亿元"
    raise ValueError(f"unsupported money unit {unit!r}")


def period_label(period: str) -> str:
    """'2025-11' → '2025年11月'."""
    year, month = period.split("-")
    return f"{year}年{int(month)}月"


def month_label(period: str) -> str:
    """'2025-11' → '11月'."""
    return f"{int(period.split('-')[1])}月"


def ytd_label(period: str, span: int = 1) -> str:
    """The cumulative period: '2025-11' → '1—11月'; February is '1—2月'; January '1月'."""
    month = int(period.split("-")[1])
    return "1月" if month == 1 else f"1—{month}月"


def current_label(period: str, span: int = 1) -> str:
    """The monthly period as published: a 1-2月合并 value (span 2 at February) is '1—2月'."""
    month = int(period.split("-")[1])
    if span >= 2 and month >= 2:
        return f"{month - span + 1}—{month}月"
    return f"{month}月"


def _sign(value: float) -> int:
    return (value > 0) - (value < 0)
