"""Reading the store for people: series found by filters, and one series with labels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd

from qinggong import catalog
from qinggong.errors import QinggongError
from qinggong.store.keys import DATAFLOW_LABELS, MEASURE_LABELS, SeriesKey
from qinggong.store.repository import STATUS_CODES, Store


def _name(lookup, code: str) -> str:
    """The catalog name of `code`, or the code itself when the catalog does not know it."""
    try:
        found = lookup(code)
    except QinggongError:
        return code
    return found if isinstance(found, str) else found.name


def series_label(key: str | SeriesKey) -> str:
    """A Chinese label such as 全国 家具制造业 工业增加值 当月同比(%)."""
    key = key if isinstance(key, SeriesKey) else SeriesKey.parse(str(key))
    parts = [_name(catalog.region, key.region)]
    if key.industry != "_Z":
        parts.append(_name(catalog.industry_name, key.industry))
    if key.product != "_Z":
        parts.append(_name(catalog.product, key.product))
    parts.append(_name(catalog.indicator, key.indicator))
    parts.append(MEASURE_LABELS.get(key.measure, key.measure))
    unit = _name(catalog.unit, key.unit)
    label = " ".join(parts) + (f"（{unit}）" if unit else "")
    if key.dataflow != "OFFICIAL":
        label += f"［{DATAFLOW_LABELS.get(key.dataflow, key.dataflow)}］"
    return label


def period_label(period: str, span: int = 1) -> str:
    if len(period) == 7 and period[4] == "-":
        year, month = period[:4], int(period[5:])
        if span == 2 and month == 2:
            return f"{year}年1-2月"
        return f"{year}年{month}月"
    return period


def find_series(store: Store, **filters: Any) -> pd.DataFrame:
    for code_filter, lookup in (("indicator", catalog.indicator), ("industry", catalog.industry_name), ("region", catalog.region)):
        if filters.get(code_filter):
            lookup(filters[code_filter])  # unknown codes get a clear error instead of an empty list
    frame = store.list_series(**filters)
    frame.insert(2, "label", [series_label(k) for k in frame["series_key"]])
    return frame


def describe_series(
    store: Store, key: str, *, as_of: str | datetime | None = None, history: bool = False
) -> dict[str, Any]:
    info = store.series_info(key)
    frame = store.read_observations([info["series_key"]], as_of=as_of, history=history)
    observations = []
    for row in frame.to_dict(orient="records"):
        observations.append(
            {
                "period": row["period"],
                "period_label": period_label(row["period"], int(row["span"])),
                "value": None if pd.isna(row["value"]) else float(row["value"]),
                "status": row["status"],
                "status_label": STATUS_CODES.get(row["status"], row["status"]),
                "conf_status": row["conf_status"],
                "span": int(row["span"]),
                "note": row["note"],
                "vintage_id": int(row["vintage_id"]),
                "vintage_at": row["vintage_at"],
                "source": row["source"],
            }
        )
    return {
        "series_key": info["series_key"],
        "label": series_label(info["series_key"]),
        "dimensions": SeriesKey.parse(info["series_key"]).as_dict(),
        "source_name": info.get("source_name"),
        "method": info.get("method"),
        "inputs": info.get("inputs"),
        "as_of": as_of,
        "observations": observations,
    }
