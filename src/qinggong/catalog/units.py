"""Units of measure: Chinese labels, dimensions, and conversion between units of one dimension."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from typing import TypeVar

import numpy as np
import pandas as pd

from qinggong.catalog._files import code_text, frame, read_yaml
from qinggong.catalog._text import clean
from qinggong.errors import QinggongError, UnknownCodeError

_DATA_FILE = "units.yaml"
# “2015=100”, “2015年=100”: fixed-base index labels; the base period lives in the MEASURE.
_FIXED_BASE_INDEX = re.compile(r"^\d{4}年?=100$")

Number = TypeVar("Number")


class IncompatibleUnitsError(QinggongError, ValueError):
    """Conversion between units of different dimensions (亿元 → 万吨) or different 量词 (万台 → 件)."""


@dataclass(frozen=True)
class Unit:
    code: str
    name: str  # primary Chinese label
    aliases: tuple[str, ...]
    dimension: str
    factor: Fraction  # size in the dimension's base unit
    counter: str | None  # 量词 for dimension `count`


@dataclass(frozen=True)
class _Units:
    by_code: dict[str, Unit]
    dimension_names: dict[str, str]
    by_label: dict[str, str]  # cleaned label → code


def _fraction(value: object) -> Fraction:
    # via str so that 1.0e-3 becomes exactly 1/1000 rather than the nearest binary float
    return Fraction(str(value))


@cache
def _units() -> _Units:
    raw = read_yaml(_DATA_FILE)
    dimension_names = {str(k): str(v["name"]) for k, v in raw["dimensions"].items()}
    by_code: dict[str, Unit] = {}
    by_label: dict[str, str] = {}
    for entry in raw["units"]:
        code = code_text(entry["code"])
        dimension = str(entry["dimension"])
        if dimension not in dimension_names:
            raise ValueError(f"{_DATA_FILE}: {code}: unknown dimension {dimension}")
        counter = entry.get("counter")
        if (dimension == "count") != (counter is not None):
            raise ValueError(f"{_DATA_FILE}: {code}: a counter is required for, and only for, dimension count")
        item = Unit(
            code=code,
            name=str(entry["name"]),
            aliases=tuple(str(a) for a in entry.get("aliases") or ()),
            dimension=dimension,
            factor=_fraction(entry["factor"]),
            counter=str(counter) if counter is not None else None,
        )
        if code in by_code:
            raise ValueError(f"{_DATA_FILE}: duplicate unit {code}")
        by_code[code] = item
        for label in (item.name, *item.aliases):
            key = clean(label)
            if by_label.setdefault(key, code) != code:
                raise ValueError(f"{_DATA_FILE}: label {label!r} names both {by_label[key]} and {code}")
    return _Units(by_code=by_code, dimension_names=dimension_names, by_label=by_label)


def units() -> pd.DataFrame:
    """All units: code, name, aliases, dimension, factor (float), counter."""
    rows = [
        {**vars(u), "aliases": list(u.aliases), "factor": float(u.factor)}
        for u in _units().by_code.values()
    ]
    return frame(rows, list(Unit.__dataclass_fields__))


def unit(code: str) -> Unit:
    """The unit with this code (e.g. `CNY_100M`); raises UnknownCodeError otherwise."""
    key = str(code).strip().upper()
    try:
        return _units().by_code[key]
    except KeyError:
        raise UnknownCodeError(f"未知的单位代码：{str(code).strip()}（units.yaml 中没有该单位）") from None


def unit_code_for_label(text: str) -> str | None:
    """Code of a unit given by code or Chinese label (`亿元`, `（万吨）`, `上年同月=100`), else None."""
    table = _units()
    key = clean(text)
    if len(key) >= 2 and key[0] == "(" and key[-1] == ")":
        key = key[1:-1]
    if key.upper() in table.by_code:
        return key.upper()
    if key in table.by_label:
        return table.by_label[key]
    if _FIXED_BASE_INDEX.match(key):
        return "IDX"
    return None


def _resolve(reference: str) -> Unit:
    code = unit_code_for_label(reference)
    if code is None:
        raise UnknownCodeError(f"未知的单位：{reference}（units.yaml 中没有该单位）")
    return _units().by_code[code]


def dimension_name(dimension: str) -> str:
    return _units().dimension_names[dimension]


def conversion_factor(from_unit: str, to_unit: str) -> float:
    """Multiply a value in `from_unit` by this to express it in `to_unit` (codes or labels)."""
    source, target = _resolve(from_unit), _resolve(to_unit)
    if source.dimension != target.dimension:
        raise IncompatibleUnitsError(
            f"单位无法换算：{source.name}（{dimension_name(source.dimension)}）"
            f"与{target.name}（{dimension_name(target.dimension)}）量纲不同"
        )
    if source.counter != target.counter:
        raise IncompatibleUnitsError(
            f"单位无法换算：{source.name}与{target.name}的计量对象不同（{source.counter}≠{target.counter}）"
        )
    return float(source.factor / target.factor)


def convert(value: Number, from_unit: str, to_unit: str) -> Number:
    """`value` (a number, numpy array or pandas Series) re-expressed from `from_unit` in `to_unit`.

    Units are given by code (`CNY_100M`) or label (`亿元`). 1 亿元 → 10000 万元. Units of
    different dimensions raise IncompatibleUnitsError (亿元 → 万吨), and so do different counters
    (万台 → 件). Unknown units raise UnknownCodeError.
    """
    return value * conversion_factor(from_unit, to_unit)  # type: ignore[operator,return-value]


def scale_values(values: np.ndarray, factors: np.ndarray | float) -> np.ndarray:
    """values × conversion factors, without binary noise: 0.036 × 100 is 3.6, not 3.5999999999999996.

    Source figures carry at most 15 significant digits, so rounding the product to 15 removes
    only the artefact of the multiplication (values whose factor is 1 are left as they are)."""
    values = np.asarray(values, dtype="float64")
    factors = np.broadcast_to(np.asarray(factors, dtype="float64"), values.shape)
    out = values * factors
    scaled = factors != 1.0
    out[scaled] = round_significant(out[scaled])
    return out


def round_significant(values: np.ndarray, digits: int = 15) -> np.ndarray:
    """Values rounded to `digits` significant digits (vectorised): sums and products of figures
    with at most 15 significant digits lose their binary noise (213277.29999999996 → 213277.3)."""
    values = np.asarray(values, dtype="float64")
    out = values.copy()
    finite = np.isfinite(values) & (values != 0)
    if finite.any():
        magnitude = np.floor(np.log10(np.abs(values[finite])))
        scale = 10.0 ** (digits - 1 - magnitude)
        out[finite] = np.round(values[finite] * scale) / scale
    return out
