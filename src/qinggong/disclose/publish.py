"""Write protected enterprise aggregates to the store as ENTERPRISE series, and public tables.

Suppressed cells are stored without a value (status C, conf_status A/O/G/D), so nothing read
from the store (exports, reports, API) can show them. The parameters of the rules are not
written anywhere; outputs record only the method versions.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from qinggong.collect.aggregate import PRODUCT_LEVEL, aggregate_enterprise, comparable_growth
from qinggong.collect.forms import FIELDS
from qinggong.config import method_version
from qinggong.disclose.suppress import CONF_LABELS, Protection, params, protect_cells
from qinggong.errors import QinggongError
from qinggong.store import Store
from qinggong.store.repository import PreparedObservations

SOURCE = "企业直报"
_YOY = {"M": "YOY_M", "YTD": "YOY_YTD", "EOP": "YOY_EOP"}


def enterprise_observations(protected: pd.DataFrame) -> pd.DataFrame:
    """Long observations (ENTERPRISE dataflow) with CONF_STATUS flags from protected cells."""
    parts = []
    conf_m, conf_ytd = _conf_codes(protected["conf_m"]), _conf_codes(protected["conf_ytd"])
    for f in FIELDS:
        conf = conf_ytd if f.measure == "YTD" else conf_m
        reported = protected[f"n_{f.column}"].to_numpy() > 0
        level = protected[f"v_{f.column}"].to_numpy(dtype="float64")
        growth = comparable_growth(protected, f.column).to_numpy(dtype="float64")
        parts += [_Part(f.item, f.measure, f.unit, level, reported, conf),
                  _Part(f.item, _YOY[f.measure], "PCT", growth, reported & np.isfinite(growth), conf)]
    parts.append(_Part("ENTERPRISES", "EOP", "EA", protected["n_enterprises"].to_numpy(dtype="float64"),
                       np.ones(len(protected), dtype=bool), np.full(len(protected), _PUBLIC, dtype=np.int8)))
    out = _long(protected[["industry", "region", "period"]], parts)
    out["product"] = _same_text(len(out), "_Z")
    return _enterprise_flow(out)


def product_observations(protected: pd.DataFrame) -> pd.DataFrame:
    """Long observations of protected product cells: OUTPUT per product in its catalog unit,
    当月 and 1–N月累计 with their comparable-basis 同比, and the number of producing enterprises."""
    parts = []
    units = protected["unit"].to_numpy(dtype=object)
    for column, conf_column, measure in (("output_m", "conf_m", "M"), ("output_ytd", "conf_ytd", "YTD")):
        conf = _conf_codes(protected[conf_column])
        reported = protected[f"n_{column}"].to_numpy() > 0
        level = protected[f"v_{column}"].to_numpy(dtype="float64")
        growth = comparable_growth(protected, column).to_numpy(dtype="float64")
        parts += [_Part("OUTPUT", measure, units, level, reported, conf),
                  _Part("OUTPUT", _YOY[measure], "PCT", growth, reported & np.isfinite(growth), conf)]
    parts.append(_Part("ENTERPRISES", "EOP", "EA", protected["n_enterprises"].to_numpy(dtype="float64"),
                       np.ones(len(protected), dtype=bool), np.full(len(protected), _PUBLIC, dtype=np.int8)))
    out = _long(protected[["region", "period", "product"]], parts)
    out["industry"] = _same_text(len(out), "_Z")  # as in the official product series: a product is not an industry
    return _enterprise_flow(out)


@dataclass
class _Part:
    """One indicator × measure of every cell: its values, the cells that have one (`keep`) and
    their CONF_STATUS (as positions in `_CONF`; a value is hidden unless F). `unit` is one code or
    one per cell."""

    indicator: str
    measure: str
    unit: str | np.ndarray
    values: np.ndarray
    keep: np.ndarray
    conf: np.ndarray


def _long(base: pd.DataFrame, parts: list[_Part]) -> pd.DataFrame:
    """The parts stacked into one long frame (part after part, cells in order), built from whole
    arrays at once rather than one frame per part: a national table is 27 parts of 12,000 cells."""
    rows = [np.flatnonzero(part.keep) for part in parts]
    lengths = [len(r) for r in rows]
    part_of = np.repeat(np.arange(len(parts)), lengths)
    out = base.iloc[np.concatenate(rows)].reset_index(drop=True)
    out["indicator"] = _text(part_of, [p.indicator for p in parts])
    out["measure"] = _text(part_of, [p.measure for p in parts])
    if any(isinstance(p.unit, np.ndarray) for p in parts):
        out["unit"] = np.concatenate([p.unit[r] if isinstance(p.unit, np.ndarray) else np.full(len(r), p.unit, dtype=object)
                                      for p, r in zip(parts, rows)])
    else:
        out["unit"] = _text(part_of, [p.unit for p in parts])
    conf = np.concatenate([p.conf[r] for p, r in zip(parts, rows)])
    hidden = conf != _PUBLIC
    out["value"] = np.where(hidden, np.nan, np.concatenate([p.values[r] for p, r in zip(parts, rows)]))
    out["status"] = _text(hidden.astype(np.int8), ["A", "C"])
    out["conf_status"] = _text(conf, _CONF)
    return out


_CONF = list(CONF_LABELS)  # the CONF_STATUS codes, by position
_PUBLIC = _CONF.index("F")  # the one whose values are shown


def _conf_codes(flags: pd.Series) -> np.ndarray:
    """Each cell's CONF_STATUS as its position in `_CONF` (a few codes over thousands of cells)."""
    codes = pd.Categorical(flags, categories=_CONF).codes
    if (codes < 0).any():
        raise QinggongError(f"内部错误：未知的保密标识“{flags[codes < 0].iloc[0]}”")
    return codes.astype(np.int8)


