"""GB/T 4754-2017 国民经济行业分类: the code tree (门类 → 大类 → 中类 → 小类) and lookups."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Iterator

import pandas as pd

from qinggong.catalog._files import frame, read_csv_rows
from qinggong.errors import UnknownCodeError

LEVELS: tuple[str, ...] = ("门类", "大类", "中类", "小类")
_DATA_FILE = "gbt4754_2017.csv"


@dataclass(frozen=True)
class Industry:
    code: str
    name: str
    level: str  # 门类 | 大类 | 中类 | 小类
    parent: str | None  # code one level up; None for a 门类
    section: str  # 门类 letter


@dataclass(frozen=True)
class _Tree:
    by_code: dict[str, Industry]
    children: dict[str, tuple[str, ...]]
    order: tuple[str, ...]  # file order: depth-first, as in the standard


@cache
def _tree() -> _Tree:
    by_code: dict[str, Industry] = {}
    children: dict[str, list[str]] = {}
    for row in read_csv_rows(_DATA_FILE):
        code = row["code"]
        if code in by_code:
            raise ValueError(f"{_DATA_FILE}: duplicate code {code}")
        if row["level"] not in LEVELS:
            raise ValueError(f"{_DATA_FILE}: bad level {row['level']!r} for {code}")
        parent = row["parent"] or None
        by_code[code] = Industry(code=code, name=row["name"], level=row["level"], parent=parent, section=row["section"])
        children.setdefault(code, [])
        if parent is not None:
            children.setdefault(parent, []).append(code)
    missing = {i.parent for i in by_code.values() if i.parent is not None} - by_code.keys()
    if missing:
        raise ValueError(f"{_DATA_FILE}: parents without a row: {sorted(missing)}")
    return _Tree(
        by_code=by_code,
        children={code: tuple(kids) for code, kids in children.items()},
        order=tuple(by_code),
    )


def _unknown(code: str) -> UnknownCodeError:
    return UnknownCodeError(f"未知的行业代码：{code}（GB/T 4754-2017 中没有该代码）")


def _normalise_code(code: str) -> str:
    return str(code).strip().upper()


def is_industry_code(code: str) -> bool:
    """True for a GB/T 4754-2017 code (门类 letter or 2–4 digits); aggregates such as `_T` are not."""
    return _normalise_code(code) in _tree().by_code


def industry(code: str) -> Industry:
    """The industry with this GB/T 4754-2017 code; raises UnknownCodeError if there is none."""
    key = _normalise_code(code)
    try:
        return _tree().by_code[key]
    except KeyError:
        raise _unknown(str(code).strip()) from None


def children(code: str) -> list[Industry]:
    """The codes one level down, in the standard's order."""
    tree = _tree()
    return [tree.by_code[kid] for kid in tree.children[industry(code).code]]


def ancestors(code: str) -> list[Industry]:
    """Parent, grandparent … up to the 门类 (nearest first); empty for a 门类."""
    tree = _tree()
    result: list[Industry] = []
    parent = industry(code).parent
    while parent is not None:
        node = tree.by_code[parent]
        result.append(node)
        parent = node.parent
    return result


def _walk(code: str) -> Iterator[str]:
    tree = _tree()
    for kid in tree.children[code]:
        yield kid
        yield from _walk(kid)


def descendants(code: str, level: str | None = None) -> list[Industry]:
    """All codes below `code` (depth-first), optionally only those at `level` (门类/大类/中类/小类)."""
    if level is not None and level not in LEVELS:
        raise ValueError(f"层级必须是 {'、'.join(LEVELS)} 之一，收到：{level}")
    tree = _tree()
    found = (tree.by_code[c] for c in _walk(industry(code).code))
    return [node for node in found if level is None or node.level == level]


def canonical_code(code: str) -> str:
    """The code series keys use for this industry.

    Where a code has exactly one child the two cover the same activity (12 = 120 = 1200
    其他采矿业; 103 = 1030 采盐). One member of each such chain is canonical:
    - the 大类 if the chain reaches one (NBS publishes 大类 data under the 2-digit code);
    - otherwise the 小类 (NBS 中类 tables print 4-digit codes, and light_scope.yaml uses
      them: 1030, 4030).
    门类 letters and all other codes are their own canonical form.
    """
    tree = _tree()
    node = industry(code)
    if node.level == "门类":
        return node.code
    top = node
    while top.parent is not None:
        parent = tree.by_code[top.parent]
        if parent.level == "门类" or len(tree.children[parent.code]) != 1:
            break
        top = parent
    if top.level == "大类":
        return top.code
    while len(tree.children[top.code]) == 1:
        top = tree.by_code[tree.children[top.code][0]]
    return top.code


def is_within(code: str, ancestor: str) -> bool:
    """True if `code` is `ancestor` or lies below it in the tree."""
    node, top = industry(code), industry(ancestor)
    return node.code == top.code or any(a.code == top.code for a in ancestors(node.code))


@cache
def _frame() -> pd.DataFrame:
    from qinggong.catalog.scope import light_scope  # scope builds on this module

    tree = _tree()
    scope = light_scope()
    result = frame(
        [
            {"code": i.code, "name": i.name, "level": i.level, "parent": i.parent, "section": i.section}
            for i in (tree.by_code[c] for c in tree.order)
        ],
        ["code", "name", "level", "parent", "section"],
    )
    result["light"] = pd.Series([scope.is_light(code) for code in result["code"]], dtype=bool)
    return result


def industries() -> pd.DataFrame:
    """Every GB/T 4754-2017 code: columns code, name, level, parent, section, light (bool).

    `light` follows light_scope().is_light with the default certainty (confirmed + inferred).
    The frame is a copy; changing it does not change the catalog.
    """
    return _frame().copy()
