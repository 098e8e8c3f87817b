"""Which industries the monitor treats as light industry, and their Chinese names."""

from __future__ import annotations

from functools import lru_cache

from qinggong import catalog
from qinggong.config import load_method
from qinggong.errors import UnknownCodeError

LIGHT_TOTAL = "LI"
ALL_INDUSTRY = "_T"


def proxy_divisions() -> tuple[str, ...]:
    """Published divisions monitored as light sub-sectors although only part of them is in scope."""
    scope = load_method("warning_rules").get("scope") or {}
    return tuple(str(c) for c in scope.get("proxy_divisions", []))


def is_light(code: str) -> bool:
    """LI, LI_<ID>, a code in the catalog's light scope, or a configured proxy division.

    Published statistics come by GB/T 4754 大类 (two digits); 20 木材加工 and 29 橡胶和塑料
    contain the scope codes 203/204 and 292 and are the closest published series, so
    warning_rules.yaml lists them as `scope.proxy_divisions`.
    """
    code = str(code)
    if code == LIGHT_TOTAL or code.startswith("LI_"):
        return True
    if code in (ALL_INDUSTRY, "_Z") or not code:
        return False
    if catalog.light_scope().is_light(code):
        return True
    return code in proxy_divisions()


def is_sub_sector(code: str) -> bool:
    """A light sub-sector (not the light-industry total)."""
    return code != LIGHT_TOTAL and is_light(code)


@lru_cache(maxsize=4096)
def industry_name(code: str) -> str:
    code = str(code)
    special = {ALL_INDUSTRY: "全部规模以上工业", LIGHT_TOTAL: "轻工业", "_Z": ""}
    if code in special:
        return special[code]
    if code.startswith("LI_"):
        for sector in catalog.light_scope().sectors:
            if sector.id == code or getattr(sector, "series_code", None) == code:
                return sector.name
    try:
        return catalog.industry(code).name
    except (UnknownCodeError, KeyError, LookupError):
        return code


@lru_cache(maxsize=4096)
def region_name(code: str) -> str:
    if code == "000000":
        return "全国"
    try:
        return catalog.region(code).name
    except (UnknownCodeError, KeyError, LookupError):
        return code
