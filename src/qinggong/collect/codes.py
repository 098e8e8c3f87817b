"""Industry and region codes for the registry, read through `qinggong.catalog`.

The catalog package was being finished in parallel with this one; when its Python API is not
importable the shipped GB/T 4754 and GB/T 2260 tables in catalog/data are read directly so
the registry still checks codes against the real classification.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pandas as pd

# Fallback light-industry 大类 (GB/T 4754-2017) used only when catalog.light_scope() is absent.
_FALLBACK_LIGHT_DIVISIONS = ("13", "14", "15", "18", "19", "20", "21", "22", "23", "24", "29")


def _catalog():
    try:
        from qinggong import catalog  # noqa: PLC0415

        catalog.industries  # noqa: B018
        return catalog
    except (ImportError, AttributeError):
        return None


@lru_cache(maxsize=1)
def industries() -> pd.DataFrame:
    """code, name, level (门类/大类/中类/小类), parent, light."""
    cat = _catalog()
    if cat is not None:
        frame = cat.industries()[["code", "name", "level", "parent", "light"]].copy()
    else:
        path = resources.files("qinggong.catalog") / "data" / "gbt4754_2017.csv"
        with path.open(encoding="utf-8") as handle:
            frame = pd.read_csv(handle, comment="#", dtype=str)
        frame["light"] = frame["code"].str[:2].isin(_FALLBACK_LIGHT_DIVISIONS) & (frame["level"] != "门类")
    frame["code"] = frame["code"].astype(str)
    return frame.reset_index(drop=True)


@lru_cache(maxsize=1)
def industry_names() -> dict[str, str]:
    return dict(zip(industries()["code"], industries()["name"]))


@lru_cache(maxsize=1)
def light_classes() -> frozenset[str]:
    """Light-industry 小类 codes (4 digits)."""
    frame = industries()
    small = frame[(frame["level"] == "小类") & frame["light"].astype(bool)]
    return frozenset(small["code"])


@lru_cache(maxsize=1)
def small_classes() -> frozenset[str]:
    frame = industries()
    return frozenset(frame.loc[frame["level"] == "小类", "code"])


@lru_cache(maxsize=1)
def provinces() -> dict[str, str]:
    cat = _catalog()
    if cat is not None and hasattr(cat, "regions"):
        frame = cat.regions()
    else:
        path = resources.files("qinggong.catalog") / "data" / "regions.csv"
        with path.open(encoding="utf-8") as handle:
            frame = pd.read_csv(handle, comment="#", dtype=str)
    frame = frame[frame["code"].astype(str).str.fullmatch(r"\d{2}0000") & (frame["code"] != "000000")]
    return dict(zip(frame["code"].astype(str), frame["name"].astype(str)))


def region_problem(code: str) -> str | None:
    """Why `code` is not a usable GB/T 2260 region (province, prefecture or county), or None."""
    text = str(code or "").strip()
    if not text.isdigit() or len(text) != 6:
        return f"地区代码“{code}”应为 6 位数字（GB/T 2260）"
    if text[:2] + "0000" not in provinces():
        return f"地区代码“{code}”的省级部分“{text[:2]}0000”不在 GB/T 2260 省级代码中"
    return None


def province_of(region: str) -> str:
    return region[:2] + "0000"
