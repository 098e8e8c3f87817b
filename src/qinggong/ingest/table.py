"""What every reader produces: a `RawTable` of series descriptions and value cells, still text.

`series` has one row per series found in the file: where it is (row or column), its label and
what the table says around it (unit, region, industry, indicator, measure texts, or codes
already resolved for long and SDMX files). `cells` has one row per value cell: the series it
belongs to, the period text, the value text and the file row/column, so a rejected cell can
always be named. Readers never interpret numbers; the service does that vectorised.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from qinggong.ingest.tabular import Sheet

SERIES_COLUMNS = ["label", "unit_text", "region_text", "industry_text", "indicator_text", "measure_text",
                  "freq_text", "where"]


@dataclass
class RawTable:
    sheet: Sheet
    format: str  # nbs | wide | long | sdmx
    profile: str  # wind | ceidata | vendor | nbs_export | nbs_table | long | sdmx
    series: pd.DataFrame  # SERIES_COLUMNS (+ resolved dimension columns for long/sdmx)
    cells: pd.DataFrame  # sid, period_text, value_text, row, column (+ status, conf_status, span, note)
    meta: dict = field(default_factory=dict)
    rejected: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def reject(self, row: int | None, column: str | None, reason: str, value: str | None = None) -> None:
        self.rejected.append({"file": self.sheet.file, "sheet": self.sheet.name, "row": row, "column": column,
                              "value": value, "reason": reason})


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (how spreadsheets and analysts name columns)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def empty_series() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in SERIES_COLUMNS})


def block_to_cells(block: np.ndarray, row_numbers: np.ndarray, col_names: np.ndarray,
                   sids: np.ndarray, periods: np.ndarray, *, series_axis: int) -> pd.DataFrame:
    """Flatten a 2-D block of value texts; `series_axis` 1 = one series per column, 0 = per row."""
    n_rows, n_cols = block.shape
    rr = np.repeat(np.arange(n_rows), n_cols)
    cc = np.tile(np.arange(n_cols), n_rows)
    values = block.reshape(-1)
    keep = values != ""
    rr, cc, values = rr[keep], cc[keep], values[keep]
    if series_axis == 1:
        sid, period = sids[cc], periods[rr]
    else:
        sid, period = sids[rr], periods[cc]
    return pd.DataFrame({
        "sid": sid.astype("int64"),
        "period_text": period.astype(object),
        "value_text": values.astype(object),
        "row": row_numbers[rr].astype("int64"),
        "column": col_names[cc].astype(object),
    })
