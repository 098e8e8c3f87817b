"""Column and row names → series dimensions.

A label such as `中国:工业增加值:规模以上工业企业:家具制造业:当月同比`,
`规模以上工业增加值_(21_2017)家具制造业_当期同比实际增速`, `家具制造业增加值同比增长(%)` or
`粮油、食品类商品零售类值_当期值` is split into its parts: the measure and the 1-2月 variant
(recognised here), the unit (in parentheses or from a unit row), and the remaining words, which
go to `qinggong.catalog.names` (industry, indicator, product, region). Anything left over makes
the label unrecognised, with the reason — nothing is guessed and nothing is dropped silently.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from qinggong import catalog
from qinggong.catalog import names
from qinggong.store.keys import MEASURE_LABELS

# Measure words, longest first within each group; matched at the end of the label (or of a part).
MEASURE_WORDS: list[tuple[str, str]] = [
    ("当月同比实际增速", "YOY_M"),
    ("当期同比实际增速", "YOY_M"),
    ("累计同比实际增速", "YOY_YTD"),
    ("上年同月=100", "IDX_PY"),
    ("上年同期=100", "IDX_PY"),
    ("季调环比", "MOM_SA"),
    ("季调:环比", "MOM_SA"),
    ("当月同比", "YOY_M"),
    ("当期同比", "YOY_M"),
    ("当月增速", "YOY_M"),
    ("同比增长", "YOY_M"),
    ("同比增速", "YOY_M"),
    ("月增长", "YOY_M"),
    ("本月增长", "YOY_M"),
    ("累计同比", "YOY_YTD"),
    ("累计增长", "YOY_YTD"),
    ("累计增速", "YOY_YTD"),
    ("期末同比", "YOY_EOP"),
    ("环比增长", "MOM"),
    ("环比", "MOM"),
    ("定基指数", "IDX_FB"),
    ("本月止累计", "YTD"),
    ("累计值", "YTD"),
    ("当月值", "M"),
    ("当期值", "M"),
    ("本月数", "M"),
    ("期末值", "EOP"),
    ("累计", "YTD"),
    ("当月", "M"),
    ("当期", "M"),
    ("期末", "EOP"),
    ("比重", "SHARE"),
    ("权重", "SHARE"),
]
GROWTH_MEASURES = {"YOY_M", "YOY_YTD", "YOY_EOP", "MOM", "MOM_SA"}
INDEX_MEASURES = {"IDX_PY", "IDX_FB"}
LEVEL_MEASURES = {"M", "YTD", "EOP", "SA", "TREND"}

# Words that qualify the whole table, not a dimension (“规模以上工业企业” alone means the total,
# which recognize_industry knows as _T; as a qualifier next to an industry it adds nothing).
SCOPE_WORDS = {"中国", "全国", "规模以上工业企业", "规模以上工业", "规模以上", "规上", "规上工业", "限上单位", "限额以上单位",
               "实际", "指标", "数值", "月度", "月"}

_VARIANTS = {"1-2月合并": "jan_feb_merged", "1-2月拆分": "jan_feb_split"}
_SEPARATORS = re.compile(r"[:：_|/]+")
_PAREN = re.compile(r"[(（]([^()（）]*)[)）]")


def normalize(text: object) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", "" if text is None else str(text)))


@dataclass
class Recognition:
    label: str
    indicator: str | None = None
    industry: str | None = None
    region: str | None = None
    product: str | None = None
    measure: str | None = None
    unit: str | None = None  # unit the file's values are in (catalog unit code)
    unit_stated: bool = False
    variant: str | None = None  # jan_feb_merged | jan_feb_split
    reason: str | None = None
    notes: list[str] = field(default_factory=list)
    industry_text: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


@lru_cache(maxsize=None)
def measure_code(text: str) -> str | None:
    """A measure code for a code (YOY_M) or a Chinese measure word (当月同比)."""
    t = normalize(text)
    if t.upper() in MEASURE_LABELS:
        return t.upper()
    for label_code, label in MEASURE_LABELS.items():
        if t == normalize(label):
            return label_code
    for word, code in MEASURE_WORDS:
        if t == word:
            return code
    return None


def _split_measure(text: str) -> tuple[str, str | None]:
    for word, code in MEASURE_WORDS:
        if text.endswith(word):
            return text[: -len(word)], code
    return text, None


# Stock and count indicators published without a measure word are end-of-period levels
# (中国:存货:规模以上工业企业 = 存货 at the end of the month).
_DEFAULT_MEASURE_BY_KIND = {"stock": "EOP", "count": "EOP"}


@lru_cache(maxsize=None)
def _industry(text: str) -> str | None:
    return names.recognize_industry(text) if text else None


@lru_cache(maxsize=None)
def _indicator(text: str) -> str | None:
    return names.recognize_indicator(text) if text else None


@lru_cache(maxsize=None)
def _product(text: str) -> str | None:
    return names.recognize_product(text) if text else None


@lru_cache(maxsize=None)
def _region(text: str) -> str | None:
    return names.recognize_region(text) if text else None


@lru_cache(maxsize=None)
def unit_code(text: str) -> str | None:
    t = normalize(text)
    if not t:
        return None
    try:
        catalog.unit(t)
        return t
    except Exception:  # not a code: try it as a unit name
        return names.recognize_unit(t)


def _known_prefix(text: str) -> bool:
    text = text.rstrip("的")
    return (not text or text in SCOPE_WORDS or bool(_industry(text)) or bool(_product(text))
            or bool(_region(text)))


def _split_indicator(part: str) -> tuple[str | None, str]:
    """`家具制造业增加值` → (VA, 家具制造业): an indicator suffix whose prefix is a known name
    (so `农副食品加工业增加值` is 农副食品加工业 + 增加值, not 农副食品加 + 工业增加值); else the
    longest indicator suffix."""
    fallback: tuple[str | None, str] = (None, part)
    for start in range(0, len(part) - 1):
        code = _indicator(part[start:])
        if code:
            if _known_prefix(part[:start]):
                return code, part[:start]
            if fallback[0] is None:
                fallback = (code, part[:start])
    return fallback


def _assign(rec: Recognition, part: str) -> bool:
    """Give a part to a dimension; False if nothing recognises it."""
    if not part or part in SCOPE_WORDS:
        return True
    code = _industry(part)
    if code and rec.industry == code:
        return True
    if code and rec.industry in (None, "_T"):
        rec.industry = code
        rec.industry_text = part
        return True
    code = _region(part)
    if code and rec.region is None:
        rec.region = code
        return True
    code = _indicator(part)
    if code and rec.indicator is None:
        rec.indicator = code
        return True
    code = _product(part)
    if code and rec.product is None:
        rec.product = code
        return True
    indicator, rest = _split_indicator(part)
    if indicator and rec.indicator is None:
        rec.indicator = indicator
        return _assign(rec, rest.rstrip("的"))
    return False


def recognize_label(
    label: str,
    *,
    unit_text: str | None = None,
    region_text: str | None = None,
    industry_text: str | None = None,
    indicator_text: str | None = None,
    measure_text: str | None = None,
) -> Recognition:
    """Recognise one series label, with what the table says around it (unit/region rows, columns)."""
    rec = Recognition(label=label)
    text = normalize(label)
    for word, variant in _VARIANTS.items():
        if f"({word})" in text:
            rec.variant = variant
            text = text.replace(f"({word})", "")
    # Parenthesised parts: a GB/T 4754 code “(21_2017)”, a unit “(%)”, a measure “(上年同月=100)”.
    for inner in _PAREN.findall(text):
        m = re.fullmatch(r"([A-Z]|\d{2,4})(?:_\d{4})?", inner)
        if m:
            rec.industry = m.group(1)
            text = text.replace(f"({inner})", ":")
            continue
        code = measure_code(inner)
        if code:
            rec.measure = code
            text = text.replace(f"({inner})", "")
            continue
        unit = unit_code(inner)
        if unit:
            rec.unit, rec.unit_stated = unit, True
            text = text.replace(f"({inner})", "")
    if measure_text:
        rec.measure = measure_code(measure_text)
        if rec.measure is None:
            rec.reason = f"无法识别计量方式“{measure_text}”"
            return rec
    for suffix in ("%点", "%"):  # 出口交货值月增长%, 产销率月比增减%点: the unit written after the measure
        if text.endswith(suffix) and not rec.unit:
            rec.unit, rec.unit_stated = ("PP" if suffix == "%点" else "PCT"), True
            text = text[: -len(suffix)]
            break
    if rec.measure is None:
        text, rec.measure = _split_measure(text)
    elif measure_text:
        # The column says what the numbers are (权重_2012 next to a series named …:当月同比):
        # the label's own measure word names the series the weight belongs to, not these values.
        text, _ = _split_measure(text)
    parts = [p for p in _SEPARATORS.split(text) if p]
    if parts and (rec.measure is None or measure_text):
        head, code = _split_measure(parts[-1])
        if code:
            rec.measure = rec.measure or code
            parts[-1] = head
        parts = [p for p in parts if p]
    unrecognised = []
    for part in parts:
        if not _assign(rec, part):
            unrecognised.append(part)
    for given, attr, func in (
        (indicator_text, "indicator", _indicator),
        (industry_text, "industry", _industry),
        (region_text, "region", _region),
    ):
        if given and normalize(given):
            code = func(normalize(given))
            if code is None:
                rec.reason = f"无法识别{ {'indicator': '指标', 'industry': '行业', 'region': '地区'}[attr] }“{given}”"
                return rec
            setattr(rec, attr, code)
    if unit_text and normalize(unit_text):
        unit = unit_code(unit_text)
        if unit is None:
            rec.reason = f"无法识别单位“{unit_text}”"
            return rec
        rec.unit, rec.unit_stated = unit, True
    if unrecognised:
        rec.reason = "无法识别“" + "”“".join(unrecognised) + "”（不是已知的行业、地区、指标或产品名称）"
        return rec
    if rec.indicator in (None, "OUTPUT") and rec.product is None and rec.industry_text:
        # 塑料制品产量: the product, not the industry of the same name
        product = _product(rec.industry_text)
        if product:
            rec.product, rec.industry = product, None
    if rec.indicator is None and rec.product is not None:
        rec.indicator = "OUTPUT"
    if rec.indicator is None:
        rec.reason = "无法识别指标（列名中没有已知的指标名称）"
        return rec
    if rec.measure is None:
        rec.measure = _DEFAULT_MEASURE_BY_KIND.get(catalog.indicator(rec.indicator).kind)
    if rec.measure is None:
        rec.reason = "无法识别计量方式（当月值、累计值、当月同比、累计同比……）"
        return rec
    return rec