def _text(codes: np.ndarray, labels: list[str | None]) -> pd.Series:
    """A text column of `labels[code]` per row (None: missing), made by Arrow from the codes: a
    few labels over hundreds of thousands of rows, which pandas would convert one object at a time."""
    column = pa.DictionaryArray.from_arrays(pa.array(np.asarray(codes, dtype=np.int32)),
                                            pa.array(labels, type=pa.string())).cast(pa.string())
    return pd.Series(column, dtype=pd.StringDtype("pyarrow", na_value=np.nan))


def _same_text(n: int, label: str) -> pd.Series:
    return _text(np.zeros(n, dtype=np.int8), [label])


def _enterprise_flow(out: pd.DataFrame) -> pd.DataFrame:
    out["dataflow"] = _same_text(len(out), "ENTERPRISE")
    out["freq"] = _same_text(len(out), "M")
    out["source_name"] = _same_text(len(out), SOURCE)
    out["note"] = _text((out["status"] == "C").to_numpy(dtype=np.int8), [None, "保密（统计法第二十五条）"])
    return out


def publish_enterprise_aggregates(
    store: Store, *, periods: list[str] | None = None, actor: str | None = None, config: dict | None = None,
    tables: list[dict] | None = None,
) -> dict:
    """Aggregate accepted reports, protect the cells and store them; returns a summary."""
    config = config or params()
    dominance = list(config.get("primary", {}).get("dominance_items", []))
    product_regions = list(config.get("product_tables", {}).get("region", ["P", "N"]))
    product_tables = [{"industry": [PRODUCT_LEVEL], "region": product_regions}]

    def protect_and_observe(table: str, ready: pd.DataFrame) -> tuple[Protection, PreparedObservations]:
        protection = protect_cells(ready, config, tables if table == "industry" else product_tables)
        observe = enterprise_observations if table == "industry" else product_observations
        return protection, store.prepare_observations(observe(protection.cells))

    # Each table is protected, and turned into observations staged for the write, on a worker
    # thread as soon as it is aggregated: the product cells while the engine aggregates the
    # industry cells (the LP solver and the engine both work without the GIL). The observations
    # are written as parts of one vintage in the order the tables are ready: the product table's
    # while the industry table is still being protected.
    protecting: dict[str, Future] = {}
    with ThreadPoolExecutor(max_workers=2) as pool:

        def protect(table: str, ready: pd.DataFrame) -> None:
            if len(ready):
                protecting[table] = pool.submit(protect_and_observe, table, ready)

        cells, products = aggregate_enterprise(store, periods=periods, tables=tables, product_regions=product_regions,
                                               dominance_items=dominance, ready=protect)
        if cells.empty:
            return {"cells": 0, "observations": 0, "suppressed_primary": 0, "suppressed_secondary": 0,
                    "products": {"cells": 0}}

        def observations() -> Iterator[PreparedObservations]:
            for done in as_completed(protecting.values()):
                yield done.result()[1]

        result = store.write_observations(
            observations(), source=SOURCE, action="enterprise.aggregate", actor=actor,
            details={"methods": [method_version("disclosure"), method_version("edit_rules")], "cells": len(cells),
                     "product_cells": len(products)},
        )
    protection = protecting["industry"].result()[0]
    product_protection = protecting["products"].result()[0] if "products" in protecting else None
    out = {**summary(protection), "observations": result.rows_in, "write": result.as_dict(),
           "method": method_version("disclosure")}
    out["products"] = summary(product_protection) if product_protection is not None else {"cells": 0}
    return out


def summary(protection: Protection) -> dict:
    cells = protection.cells
    conf = pd.concat([cells["conf_m"], cells["conf_ytd"]])
    return {
        "cells": len(cells),
        "units": int(len(conf)),
        "suppressed_primary": int(protection.primary.sum()),
        "suppressed_secondary": int((conf == "D").sum()),
        "by_flag": {k: int(v) for k, v in conf.value_counts().items()},
        "verified_units": protection.verified_units,
        "verification": "全部保密单元" if protection.sample is None else
                        f"抽样 {protection.sample} 个保密单元（随机种子见 disclosure.yaml）",
        "unprotected_units": len(protection.failed_units),
        "lp_solves": protection.lp_solves,
        "rounds": protection.rounds,
    }


def public_table(store: Store, *, indicator: str = "REV", measure: str = "YTD", period: str | None = None,
                 out: str | Path | None = None) -> pd.DataFrame:
    """A publishable table of ENTERPRISE series (suppressed cells blank, flagged) from the store."""
    frame = store.read_observations(dataflow="ENTERPRISE", indicator=indicator, measure=measure)
    if period:
        frame = frame[frame["period"] == period]
    columns = ["series_key", "industry", "region", "product", "unit", "period", "value", "conf_status"]
    if not (frame["product"] != "_Z").any():
        columns = [c for c in columns if c not in ("product", "unit")]
    table = frame[columns].copy()
    table["conf_label"] = table["conf_status"].map(CONF_LABELS)
    if out:
        table.rename(columns={"series_key": "KEY", "industry": "INDUSTRY", "region": "REGION", "product": "PRODUCT",
                              "unit": "UNIT_MEASURE", "period": "TIME_PERIOD", "value": "OBS_VALUE",
                              "conf_status": "CONF_STATUS", "conf_label": "保密说明"}
                     ).to_csv(out, index=False, encoding="utf-8-sig")
    return table
