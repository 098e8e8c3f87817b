"""轻工业 scope: which GB/T 4754-2017 codes make up 轻工业 (LI), and its named sub-sectors."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from qinggong.catalog._files import code_text, read_yaml
from qinggong.catalog.industries import _tree, ancestors, canonical_code, industry, is_industry_code
from qinggong.errors import UnknownCodeError

CERTAINTIES: tuple[str, ...] = ("confirmed", "inferred", "uncertain")
TOTAL_CODE = "_T"
LIGHT_CODE = "LI"
NOT_APPLICABLE_CODE = "_Z"
_DEFAULT_CERTAINTIES = frozenset({"confirmed", "inferred"})
_DATA_FILE = "light_scope.yaml"


@dataclass(frozen=True)
class ScopeCode:
    code: str
    name: str  # GB/T 4754-2017 name of the code
    item: int | None  # number of the CNLIF 18-大类 category, None where not visible
    certainty: str
    note: str


@dataclass(frozen=True)
class Sector:
    id: str
    name: str
    codes: tuple[str, ...]
    series_code: str  # the GB code if the sector is one code, else LI_<ID>
    certainty: str
    key_industries: tuple[str, ...]  # 中国轻工业信息中心 25 重点行业 that map here
    aliases: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class Aggregate:
    code: str
    name: str
    codes: tuple[str, ...]
    certainty: str
    note: str


def _check_certainty(value: str, where: str) -> str:
    if value not in CERTAINTIES:
        raise ValueError(f"{_DATA_FILE}: {where}: certainty must be one of {CERTAINTIES}, got {value!r}")
    return value


class LightScope:
    """The light-industry scope from light_scope.yaml, checked against the GB/T 4754 tree."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.version: str = str(raw["version"])
        self.source: dict[str, str] = {str(k): str(v) for k, v in raw["source"].items()}
        self.codes: tuple[ScopeCode, ...] = tuple(self._parse_code(entry) for entry in raw["light_industry"])
        self._certainty_of = {c.code: c.certainty for c in self.codes}
        if len(self._certainty_of) != len(self.codes):
            raise ValueError(f"{_DATA_FILE}: a code is listed twice in light_industry")
        for entry in self.codes:
            overlapping = [a.code for a in ancestors(entry.code) if a.code in self._certainty_of]
            if overlapping:
                raise ValueError(f"{_DATA_FILE}: {entry.code} lies inside {overlapping[0]}, which is also listed")
        self.sectors: tuple[Sector, ...] = tuple(self._parse_sector(entry) for entry in raw["sectors"])
        self._sector_by_key: dict[str, Sector] = {}
        for sector in self.sectors:
            for key in {sector.id, sector.series_code}:
                if self._sector_by_key.setdefault(key, sector) is not sector:
                    raise ValueError(f"{_DATA_FILE}: sector key {key} is used twice")
        self.aggregates: tuple[Aggregate, ...] = tuple(self._parse_aggregate(entry) for entry in raw["aggregates"])

    # -- parsing -------------------------------------------------------------------------------

    def _parse_code(self, entry: dict[str, Any]) -> ScopeCode:
        code = code_text(entry["code"])
        node = industry(code)  # raises for a code that is not in GB/T 4754-2017
        item = entry.get("item")
        return ScopeCode(
            code=node.code,
            name=node.name,
            item=int(item) if item is not None else None,
            certainty=_check_certainty(str(entry["certainty"]), code),
            note=str(entry.get("note") or ""),
        )

    def _parse_sector(self, entry: dict[str, Any]) -> Sector:
        sector_id = str(entry["id"])
        if not sector_id.isascii() or not sector_id.replace("_", "").isalnum() or sector_id != sector_id.lower():
            raise ValueError(f"{_DATA_FILE}: sector id must be a lower-case ASCII slug, got {sector_id!r}")
        codes = tuple(industry(code_text(c)).code for c in entry["codes"])
        expected = codes[0] if len(codes) == 1 else f"LI_{sector_id.upper()}"
        series_code = code_text(entry["series_code"])
        if series_code != expected:
            raise ValueError(f"{_DATA_FILE}: sector {sector_id}: series_code should be {expected}, got {series_code}")
        return Sector(
            id=sector_id,
            name=str(entry["name"]),
            codes=codes,
            series_code=series_code,
            certainty=_check_certainty(str(entry["certainty"]), sector_id),
            key_industries=tuple(str(k) for k in entry.get("key_industries") or ()),
            aliases=tuple(str(a) for a in entry.get("aliases") or ()),
            note=str(entry.get("note") or ""),
        )

    def _parse_aggregate(self, entry: dict[str, Any]) -> Aggregate:
        members = entry["codes"]
        if members == "light_industry":
            codes = self.aggregate_codes()
        else:
            codes = tuple(industry(code_text(c)).code for c in members)
        return Aggregate(
            code=str(entry["code"]),
            name=str(entry["name"]),
            codes=codes,
            certainty=_check_certainty(str(entry["certainty"]), str(entry["code"])),
            note=str(entry.get("note") or ""),
        )

    # -- queries -------------------------------------------------------------------------------

    def aggregate_codes(self, include_uncertain: bool = False) -> tuple[str, ...]:
        """The GB codes that add up to 轻工业 (no code lies inside another), in file order."""
        allowed = self._allowed(include_uncertain)
        return tuple(c.code for c in self.codes if c.certainty in allowed)

    @staticmethod
    def _allowed(include_uncertain: bool) -> frozenset[str]:
        return frozenset(CERTAINTIES) if include_uncertain else _DEFAULT_CERTAINTIES

    def is_light(self, code: str, include_uncertain: bool = False) -> bool:
        """Whether `code` lies inside the 轻工业 scope.

        True if the code, or an ancestor of it, is listed (a 小类 inside light 中类 292 is light).
        It is also true if every 小类 below the code is light: 103 采盐 is light through its only
        小类 1030. A code that is only partly light (20, 30, 38, C) is not. `LI` and the LI_*
        sector codes are light and `_T` is not. Unknown codes raise UnknownCodeError.
        """
        key = str(code).strip().upper()
        if key == LIGHT_CODE or (key.startswith("LI_") and key in self._sector_by_key):
            return True
        if key == TOTAL_CODE:
            return False
        return _is_light(self, industry(key).code, include_uncertain)

    def certainty(self, code: str) -> str | None:
        """Certainty of the listed entry that covers `code` (itself or an ancestor), else None."""
        node = industry(code)
        for candidate in [node, *ancestors(node.code)]:
            if candidate.code in self._certainty_of:
                return self._certainty_of[candidate.code]
        return None

    def sector(self, key: str) -> Sector:
        """A sector by id (`furniture`) or series code (`21`, `LI_HOUSEHOLD_APPLIANCES`)."""
        try:
            return self._sector_by_key[str(key).strip()]
        except KeyError:
            try:
                return self._sector_by_key[str(key).strip().lower()]
            except KeyError:
                raise UnknownCodeError(f"未知的轻工细分行业：{key}（light_scope.yaml 中没有该细分行业）") from None

    def sectors_for(self, code: str) -> list[Sector]:
        """Every sector that contains `code`, most specific first (see sector_for)."""
        key = str(code).strip().upper()
        if key in (LIGHT_CODE, TOTAL_CODE):
            return []
        if key in self._sector_by_key and not is_industry_code(key):
            return [self._sector_by_key[key]]
        node = industry(key)
        wanted = canonical_code(node.code)
        lineage = {wanted, node.code, *(a.code for a in ancestors(node.code))}
        ranked: list[tuple[int, int, Sector]] = []
        for sector in self.sectors:
            depths = [_depth(c) for c in sector.codes if c in lineage or canonical_code(c) == wanted]
            if depths:
                ranked.append((-max(depths), len(sector.codes), sector))
        ranked.sort(key=lambda item: (item[0], item[1]))
        return [sector for _, _, sector in ranked]

    def sector_for(self, code: str) -> Sector | None:
        """The most specific named sector that contains `code`, or None.

        Most specific means the deepest matching code, then the fewest codes: 1340 → 制糖
        (not 农副食品加工 or 食品工业), and 13 → 农副食品加工 (not 食品工业). A code that only
        contains sectors, without lying inside one, gets None (20 has wood below it but is not
        inside it).
        """
        found = self.sectors_for(code)
        return found[0] if found else None


