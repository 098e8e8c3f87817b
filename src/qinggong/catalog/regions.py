"""GB/T 2260 regions: 全国 (000000) and the 31 province-level divisions."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pandas as pd

from qinggong.catalog._files import frame, read_csv_rows
from qinggong.errors import UnknownCodeError

NATIONAL_CODE = "000000"
_DATA_FILE = "regions.csv"


@dataclass(frozen=True)
class Region:
    code: str  # 6-digit GB/T 2260 code
    name: str  # full name, e.g. 广西壮族自治区
    short_name: str  # e.g. 广西
    level: str  # national | province


@cache
def _regions() -> dict[str, Region]:
    result: dict[str, Region] = {}
    for row in read_csv_rows(_DATA_FILE):
        code = row["code"]
        if len(code) != 6 or not code.isdigit() or code in result:
            raise ValueError(f"{_DATA_FILE}: bad or duplicate code {code!r}")
        result[code] = Region(code=code, name=row["name"], short_name=row["short_name"], level=row["level"])
    return result


def regions() -> pd.DataFrame:
    """全国 and the 31 provinces: columns code, name, short_name, level (a copy)."""
    return frame([vars(r) for r in _regions().values()], ["code", "name", "short_name", "level"])


def region(code: str) -> Region:
    """The region with this 6-digit code; raises UnknownCodeError otherwise."""
    key = str(code).strip()
    try:
        return _regions()[key]
    except KeyError:
        raise UnknownCodeError(f"未知的地区代码：{key}（GB/T 2260 省级代码表中没有该代码）") from None
