"""Period texts as statistics tables write them → store periods (`YYYY-MM`, `YYYY-Qn`, `YYYY`).

Handles 2025年10月, 2025年1-2月 (stored at 2025-02 with span 2), 202510, 2025-10, 2025-10-31,
2025/10/31, 2025.10, 2025M10, 2025年第一季度, 2025Q1, 2025年 and Excel date-times. Parsing
is done once per distinct text, so a million-row file costs as much as its distinct periods.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

import pandas as pd


@dataclass(frozen=True)
class Period:
    period: str
    span: int
    freq: str  # M, Q, A


_QUARTER_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}

_PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"^(\d{4})年\s*1\s*[-—–~至]\s*2\s*月(?:份)?(?:合并)?$"), "jan_feb"),
    (re.compile(r"^(\d{4})年\s*(\d{1,2})\s*月(?:份)?$"), "ym"),
    (re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"), "ymd"),
    (re.compile(r"^(\d{4})[-/.](\d{1,2})$"), "ym"),
    (re.compile(r"^(\d{4})M(\d{1,2})$", re.IGNORECASE), "ym"),
    (re.compile(r"^(\d{4})-M(\d{1,2})$", re.IGNORECASE), "ym"),
    (re.compile(r"^(\d{4})(\d{2})$"), "ym6"),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), "ymd8"),
    (re.compile(r"^(\d{4})\s*[-]?\s*Q([1-4])$", re.IGNORECASE), "q"),
    (re.compile(r"^(\d{4})年\s*第?([一二三四1-4])季度$"), "q"),
    (re.compile(r"^(\d{4})年?$"), "a"),
]


def normalize_text(text: str) -> str:
    """NFKC (full-width digits and punctuation → ASCII) and trimmed."""
    return unicodedata.normalize("NFKC", str(text)).strip()


def parse_period(text: object) -> Period | None:
    if text is None:
        return None
    if isinstance(text, float) and pd.isna(text):
        return None
    raw = normalize_text(text)
    if raw.endswith(".0") and raw[:-2].isdigit():  # 202510.0 from a spreadsheet number cell
        raw = raw[:-2]
    if not raw:
        return None
    for pattern, kind in _PATTERNS:
        m = pattern.match(raw)
        if not m:
            continue
        year = int(m.group(1))
        if not 1900 <= year <= 2200:
            return None
        if kind == "jan_feb":
            return Period(f"{year:04d}-02", 2, "M")
        if kind in ("ym", "ym6", "ymd", "ymd8"):
            month = int(m.group(2))
            if not 1 <= month <= 12:
                return None
            if kind in ("ymd", "ymd8") and not 1 <= int(m.group(3)) <= 31:
                return None
            return Period(f"{year:04d}-{month:02d}", 1, "M")
        if kind == "q":
            return Period(f"{year:04d}-Q{_QUARTER_WORDS[m.group(2)]}", 1, "Q")
        if kind == "a":
            return Period(f"{year:04d}", 1, "A")
    return None


def parse_many(texts: Iterable[object]) -> dict[object, Period | None]:
    """Parse each distinct text once."""
    return {t: parse_period(t) for t in pd.unique(pd.Series(list(texts), dtype=object))}


def period_share(texts: Iterable[object]) -> float:
    """Share of non-empty texts that read as periods (layout detection)."""
    values = [t for t in texts if t is not None and str(t).strip() not in ("", "nan")]
    if not values:
        return 0.0
    return sum(parse_period(t) is not None for t in values) / len(values)


def month_of(period: str) -> int | None:
    if len(period) == 7 and period[4] == "-" and period[5:].isdigit():
        return int(period[5:])
    return None