def _depth(code: str) -> int:
    return 1 if code.isalpha() else len(code)


@cache
def _is_light(scope: LightScope, code: str, include_uncertain: bool) -> bool:
    allowed = scope._allowed(include_uncertain)
    listed = scope._certainty_of
    if listed.get(code) in allowed:
        return True
    if any(listed.get(a.code) in allowed for a in ancestors(code)):
        return True
    return _all_below_light(code, listed, allowed)


def _all_below_light(code: str, listed: dict[str, str], allowed: frozenset[str]) -> bool:
    kids = _tree().children[code]
    if not kids:
        return False
    return all(listed.get(kid) in allowed or _all_below_light(kid, listed, allowed) for kid in kids)


@cache
def light_scope() -> LightScope:
    """The 轻工业 scope (cached): .version, .source, .codes, .sectors, .aggregates, is_light(), sector_for()."""
    return LightScope(read_yaml(_DATA_FILE))


def industry_name(code: str) -> str:
    """Display name for any INDUSTRY code of a series key: GB code, `_T`, `LI`, `LI_*` or `_Z`."""
    key = str(code).strip().upper()
    if key == NOT_APPLICABLE_CODE:
        return "不适用"
    scope = light_scope()
    for aggregate in scope.aggregates:
        if aggregate.code == key:
            return aggregate.name
    if key.startswith("LI_"):
        return scope.sector(key).name
    return industry(key).name
