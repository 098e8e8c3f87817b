"""`compute`: read published series from the store, derive, write DERIVED series.

For every OFFICIAL series group (same indicator × industry × region × product). ENTERPRISE
aggregates are not derived from: they carry their own comparable-basis growth and counts, and a
DERIVED key has no source dimension, so a series derived from them would land in the same key
as the one derived from the official figures of the same industry (企业直报 is never mixed with
the official series):

* 当月值 published with gaps and 累计值 → the 当月 series completed from 累计 for seasonal
  adjustment (`periods.month_with_ytd`: 1-2月合并 and January = 1-2月累计 − 2月当月);
* 累计值 without a published 当月值 → DERIVED 当月值 (`periods.month_from_ytd`, status D, span 2
  for 1-2月合并);
* 累计值 + 累计同比 → DERIVED 当月同比(推算) `YOY_M_IMPLIED` (`growth.implied_monthly_yoy`);
* 当月值 (published, else derived) of a flow → seasonal adjustment: SA, TREND, SF, HF, MOM_SA;
* across regions: provincial levels (当月/累计/期末) summed to 全国 (`aggregate.sum_regions`);
  periods where not all 31 provinces have a value are written with a note 部分省份合计 and
  counted in `ComputeReport.regions`;
* across industries (大类 codes with a `_T` total): 轻工业 `LI` levels by summation, 比重 `SHARE`
  of each 大类 and of LI in `_T`, 拉动 `CONTRIB` on the comparable basis where growth is
  published; growth-only indicators (工业增加值) → LI growth weighted by value-added weights.

Every derived series is written with dataflow DERIVED in one vintage, with its inputs and
method@version in the series metadata (`series_meta`), so that recomputation after a revision
is traceable through the vintages.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from qinggong.compute import aggregate, growth, periods, seasonal, shares
from qinggong.config import load_method, method_version
from qinggong.store import SeriesKey, Store

LEVEL_UNITS_EXCLUDED = {"PCT", "PP", "IDX"}
FLOW_MEASURES = ("M", "YTD")
GROWTH_OF = {"M": "YOY_M", "YTD": "YOY_YTD"}


@dataclass
class ComputeReport:
    series_read: int = 0
    derived: dict[str, int] = field(default_factory=dict)  # kind → number of series
    series_written: list[str] = field(default_factory=list)
    new_observations: int = 0
    revised_observations: int = 0
    vintage_id: int | None = None
    seasonal_methods: dict[str, int] = field(default_factory=dict)
    diagnostics: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[dict[str, str]] = field(default_factory=list)
    regions: dict[str, dict[str, int]] = field(default_factory=dict)  # 全国 from provinces: coverage

    def as_dict(self) -> dict[str, Any]:
        return {
            "series_read": self.series_read,
            "derived": self.derived,
            "series_written": len(self.series_written),
            "new_observations": self.new_observations,
            "revised_observations": self.revised_observations,
            "vintage_id": self.vintage_id,
            "seasonal_methods": self.seasonal_methods,
            "diagnostics": self.diagnostics,
            "problems": self.problems,
            "regions": self.regions,
        }


class _Output:
    def __init__(self) -> None:
        self.frames: list[pd.DataFrame] = []
        self.meta: dict[str, dict[str, Any]] = {}
        self.kinds: dict[str, int] = {}

    def add(self, key: SeriesKey, data: pd.DataFrame | pd.Series, *, kind: str, method: str, inputs: list[str],
            status: str = "D") -> None:
        if isinstance(data, pd.Series):
            data = pd.DataFrame({"value": data})
        frame = pd.DataFrame(
            {
                "series_key": str(key),
                "period": [str(p) for p in data.index],
                "value": pd.to_numeric(data["value"], errors="coerce").astype("float64").to_numpy(),
                "status": data["status"].to_numpy() if "status" in data else status,
                "span": data["span"].to_numpy() if "span" in data else 1,
                "note": data["note"].to_numpy() if "note" in data else None,
            }
        )
        frame = frame[frame["value"].notna() | (frame["status"] == "M")]
        if frame.empty:
            return
        self.frames.append(frame)
        self.meta[str(key)] = {"method": method, "inputs": inputs}
        self.kinds[kind] = self.kinds.get(kind, 0) + 1



def _by_basis(measure: str, basis: str) -> str:
    """SHARE/CONTRIB of monthly values keep the plain code; year-to-date ones get a _YTD suffix,
    so the two never land in one series (see docs/conventions.md)."""
    return measure if basis in ("M", "YOY_M") else f"{measure}_YTD"

def _matches(key: str, pattern: str | None) -> bool:
    if not pattern:
        return True
    if any(ch in pattern for ch in "*?["):
        return fnmatch.fnmatchcase(key, pattern)
    return pattern in key


def _derived(key: SeriesKey, **changes: str) -> SeriesKey:
    return key.replace(dataflow="DERIVED", **changes)


def compute(
    store: Store,
    series_filter: str | None = None,
    *,
    method: str = "auto",
    workers: int | None = None,
    dry_run: bool = False,
) -> ComputeReport:
    """Derive growth, shares, contributions, aggregates and seasonal adjustments; write DERIVED."""
    report = ComputeReport()
    listing = store.list_series()
    if listing.empty:
        return report
    listing = listing[listing["dataflow"] == "OFFICIAL"]
    keys = [k for k in listing["series_key"] if _matches(k, series_filter)]
    report.series_read = len(keys)
    if not keys:
        return report
    data = store.read_observations(keys)
    values: dict[str, pd.Series] = {}
    spans: dict[str, pd.Series] = {}
    for key, group in data.groupby("series_key"):
        group = group[(group["period"].str.len() == 7) & group["value"].notna()]
        values[key] = pd.Series(group["value"].to_numpy(), index=group["period"].to_numpy(), dtype="float64")
        spans[key] = pd.Series(group["span"].to_numpy(), index=group["period"].to_numpy())
    parsed = {k: SeriesKey.parse(k) for k in values}
    out = _Output()
    seasonal_cfg = load_method("seasonal")
    v_periods = f"periods@{method_version('seasonal').split('@')[1]}"
    v_agg = method_version("aggregation")

    # ---- 当月 from 累计, implied 当月同比
    monthly: dict[SeriesKey, tuple[pd.Series, pd.Series, list[str]]] = {}
    for key_text, key in parsed.items():
        if key.freq != "M":
            continue
        if key.measure == "M" and key.unit not in LEVEL_UNITS_EXCLUDED:
            monthly[key] = (values[key_text], spans[key_text], [key_text])
    for key_text, key in parsed.items():
        if key.freq != "M" or key.measure != "YTD" or key.unit in LEVEL_UNITS_EXCLUDED:
            continue
        month_key = key.replace(measure="M")
        derived = periods.month_from_ytd(values[key_text])
        target = _derived(key, measure="M")
        out.add(target, derived, kind="month_from_ytd", method=f"month_from_ytd {v_periods}", inputs=[key_text])
        if month_key not in monthly:
            ok = derived[derived["status"] != "M"]
            monthly[month_key] = (ok["value"], ok["span"], [str(target)])
        else:  # published 当月 with gaps (January, 1-2月合并): complete it from the 累计
            published_key = monthly[month_key][2][0]
            completed = periods.month_with_ytd(values[published_key], values[key_text])
            monthly[month_key] = (completed["value"], completed["span"], [published_key, key_text])
        yoy_key = str(key.replace(measure="YOY_YTD", unit="PCT"))
        if yoy_key in values:
            implied = growth.implied_monthly_yoy(values[key_text], values[yoy_key])
            out.add(_derived(key, measure="YOY_M_IMPLIED", unit="PCT"), implied, kind="implied_monthly_yoy",
                    method=f"implied_monthly_yoy (methods §3.1) {v_periods}", inputs=[key_text, yoy_key])

    # ---- seasonal adjustment (parallel)
    min_months = int(seasonal_cfg.get("min_months", 36))
    to_adjust = {str(k): v for k, v in monthly.items() if len(v[0]) >= min_months - 12}
    if to_adjust:
        results = seasonal.adjust_many(
            {k: v[0] for k, v in to_adjust.items()},
            method=method,  # type: ignore[arg-type]
            spans={k: v[1] for k, v in to_adjust.items()},
            workers=workers,
            config=seasonal_cfg,
        )
        for key_text, result in results.items():
            key = SeriesKey.parse(key_text)
            inputs = to_adjust[key_text][2]
            if isinstance(result, str):
                report.problems.append({"series": key_text, "step": "seasonal", "message": result})
                continue
            report.seasonal_methods[result.method] = report.seasonal_methods.get(result.method, 0) + 1
            report.diagnostics[key_text] = result.diagnostics
            frame = result.frame
            status = frame["status"].where(frame["status"] == "E", "D")
            pct_unit = "PCT" if result.mode == "multiplicative" else key.unit
            factor_unit = "IDX" if result.mode == "multiplicative" else key.unit
            method_text = f"{result.method_version} {json.dumps({k: result.diagnostics.get(k) for k in ('model', 'mode', 'jan_feb_option')}, ensure_ascii=False)}"
            for measure, column, unit in (("SA", "sa", key.unit), ("TREND", "trend", key.unit),
                                          ("SF", "seasonal", factor_unit), ("HF", "holiday", factor_unit),
                                          ("MOM_SA", "mom_sa", pct_unit)):
                part = pd.DataFrame({"value": frame[column], "status": status})
                out.add(_derived(key, measure=measure, unit=unit), part, kind=f"seasonal_{measure}",
                        method=method_text, inputs=inputs)

    # ---- industry hierarchy: light industry, shares, contributions
    agg_cfg = load_method("aggregation")
    members = [str(c) for c in agg_cfg["light_industry"]["members"]]
    li_code = str(agg_cfg["light_industry"].get("code", "LI"))
    groups: dict[tuple[str, str, str, str, str], dict[str, str]] = {}
    for key_text, key in parsed.items():
        groups.setdefault((key.indicator, key.region, key.product, key.measure, key.unit), {})[key.industry] = key_text
    for (indicator, region, product, measure, unit), by_industry in groups.items():
        present = [c for c in members if c in by_industry]
        if not present:
            continue
        sample = parsed[by_industry[present[0]]]
        if measure in FLOW_MEASURES and unit not in LEVEL_UNITS_EXCLUDED:
            frame = pd.DataFrame({c: values[by_industry[c]] for c in present}).sort_index()
            inputs = [by_industry[c] for c in present]
            if len(present) == len(members):
                total = aggregate.sum_levels(frame)
                out.add(_derived(sample, industry=li_code), total.values.dropna(), kind="aggregate_levels",
                        method=f"{v_agg} sum_levels", inputs=inputs)
                # Growth of the sum on the comparable basis: ΣL / Σ(L/(1+g)) − 1, never from levels alone.
                part_growth = groups.get((indicator, region, product, GROWTH_OF[measure], "PCT"), {})
                if all(c in part_growth for c in present):
                    rates = pd.DataFrame({c: values[part_growth[c]] for c in present}).reindex(frame.index)
                    li_growth = aggregate.growth_from_levels(frame, rates)
                    out.add(_derived(sample, industry=li_code, measure=GROWTH_OF[measure], unit="PCT"),
                            li_growth.values.dropna(), kind="aggregate_growth",
                            method=f"{v_agg} growth_from_levels comparable-basis",
                            inputs=inputs + [part_growth[c] for c in present])
            if "_T" in by_industry:
                total_series = values[by_industry["_T"]]
                share = shares.shares(frame, total_series)
                for code in present:
                    out.add(_derived(sample, industry=code, measure=_by_basis("SHARE", measure), unit="PCT"), share[code].dropna(),
                            kind="share", method=f"{v_agg} shares", inputs=[by_industry[code], by_industry["_T"]])
                if len(present) == len(members):
                    li_share = aggregate.sum_levels(frame).values / total_series.reindex(frame.index) * 100.0
                    out.add(_derived(sample, industry=li_code, measure=_by_basis("SHARE", measure), unit="PCT"), li_share.dropna(),
                            kind="share", method=f"{v_agg} shares", inputs=inputs + [by_industry["_T"]])
                growth_groups = groups.get((indicator, region, product, GROWTH_OF[measure], "PCT"), {})
                if "_T" in growth_groups and all(c in growth_groups for c in present):
                    rates = pd.DataFrame({c: values[growth_groups[c]] for c in present}).reindex(frame.index)
                    contrib = shares.contributions(frame, rates, total_series, values[growth_groups["_T"]])
                    for code in present:
                        out.add(_derived(sample, industry=code, measure=_by_basis("CONTRIB", measure), unit="PP"),
                                contrib[code].dropna(),
                                kind="contribution", method=f"{v_agg} contributions comparable-basis",
                                inputs=[by_industry[code], growth_groups[code], by_industry["_T"], growth_groups["_T"]])
        elif measure in ("YOY_M", "YOY_YTD") and unit == "PCT":
            level_measure = "M" if measure == "YOY_M" else "YTD"
            level_group = [k for (i, r, p, m, u), g in groups.items() if (i, r, p, m) == (indicator, region, product, level_measure) for k in g]
            if level_group:
                continue  # levels exist: contributions above; no weighted growth
            frame = pd.DataFrame({c: values[by_industry[c]] for c in present}).sort_index()
            result = aggregate.weighted_growth(frame)
            weights_used = ", ".join(f"{label}" for label in result.weights)
            out.add(_derived(sample, industry=li_code), result.values.dropna(), kind="weighted_growth",
                    method=f"{v_agg} weighted_growth {weights_used} (compute/data/va_weights.csv)",
                    inputs=[by_industry[c] for c in present] + [f"weights:{label}" for label in result.weights])
            contrib = shares.weighted_contributions(frame, pd.DataFrame(
                {c: [aggregate.weights_for_year(int(p[:4]), [c])[1].iloc[0] for p in frame.index] for c in present},
                index=frame.index))
            for code in present:
                out.add(_derived(sample, industry=code, measure=_by_basis("CONTRIB", level_measure), unit="PP"),
                        contrib[code].dropna(),
                        kind="contribution", method=f"{v_agg} weighted_contributions {weights_used}",
                        inputs=[by_industry[code]] + [f"weights:{label}" for label in result.weights])

    # ---- region hierarchy: provinces → 全国 (sums of levels; partial sums flagged)
    reg_cfg = agg_cfg.get("regions", {}) or {}
    national = str(reg_cfg.get("national", "000000"))
    sum_measures = {str(m) for m in reg_cfg.get("measures", ["M", "YTD", "EOP"])}
    province_codes = aggregate.provinces()
    province_set = set(province_codes)
    by_group: dict[tuple[str, ...], dict[str, str]] = {}
    for key_text, key in parsed.items():
        if key.region in province_set and key.measure in sum_measures and key.unit not in LEVEL_UNITS_EXCLUDED:
            group = (key.dataflow, key.freq, key.indicator, key.industry, key.product, key.measure, key.unit)
            by_group.setdefault(group, {})[key.region] = key_text
    for group, by_region in sorted(by_group.items()):
        regions = sorted(by_region)
        target = _derived(parsed[by_region[regions[0]]], region=national)
        if str(target) in out.meta:
            report.problems.append({"series": str(target), "step": "aggregate_regions",
                                    "message": "该全国派生序列已由其他步骤生成，未写入省份合计"})
            continue
        frame = pd.DataFrame({r: values[by_region[r]] for r in regions}).sort_index()
        result = aggregate.sum_regions(frame, expected=province_codes)
        total = result.values.dropna()
        if total.empty:
            continue
        coverage = result.coverage.reindex(total.index)
        full = coverage >= len(province_codes)
        span = pd.DataFrame({r: spans[by_region[r]] for r in regions}).reindex(total.index).max(axis=1).fillna(1)
        notes = [None if ok else f"部分省份合计：{int(c)}/{len(province_codes)} 个省份" for ok, c in zip(full, coverage)]
        part = pd.DataFrame({"value": total, "status": "D", "span": span.astype("int64"), "note": notes}, index=total.index)
        out.add(target, part, kind="aggregate_regions", inputs=[by_region[r] for r in regions],
                method=f"{v_agg} sum_regions provinces→{national} (complete {int(full.sum())}/{len(total)} periods, "
                       f"partial sums flagged in note)")
        report.regions[str(target)] = {"provinces": len(regions), "periods": int(len(total)),
                                       "complete_periods": int(full.sum()), "partial_periods": int((~full).sum())}

    report.derived = out.kinds
    if not out.frames:
        return report
    frame = pd.concat(out.frames, ignore_index=True)
    result = store.write_observations(
        frame,
        source="qinggong.compute",
        action="compute",
        dry_run=dry_run,
        details={"filter": series_filter, "method": method, "derived": out.kinds,
                 "versions": {"seasonal": method_version("seasonal"), "aggregation": v_agg}},
        series_meta=out.meta,
        label="compute",
    )
    report.series_written = sorted(out.meta)
    report.new_observations = result.new_observations
    report.revised_observations = result.revised_observations
    report.vintage_id = result.vintage_id
    return report
