"""Helpers shared by the plan modules: times in 北京时间, JSON columns, regions, units."""

from __future__ import annotations

import json
import math
from datetime import date, datetime, time, timedelta
from typing import Any

import pandas as pd

from qinggong.errors import InputError, UnknownCodeError
from qinggong.store import current_actor, now_utc

# Deadlines and dates users type are 北京时间 (UTC+8, no daylight saving); the store keeps naive UTC.
BEIJING_OFFSET = timedelta(hours=8)


def actor_or_default(actor: str | None) -> str:
    return actor or current_actor()


def to_utc(value: str | date | datetime | None, *, field: str, end_of_day: bool = False) -> datetime | None:
    """A 北京时间 date or timestamp as naive UTC. A bare date means its start (or end, if asked)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value  # already a naive UTC timestamp (the API's own values)
    if isinstance(value, date):
        local = datetime.combine(value, time.max if end_of_day else time.min)
        return local - BEIJING_OFFSET
    text = str(value).strip()
    try:
        stamp = pd.Timestamp(text)
    except (ValueError, TypeError) as exc:
        raise InputError(f"无法识别的时间“{text}”：请写成 2025-12-10 或 2025-12-10 17:00", field=field) from exc
    if pd.isna(stamp):
        raise InputError(f"无法识别的时间“{text}”：请写成 2025-12-10 或 2025-12-10 17:00", field=field)
    if stamp.tzinfo is not None:
        return stamp.tz_convert("UTC").tz_localize(None).to_pydatetime()
    local = stamp.to_pydatetime()
    if len(text) <= 10 and end_of_day:
        local = datetime.combine(local.date(), time.max)
    return local - BEIJING_OFFSET


def to_beijing_text(value: datetime | pd.Timestamp | None) -> str | None:
    if value is None or (not isinstance(value, datetime) and pd.isna(value)):
        return None
    return (pd.Timestamp(value).to_pydatetime() + BEIJING_OFFSET).strftime("%Y-%m-%d %H:%M")


def parse_date(value: Any, *, field: str, row: int | None = None, file: str | None = None) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = "" if value is None else str(value).strip()
    try:
        stamp = pd.Timestamp(text)
    except (ValueError, TypeError):
        stamp = pd.NaT
    if not text or pd.isna(stamp):
        raise InputError(f"无法识别的日期“{text}”：请写成 2025-06-30", field=field, row=row, file=file)
    return stamp.date()


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def loads(text: str | None, default: Any = None) -> Any:
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return default
    return json.loads(text)


def blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        if pd.isna(value):
            return True
    except (TypeError, ValueError):
        pass
    return isinstance(value, str) and not value.strip()


def clean_text(value: Any) -> str | None:
    return None if blank(value) else str(value).strip()


def region_of(value: Any, **_where: Any) -> tuple[str, str] | None:
    """A region given as a GB/T 2260 code or a name → (code, name); None if the value is not a region."""
    from qinggong import catalog
    from qinggong.catalog.names import recognize_region

    text = clean_text(value)
    if text is None:
        return None
    code = text if text.isdigit() and len(text) == 6 else recognize_region(text)
    if code is None:
        return None
    try:
        return code, catalog.region(code).name
    except UnknownCodeError:  # an unknown 6-digit number is not a region
        return None


def require_region(value: Any, **where: Any) -> tuple[str, str]:
    """Like region_of, but an unknown region is an InputError located by `where` (file/row/column/field)."""
    found = region_of(value)
    if found is None:
        raise InputError(
            f"无法识别的地区“{clean_text(value) or ''}”：请填写省级行政区名称（如 浙江省）或 GB/T 2260 代码（如 330000）",
            **where,
        )
    return found


def now() -> datetime:
    return now_utc()
