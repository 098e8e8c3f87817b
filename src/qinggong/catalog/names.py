"""Recognising names as codes: industry, region, indicator, unit and product spellings.

Every function is pure and answers from lookup tables built once (cached). Matching is exact
after normalisation, never by fuzzy similarity. When a spelling is unknown, or it fits two
codes that are not the same activity, the answer is None.

Industry spellings are tried in this order:
1. a `(NN_2017)` prefix (CEIdata): the code NN, if it is a GB/T 4754-2017 code;
2. a bare code (`21`, `C`, `_T`, `LI_FOOD`, or an NBS table code padded with zeros: `0600` → 06);
3. the exact GB/T 4754-2017 name;
4. the alias table (industry_aliases.yaml, plus sector names and aliases from light_scope.yaml);
5. the normalised name: 及 ≡ 和, 的 and enumeration commas dropped, and a trailing 业/行业 dropped;
6. the same with a trailing 制造 dropped as well (家具制造业 → 家具).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Iterable

from qinggong.catalog._files import code_text, read_yaml
from qinggong.catalog._text import clean, drop_separators
from qinggong.catalog.indicators import _indicators
from qinggong.catalog.industries import _tree, canonical_code, is_industry_code, is_within
from qinggong.catalog.products import _products
from qinggong.catalog.regions import NATIONAL_CODE, _regions
from qinggong.catalog.scope import LIGHT_CODE, TOTAL_CODE, light_scope
from qinggong.catalog.units import unit_code_for_label

_ALIAS_FILE = "industry_aliases.yaml"
_CEIDATA_PREFIX = re.compile(r"^\((\d{2,4})_\d{4}\)")
_CODE_LIKE = re.compile(r"^(?:[A-Ta-t]|\d{2,4})$")
_NATIONAL_ALIASES = ("全国", "中国", "全国合计", "全国总计")
# Full names without the administrative suffix, as some exports print them (宁夏回族, 广西壮族).
_REGION_SUFFIXES = ("自治区", "省", "市")
# Population words that prefix indicator names (“规模以上工业企业出口交货值”).
_INDICATOR_PREFIXES = ("中国", "全国", "规模以上工业企业", "规模以上工业", "规上工业企业", "规上工业")


@dataclass(frozen=True)
class IndustryAlias:
    name: str
    code: str  # GB/T 4754-2017 code, `_T`, `LI` or an LI_* sector code
    exact: bool  # False: the alias only approximately matches the code's content
    note: str


@dataclass(frozen=True)
class IndustryGrouping:
    """A grouping seen in real files that has no single code (高技术产业, 旧 PPI 工业部门 …)."""

    name: str
    aliases: tuple[str, ...]
    kind: str
    members: tuple[str, ...] | None
    note: str


# -- industry alias file --------------------------------------------------------------------------


@cache
def _known_non_gb_codes() -> frozenset[str]:
    scope = light_scope()
    return frozenset({TOTAL_CODE, LIGHT_CODE, *(s.series_code for s in scope.sectors if s.series_code.startswith("LI_"))})


@cache
def _alias_file() -> tuple[tuple[IndustryAlias, ...], tuple[IndustryGrouping, ...]]:
    raw = read_yaml(_ALIAS_FILE)
    extra_codes = _known_non_gb_codes()
    aliases: list[IndustryAlias] = []
    for entry in raw["aliases"]:
        code = code_text(entry["code"])
        if not (is_industry_code(code) or code in extra_codes):
            raise ValueError(f"{_ALIAS_FILE}: unknown code {code}")
        for name in entry["names"]:
            aliases.append(IndustryAlias(name=str(name), code=code, exact=bool(entry["exact"]), note=str(entry.get("note") or "")))
    groupings = tuple(
        IndustryGrouping(
            name=str(entry["name"]),
            aliases=tuple(str(a) for a in entry.get("aliases") or ()),
            kind=str(entry["kind"]),
            members=tuple(code_text(m) for m in entry["members"]) if entry.get("members") else None,
            note=str(entry.get("note") or ""),
        )
        for entry in raw["unmapped"]
    )
    return tuple(aliases), groupings


def industry_aliases() -> tuple[IndustryAlias, ...]:
    """Older and vendor spellings of industries, with the code each stands for."""
    return _alias_file()[0]


def industry_groupings() -> tuple[IndustryGrouping, ...]:
    """Groupings found in real files that deliberately resolve to no code."""
    return _alias_file()[1]


# -- industry recognition -------------------------------------------------------------------------


def _strip_industry_suffix(text: str) -> str:
    if text.endswith("行业") and len(text) > 2:
        return text[:-2]
    if text.endswith("业") and len(text) > 1:
        return text[:-1]
    return text


def _industry_keys(text: str) -> tuple[str, str]:
    """Normalised keys (tier 5 and tier 6) of a cleaned industry name."""
    key = drop_separators(text.replace("及", "和").replace("的", ""))
    key = _strip_industry_suffix(key)
    shorter = key[: -len("制造")] if key.endswith("制造") and len(key) > len("制造") else key
    return key, shorter


def _same_activity(codes: set[str]) -> str | None:
    """One code for a set of candidates, if they are all one line of descent; else None."""
    if len(codes) == 1:
        (only,) = codes
        return canonical_code(only) if is_industry_code(only) else only
    if not all(is_industry_code(c) for c in codes):
        return None
    top = min(codes, key=lambda c: (1 if c.isalpha() else len(c), c))
    if all(is_within(c, top) for c in codes):
        return canonical_code(top)
    return None


@dataclass(frozen=True)
class _IndustryIndex:
    exact_names: dict[str, set[str]]
    aliases: dict[str, str]
    # normalised keys (tiers 5 and 6) → candidate codes, kept apart by origin: a clash between
    # two GB names is the standard repeating a name down one line of descent (其他采矿业
    # 12/120/1200), while a clash with an alias is a genuine ambiguity.
    normalised_names: dict[str, set[str]]
    normalised_aliases: dict[str, set[str]]
    shortened_names: dict[str, set[str]]
    shortened_aliases: dict[str, set[str]]
    groupings: frozenset[str]


def _add(table: dict[str, set[str]], key: str, code: str) -> None:
    if key:
        table.setdefault(key, set()).add(code)


@cache
def _industry_index() -> _IndustryIndex:
    tree = _tree()
    exact_names: dict[str, set[str]] = {}
    aliases: dict[str, str] = {}

    def add_alias(label: str, code: str) -> None:
        key = clean(label)
        if aliases.setdefault(key, code) != code:
            raise ValueError(f"industry alias {label!r} stands for both {aliases[key]} and {code}")

    scope = light_scope()
    for alias in industry_aliases():
        add_alias(alias.name, alias.code)
    for aggregate in scope.aggregates:
        add_alias(aggregate.name, aggregate.code)
    for sector in scope.sectors:
        for label in (sector.name, *sector.aliases):
            add_alias(label, sector.series_code)

    for node in tree.by_code.values():
        _add(exact_names, clean(node.name), node.code)
    normalised_names: dict[str, set[str]] = {}
    shortened_names: dict[str, set[str]] = {}
    for label, codes in exact_names.items():
        key, shorter = _industry_keys(label)
        for code in codes:
            _add(normalised_names, key, code)
            _add(shortened_names, shorter, code)
    normalised_aliases: dict[str, set[str]] = {}
    shortened_aliases: dict[str, set[str]] = {}
    for label, code in aliases.items():
        key, shorter = _industry_keys(label)
        _add(normalised_aliases, key, code)
        _add(shortened_aliases, shorter, code)

    groupings = frozenset(clean(label) for g in industry_groupings() for label in (g.name, *g.aliases))
    clash = groupings & (exact_names.keys() | aliases.keys())
    if clash:
        raise ValueError(f"{_ALIAS_FILE}: unmapped names that are also mapped: {sorted(clash)}")
    return _IndustryIndex(
        exact_names, aliases, normalised_names, normalised_aliases, shortened_names, shortened_aliases, groupings
    )


def _industry_from_code_text(text: str) -> str | None:
    """A GB code as typed, or as NBS prints it padded with zeros (0600 → 06, 1310 → 131)."""
    code = text.upper()
    if is_industry_code(code):
        return canonical_code(code)
    if len(code) == 4 and code.isdigit():
        if code.endswith("00") and is_industry_code(code[:2]):
            return canonical_code(code[:2])
        if code.endswith("0") and is_industry_code(code[:3]):
            return canonical_code(code[:3])
    return None


def recognize_industry(text: str) -> str | None:
    """The INDUSTRY code for an industry name or code as it appears in data, or None.

    `家具制造业` → `21`, `造纸及纸制品业` → `22`, `(21_2017)家具制造业` → `21`, `采盐` → `1030`,
    `规模以上工业企业` → `_T`, `轻工业` → `LI`, `家电` → `LI_HOUSEHOLD_APPLIANCES`. Groupings
    without a code (高技术产业, 冶金工业, …) and unknown or ambiguous spellings give None.
    """
    if not isinstance(text, str):
        return None
    cleaned = clean(text)
    if not cleaned:
        return None
    prefix = _CEIDATA_PREFIX.match(cleaned)
    if prefix:
        from_prefix = _industry_from_code_text(prefix.group(1))
        if from_prefix is not None:
            return from_prefix
        cleaned = cleaned[prefix.end() :]
    if _CODE_LIKE.match(cleaned):
        return _industry_from_code_text(cleaned)
    if cleaned.upper() in _known_non_gb_codes():
        return cleaned.upper()

    index = _industry_index()
    if cleaned in index.groupings:
        return None
    if cleaned in index.exact_names:
        return _same_activity(index.exact_names[cleaned])
    if cleaned in index.aliases:
        return _same_activity({index.aliases[cleaned]})
    key, shorter = _industry_keys(cleaned)
    for names, aliases, lookup in (
        (index.normalised_names, index.normalised_aliases, key),
        (index.shortened_names, index.shortened_aliases, shorter),
    ):
        from_names, from_aliases = names.get(lookup, set()), aliases.get(lookup, set())
        if not (from_names or from_aliases):
            continue
        if from_aliases:
            candidates = {_same_activity({c}) for c in from_names | from_aliases}
            return candidates.pop() if len(candidates) == 1 else None
        return _same_activity(from_names)
    return None


# -- regions ------------------------------------------------------------------------------------


@cache
def _region_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for region in _regions().values():
        labels: Iterable[str] = (region.code, region.name, region.short_name)
        if region.code != NATIONAL_CODE:
            without_suffix = [region.name[: -len(s)] for s in _REGION_SUFFIXES if region.name.endswith(s)]
            labels = (*labels, region.code[:2], *without_suffix)
        for label in labels:
            if index.setdefault(clean(label), region.code) != region.code:
                raise ValueError(f"region label {label!r} is ambiguous")
    for label in _NATIONAL_ALIASES:
        index[clean(label)] = NATIONAL_CODE
    return index


def recognize_region(text: str) -> str | None:
    """6-digit GB/T 2260 code for `北京`, `北京市`, `宁夏回族`, `110000`, `11`, `全国` …; None if unknown."""
    if not isinstance(text, str):
        return None
    return _region_index().get(clean(text))


# -- indicators ---------------------------------------------------------------------------------


@cache
def _indicator_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for item in _indicators().values():
        for label in (item.code, item.name, *item.aliases):
            key = clean(label).upper()
            if index.setdefault(key, item.code) != item.code:
                raise ValueError(f"indicator label {label!r} names both {index[key]} and {item.code}")
    return index


def recognize_indicator(text: str) -> str | None:
    """Indicator code for `利润总额`, `主营业务收入`, `规模以上工业企业出口交货值`, `PPI` …; else None."""
    if not isinstance(text, str):
        return None
    index = _indicator_index()
    key = clean(text).upper()
    if key in index:
        return index[key]
    for prefix in _INDICATOR_PREFIXES:
        if key.startswith(prefix) and key[len(prefix) :] in index:
            return index[key[len(prefix) :]]
    return None


# -- units --------------------------------------------------------------------------------------


def recognize_unit(text: str) -> str | None:
    """Unit code for `亿元`, `(万吨)`, `%`, `上年同月=100`, `CNY_100M` …; None if unknown."""
    if not isinstance(text, str):
        return None
    return unit_code_for_label(text)


# -- products -----------------------------------------------------------------------------------


def _product_key(text: str) -> str:
    key = drop_separators(clean(text).replace("及", "和"))
    # retail rows read “X类商品零售类值”; once the indicator is split off, “X类商品” remains
    return key[: -len("商品")] if key.endswith("商品") and len(key) > len("商品") else key


@dataclass(frozen=True)
class _ProductIndex:
    exact: dict[str, str]
    normalised: dict[str, set[str]]


@cache
def _product_index() -> _ProductIndex:
    exact: dict[str, str] = {}
    normalised: dict[str, set[str]] = {}
    for item in _products().values():
        for label in (item.code, item.name, *item.aliases):
            key = clean(label)
            if exact.setdefault(key, item.code) != item.code:
                raise ValueError(f"product label {label!r} names both {exact[key]} and {item.code}")
            _add(normalised, _product_key(label), item.code)
    return _ProductIndex(exact, normalised)


def recognize_product(text: str) -> str | None:
    """Product or retail-class code for `家用电冰箱`, `机制纸及纸板`, `服装鞋帽、针、纺织品类` …; else None."""
    if not isinstance(text, str):
        return None
    index = _product_index()
    key = clean(text)
    if key in index.exact:
        return index.exact[key]
    if key.upper() in index.exact:
        return index.exact[key.upper()]
    candidates = index.normalised.get(_product_key(key), set())
    return next(iter(candidates)) if len(candidates) == 1 else None
