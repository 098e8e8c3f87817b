"""SDMX-CSV 1.0 and 2.0, read and written.

Columns follow the series key (docs/conventions.md): FREQ, INDICATOR, INDUSTRY, REGION, PRODUCT,
MEASURE, UNIT, then TIME_PERIOD, OBS_VALUE and the attributes OBS_STATUS, CONF_STATUS (SDMX
cross-domain code lists), SPAN (months an observation covers: 2 for 1-2月合并) and OBS_COMMENT
(the note). The dataflow is written as `QINGGONG:<DATAFLOW>(1.0)` — in the DATAFLOW column for
1.0, in STRUCTURE/STRUCTURE_ID/ACTION for 2.0. Values are written with Python's shortest exact
float representation, so export → import gives identical observations.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from qinggong.ingest.table import RawTable, column_letter
from qinggong.ingest.tabular import Sheet

AGENCY = "QINGGONG"
DSD_VERSION = "1.0"
DIMENSION_COLUMNS = ["FREQ", "INDICATOR", "INDUSTRY", "REGION", "PRODUCT", "MEASURE", "UNIT"]
ATTRIBUTE_COLUMNS = ["OBS_STATUS", "CONF_STATUS", "SPAN", "OBS_COMMENT"]
_FLOW = re.compile(r"^(?:(?P<agency>[A-Za-z0-9_.@-]+):)?(?P<id>[A-Za-z0-9_@-]+)(?:\((?P<version>[^)]*)\))?$")


def sdmx_version(header: list[str]) -> str | None:
    cols = [h.strip().upper() for h in header]
    if "TIME_PERIOD" not in cols or "OBS_VALUE" not in cols:
        return None
    if cols[:2] == ["STRUCTURE", "STRUCTURE_ID"]:
        return "2.0"
    if cols[0] == "DATAFLOW":
        return "1.0"
    return None


def flow_id(text: str) -> str:
    m = _FLOW.match(str(text).strip())
    return m.group("id") if m else str(text).strip()


def read_sdmx(sheet: Sheet, header_row: int) -> RawTable:
    cells = sheet.cells
    header = [str(h).strip().upper() for h in cells.iloc[header_row].tolist()]
    version = sdmx_version(header)
    col = {name: j for j, name in enumerate(header)}
    body = cells.iloc[header_row + 1:]
    body = body[(body != "").any(axis=1)]
    table = RawTable(sheet, "sdmx", "sdmx", pd.DataFrame(), pd.DataFrame(), meta={"sdmx_version": version})
    flow_col = col["STRUCTURE_ID"] if version == "2.0" else col["DATAFLOW"]
    dims = pd.DataFrame({"dataflow": body.iloc[:, flow_col].map(flow_id).to_numpy()})
    for name in DIMENSION_COLUMNS:
        dims[name.lower()] = body.iloc[:, col[name]].str.strip().to_numpy() if name in col else ""
    codes, uniques = pd.factorize(pd.MultiIndex.from_frame(dims))
    series = pd.DataFrame(list(uniques), columns=list(dims.columns))
    series["label"] = series.astype(str).agg(".".join, axis=1)
    series["where"] = "SDMX"
    table.series = series
    row_numbers = body.index.to_numpy() + 1
    frame = pd.DataFrame({
        "sid": codes.astype("int64"),
        "period_text": body.iloc[:, col["TIME_PERIOD"]].str.strip().to_numpy(dtype=object),
        "value_text": body.iloc[:, col["OBS_VALUE"]].str.strip().to_numpy(dtype=object),
        "row": row_numbers.astype("int64"),
        "column": column_letter(col["OBS_VALUE"]),
    })
    for attr, target in (("OBS_STATUS", "status"), ("CONF_STATUS", "conf_status"), ("SPAN", "span"), ("OBS_COMMENT", "note")):
        if attr in col:
            frame[target] = body.iloc[:, col[attr]].to_numpy(dtype=object)
    if "ACTION" in col:
        actions = set(body.iloc[:, col["ACTION"]].str.strip().str.upper()) - {"", "I", "A", "R", "M"}
        if actions:
            table.notes.append(f"ACTION 取值 {sorted(actions)} 未处理，按新增/替换导入")
    table.cells = frame
    return table


def format_value(value: float) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return repr(float(value))


def to_sdmx_frame(observations: pd.DataFrame, version: str = "2.0") -> pd.DataFrame:
    """Store observations (long form from Store.read_observations) → an SDMX-CSV table."""
    obs = observations
    flows = obs["dataflow"].astype(str).map(lambda f: f"{AGENCY}:{f}({DSD_VERSION})")
    out = pd.DataFrame()
    if version in ("2.0", "2"):
        out["STRUCTURE"] = ["dataflow"] * len(obs)
        out["STRUCTURE_ID"] = flows.to_numpy()
        out["ACTION"] = "I"
    elif version in ("1.0", "1"):
        out["DATAFLOW"] = flows.to_numpy()
    else:
        raise ValueError(version)
    for name in DIMENSION_COLUMNS:
        out[name] = obs[name.lower()].astype(str).to_numpy()
    out["TIME_PERIOD"] = obs["period"].astype(str).to_numpy()
    out["OBS_VALUE"] = [format_value(v) for v in obs["value"].to_numpy(dtype="float64")]
    out["OBS_STATUS"] = obs["status"].astype(str).to_numpy()
    out["CONF_STATUS"] = obs["conf_status"].fillna("F").astype(str).to_numpy()
    out["SPAN"] = obs["span"].astype("int64").astype(str).to_numpy()
    out["OBS_COMMENT"] = obs["note"].astype(object).where(obs["note"].notna(), "").to_numpy()
    return out
