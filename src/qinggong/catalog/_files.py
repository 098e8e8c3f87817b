"""Reading the packaged data files under `catalog/data/` (CSV with `#` comment lines, YAML)."""

from __future__ import annotations

import csv
from importlib import resources
from typing import Any

import pandas as pd
import yaml

_PACKAGE = "qinggong.catalog"
# The C loader (libyaml) is several times faster; fall back to pure Python where it is missing.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _text(name: str) -> str:
    return resources.files(_PACKAGE).joinpath("data", name).read_text(encoding="utf-8")


def read_csv_rows(name: str) -> list[dict[str, str]]:
    """Rows of a packaged CSV as dicts of stripped strings; lines starting with `#` are skipped."""
    lines = [line for line in _text(name).splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [{key: (value or "").strip() for key, value in row.items()} for row in csv.DictReader(lines)]


def read_yaml(name: str) -> dict[str, Any]:
    data = yaml.load(_text(name), Loader=_YAML_LOADER)  # noqa: S506 - a safe loader
    if not isinstance(data, dict):
        raise ValueError(f"{name}: expected a mapping at the top level")
    return data


def code_text(value: Any) -> str:
    """A code from YAML as text. Codes should be quoted; this only guards against a bare number."""
    if value is None:
        return ""
    if isinstance(value, bool):
        raise ValueError(f"a code cannot be a boolean: {value!r}")
    return str(value).strip()


def frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """A DataFrame of object columns in which missing values stay None (not NaN)."""
    result = pd.DataFrame(rows, columns=columns).astype(object)
    return result.where(result.notna(), None)
