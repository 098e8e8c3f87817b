"""Monthly series as compact arrays: what every monitor method works on.

A month is an integer `year*12 + month-1`. An observation covers `span` months ending at its
period (a 1-2月合并 value sits at February with span 2), so January is covered without being
invented. Missing values (status M, NULL) are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from qinggong.errors import InputError
from qinggong.store import SeriesKey, Store

MONITORED_DATAFLOWS = ("OFFICIAL", "ENTERPRISE")
DERIVED_RATES = ("YOY_M", "YOY_YTD")


def to_month(period: str) -> int:
    text = str(period).strip()
    try:
        year, month = text[:7].split("-")
        value = int(year) * 12 + int(month) - 1
        if not 1 <= int(month) <= 12 or len(text) != 7:
            raise ValueError(text)
    except ValueError as exc:
        raise InputError(f"期别“{text}”格式不正确：应为 YYYY-MM，如 2025-11", field="period") from exc
    return value


def to_period(month: int) -> str:
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def period_label(month: int) -> str:
    return f"{month // 12}年{month % 12 + 1}月"


@dataclass
class SeriesData:
    key: str
    dims: dict[str, str]
    months: np.ndarray  # int64, ascending, end month of each observation
    values: np.ndarray  # float64
    spans: np.ndarray  # int64

    @property
    def industry(self) -> str:
        return self.dims["industry"]

    @property
    def region(self) -> str:
        return self.dims["region"]

    @property
    def indicator(self) -> str:
        return self.dims["indicator"]

    @property
    def measure(self) -> str:
        return self.dims["measure"]

    @property
    def dataflow(self) -> str:
        return self.dims["dataflow"]

    @property
    def product_code(self) -> str:
        return self.dims["product"]

    def truncate(self, month: int) -> "SeriesData":
        n = int(np.searchsorted(self.months, month, side="right"))
        return SeriesData(self.key, self.dims, self.months[:n], self.values[:n], self.spans[:n])

    def monthly(self, start: int | None = None, end: int | None = None) -> pd.Series:
        """Values on a full monthly grid; a span-2 value also fills the month it covers."""
        if len(self.months) == 0:
            return pd.Series(dtype="float64")
        start = int(self.months[0] - self.spans[0] + 1) if start is None else start
        end = int(self.months[-1]) if end is None else end
        grid = np.full(end - start + 1, np.nan)
        for extra in range(int(self.spans.max()) - 1, -1, -1):
            covered = self.months - extra
            ok = (self.spans > extra) & (covered >= start) & (covered <= end)
            grid[covered[ok] - start] = self.values[ok]
        return pd.Series(grid, index=np.arange(start, end + 1))


@dataclass
class Panel:
    """All monitored series, keyed by series key, plus lookups by dimensions."""

    series: dict[str, SeriesData] = field(default_factory=dict)
    # DERIVED SA / TREND series written by qinggong.compute, keyed (measure, indicator, industry,
    # region, product); the outlier rule uses them instead of adjusting again
    derived: dict[tuple, SeriesData] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_dims = {self._dims_key(s.dims): s for s in self.series.values()}

    @staticmethod
    def _dims_key(dims: dict[str, str]) -> tuple:
        return tuple(dims[d] for d in SeriesKey.DIMENSIONS if d != "unit")

    def find(self, **dims: str) -> SeriesData | None:
        """The series with these dimensions (unit ignored)."""
        return self._by_dims.get(self._dims_key(dims))

    def select(
        self,
        *,
        indicator: Sequence[str] | None = None,
        measure: Sequence[str] | None = None,
        dataflow: Sequence[str] | None = None,
        region: Sequence[str] | None = None,
        industry: Iterable[str] | None = None,
    ) -> list[SeriesData]:
        industries = set(industry) if industry is not None else None
        out = []
        for key in sorted(self.series):
            s = self.series[key]
            if indicator is not None and s.indicator not in indicator:
                continue
            if measure is not None and s.measure not in measure:
                continue
            if dataflow is not None and s.dataflow not in dataflow:
                continue
            if region is not None and s.region not in region:
                continue
            if industries is not None and s.industry not in industries:
                continue
            out.append(s)
        return out

    def truncate(self, month: int) -> "Panel":
        return Panel({k: s.truncate(month) for k, s in self.series.items()},
                     {k: s.truncate(month) for k, s in self.derived.items()})

    @property
    def last_month(self) -> int | None:
        ends = [int(s.months[-1]) for s in self.series.values() if len(s.months)]
        return max(ends) if ends else None

    @property
    def first_month(self) -> int | None:
        starts = [int(s.months[0] - s.spans[0] + 1) for s in self.series.values() if len(s.months)]
        return min(starts) if starts else None


def panel_from_frame(frame: pd.DataFrame) -> Panel:
    """Observations in long form (as `Store.read_observations` returns them) → Panel."""
    if frame.empty:
        return Panel({})
    frame = frame[frame["freq"] == "M"]
    frame = frame[frame["value"].notna()]
    out: dict[str, SeriesData] = {}
    dims = list(SeriesKey.DIMENSIONS)
    for key, group in frame.groupby("series_key", sort=True):
        group = group.sort_values("period")
        first = group.iloc[0]
        out[str(key)] = SeriesData(
            key=str(key),
            dims={d: str(first[d]) for d in dims},
            months=np.array([to_month(p) for p in group["period"]], dtype=np.int64),
            values=group["value"].to_numpy(dtype="float64"),
            spans=group["span"].to_numpy(dtype="int64") if "span" in group else np.ones(len(group), dtype=np.int64),
        )
    return Panel(out)


def load_panel(
    store: Store,
    *,
    end: str | None = None,
    as_of: str | None = None,
    dataflows: Sequence[str] = MONITORED_DATAFLOWS,
    indicators: Sequence[str] | None = None,
) -> Panel:
    """Every monthly series of the monitored dataflows, as known at `as_of`, up to `end`."""
    filters: dict = {"dataflow": list(dataflows), "freq": "M"}
    if indicators is not None:
        filters["indicator"] = list(indicators)
    frame = store.read_observations(as_of=as_of, end=end, include_missing=False, **filters)
    panel = panel_from_frame(frame)
    derived_filters: dict = {"dataflow": "DERIVED", "freq": "M", "measure": ["SA", "TREND", *DERIVED_RATES]}
    if indicators is not None:
        derived_filters["indicator"] = list(indicators)
    derived = store.read_observations(as_of=as_of, end=end, include_missing=False, **derived_filters)
    if not derived.empty:
        extra = panel_from_frame(derived)
        panel.derived = {(s.measure, s.indicator, s.industry, s.region, s.product_code): s
                         for s in extra.series.values() if s.measure in ("SA", "TREND")}
        # growth rates the compute stage derived (e.g. 轻工业 LI value-added growth) join the
        # panel where nothing was published for the same indicator, industry, region and measure
        published = {Panel._dims_key({**s.dims, "dataflow": "*"}) for s in panel.series.values()}
        added = {k: s for k, s in extra.series.items() if s.measure in DERIVED_RATES
                 and Panel._dims_key({**s.dims, "dataflow": "*"}) not in published}
        if added:
            panel = Panel({**panel.series, **added}, panel.derived)
    return panel
