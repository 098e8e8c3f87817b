"""Products (PRODUCT codes): NBS 主要工业产品 relevant to light industry, and retail commodity classes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pandas as pd

from qinggong.catalog._files import code_text, frame, read_yaml
from qinggong.errors import UnknownCodeError

KINDS = ("industrial_product", "retail_class")
_DATA_FILE = "products.yaml"


@dataclass(frozen=True)
class Product:
    code: str
    name: str
    aliases: tuple[str, ...]
    kind: str  # industrial_product | retail_class
    unit: str | None  # units.yaml code of 产量 (industrial products only)
    unit_certainty: str | None  # confirmed | usual
    gbt4754: str | None  # producing industry (industrial products only)
    light: bool | None  # counted as a 轻工 product (industrial products only)
    parent: str | None  # retail class that contains this one
    light_retail: bool | None  # part of 轻工11类商品零售 (retail classes); None = unknown
    light_retail_certainty: str | None  # named | inferred | unknown
    note: str


@cache
def _products() -> dict[str, Product]:
    from qinggong.catalog.industries import industry
    from qinggong.catalog.units import unit

    result: dict[str, Product] = {}
    for entry in read_yaml(_DATA_FILE)["products"]:
        code = code_text(entry["code"])
        kind = str(entry["kind"])
        if kind not in KINDS:
            raise ValueError(f"{_DATA_FILE}: {code}: kind must be one of {KINDS}")
        if not code.isascii() or code in result:
            raise ValueError(f"{_DATA_FILE}: bad or duplicate code {code!r}")
        unit_code = code_text(entry.get("unit")) or None
        gb_code = code_text(entry.get("gbt4754")) or None
        if unit_code is not None:
            unit(unit_code)
        if gb_code is not None:
            gb_code = industry(gb_code).code
        result[code] = Product(
            code=code,
            name=str(entry["name"]),
            aliases=tuple(str(a) for a in entry.get("aliases") or ()),
            kind=kind,
            unit=unit_code,
            unit_certainty=entry.get("unit_certainty"),
            gbt4754=gb_code,
            light=entry.get("light"),
            parent=code_text(entry.get("parent")) or None,
            light_retail=entry.get("light_retail"),
            light_retail_certainty=entry.get("light_retail_certainty"),
            note=str(entry.get("note") or ""),
        )
    orphans = {p.parent for p in result.values() if p.parent} - result.keys()
    if orphans:
        raise ValueError(f"{_DATA_FILE}: unknown parent classes {sorted(orphans)}")
    return result


def products(kind: str | None = None) -> pd.DataFrame:
    """Products and retail classes, optionally only one `kind` (industrial_product | retail_class)."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind 必须是 {' 或 '.join(KINDS)}，收到：{kind}")
    rows = [{**vars(p), "aliases": list(p.aliases)} for p in _products().values() if kind in (None, p.kind)]
    return frame(rows, list(Product.__dataclass_fields__))


def product(code: str) -> Product:
    """The product or retail class with this code; raises UnknownCodeError otherwise."""
    key = str(code).strip().upper()
    try:
        return _products()[key]
    except KeyError:
        raise UnknownCodeError(f"未知的产品代码：{str(code).strip()}（products.yaml 中没有该产品）") from None
