"""The import service: files → recognised observations → one store write.

`import_files` reads every file (any format), recognises its series, applies the Chinese
publication conventions (conventions.yaml: zero fills, unpublished January, 1-2月合并, 当月 derived
from 累计), converts units to the indicator's canonical unit and writes everything in one
transaction (`Store.write_observations`: one vintage, one audit record with file names,
checksums, row counts and user). Bad cells are reported with file, sheet, row, column and reason;
a file that cannot be read at all stops the import before anything is written.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd
import yaml

from qinggong import catalog
from qinggong.catalog.units import conversion_factor, scale_values
from qinggong.errors import InputError, QinggongError
from qinggong.ingest import detect, periods
from qinggong.ingest.mapping import Mapping, apply_mapping
from qinggong.ingest.recognize import (
    GROWTH_MEASURES,
    INDEX_MEASURES,
    Recognition,
    measure_code,
    normalize,
    recognize_label,
)
from qinggong.ingest.table import RawTable
from qinggong.ingest.tabular import factorize_rows, parse_values, read_sheets
from qinggong.store import Store, WriteResult
from qinggong.store.keys import DATAFLOWS, FREQUENCIES, MEASURE_LABELS, NATIONAL, NOT_APPLICABLE
from qinggong.store.repository import CONF_STATUS_CODES, STATUS_CODES

Progress = Callable[[str, int, int], None]
SPECIAL_INDUSTRIES = {"_T", "_Z", "LI"}
_FREQ_WORDS = {"月": "M", "月度": "M", "M": "M", "季": "Q", "季度": "Q", "Q": "Q", "年": "A", "年度": "A", "A": "A", "Y": "A"}


@lru_cache(maxsize=1)
def conventions() -> dict[str, Any]:
    override = os.environ.get("QINGGONG_CONFIG_DIR")
    if override and (Path(override) / "ingest_conventions.yaml").is_file():
        text = (Path(override) / "ingest_conventions.yaml").read_text(encoding="utf-8")
    else:
        text = (resources.files("qinggong.ingest") / "conventions.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or "version" not in data:
        raise QinggongError("导入惯例配置 ingest_conventions.yaml 格式不正确：缺少 version")
    return data


@dataclass
class FileReport:
    file: str
    path: str
    checksum: str
    size: int
    format: str = ""
    profile: str = ""
    sheets: list[str | None] = field(default_factory=list)
    encoding: str | None = None
    cells: int = 0
    observations: int = 0
    series: int = 0
    missing: int = 0
    derived: int = 0
    duplicates: int = 0  # cells that repeat a kept observation (e.g. a 1-2月 value in two columns)
    unrecognised: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass
class ImportReport:
    files: list[FileReport]
    dry_run: bool
    write: WriteResult | None = None
    observations: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    @property
    def unrecognised(self) -> list[dict]:
        return [u for f in self.files for u in f.unrecognised]

    @property
    def rejected(self) -> list[dict]:
        return [r for f in self.files for r in f.rejected]

    def as_dict(self, *, changes: bool = True) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "dry_run": self.dry_run,
            "files": [f.as_dict() for f in self.files],
            "observations": int(len(self.observations)),
            "write": self.write.as_dict() if self.write else None,
        }
        if changes and self.write is not None and not self.write.changes.empty:
            payload["changes"] = self.write.changes.to_dict(orient="records")
        return payload


def checksum_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- recognition
def _valid_code(kind: str, code: str) -> bool:
    try:
        if kind == "indicator":
            catalog.indicator(code)
        elif kind == "industry":
            if code in SPECIAL_INDUSTRIES or code.startswith("LI_"):
                return True
            catalog.industry(code)
        elif kind == "region":
            catalog.region(code)
        elif kind == "product":
            if code == NOT_APPLICABLE:
                return True
            catalog.product(code)
        elif kind == "unit":
            catalog.unit(code)
        elif kind == "measure":
            return code in MEASURE_LABELS
        return True
    except QinggongError:
        return False


def _code_or_name(kind: str, text: str) -> str | None:
    from qinggong.catalog import names

    t = normalize(text)
    if not t:
        return None
    if _valid_code(kind, t if kind not in ("indicator", "unit", "measure") else t.upper()):
        return t if kind not in ("indicator", "unit", "measure") else t.upper()
    return {
        "indicator": names.recognize_indicator,
        "industry": names.recognize_industry,
        "region": names.recognize_region,
        "product": names.recognize_product,
        "unit": names.recognize_unit,
        "measure": measure_code,
    }[kind](t)


def _recognise_coded(row: dict, sdmx: bool) -> Recognition:
    """Long and SDMX rows: each dimension is a code (or, for long files, a name)."""
    rec = Recognition(label=str(row.get("label", "")))
    if row.get("series_key"):
        from qinggong.store import SeriesKey

        try:
            key = SeriesKey.parse(str(row["series_key"]))
        except QinggongError as exc:
            rec.reason = str(exc)
            return rec
        for d in ("indicator", "industry", "region", "product", "measure", "unit"):
            setattr(rec, d, getattr(key, d))
        rec.unit_stated = True
        row = {**row, "dataflow": key.dataflow, "freq": key.freq}
    names_cn = {"indicator": "指标", "industry": "行业", "region": "地区", "product": "产品", "measure": "计量方式", "unit": "单位"}
    for kind in ("indicator", "industry", "region", "product", "measure", "unit"):
        text = row.get(kind)
        if text is None or normalize(text) == "":
            continue
        code = normalize(text) if sdmx and _valid_code(kind, normalize(text)) else (None if sdmx else _code_or_name(kind, text))
        if code is None:
            rec.reason = f"无法识别{names_cn[kind]}“{text}”"
            return rec
        setattr(rec, kind, code)
        if kind == "unit":
            rec.unit_stated = True
    flow = normalize(row.get("dataflow") or "") or "OFFICIAL"
    if flow not in DATAFLOWS:
        rec.reason = f"数据流“{flow}”未知（可选 {'、'.join(DATAFLOWS)}）"
        return rec
    rec.notes.append(f"dataflow={flow}")
    freq = normalize(row.get("freq") or "")
    if freq:
        code = _FREQ_WORDS.get(freq.upper(), _FREQ_WORDS.get(freq))
        if code is None:
            rec.reason = f"频率“{freq}”未知（可选 {'、'.join(FREQUENCIES)}）"
            return rec
        rec.notes.append(f"freq={code}")
    if rec.indicator is None:
        rec.reason = "缺少指标"
    elif rec.measure is None:
        rec.reason = "缺少计量方式（measure）"
    return rec


def _finish(rec: Recognition, *, default_region: str = NATIONAL) -> Recognition:
    """Fill the dimensions the label leaves implicit and work out the unit conversion."""
    if not rec.ok:
        return rec
    ind = catalog.indicator(rec.indicator)
    if rec.region is None:
        rec.region = default_region
    if rec.product is None:
        rec.product = NOT_APPLICABLE
    if rec.industry is None:
        no_industry = rec.product != NOT_APPLICABLE or rec.indicator in conventions()["no_industry_dimension"]
        rec.industry = NOT_APPLICABLE if no_industry else "_T"
    if rec.measure in GROWTH_MEASURES or rec.measure in ("SHARE",):
        target = "PCT"
    elif rec.measure in INDEX_MEASURES:
        target = "IDX"
    elif rec.measure == "CONTRIB":
        target = "PP"
    else:
        target = ind.unit
        if target is None and rec.product != NOT_APPLICABLE:
            target = catalog.product(rec.product).unit
        if ind.kind == "index":
            target = "IDX"
    source = rec.unit
    if source is None:
        if target is None:
            rec.reason = "源文件未注明单位，且该指标没有标准单位"
            return rec
        if rec.measure not in GROWTH_MEASURES and rec.measure not in INDEX_MEASURES and rec.measure != "SHARE":
            rec.notes.append(conventions()["notes"]["unit_assumed"].format(unit=catalog.unit(target).name))
        source = target
    if target is None:
        target = source
    rec.unit = target
    try:
        factor = 1.0 if source == target else float(conversion_factor(source, target))
    except QinggongError as exc:
        rec.reason = f"单位“{catalog.unit(source).name}”无法换算为该指标的标准单位“{catalog.unit(target).name}”：{exc}"
        return rec
    rec.notes.append(f"factor={factor!r}")
    return rec


def recognise_series(table: RawTable, mapping: Mapping | None) -> pd.DataFrame:
    """One row per series of the table: dimension codes, variant, unit factor, or a reason."""
    rows = []
    for sid, srow in enumerate(table.series.to_dict(orient="records")):
        mapped = apply_mapping(mapping, srow) if mapping else None
        if mapped is not None and mapped.get("skip"):
            rec = Recognition(label=srow.get("label", ""), reason="映射文件要求跳过（skip）")
        elif mapped is not None:
            rec = _recognise_coded({**srow, **mapped}, sdmx=False)
            rec.variant = mapped.get("variant")
            rec = _finish(rec)
        elif table.format in ("long", "sdmx"):
            rec = _recognise_coded(srow, sdmx=table.format == "sdmx")
            if rec.ok and table.format == "sdmx":
                rec.unit_stated = True
                rec.notes.append("factor=1.0")
            elif rec.ok:
                rec = _finish(rec)
        else:
            rec = recognize_label(
                srow.get("label") or "",
                unit_text=srow.get("unit_text"),
                region_text=srow.get("region_text"),
                industry_text=srow.get("industry_text"),
                measure_text=srow.get("measure_text"),
            )
            rec = _finish(rec)
        meta = {n.split("=", 1)[0]: n.split("=", 1)[1] for n in rec.notes if "=" in n and n.split("=", 1)[0] in ("factor", "dataflow", "freq")}
        rows.append({
            "sid": sid,
            "ok": rec.ok,
            "reason": rec.reason,
            "label": srow.get("label"),
            "where": srow.get("where"),
            "dataflow": meta.get("dataflow", "OFFICIAL"),
            "freq_hint": meta.get("freq") or _FREQ_WORDS.get(normalize(srow.get("freq_text") or "")),
            "indicator": rec.indicator,
            "industry": rec.industry,
            "region": rec.region,
            "product": rec.product,
            "measure": rec.measure,
            "unit": rec.unit,
            "factor": float(meta.get("factor", 1.0)),
            "variant": rec.variant,
            "series_note": "；".join(n for n in rec.notes if "=" not in n) or None,
        })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- conventions
def _apply_zero_rules(obs: pd.DataFrame, profile: str) -> pd.DataFrame:
    conv = conventions()
    notes = conv["notes"]
    rule = conv["zero_fill"].get(profile, "none")
    zero = (obs["value"] == 0) & (obs["status"] != "M")
    if not zero.any():
        return obs
    obs = obs.sort_values(["sid", "period"], kind="stable")
    zero = (obs["value"] == 0) & (obs["status"] != "M")
    nonzero = obs["value"].notna() & (obs["value"] != 0)
    grp = obs["sid"]
    seen_before = nonzero.groupby(grp).cumsum() > 0
    seen_after = nonzero[::-1].groupby(grp[::-1]).cumsum()[::-1] > 0
    edge = zero & (~seen_before | ~seen_after)
    all_zero = zero & ~nonzero.groupby(grp).transform("any")
    kinds = obs["indicator"].map(lambda c: catalog.indicator(c).kind)
    genuine = obs["measure"].isin(conv["zero_genuine"]["measures"]) | kinds.isin(conv["zero_genuine"]["indicator_kinds"])
    note = pd.Series(None, index=obs.index, dtype=object)
    if rule == "all":
        note[zero & ~genuine] = notes["zero_fill"].format(profile={"wind": "Wind", "ceidata": "CEIdata 中经网"}.get(profile, "数据终端"))
        note[edge & genuine] = notes["zero_edge"]
    elif rule == "edges":
        note[edge] = notes["zero_edge"]
    if conv.get("all_zero_series_missing") and rule != "none":
        note[all_zero] = notes["all_zero"]
    hit = note.notna()
    obs.loc[hit, "status"] = "M"
    obs.loc[hit, "note"] = note[hit]
    obs.loc[hit, "value"] = np.nan
    return obs


def _apply_calendar_rules(obs: pd.DataFrame) -> pd.DataFrame:
    conv = conventions()
    notes = conv["notes"]
    month = obs["period"].str.slice(5, 7)
    monthly = obs["freq"] == "M"
    jan_rule = obs["indicator"].map(lambda c: catalog.indicator(c).january) == "combined_jan_feb"
    jan = monthly & jan_rule & (month == "01") & obs["measure"].isin(conv["january_unpublished_measures"])
    had_value = jan & obs["value"].notna() & (obs["value"] != 0)
    obs.loc[jan & ~had_value & (obs["status"] != "M"), "note"] = notes["january"]
    if had_value.any():
        obs.loc[had_value, "note"] = [notes["january_value"].format(value=_fmt(v)) for v in obs.loc[had_value, "value"]]
    obs.loc[jan, "status"] = "M"
    obs.loc[jan, "value"] = np.nan
    feb = (monthly & jan_rule & (month == "02") & obs["measure"].isin(conv["february_combined_measures"])
           & (obs["span"] == 1) & (obs["value"] == 0))
    obs.loc[feb, "status"] = "M"
    obs.loc[feb, "value"] = np.nan
    obs.loc[feb, "note"] = notes["february"]
    return obs


KEY_DIMENSIONS = ["dataflow", "freq", "indicator", "industry", "region", "product", "measure", "unit"]


def _series_keys(obs: pd.DataFrame) -> pd.Series:
    """Series keys built once per distinct combination of dimensions, then taken by position."""
    codes, distinct = factorize_rows(obs[KEY_DIMENSIONS])
    keys = np.array([".".join(map(str, row)) for row in distinct.itertuples(index=False)], dtype=object)
    return pd.Series(keys[codes], index=obs.index, dtype=object)


def _fmt(value: float) -> str:
    return f"{value:g}"


def _derive_monthly(obs: pd.DataFrame) -> pd.DataFrame:
    """当月值 from 累计值 where a series is given only as 累计 (status D)."""
    notes = conventions()["notes"]
    ytd_mask = (obs["measure"] == "YTD").to_numpy() & (obs["freq"] == "M").to_numpy()
    if not ytd_mask.any():
        return obs.iloc[0:0]
    flow_codes = {c for c in obs.loc[ytd_mask, "indicator"].unique() if catalog.indicator(c).kind == "flow"}
    ytd_mask &= obs["indicator"].isin(flow_codes).to_numpy()
    ytd_keys = pd.unique(obs.loc[ytd_mask, "series_key"])
    target = {k: k.rsplit(".", 2)[0] + ".M." + k.rsplit(".", 1)[1] for k in ytd_keys}
    present = set(pd.unique(obs.loc[obs["measure"] == "M", "series_key"]))
    wanted = [k for k in ytd_keys if target[k] not in present]
    if not wanted:
        return obs.iloc[0:0]
    ytd = obs[ytd_mask & obs["series_key"].isin(wanted).to_numpy() & (obs["status"] != "M").to_numpy()]
    ytd = ytd.sort_values(["series_key", "period"], kind="stable")
    series_code = pd.factorize(ytd["series_key"])[0]
    year = ytd["period"].str.slice(0, 4).astype(int).to_numpy()
    mon = ytd["period"].str.slice(5, 7).astype(int).to_numpy()
    values = ytd["value"].to_numpy(dtype="float64")
    same = np.zeros(len(ytd), dtype=bool)
    same[1:] = (series_code[1:] == series_code[:-1]) & (year[1:] == year[:-1])
    prev_mon = np.where(same, np.roll(mon, 1), 0)
    prev_val = np.where(same, np.roll(values, 1), np.nan)
    consecutive = same & (prev_mon == mon - 1)
    first_jan = ~same & (mon == 1)
    first_feb = ~same & (mon == 2)
    out = ytd.copy()
    out["measure"] = "M"
    out["status"] = "D"
    derived = np.full(len(ytd), np.nan)
    derived[consecutive] = np.round(values[consecutive] - prev_val[consecutive], 10)
    derived[first_jan | first_feb] = values[first_jan | first_feb]
    out["value"] = derived
    note = np.full(len(ytd), None, dtype=object)
    note[consecutive | first_jan] = notes["derived"]
    note[first_feb] = notes["derived_merged"]
    out["note"] = pd.Series(note, index=out.index, dtype=object)
    span = out["span"].to_numpy().copy()
    span[first_feb] = 2
    out["span"] = span
    out = out[~np.isnan(derived)]
    out["series_key"] = out["series_key"].map(target)
    out["source_name"] = out["source_name"].astype(str) + "（当月值由累计值推算）"
    out["variant"] = None
    return out


def _dedupe(obs: pd.DataFrame, report_for: dict[str, FileReport]) -> pd.DataFrame:
    """Two cells for one series and period: keep the published one, report a real conflict."""
    key_codes = pd.factorize(obs["series_key"])[0].astype("int64")
    period_codes, period_values = pd.factorize(obs["period"])
    combined = key_codes * (len(period_values) + 1) + period_codes
    if len(pd.unique(combined)) == len(obs):
        return obs  # no series has two cells for one period: nothing to decide
    variant_rank = obs["variant"].map({"jan_feb_merged": 0, "jan_feb_split": 2}).fillna(1)
    status_rank = obs["status"].map({"A": 0, "D": 1, "E": 1, "M": 3}).fillna(2)
    obs = obs.assign(_vr=variant_rank, _sr=status_rank).sort_values(["_sr", "_vr", "_order"], kind="stable")
    dup = obs.duplicated(["series_key", "period"], keep="first")
    if dup.any():
        kept = obs[~dup].set_index(["series_key", "period"])
        dropped = obs[dup]
        split_note = conventions()["notes"]["split"]
        for r in dropped.itertuples():
            if r.status == "M" or pd.isna(r.value):
                report_for[r.file].duplicates += 1
                continue
            k = kept.loc[(r.series_key, r.period)]
            if k["status"] != "M" and pd.notna(k["value"]) and abs(k["value"] - r.value) < 1e-9:
                report_for[r.file].duplicates += 1
                continue  # the same figure twice (a 1-2月 value repeated in the ordinary column)
            reason = (split_note if r.variant == "jan_feb_split" else
                      f"与同一序列同一期别的另一值冲突，保留 {_fmt(k['value']) if pd.notna(k['value']) else '缺失'}"
                      f"（{k['source_name']}）")
            report_for[r.file].rejected.append({
                "file": r.file, "sheet": r.sheet, "row": int(r.row) if r.row == r.row else None,
                "column": r.column, "value": _fmt(r.value), "reason": reason,
            })
    return obs[~dup].drop(columns=["_vr", "_sr"])


# --------------------------------------------------------------------------- the import
def table_observations(table: RawTable, report: FileReport, mapping: Mapping | None) -> pd.DataFrame:
    rec = recognise_series(table, mapping)
    cells = table.cells
    counts = cells.groupby("sid").size() if len(cells) else pd.Series(dtype=int)
    bad = rec[~rec["ok"]].assign(cells=lambda f: f["sid"].map(counts).fillna(0).astype(int))
    for (label, reason), group in bad.groupby(["label", "reason"], sort=False, dropna=False):
        wheres = group["where"].tolist()
        report.unrecognised.append({
            "file": table.sheet.file, "sheet": table.sheet.name,
            "where": wheres[0] + (f" 等 {len(wheres)} 处" if len(wheres) > 1 else ""),
            "label": label, "reason": reason, "series": len(wheres), "cells": int(group["cells"].sum()),
        })
    good = rec[rec["ok"]]
    if cells.empty or good.empty:
        return pd.DataFrame()
    # Attach the series' dimensions by position (a merge would copy strings row by row).
    lookup = np.full(int(rec["sid"].max()) + 1, -1, dtype="int64")
    lookup[good["sid"].to_numpy()] = np.arange(len(good))
    pos = lookup[cells["sid"].to_numpy()]
    keep = pos >= 0
    obs = cells[keep].reset_index(drop=True)
    pos = pos[keep]
    for column in ("dataflow", "freq_hint", "indicator", "industry", "region", "product", "measure", "unit", "variant",
                   "series_note", "label"):
        obs[column] = pd.Series(good[column].to_numpy(dtype=object)[pos], dtype=object)
    obs["factor"] = good["factor"].to_numpy(dtype="float64")[pos]
    # periods: each distinct text parsed once
    codes, uniques = pd.factorize(obs["period_text"].astype(object), use_na_sentinel=False)
    parsed = [periods.parse_period(u) for u in uniques]
    obs["period"] = pd.Series(np.array([p.period if p else None for p in parsed], dtype=object)[codes], dtype=object)
    obs["span_p"] = np.array([p.span if p else 1 for p in parsed], dtype="int64")[codes]
    obs["freq"] = pd.Series(np.array([p.freq if p else None for p in parsed], dtype=object)[codes], dtype=object)
    quarterly = (obs["freq_hint"] == "Q") & (obs["freq"] == "M")
    if quarterly.any():
        month = obs.loc[quarterly, "period"].str.slice(5, 7).astype(int)
        good_q = month % 3 == 0
        idx = month.index
        obs.loc[idx[good_q], "period"] = obs.loc[idx[good_q], "period"].str.slice(0, 4) + "-Q" + (month[good_q] // 3).astype(str)
        obs.loc[idx[good_q], "freq"] = "Q"
        obs.loc[idx[~good_q], "period"] = None
    bad_period = obs["period"].isna()
    for r in obs[bad_period].itertuples():
        table.reject(int(r.row), r.column, f"期别“{r.period_text}”无法识别" if str(r.period_text).strip() else "缺少期别", r.value_text)
    obs = obs[~bad_period]
    # values
    values, missing, invalid = parse_values(obs["value_text"])
    for i in np.flatnonzero(invalid):
        r = obs.iloc[i]
        table.reject(int(r["row"]), r["column"], f"“{r['value_text']}”不是数值", r["value_text"])
    obs = obs.assign(value=scale_values(values, obs["factor"].to_numpy()))
    obs = obs[~invalid]
    missing = missing[~invalid]
    status = obs["status"].astype(str).str.strip().str.upper() if "status" in obs else pd.Series("A", index=obs.index)
    status = status.where(status != "", "A")
    status = status.where(~missing | status.isin(["M", "C"]), "M")
    obs["status"] = status
    if "conf_status" in obs:
        cs = obs["conf_status"].astype(str).str.strip().str.upper()
        obs["conf_status"] = cs.where(cs != "", "F")
    else:
        obs["conf_status"] = "F"
    if "span" in obs:
        span = pd.to_numeric(obs["span"], errors="coerce")
        obs["span"] = span.fillna(obs["span_p"]).astype(int)
    else:
        obs["span"] = obs["span_p"].astype(int)
    if "note" in obs:
        note = obs["note"].astype(object)
        obs["note"] = note.where(note.notna() & (note.astype(str).str.strip() != ""), None)
    else:
        obs["note"] = None
    bad_status = ~obs["status"].isin(list(STATUS_CODES))
    bad_conf = ~obs["conf_status"].isin(list(CONF_STATUS_CODES))
    for r in obs[bad_status | bad_conf].itertuples():
        table.reject(int(r.row), r.column, f"状态代码“{r.status}/{r.conf_status}”未知", r.value_text)
    obs = obs[~(bad_status | bad_conf)]
    if table.format in ("nbs", "wide"):
        merged = obs["variant"] == "jan_feb_merged"
        if merged.any():
            month = obs["period"].str.slice(5, 7)
            jan = merged & (month == "01")
            feb = merged & (month == "02")
            obs.loc[feb, "span"] = 2
            obs.loc[feb & obs["note"].isna(), "note"] = conventions()["notes"]["merged"]
            report.duplicates += int(jan.sum())
            obs = obs[~jan]  # the merged column repeats the 1-2月 value (or 0) in January
        obs = _apply_calendar_rules(obs)
        obs = _apply_zero_rules(obs, table.profile)
    missing_status = obs["status"] == "M"
    obs.loc[missing_status, "value"] = np.nan
    obs["source_name"] = obs["label"].astype(str)
    obs["series_note"] = obs["series_note"].astype(object)
    has_series_note = obs["series_note"].notna() & obs["note"].isna() & (obs["status"] != "M")
    obs.loc[has_series_note, "note"] = obs.loc[has_series_note, "series_note"]
    obs["file"] = table.sheet.file
    obs["sheet"] = table.sheet.name
    obs["series_key"] = _series_keys(obs)
    cols = ["series_key", "dataflow", "freq", "indicator", "industry", "region", "product", "measure", "unit", "period", "value",
            "status", "conf_status", "span", "note", "source_name", "variant", "file", "sheet", "row", "column"]
    return obs[cols]


def read_files(
    paths: Iterable[str | Path],
    *,
    format: str = "auto",
    mapping: Mapping | str | Path | None = None,
    progress: Progress | None = None,
) -> tuple[pd.DataFrame, list[FileReport]]:
    """Read, recognise and apply the conventions; nothing is written. Returns the observations
    (dimensions, period, value, status, conf_status, span, note, source_name, file/sheet/row/column)
    and one report per file. Raises InputError for a file that cannot be read at all."""
    from qinggong.ingest.mapping import load_mapping

    if format not in detect.FORMATS:
        raise InputError(f"未知的格式“{format}”：可选 {'、'.join(detect.FORMATS)}", field="format")
    if mapping is not None and not isinstance(mapping, Mapping):
        mapping = load_mapping(mapping)
    paths = [Path(p) for p in paths]
    if not paths:
        raise InputError("没有指定要导入的文件")
    tick = progress or (lambda message, done, total: None)
    reports: list[FileReport] = []
    frames: list[pd.DataFrame] = []
    total = len(paths) * 4 + 1
    step = 0
    for path in paths:
        tick(f"读取 {path.name}", step, total)
        sheets, data = read_sheets(path)
        report = FileReport(file=path.name, path=str(path), checksum=checksum_of(data), size=len(data))
        step += 1
        tick(f"识别 {path.name}", step, total)
        for sheet in sheets:
            table = detect.read_table(sheet, format)
            report.sheets.append(sheet.name)
            report.encoding = sheet.encoding
            report.format = ",".join(sorted({*filter(None, report.format.split(",")), table.format}))
            report.profile = ",".join(sorted({*filter(None, report.profile.split(",")), table.profile}))
            report.cells += len(table.cells)
            report.notes.extend(table.notes)
            obs = table_observations(table, report, mapping)
            report.rejected.extend(table.rejected)
            if not obs.empty:
                frames.append(obs)
        step += 3
        reports.append(report)
    by_file = {r.file: r for r in reports}
    if frames:
        obs = pd.concat(frames, ignore_index=True)
        derived = _derive_monthly(obs)
        if not derived.empty:
            obs = pd.concat([obs, derived], ignore_index=True)
        obs["_order"] = np.arange(len(obs))
        obs = _dedupe(obs, by_file)
        obs = obs.drop(columns="_order").reset_index(drop=True)
    else:
        obs = pd.DataFrame(columns=["series_key", "period", "value", "status", "file"])
    for report in reports:
        mine = obs if len(reports) == 1 else obs[obs["file"] == report.file]
        report.observations = int(len(mine))
        report.series = int(mine["series_key"].nunique()) if len(mine) else 0
        report.missing = int((mine["status"] == "M").sum()) if len(mine) else 0
        report.derived = int((mine["status"] == "D").sum()) if len(mine) else 0
        if report.cells == 0 and not report.unrecognised:
            raise InputError("文件中没有找到任何数据单元格", file=report.file)
    if obs.empty:
        raise InputError(
            "没有可导入的观测值：" + "；".join(
                f"{r.file} 未识别 {len(r.unrecognised)} 个序列、拒收 {len(r.rejected)} 个单元格" for r in reports
            ) + "（用 --json 查看原因，或用 --suggest-mapping 生成映射文件）",
            file=reports[0].file if len(reports) == 1 else None,
        )
    tick("写入数据库", step, total)
    return obs, reports


def import_files(
    store: Store,
    paths: Iterable[str | Path],
    *,
    format: str = "auto",
    mapping: Mapping | str | Path | None = None,
    source: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    actor: str | None = None,
) -> ImportReport:
    """Import files in one transaction; raises InputError (store untouched) for unreadable files."""
    obs, reports = read_files(paths, format=format, mapping=mapping, progress=progress)
    conv = conventions()
    write = store.write_observations(
        obs[["dataflow", "freq", "indicator", "industry", "region", "product", "measure", "unit", "period", "value",
             "status", "conf_status", "span", "note", "source_name"]],
        source=source or ", ".join(r.file for r in reports),
        action="import",
        file_name="; ".join(r.file for r in reports),
        checksum=reports[0].checksum if len(reports) == 1 else checksum_of("".join(r.checksum for r in reports).encode()),
        dry_run=dry_run,
        actor=actor,
        details={
            "files": [{"file": r.file, "checksum": r.checksum, "bytes": r.size, "format": r.format, "profile": r.profile,
                       "cells": r.cells, "observations": r.observations, "unrecognised": len(r.unrecognised),
                       "rejected": len(r.rejected)} for r in reports],
            "conventions": {"method": conv.get("method"), "version": conv.get("version")},
        },
    )
    if progress:
        progress("完成", 1, 1)
    return ImportReport(reports, dry_run, write, obs)
