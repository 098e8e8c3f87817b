"""The report's data model: every number it may show, gathered from the store with its provenance.

`gather(store, period)` reads the official (or, failing that, derived) series the report uses
for the month and the months before it. Each observation becomes a `Fact` that carries its
series key, source, vintage and flags. Observations that are missing (status M) or not free
to publish (conf_status ≠ F) are kept apart in `withheld`: no sentence, table, chart or
headline ever sees them. Facts are numbered as the narrative uses them; the numbers are the
references of the traceability appendix.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable

import pandas as pd

from qinggong.config import load_method, method_version
from qinggong.errors import InputError
from qinggong.store import NATIONAL, Store

PUBLISHABLE_CONF = "F"


@dataclass
class Fact:
    """One published number and where it comes from."""

    key: str
    dataflow: str
    indicator: str
    industry: str
    region: str
    measure: str
    unit: str
    period: str
    value: float
    span: int
    status: str
    conf_status: str
    source: str
    vintage_id: int
    vintage_at: Any
    ref: int = 0


def validate_period(period: str) -> str:
    text = str(period).strip()
    try:
        stamp = pd.Period(text, freq="M")
    except (ValueError, TypeError):
        stamp = None
    if stamp is None or len(text) != 7 or text[4] != "-":
        raise InputError(f"报告期“{period}”格式不正确：应为 YYYY-MM，例如 2025-11", field="period")
    return str(stamp)


def shift(period: str, months: int) -> str:
    return str(pd.Period(period, freq="M") + months)


@dataclass
class ReportModel:
    period: str
    config: dict
    subjects: dict[str, tuple[str, str, str]]  # role → (code, label, enterprises label)
    sectors: list[tuple[str, str]]             # (code, label) lines with data this month
    facts: dict[tuple[str, str, str, str], dict[str, Fact]]
    withheld: dict[tuple[str, str, str, str], dict[str, Fact]]
    region_names: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    methods: dict[str, str] = field(default_factory=dict)
    used: list[Fact] = field(default_factory=list)
    alerts: pd.DataFrame | None = None
    lights: pd.DataFrame | None = None
    plan: dict | None = None
    recommendations: list[dict] = field(default_factory=list)
    store: Store | None = None

    # ------------------------------------------------------------------ lookups
    def get(self, indicator: str, industry: str, measure: str, period: str | None = None,
            region: str = NATIONAL) -> Fact | None:
        return self.facts.get((indicator, industry, region, measure), {}).get(period or self.period)

    def latest(self, indicator: str, industry: str, measure: str, max_lag: int, region: str = NATIONAL) -> Fact | None:
        """The report month's fact, or the most recent one of the same year at most `max_lag`
        months older (for figures published with a delay)."""
        for lag in range(max_lag + 1):
            period = shift(self.period, -lag)
            if period[:4] != self.period[:4]:
                break
            fact = self.get(indicator, industry, measure, period, region)
            if fact is not None:
                return fact
            if self.is_withheld(indicator, industry, measure, period, region):
                return None  # the newest figure is not free: say nothing rather than an older one
        return None

    def is_withheld(self, indicator: str, industry: str, measure: str, period: str | None = None,
                    region: str = NATIONAL) -> bool:
        return (period or self.period) in self.withheld.get((indicator, industry, region, measure), {})

    def previous(self, fact: Fact) -> Fact | None:
        """The fact of the period before: last month (February's 1-2月 value for March)."""
        prev = shift(fact.period, -1)
        found = self.get(fact.indicator, fact.industry, fact.measure, prev, fact.region)
        if found is None and prev.endswith("-01") and fact.measure not in ("YTD", "YOY_YTD"):
            return None  # January is never published on its own
        return found

    def series(self, indicator: str, industry: str, measure: str, months: int,
               region: str = NATIONAL) -> list[tuple[str, Fact | None]]:
        """The last `months` monthly periods up to the report month, oldest first; January is
        skipped when February carries the 1-2月 value (span 2)."""
        out: list[tuple[str, Fact | None]] = []
        period = self.period
        values = self.facts.get((indicator, industry, region, measure), {})
        while len(out) < months:
            fact = values.get(period)
            if period.endswith("-01") and fact is None:
                feb = values.get(shift(period, 1)) or self.withheld.get((indicator, industry, region, measure), {}).get(shift(period, 1))
                if feb is not None and feb.span >= 2:
                    period = shift(period, -1)
                    continue
            out.append((period, fact))
            period = shift(period, -1)
        return list(reversed(out))

    def full_history(self, indicator: str, industry: str, measure: str, region: str = NATIONAL) -> list[float | None]:
        """All consecutive monthly values of the report-month fact's series up to the report
        month, oldest first; None where a month has no publishable value. January takes the
        1-2月 value stored at February (span 2), so "连续N个月" counts calendar months."""
        fact = self.get(indicator, industry, measure, region=region)
        if fact is None or self.store is None:
            return []
        frame = self.store.read_observations([fact.key], end=self.period)
        rows = {r.period: r for r in frame.itertuples(index=False)}
        out: list[float | None] = []
        period = self.period
        first = min(rows) if rows else self.period
        while period >= first:
            row = rows.get(period)
            if row is None and period.endswith("-01"):
                feb = rows.get(shift(period, 1))
                if feb is not None and int(feb.span) >= 2:
                    row = feb  # the 1-2月 value covers January too: a run counts months, not releases
            ok = row is not None and row.status != "M" and row.conf_status == PUBLISHABLE_CONF and pd.notna(row.value)
            out.append(float(row.value) if ok else None)
            period = shift(period, -1)
        return list(reversed(out))

    def cite(self, fact: Fact) -> int:
        """Give `fact` a reference number in the appendix (once)."""
        if fact.ref == 0:
            self.used.append(fact)
            fact.ref = len(self.used)
        return fact.ref

    def regions_with(self, indicator: str, industry: str, measure: str) -> list[Fact]:
        found = []
        for (ind, code, region, meas), values in self.facts.items():
            if ind == indicator and code == industry and meas == measure and region != NATIONAL:
                fact = values.get(self.period)
                if fact is not None:
                    found.append(fact)
        return sorted(found, key=lambda f: f.region)

    def withheld_count(self) -> int:
        return sum(1 for values in self.withheld.values() if self.period in values)


def _optional(module: str):
    """A later stage's module, or None when that stage is absent or cannot be loaded in this tree."""
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def _region_names(codes: Iterable[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    catalog = _optional("qinggong.catalog")
    for code in codes:
        label = None
        if catalog is not None and hasattr(catalog, "region"):
            try:
                label = catalog.region(code).name
            except Exception:  # an unknown code keeps its code as its label
                label = None
        names[code] = label or code
    return names


def gather(store: Store, period: str, *, config: dict | None = None, history_months: int = 40) -> ReportModel:
    """Read everything the report for `period` may use."""
    period = validate_period(period)
    config = config or load_method("report")
    subjects = {role: (str(s["code"]), s["label"], s.get("enterprises", s["label"])) for role, s in config["subjects"].items()}
    sector_lines = [(str(s["code"]), s["label"]) for s in config["sectors"]]
    industries = [code for code, _, _ in subjects.values()] + [code for code, _ in sector_lines]
    indicators = config["indicators"]
    measures = sorted({m for spec in indicators.values() for m in spec["measures"]})
    dataflows = list(config.get("dataflows", ["OFFICIAL", "DERIVED"]))
    frame = store.read_observations(
        indicator=list(indicators), industry=industries, measure=measures, dataflow=dataflows,
        product="_Z", freq="M", start=shift(period, -history_months), end=period,
    )
    facts: dict[tuple, dict[str, Fact]] = {}
    withheld: dict[tuple, dict[str, Fact]] = {}
    if not frame.empty:
        frame = frame[[m in indicators.get(i, {}).get("measures", []) for i, m in zip(frame["indicator"], frame["measure"])]]
        rank = {flow: n for n, flow in enumerate(dataflows)}
        frame = frame.assign(_rank=frame["dataflow"].map(rank))
        best = frame.groupby(["indicator", "industry", "region", "measure"])["_rank"].transform("min")
        frame = frame[frame["_rank"] == best]
        for row in frame.itertuples(index=False):
            fact = Fact(
                key=row.series_key, dataflow=row.dataflow, indicator=row.indicator, industry=row.industry,
                region=row.region, measure=row.measure, unit=row.unit, period=row.period,
                value=float(row.value) if pd.notna(row.value) else float("nan"), span=int(row.span),
                status=row.status, conf_status=row.conf_status, source=row.source or "",
                vintage_id=int(row.vintage_id), vintage_at=row.vintage_at,
            )
            target = facts if (fact.status != "M" and fact.conf_status == PUBLISHABLE_CONF and pd.notna(row.value)) else withheld
            target.setdefault((fact.indicator, fact.industry, fact.region, fact.measure), {})[fact.period] = fact
    sectors = [
        (code, label) for code, label in sector_lines
        if any(facts.get((ind, code, NATIONAL, meas), {}).get(period) for ind in indicators for meas in indicators[ind]["measures"])
    ]
    regions = sorted({key[2] for key in facts if key[2] != NATIONAL})
    model = ReportModel(
        period=period, config=config, subjects=subjects, sectors=sectors, facts=facts, withheld=withheld,
        region_names=_region_names(regions), methods={"report": method_version("report")}, store=store,
    )
    _methods_of_series(store, model)
    return model


def _methods_of_series(store: Store, model: ReportModel) -> None:
    """Derived series record the method that made them; list those in the appendix."""
    keys = sorted({f.key for values in model.facts.values() for f in values.values() if f.dataflow == "DERIVED"})
    if not keys:
        return
    rows = store.backend.fetchall(
        f"SELECT DISTINCT method FROM series WHERE method IS NOT NULL AND series_key IN ({', '.join('?' for _ in keys)})",
        keys,
    )
    for (method,) in rows:
        model.methods.setdefault(f"series:{method}", method)


def latest_complete_period(store: Store, *, config: dict | None = None, share: float = 0.8) -> str | None:
    """The latest month for which most report lines have a publishable 增加值当月同比.

    A month counts as complete when at least `share` of the industries that ever report
    VA YOY_M have a free (conf F, status ≠ M) value in it; vendor files list months whose
    industry cells are not yet published.
    """
    config = config or load_method("report")
    codes = [str(s["code"]) for s in config["subjects"].values()] + [str(s["code"]) for s in config["sectors"]]
    frame = store.read_observations(indicator="VA", measure="YOY_M", region=NATIONAL, industry=codes,
                                    dataflow=list(config.get("dataflows", ["OFFICIAL", "DERIVED"])))
    if frame.empty:
        return None
    frame = frame[(frame["status"] != "M") & (frame["conf_status"] == PUBLISHABLE_CONF) & frame["value"].notna()]
    if frame.empty:
        return None
    counts = frame.groupby("period")["industry"].nunique()
    enough = counts[counts >= share * counts.max()]
    return str(enough.index.max())


def vintage_text(value: Any) -> str:
    if isinstance(value, (datetime, pd.Timestamp)):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)
