"""Indicators (INDICATOR codes of the series key): unit, kind, measures, aggregation, January rule."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pandas as pd

from qinggong.catalog._files import code_text, frame, read_yaml
from qinggong.errors import UnknownCodeError

KINDS = ("flow", "stock", "rate", "index", "count")
AGGREGATIONS = ("sum", "weighted_growth", "mean", "none")
JANUARY_RULES = ("combined_jan_feb", "exempt", "monthly")
MEASURES = (
    "M", "YTD", "YOY_M", "YOY_YTD", "MOM", "SA", "MOM_SA", "TREND", "SF", "HF",
    "IDX_PY", "IDX_FB", "EOP", "YOY_EOP", "SHARE", "CONTRIB",
)  # fmt: skip
_DATA_FILE = "indicators.yaml"


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    aliases: tuple[str, ...]
    unit: str | None  # units.yaml code; None when it depends on the product
    kind: str
    measures: tuple[str, ...]
    aggregation: str
    january: str
    description: str


def _checked(value: str, allowed: tuple[str, ...], field: str, code: str) -> str:
    if value not in allowed:
        raise ValueError(f"{_DATA_FILE}: {code}: {field} must be one of {allowed}, got {value!r}")
    return value


@cache
def _indicators() -> dict[str, Indicator]:
    from qinggong.catalog.units import unit  # validates unit codes

    result: dict[str, Indicator] = {}
    for entry in read_yaml(_DATA_FILE)["indicators"]:
        code = code_text(entry["code"])
        unit_code = code_text(entry.get("unit")) or None
        if unit_code is not None:
            unit(unit_code)
        measures = tuple(_checked(str(m), MEASURES, "measure", code) for m in entry["measures"])
        if code in result:
            raise ValueError(f"{_DATA_FILE}: duplicate indicator {code}")
        result[code] = Indicator(
            code=code,
            name=str(entry["name"]),
            aliases=tuple(str(a) for a in entry.get("aliases") or ()),
            unit=unit_code,
            kind=_checked(str(entry["kind"]), KINDS, "kind", code),
            measures=measures,
            aggregation=_checked(str(entry["aggregation"]), AGGREGATIONS, "aggregation", code),
            january=_checked(str(entry["january"]), JANUARY_RULES, "january", code),
            description=str(entry.get("description") or ""),
        )
    return result


def indicators() -> pd.DataFrame:
    """All indicators: code, name, aliases, unit, kind, measures, aggregation, january, description."""
    rows = [{**vars(i), "aliases": list(i.aliases), "measures": list(i.measures)} for i in _indicators().values()]
    return frame(rows, list(Indicator.__dataclass_fields__))


def indicator(code: str) -> Indicator:
    """The indicator with this code (e.g. `VA`, `PROFIT`); raises UnknownCodeError otherwise."""
    key = str(code).strip().upper()
    try:
        return _indicators()[key]
    except KeyError:
        raise UnknownCodeError(f"未知的指标代码：{str(code).strip()}（indicators.yaml 中没有该指标）") from None
