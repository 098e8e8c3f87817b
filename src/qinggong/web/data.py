"""Read models for the dashboard: the store seen through one user's scope.

These functions only select and shape what `qinggong.store` returns (series lists, observations,
vintages) for the pages and the API; numbers are never computed here. Every function takes the
user's `Scope`, applies it in the query and applies disclosure control to the result.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import pandas as pd

from qinggong.errors import QinggongError, UnknownCodeError
from qinggong.store import SeriesKey, Store
from qinggong.store.browse import period_label
from qinggong.store.keys import DATAFLOW_LABELS, MEASURE_LABELS
from qinggong.store.repository import CONF_STATUS_CODES, STATUS_CODES
from qinggong.web.deps import Forbidden, Scope

SERIES_DIMENSIONS = list(SeriesKey.DIMENSIONS)
# What the overview leads with: indicator -> measures in order of preference.
HEADLINE_INDICATORS: list[tuple[str, tuple[str, ...]]] = [
    ("VA", ("YOY_M", "YOY_YTD")),
    ("REV", ("YOY_YTD", "YOY_M", "YTD")),
    ("PROFIT", ("YOY_YTD", "YOY_M", "YTD")),
    ("EXPORT", ("YOY_YTD", "YOY_M", "YTD", "M")),
    ("RETAIL", ("YOY_M", "YOY_YTD", "M")),
    ("OUTPUT", ("YOY_M", "YOY_YTD", "M", "YTD")),
]
INDUSTRY_PREFERENCE = ("LI", "_T")
DATAFLOW_PREFERENCE = ("OFFICIAL", "DERIVED", "ENTERPRISE")
HEADLINE_DATAFLOWS = ("OFFICIAL", "DERIVED")
# Measures drawn together on the sector page: raw and seasonally adjusted levels, growth, shares.
SECTOR_GROUPS = [
    ("level", "水平（原始与季调）", ("M", "YTD", "SA", "TREND", "EOP")),
    ("growth", "增速", ("YOY_M", "YOY_YTD", "MOM", "MOM_SA", "YOY_EOP", "IDX_PY")),
    ("share", "比重", ("SHARE",)),
    ("contribution", "拉动（百分点）", ("CONTRIB",)),
]


# ------------------------------------------------------------------------------ labels
def _catalog_name(kind: str, code: str) -> str:
    return _cached_name(kind, code)


@lru_cache(maxsize=8192)
def _cached_name(kind: str, code: str) -> str:
    if code in ("_Z", "", None):
        return ""
    if kind == "industry" and code == "LI":
        return "轻工业"
    if kind == "industry" and code == "_T":
        return "全部规模以上工业"
    try:
        from qinggong import catalog

        if kind == "industry" and code.startswith("LI_"):
            for sector in catalog.light_scope().sectors:
                if code in (f"LI_{sector.id}", getattr(sector, "series_code", None), sector.id):
                    return sector.name
            return code
        return getattr(catalog, kind)(code).name
    except (QinggongError, AttributeError, KeyError, LookupError):
        return code


def industry_name(code: str) -> str:
    return _catalog_name("industry", code) or code


def region_name(code: str) -> str:
    return _catalog_name("region", code) or code


def indicator_name(code: str) -> str:
    return _catalog_name("indicator", code) or code


def unit_name(code: str) -> str:
    return _catalog_name("unit", code)


def product_name(code: str) -> str:
    return _catalog_name("product", code)


def series_label(key: str | SeriesKey) -> str:
    key = key if isinstance(key, SeriesKey) else SeriesKey.parse(str(key))
    parts = [region_name(key.region)]
    if key.industry != "_Z":
        parts.append(industry_name(key.industry))
    if key.product != "_Z":
        parts.append(product_name(key.product) or key.product)
    parts.append(indicator_name(key.indicator))
    parts.append(MEASURE_LABELS.get(key.measure, key.measure))
    unit = unit_name(key.unit)
    label = " ".join(p for p in parts if p) + (f"（{unit}）" if unit else "")
    if key.dataflow != "OFFICIAL":
        label += f"［{DATAFLOW_LABELS.get(key.dataflow, key.dataflow)}］"
    return label


def clean(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if hasattr(value, "item"):
        return clean(value.item())
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): clean(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


# ------------------------------------------------------------------------------ series
def _series_frame(store: Store, scope: Scope, filters: dict[str, Any], search: str | None = None) -> pd.DataFrame:
    filters = scope.restrict(store, {k: v for k, v in filters.items() if v})
    where, params = Store.series_filters(**filters)
    if search:
        where.append("(series_key LIKE ? OR COALESCE(source_name, '') LIKE ?)")
        params += [f"%{search}%", f"%{search}%"]
    sql = (
        "SELECT series_id, series_key, " + ", ".join(SERIES_DIMENSIONS) + ", source_name, method FROM series s"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY series_key"
    )
    return store.backend.fetch_df(sql, params)


def list_series(
    store: Store, scope: Scope, *, search: str | None = None, **filters: Any
) -> pd.DataFrame:
    """Series visible to the user, with Chinese labels and their period range (disclosed periods only)."""
    text = (search or "").strip()
    frame = _series_frame(store, scope, filters, None)
    if frame.empty:
        return _with_label(frame)
    frame = _with_label(frame)
    if text:
        needle = text.lower()
        mask = frame["series_key"].str.lower().str.contains(needle, regex=False) | frame["label"].str.contains(
            text, regex=False
        )
        frame = frame[mask].reset_index(drop=True)
    if frame.empty:
        return frame
    ids = [int(i) for i in frame["series_id"]]
    conf = "" if scope.microdata else " AND conf_status = 'F'"
    stats = store.backend.fetch_df(
        "SELECT series_id, MIN(period) AS first_period, MAX(period) AS last_period, COUNT(DISTINCT period) AS periods"
        f" FROM observation WHERE series_id IN ({', '.join('?' for _ in ids)}){conf} GROUP BY series_id",
        ids,
    )
    frame = frame.merge(stats, on="series_id", how="left")
    frame["periods"] = frame["periods"].fillna(0).astype("int64")
    return frame.drop(columns=["series_id"])


def _with_label(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame.insert(1, "label", [series_label(k) for k in frame["series_key"]] if len(frame) else pd.Series(dtype=object))
    return frame


def check_series(store: Store, scope: Scope, key: str) -> SeriesKey:
    parsed = SeriesKey.parse(key)
    if not scope.key_allowed(parsed):
        raise Forbidden(f"无权查看序列“{key}”：超出{scope.user.role_name}的数据范围")
    if not store.backend.scalar("SELECT COUNT(*) FROM series WHERE series_key = ?", [str(parsed)]):
        raise UnknownCodeError(f"库中没有序列“{key}”")
    return parsed


def observations_payload(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for row in frame.to_dict(orient="records"):
        rows.append(
            {
                "series_key": row["series_key"],
                "period": row["period"],
                "period_label": period_label(row["period"], int(row["span"])),
                "value": clean(row["value"]),
                "status": row["status"],
                "status_label": STATUS_CODES.get(row["status"], row["status"]),
                "conf_status": row["conf_status"],
                "conf_status_label": CONF_STATUS_CODES.get(row["conf_status"], row["conf_status"]),
                "span": int(row["span"]),
                "note": clean(row["note"]),
                "vintage_id": int(row["vintage_id"]),
                "vintage_at": clean(row["vintage_at"]),
                "source": clean(row["source"]),
            }
        )
    return rows


def read_observations(
    store: Store,
    scope: Scope,
    *,
    keys: list[str] | None = None,
    as_of: str | None = None,
    start: str | None = None,
    end: str | None = None,
    history: bool = False,
    **filters: Any,
) -> pd.DataFrame:
    if keys:
        for key in keys:
            check_series(store, scope, key)
        frame = store.read_observations(keys, as_of=as_of, start=start, end=end, history=history)
    else:
        restricted = scope.restrict(store, {k: v for k, v in filters.items() if v})
        frame = store.read_observations(None, as_of=as_of, start=start, end=end, history=history, **restricted)
    return scope.disclose(frame)


def series_detail(
    store: Store, scope: Scope, key: str, *, as_of: str | None = None, start: str | None = None, end: str | None = None
) -> dict[str, Any]:
    parsed = check_series(store, scope, key)
    info = store.series_info(str(parsed))
    frame = read_observations(store, scope, keys=[str(parsed)], as_of=as_of, start=start, end=end)
    return {
        "series_key": str(parsed),
        "label": series_label(parsed),
        "dimensions": parsed.as_dict(),
        "indicator_name": indicator_name(parsed.indicator),
        "industry_name": industry_name(parsed.industry),
        "region_name": region_name(parsed.region),
        "measure_label": MEASURE_LABELS.get(parsed.measure, parsed.measure),
        "unit_name": unit_name(parsed.unit),
        "source_name": clean(info.get("source_name")),
        "method": clean(info.get("method")),
        "inputs": info.get("inputs"),
        "as_of": as_of,
        "observations": observations_payload(frame),
    }


def series_history(store: Store, scope: Scope, key: str) -> dict[str, Any]:
    """Every vintage of every observation of one series (revisions), oldest vintage first."""
    parsed = check_series(store, scope, key)
    frame = read_observations(store, scope, keys=[str(parsed)], history=True)
    vintages = (
        frame.groupby(["vintage_id"], as_index=False)
        .agg(vintage_at=("vintage_at", "first"), source=("source", "first"), observations=("period", "count"))
        if not frame.empty
        else pd.DataFrame(columns=["vintage_id", "vintage_at", "source", "observations"])
    )
    return {
        "series_key": str(parsed),
        "label": series_label(parsed),
        "vintages": frame_records(vintages),
        "observations": observations_payload(frame),
    }


# ------------------------------------------------------------------------------ overview
def data_version(store: Store) -> int:
    """Changes whenever anything is written: every write records an audit entry."""
    # logins and tokens are audited too, but change no data: they must not empty the caches
    return int(
        store.backend.scalar(
            "SELECT COALESCE(MAX(audit_id), 0) FROM audit_log"
            " WHERE action NOT IN ('login', 'login.failed', 'logout', 'token.create', 'token.revoke')"
        )
        or 0
    )


def _rank(frame: pd.DataFrame, region: str, measures: tuple[str, ...]) -> pd.DataFrame:
    def position(values, preferred):
        order = {v: i for i, v in enumerate(preferred)}
        return [order.get(v, len(order)) for v in values]

    frame = frame.copy()
    frame["_r"] = [0 if r == region else 1 for r in frame["region"]]
    frame["_i"] = position(frame["industry"], INDUSTRY_PREFERENCE)
    frame["_m"] = position(frame["measure"], measures)
    frame["_d"] = position(frame["dataflow"], DATAFLOW_PREFERENCE)
    frame["_p"] = [0 if p == "_Z" else 1 for p in frame["product"]]
    return frame.sort_values(["_r", "_i", "_p", "_m", "_d", "series_key"])


def _tail(store: Store, scope: Scope, keys: list[str], periods: int = 25) -> dict[str, pd.DataFrame]:
    if not keys:
        return {}
    frame = scope.disclose(store.read_observations(keys, include_missing=False))
    return {k: g.tail(periods) for k, g in frame.groupby("series_key", sort=False)}


def overview(store: Store, scope: Scope) -> dict[str, Any]:
    region = scope.default_region()
    series = _series_frame(store, scope, {"region": region, "freq": "M"})
    # Headlines are official figures (published or derived from published ones) for light industry or all
    # industry; 企业直报 aggregates (generated in the demo) and single products stay on their own pages.
    official = series[series["dataflow"].isin(HEADLINE_DATAFLOWS) & (series["industry"] != "_Z")]
    preferred = official[official["industry"].isin(INDUSTRY_PREFERENCE)]
    # A scope limited to some sectors (协会用户) has no light-industry total: lead with its own sectors.
    series = preferred if not preferred.empty else official
    chosen: list[tuple[str, pd.Series]] = []
    for indicator, measures in HEADLINE_INDICATORS:
        candidates = series[(series["indicator"] == indicator) & series["measure"].isin(measures)]
        if candidates.empty:
            continue
        chosen.append((indicator, _rank(candidates, region, measures).iloc[0]))
    tails = _tail(store, scope, [row["series_key"] for _, row in chosen])
    headlines = []
    for indicator, row in chosen:
        tail = tails.get(row["series_key"])
        if tail is None or tail.empty:
            continue
        last = tail.iloc[-1]
        previous = tail.iloc[-2] if len(tail) > 1 else None
        value = clean(last["value"])
        prev_value = clean(previous["value"]) if previous is not None else None
        headlines.append(
            {
                "indicator": indicator,
                "indicator_name": indicator_name(indicator),
                "series_key": row["series_key"],
                "label": series_label(row["series_key"]),
                "industry": row["industry"],
                "industry_name": industry_name(row["industry"]),
                "measure": row["measure"],
                "measure_label": MEASURE_LABELS.get(row["measure"], row["measure"]),
                "unit": row["unit"],
                "unit_name": unit_name(row["unit"]),
                "period": last["period"],
                "period_label": period_label(last["period"], int(last["span"])),
                "value": value,
                "previous": prev_value,
                "change": None if value is None or prev_value is None else round(value - prev_value, 6),
                "history": [{"period": p, "value": clean(v)} for p, v in zip(tail["period"], tail["value"])],
            }
        )
    periods = [h["period"] for h in headlines]
    return {
        "region": region,
        "region_name": region_name(region),
        "latest_period": max(periods) if periods else None,
        "headlines": headlines,
    }


# ------------------------------------------------------------------------------ sectors
def sectors(store: Store, scope: Scope) -> list[dict[str, Any]]:
    """Industries with data (light-industry aggregates and GB/T codes), each with its latest VA growth."""
    region = scope.default_region()
    frame = _series_frame(store, scope, {"region": region})
    frame = frame[frame["industry"] != "_Z"]
    if frame.empty:
        return []
    out = []
    va = frame[(frame["indicator"] == "VA") & (frame["measure"] == "YOY_M")]
    va_keys = dict(zip(va["industry"], va["series_key"]))
    tails = _tail(store, scope, list(va_keys.values()), periods=1)
    for code, group in frame.groupby("industry", sort=True):
        key = va_keys.get(code)
        last = tails.get(key) if key else None
        out.append(
            {
                "code": code,
                "name": industry_name(code),
                "series": int(len(group)),
                "indicators": sorted(set(group["indicator"])),
                "light": code == "LI" or code.startswith("LI_") or _is_light(code),
                "va_yoy": clean(last["value"].iloc[-1]) if last is not None and not last.empty else None,
                "va_period": last["period"].iloc[-1] if last is not None and not last.empty else None,
            }
        )
    out.sort(key=lambda s: (0 if s["code"] == "LI" else 1 if s["code"].startswith("LI_") else 2 if s["light"] else 3, s["code"]))
    return out


def _is_light(code: str) -> bool:
    try:
        from qinggong import catalog

        return bool(catalog.light_scope().is_light(code))
    except (QinggongError, AttributeError, KeyError, LookupError):
        return False


def sector_detail(store: Store, scope: Scope, code: str, *, region: str | None = None, start: str | None = None) -> dict[str, Any]:
    region = region or scope.default_region()
    if not scope.industry_allowed(code):
        raise Forbidden(f"无权查看行业“{code}”：超出{scope.user.role_name}的行业范围")
    if not scope.region_allowed(region):
        raise Forbidden(f"无权查看地区“{region}”的数据")
    frame = _series_frame(store, scope, {"industry": code, "region": region})
    if frame.empty and not store.backend.scalar("SELECT COUNT(*) FROM series WHERE industry = ?", [code]):
        raise UnknownCodeError(f"库中没有行业“{code}”的序列")
    keys = list(frame["series_key"])
    obs = scope.disclose(store.read_observations(keys, start=start, include_missing=False)) if keys else None
    by_key = {k: g for k, g in obs.groupby("series_key", sort=False)} if obs is not None and not obs.empty else {}
    indicators = []
    for indicator, group in frame.groupby("indicator", sort=True):
        charts = []
        for group_id, title, measures in SECTOR_GROUPS:
            lines = []
            for row in group[group["measure"].isin(measures)].itertuples():
                data = by_key.get(row.series_key)
                if data is None or data.empty:
                    continue
                lines.append(
                    {
                        "series_key": row.series_key,
                        "name": f"{MEASURE_LABELS.get(row.measure, row.measure)}"
                        + (f"·{product_name(row.product) or row.product}" if row.product != "_Z" else "")
                        + (f"［{DATAFLOW_LABELS.get(row.dataflow, row.dataflow)}］" if row.dataflow != "OFFICIAL" else ""),
                        "measure": row.measure,
                        "unit_name": unit_name(row.unit),
                        "points": [[p, clean(v)] for p, v in zip(data["period"], data["value"])],
                    }
                )
            if lines:
                charts.append({"group": group_id, "title": title, "lines": lines})
        if charts:
            indicators.append({"indicator": indicator, "indicator_name": indicator_name(indicator), "charts": charts})
    provinces = _provinces_for(store, scope, code)
    return {
        "code": code,
        "name": industry_name(code),
        "region": region,
        "region_name": region_name(region),
        "indicators": indicators,
        "provinces": provinces,
    }


def _provinces_for(store: Store, scope: Scope, industry: str) -> list[dict[str, Any]]:
    frame = _series_frame(store, scope, {"industry": industry})
    frame = frame[frame["region"].str.endswith("0000") & (frame["region"] != "000000")]
    if frame.empty:
        return []
    tails = _tail(store, scope, list(frame["series_key"]), periods=1)
    rows = []
    for row in frame.itertuples():
        last = tails.get(row.series_key)
        if last is None or last.empty:
            continue
        rows.append(
            {
                "region": row.region,
                "region_name": region_name(row.region),
                "series_key": row.series_key,
                "label": series_label(row.series_key),
                "indicator": row.indicator,
                "measure": row.measure,
                "period": last["period"].iloc[-1],
                "value": clean(last["value"].iloc[-1]),
            }
        )
    return rows


# ------------------------------------------------------------------------------ regions
def region_ranking(
    store: Store,
    scope: Scope,
    *,
    indicator: str | None = None,
    industry: str | None = None,
    product: str | None = None,
    measure: str | None = None,
    period: str | None = None,
) -> dict[str, Any]:
    """Provinces ranked by the latest (or given) period of one indicator combination."""
    frame = _series_frame(store, scope, {})
    frame = frame[frame["region"].str.endswith("0000") & (frame["region"] != "000000")]
    combos = (
        frame.groupby(["indicator", "industry", "product", "measure", "unit"], as_index=False)
        .agg(provinces=("region", "nunique"))
        .sort_values(["provinces", "indicator"], ascending=[False, True])
        if not frame.empty
        else pd.DataFrame(columns=["indicator", "industry", "product", "measure", "unit", "provinces"])
    )
    choices = [
        {
            **{k: r[k] for k in ("indicator", "industry", "product", "measure", "unit")},
            "provinces": int(r["provinces"]),
            "label": " ".join(
                p
                for p in (
                    industry_name(r["industry"]) if r["industry"] != "_Z" else "",
                    product_name(r["product"]) or (r["product"] if r["product"] != "_Z" else ""),
                    indicator_name(r["indicator"]),
                    MEASURE_LABELS.get(r["measure"], r["measure"]),
                )
                if p
            ),
        }
        for r in combos.to_dict(orient="records")
    ]
    selected = None
    for choice in choices:
        if all(
            wanted is None or choice[name] == wanted
            for name, wanted in (("indicator", indicator), ("industry", industry), ("product", product), ("measure", measure))
        ):
            selected = choice
            break
    ranking: list[dict[str, Any]] = []
    chosen_period = None
    if selected:
        subset = frame[
            (frame["indicator"] == selected["indicator"])
            & (frame["industry"] == selected["industry"])
            & (frame["product"] == selected["product"])
            & (frame["measure"] == selected["measure"])
            & (frame["unit"] == selected["unit"])
        ]
        obs = scope.disclose(store.read_observations(list(subset["series_key"]), include_missing=False))
        if not obs.empty:
            chosen_period = period if period else obs["period"].max()
            at = obs[obs["period"] == chosen_period]
            for row in at.sort_values("value", ascending=False).itertuples():
                ranking.append(
                    {
                        "region": row.region,
                        "region_name": region_name(row.region),
                        "series_key": row.series_key,
                        "value": clean(row.value),
                    }
                )
    return {
        "selected": selected,
        "period": chosen_period,
        "period_label": period_label(chosen_period) if chosen_period else None,
        "unit_name": unit_name(selected["unit"]) if selected else None,
        "ranking": ranking,
        "choices": choices[:200],
    }


def cache_key(store: Store, scope: Scope, name: str, *args: Any) -> tuple:
    """Results depend on the data (any write, seen through the audit log) and on the scope."""
    user = scope.user
    return (name, data_version(store), user.role, user.region, user.sectors, user.enterprise_id, args)
