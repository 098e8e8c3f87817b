"""Reference data: industries (GB/T 4754-2017), the 轻工业 scope, regions (GB/T 2260), indicators,
units and products, with recognisers that turn the spellings found in real files into codes.

This is the first stage. It imports nothing from later stages (store, ingest, compute, report,
CLI). The data files are in `catalog/data/`, and each one states its source. Every loader is
cached. Unknown codes raise `qinggong.errors.UnknownCodeError` with a Chinese message.
"""

from qinggong.catalog.indicators import Indicator, indicator, indicators
from qinggong.catalog.industries import (
    LEVELS,
    Industry,
    ancestors,
    canonical_code,
    children,
    descendants,
    industries,
    industry,
    is_industry_code,
    is_within,
)
from qinggong.catalog.names import (
    IndustryAlias,
    IndustryGrouping,
    industry_aliases,
    industry_groupings,
    recognize_indicator,
    recognize_industry,
    recognize_product,
    recognize_region,
    recognize_unit,
)
from qinggong.catalog.products import Product, product, products
from qinggong.catalog.regions import NATIONAL_CODE, Region, region, regions
from qinggong.catalog.scope import (
    LIGHT_CODE,
    TOTAL_CODE,
    Aggregate,
    LightScope,
    ScopeCode,
    Sector,
    industry_name,
    light_scope,
)
from qinggong.catalog.units import IncompatibleUnitsError, Unit, conversion_factor, convert, unit, units

__all__ = [
    "LEVELS",
    "LIGHT_CODE",
    "NATIONAL_CODE",
    "TOTAL_CODE",
    "Aggregate",
    "IncompatibleUnitsError",
    "Indicator",
    "Industry",
    "IndustryAlias",
    "IndustryGrouping",
    "LightScope",
    "Product",
    "Region",
    "ScopeCode",
    "Sector",
    "Unit",
    "ancestors",
    "canonical_code",
    "children",
    "conversion_factor",
    "convert",
    "descendants",
    "indicator",
    "indicators",
    "industries",
    "industry",
    "industry_aliases",
    "industry_groupings",
    "industry_name",
    "is_industry_code",
    "is_within",
    "light_scope",
    "product",
    "products",
    "recognize_indicator",
    "recognize_industry",
    "recognize_product",
    "recognize_region",
    "recognize_unit",
    "region",
    "regions",
    "unit",
    "units",
]
