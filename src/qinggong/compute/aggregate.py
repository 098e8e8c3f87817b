"""Aggregation over the industry hierarchy (大类 → light industry) and the region hierarchy
(provinces → 全国): from levels where they exist, by weighted growth where only growth exists.
Weights come from `compute/data/va_weights.csv` (config `aggregation.yaml`) or the caller, and
the weights used are returned with the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from qinggong.config import load_method
from qinggong.errors import InputError


@lru_cache(maxsize=4)
def _weights_table(filename: str) -> pd.DataFrame:
    path = resources.files("qinggong.compute") / "data" / filename
    with path.open("r", encoding="utf-8") as handle:
        table = pd.read_csv(handle, dtype={"industry": str, "name": str, "year": "int64", "weight": "float64"})
    return table


def va_weights() -> pd.DataFrame:
    """The shipped value-added weights: industry, name, year, weight (see data/SOURCE.md)."""
    return _weights_table(load_method("aggregation")["weights"]["file"]).copy()


def weight_years() -> list[int]:
    return sorted(int(y) for y in va_weights()["year"].unique())


def weights_for_year(year: int, codes: list[str] | None = None) -> tuple[int, pd.Series]:
    """Weights of the latest weight year not after `year` (the earliest year before 2012)."""
    years = weight_years()
    chosen = max([y for y in years if y <= year], default=years[0])
    table = _weights_table(load_method("aggregation")["weights"]["file"])
    table = table[table["year"] == chosen].set_index("industry")["weight"]
    if codes is not None:
        table = table.reindex(codes)
    return chosen, table


@dataclass
class Aggregate:
    """An aggregated series with what went into each period."""

    values: pd.Series
    coverage: pd.Series  # number of parts that contributed per period
    weights: dict[str, dict[str, float]] = field(default_factory=dict)  # weight label → code → weight
    weight_source: dict[str, str] = field(default_factory=dict)  # period → weight label


def sum_levels(parts: pd.DataFrame, *, require_all: bool = True) -> Aggregate:
    """Aggregate levels by summation (e.g. light 大类 → 轻工业, provinces → 全国)."""
    frame = parts.apply(pd.to_numeric, errors="coerce").astype("float64")
    count = frame.notna().sum(axis=1)
    total = frame.sum(axis=1, min_count=1)
    if require_all:
        total = total.where(count == frame.shape[1])
    return Aggregate(total, count)


def growth_from_levels(levels: pd.DataFrame, growth: pd.DataFrame) -> Aggregate:
    """Comparable-basis growth (%) of a sum of parts: ΣL / ΣB − 1 with B = L/(1+g)
    (methods §3.1); only periods where every part has level and growth."""
    level = levels.apply(pd.to_numeric, errors="coerce").astype("float64")
    rate = growth.apply(pd.to_numeric, errors="coerce").astype("float64").reindex(index=level.index, columns=level.columns)
    base = level / (1.0 + rate / 100.0)
    ok = level.notna().all(axis=1) & base.notna().all(axis=1)
    value = (level.sum(axis=1) / base.sum(axis=1) - 1.0) * 100.0
    return Aggregate(value.where(ok), (level.notna() & rate.notna()).sum(axis=1))


def weighted_growth(growth: pd.DataFrame, weights: pd.Series | None = None, *, min_coverage: float = 0.5) -> Aggregate:
    """Weighted mean growth (%) of parts that only publish growth (e.g. 工业增加值 by 大类).

    Without `weights`, value-added weights of the latest weight year not after each period's
    year are used (columns must be 大类 codes). Parts missing in a period are left out and the
    weights renormalised; a period whose covered weight is below `min_coverage` of the full
    weight is left empty. The weights used are recorded in the result.
    """
    rate = growth.apply(pd.to_numeric, errors="coerce").astype("float64")
    codes = [str(c) for c in rate.columns]
    values = pd.Series(np.nan, index=rate.index, dtype="float64")
    coverage = pd.Series(0, index=rate.index, dtype="int64")
    used: dict[str, dict[str, float]] = {}
    source: dict[str, str] = {}
    for period, row in rate.iterrows():
        if weights is None:
            year, w = weights_for_year(int(str(period)[:4]), codes)
            label = f"va_weights_{year}"
        else:
            w = pd.to_numeric(weights.reindex(codes)).astype("float64")
            label = "custom"
        if w.isna().all():
            raise InputError(f"没有分项 {', '.join(codes)} 的权重", field="weights")
        used.setdefault(label, {c: float(v) for c, v in w.items() if pd.notna(v)})
        available = row.notna().to_numpy() & w.notna().to_numpy()
        full = float(w.sum())
        if not available.any() or float(w[available].sum()) < min_coverage * full:
            continue
        values[period] = float((row[available] * w[available].to_numpy()).sum() / w[available].sum())
        coverage[period] = int(available.sum())
        source[str(period)] = label
    return Aggregate(values, coverage, used, source)


def provinces() -> list[str]:
    """Province-level codes (GB/T 2260 xx0000) of the catalog: the parts of 全国."""
    from qinggong import catalog

    table = catalog.regions()
    return sorted(str(c) for c in table.loc[table["level"] == "province", "code"])


def sum_regions(parts: pd.DataFrame, *, expected: list[str] | None = None) -> Aggregate:
    """全国 from provincial levels: the sum over the provinces present in each period.

    `parts` has one column per province code. `coverage` counts the provinces that contributed;
    a period is complete when every expected province (default: the catalog's 31) has a value,
    otherwise the sum is partial and must be flagged as such by the caller (`complete`)."""
    wanted = expected if expected is not None else provinces()
    unknown = [str(c) for c in parts.columns if str(c) not in wanted]
    if unknown:
        raise InputError(f"地区代码 {', '.join(unknown)} 不是省级行政区划，不能直接汇总为全国", field="region")
    frame = parts.apply(pd.to_numeric, errors="coerce").astype("float64")
    result = sum_levels(frame, require_all=False)
    result.weights = {"provinces": {"expected": float(len(wanted))}}
    return result


def complete(result: Aggregate, expected: int) -> pd.Series:
    """True where every expected part contributed."""
    return result.coverage >= expected
