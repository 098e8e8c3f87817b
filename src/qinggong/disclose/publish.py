"""Write protected enterprise aggregates to the store as ENTERPRISE series, and public tables.

Suppressed cells are stored without a value (status C, conf_status A/O/G/D), so nothing read
from the store (exports, reports, API) can show them. The parameters of the rules are not
written anywhere; outputs record only the method versions.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from qinggong.collect.aggregate import PRODUCT_LEVEL, aggregate_enterprise, comparable_growth
from qinggong.collect.forms import FIELDS
from qinggong.config import method_version
from qinggong.disclose.suppress import CONF_LABELS, Protection, params, protect_cells
from qinggong.store import Store

SOURCE = "企业直报"
_YOY = {"M": "YOY_M", "YTD": "YOY_YTD", "EOP": "YOY_EOP"}


def enterprise_observations(protected: pd.DataFrame) -> pd.DataFrame:
    """Long observations (ENTERPRISE dataflow) with CONF_STATUS flags from protected cells."""
    frames = []
    base = protected[["industry", "region", "period"]]
    for f in FIELDS:
        conf = protected["conf_ytd"] if f.measure == "YTD" else protected["conf_m"]
        reported = protected[f"n_{f.column}"].to_numpy() > 0
        hidden = (conf != "F").to_numpy()
        level = protected[f"v_{f.column}"].to_numpy(dtype="float64")
        growth = comparable_growth(protected, f.column).to_numpy(dtype="float64")
        for measure, values, unit, keep in (
            (f.measure, level, f.unit, reported),
            (_YOY[f.measure], growth, "PCT", reported & np.isfinite(growth)),
        ):
            part = base[keep].copy()
            part["indicator"] = f.item
            part["measure"] = measure
            part["unit"] = unit
            part["value"] = np.where(hidden[keep], np.nan, values[keep])
            part["status"] = np.where(hidden[keep], "C", "A")
            part["conf_status"] = conf.to_numpy()[keep]
            frames.append(part)
    count = base.copy()
    count["indicator"] = "ENTERPRISES"
    count["measure"] = "EOP"
    count["unit"] = "EA"
    count["value"] = protected["n_enterprises"].to_numpy(dtype="float64")
    count["status"] = "A"
    count["conf_status"] = "F"
    frames.append(count)
    out = pd.concat(frames, ignore_index=True)
    out["product"] = "_Z"
    return _enterprise_flow(out)


def product_observations(protected: pd.DataFrame) -> pd.DataFrame:
    """Long observations of protected product cells: OUTPUT per product in its catalog unit,
    当月 and 1–N月累计 with their comparable-basis 同比, and the number of producing enterprises."""
    frames = []
    base = protected[["region", "period", "product"]]
    for column, conf_column, measure in (("output_m", "conf_m", "M"), ("output_ytd", "conf_ytd", "YTD")):
        conf = protected[conf_column].to_numpy()
        hidden = conf != "F"
        reported = protected[f"n_{column}"].to_numpy() > 0
        level = protected[f"v_{column}"].to_numpy(dtype="float64")
        growth = comparable_growth(protected, column).to_numpy(dtype="float64")
        for kind, values, units, keep in (
            (measure, level, protected["unit"].to_numpy(), reported),
            (_YOY[measure], growth, np.full(len(protected), "PCT"), reported & np.isfinite(growth)),
        ):
            part = base[keep].copy()
            part["indicator"] = "OUTPUT"
            part["measure"] = kind
            part["unit"] = units[keep]
            part["value"] = np.where(hidden[keep], np.nan, values[keep])
            part["status"] = np.where(hidden[keep], "C", "A")
            part["conf_status"] = conf[keep]
            frames.append(part)
    count = base.assign(indicator="ENTERPRISES", measure="EOP", unit="EA",
                        value=protected["n_enterprises"].to_numpy(dtype="float64"), status="A", conf_status="F")
    frames.append(count)
    out = pd.concat(frames, ignore_index=True)
    out["industry"] = "_Z"  # as in the official product series: a product is not an industry
    return _enterprise_flow(out)


def _enterprise_flow(out: pd.DataFrame) -> pd.DataFrame:
    out["dataflow"] = "ENTERPRISE"
    out["freq"] = "M"
    out["source_name"] = SOURCE
    out["note"] = np.where(out["status"] == "C", "保密（统计法第二十五条）", None)
    return out


def publish_enterprise_aggregates(
    store: Store, *, periods: list[str] | None = None, actor: str | None = None, config: dict | None = None,
    tables: list[dict] | None = None,
) -> dict:
    """Aggregate accepted reports, protect the cells and store them; returns a summary."""
    config = config or params()
    dominance = list(config.get("primary", {}).get("dominance_items", []))
    product_regions = list(config.get("product_tables", {}).get("region", ["P", "N"]))
    # Each table is protected on a worker thread as soon as it is aggregated: the product cells
    # while the engine aggregates the industry cells. The two tables share no cell, and the LP
    # solver and the engine both work without the GIL.
    with ThreadPoolExecutor(max_workers=2) as pool:
        protecting: dict[str, Future] = {}
        product_tables = [{"industry": [PRODUCT_LEVEL], "region": product_regions}]

        def protect(table: str, ready: pd.DataFrame) -> None:
            if len(ready):
                protecting[table] = pool.submit(protect_cells, ready, config,
                                                tables if table == "industry" else product_tables)

        cells, products = aggregate_enterprise(store, periods=periods, tables=tables, product_regions=product_regions,
                                               dominance_items=dominance, ready=protect)
        if cells.empty:
            return {"cells": 0, "observations": 0, "suppressed_primary": 0, "suppressed_secondary": 0,
                    "products": {"cells": 0}}
        protection = protecting["industry"].result()
        product_protection = protecting["products"].result() if "products" in protecting else None
    obs = [enterprise_observations(protection.cells)]
    if product_protection is not None:
        obs.append(product_observations(product_protection.cells))
    observations = pd.concat(obs, ignore_index=True)
    result = store.write_observations(
        observations, source=SOURCE, action="enterprise.aggregate", actor=actor,
        details={"methods": [method_version("disclosure"), method_version("edit_rules")], "cells": len(cells),
                 "product_cells": len(products)},
    )
    out = {**summary(protection), "observations": len(observations), "write": result.as_dict(),
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
