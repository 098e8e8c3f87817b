"""A generated enterprise panel for the demo, tests and benchmarks (企业直报 microdata).

Every enterprise is labelled as generated: the `generated` flag is set and the name starts
with “（生成）”. Industries are light-industry 小类 from the catalog scope; provinces are real
GB/T 2260 provinces; county codes follow the GB/T 2260 structure inside each province
(province + prefecture 01–k + county 01–m) but are generated, not a list of real counties.
Credit codes are well-formed GB 32100-2015 codes. Figures: size-class levels (lognormal),
calendar seasonality, a Spring Festival dip in the months around 春节 (dates from lunardate),
industry and enterprise trends, an export shock in a few industries, rare outliers, entries and
exits during the panel. Deterministic for a given seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import lunardate
import numpy as np
import pandas as pd

from qinggong.collect import codes
from qinggong.collect.creditcode import make_credit_code
from qinggong.collect.forms import FIELDS, REPORT_COLUMNS
from qinggong.collect.registry import GENERATED_PREFIX

SIZE_SHARES = {"L": 0.02, "M": 0.10, "S": 0.60, "XS": 0.28}
# Median annual revenue by size class, 万元 (规上 threshold 2,000 万元, methods.md §3.1).
SIZE_REVENUE = {"L": 400_000.0, "M": 60_000.0, "S": 9_000.0, "XS": 3_000.0}
SIZE_EMPLOYEES = {"L": 1500, "M": 400, "S": 80, "XS": 30}
SEASONAL = np.array([0.92, 0.80, 1.00, 0.98, 1.00, 1.03, 0.98, 0.99, 1.02, 1.00, 1.05, 1.23])
NAME_WORDS = ["华", "兴", "盛", "达", "鑫", "源", "泰", "丰", "瑞", "恒", "安", "嘉", "宏", "新", "益", "隆"]


@dataclass
class Panel:
    enterprises: pd.DataFrame  # registry columns (Chinese-free column names as in the database)
    reports: pd.DataFrame  # credit_code, period and the report columns
    periods: list[str]
    products: pd.DataFrame | None = None  # credit_code, period, product, unit, output_m, output_ytd


def _main_products(industry: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A catalog product for each enterprise whose 小类 makes one (the most specific GB/T 4754
    code that prefixes it), else None."""
    from qinggong.catalog import products

    catalog = products("industrial_product")
    catalog = catalog[catalog["light"].fillna(False).astype(bool) & catalog["gbt4754"].notna() & catalog["unit"].notna()]
    by_code: dict[str, list[str]] = {}
    for rec in catalog.itertuples():
        by_code.setdefault(str(rec.gbt4754), []).append(rec.code)
    out = np.full(len(industry), None, dtype=object)
    for code in np.unique(industry):
        for length in (4, 3, 2):
            choices = by_code.get(str(code)[:length])
            if choices:
                at = np.flatnonzero(industry == code)
                out[at] = rng.choice(sorted(choices), size=len(at))
                break
    return out


def month_periods(end: str, months: int) -> list[str]:
    end_idx = int(end[:4]) * 12 + int(end[5:7]) - 1
    return [f"{k // 12:04d}-{k % 12 + 1:02d}" for k in range(end_idx - months + 1, end_idx + 1)]


def spring_festival_factor(periods: list[str]) -> np.ndarray:
    """Output factor per month: about 4–5 days before and 15–20 days after 春节 are lost (§3.1)."""
    factors = np.ones(len(periods))
    for i, p in enumerate(periods):
        year, month = int(p[:4]), int(p[5:7])
        cny = pd.Timestamp(lunardate.LunarDate(year, 1, 1).to_solar_date())
        start, stop = cny - pd.Timedelta(days=5), cny + pd.Timedelta(days=17)
        first = pd.Timestamp(year=year, month=month, day=1)
        last = first + pd.offsets.MonthEnd(0)
        overlap = (min(stop, last) - max(start, first)).days + 1
        if overlap > 0:
            factors[i] = 1.0 - 0.6 * overlap / last.day
    return factors


def _regions(rng: np.random.Generator, n: int) -> np.ndarray:
    provinces = sorted(codes.provinces())
    # Light industry is concentrated in the coastal provinces.
    heavy = {"330000": 6, "440000": 7, "320000": 6, "350000": 4, "370000": 5, "410000": 3, "130000": 2}
    weights = np.array([heavy.get(p, 1.0) for p in provinces], dtype=float)
    weights /= weights.sum()
    prov = rng.choice(provinces, size=n, p=weights)
    prefecture = rng.integers(1, 12, size=n)
    county = rng.integers(1, 9, size=n)
    return np.array([f"{p[:2]}{a:02d}{b:02d}" for p, a, b in zip(prov, prefecture, county)])


def generate_panel(n_enterprises: int = 2000, *, end: str = "2025-11", months: int = 24, seed: int = 20251130,
                   entry_share: float = 0.10, exit_share: float = 0.05, outlier_rate: float = 0.002) -> Panel:
    rng = np.random.default_rng(seed)
    periods = month_periods(end, months)
    # Simulate from the January of the first year so that 1–N月累计 is complete.
    first_year = int(periods[0][:4])
    sim = month_periods(end, (int(end[:4]) - first_year) * 12 + int(end[5:7]))
    t = len(sim)
    n = n_enterprises
    classes = np.array(sorted(codes.light_classes()))
    class_weight = rng.gamma(0.8, 1.0, size=len(classes))
    industry = rng.choice(classes, size=n, p=class_weight / class_weight.sum())
    region = _regions(rng, n)
    size = rng.choice(list(SIZE_SHARES), size=n, p=list(SIZE_SHARES.values()))
    serial = rng.choice(10**8, size=n, replace=False)
    credit = np.array([make_credit_code(r, s) for r, s in zip(region, serial)])
    names = ["".join(rng.choice(NAME_WORDS, size=2)) for _ in range(n)]
    industry_names = codes.industry_names()
    name = [f"{GENERATED_PREFIX}{w}{industry_names.get(c, '')[:6]}有限公司{i % 1000:03d}" for i, (w, c) in enumerate(zip(names, industry))]

    # Entries and exits (months are indices into `sim`).
    panel_start = t - months
    entry_idx = np.full(n, -1)
    entering = rng.random(n) < entry_share
    entry_idx[entering] = rng.integers(panel_start + 1, t, size=entering.sum())
    exit_idx = np.full(n, t + 1)
    exiting = (rng.random(n) < exit_share) & ~entering & (t - 1 > panel_start + 1)
    exit_idx[exiting] = rng.integers(panel_start + 1, max(t - 1, panel_start + 2), size=exiting.sum())
    entry_date = []
    for k, e in zip(entry_idx, entering):
        if e:
            p = sim[k]
            entry_date.append(pd.Timestamp(p + "-01") + pd.Timedelta(days=int(rng.integers(0, 27))))
        else:
            entry_date.append(pd.Timestamp(f"{rng.integers(1995, first_year)}-{rng.integers(1, 13):02d}-01"))
    exit_date = [pd.Timestamp(sim[k] + "-01") + pd.offsets.MonthEnd(0) if k <= t else pd.NaT for k in exit_idx]
    active_from = np.where(entering, entry_idx, 0)

    # Levels: lognormal around the size median; trends by industry and enterprise.
    base = np.array([SIZE_REVENUE[s] for s in size]) / 12.0 * rng.lognormal(0.0, 0.45, size=n)
    ind_codes, ind_pos = np.unique(industry, return_inverse=True)
    ind_growth = rng.normal(0.03, 0.04, size=len(ind_codes))
    growth = ind_growth[ind_pos] + rng.normal(0.0, 0.06, size=n)
    months_arr = np.arange(t)
    month_of_year = np.array([int(p[5:7]) for p in sim]) - 1
    trend = np.exp(np.outer(growth, months_arr / 12.0))
    seasonal = SEASONAL[month_of_year] * spring_festival_factor(sim)
    noise = rng.lognormal(0.0, 0.06, size=(n, t))
    rev = base[:, None] * trend * seasonal[None, :] * noise
    # Export shock: three industries lose a fifth of their exports for six months.
    export_share = np.where(rng.random(n) < 0.4, rng.uniform(0.05, 0.6, size=n), 0.0)
    export = rev * export_share[:, None] * rng.lognormal(0.0, 0.05, size=(n, t))
    shocked = np.isin(industry, rng.choice(ind_codes, size=min(3, len(ind_codes)), replace=False))
    window = (months_arr >= t - 9) & (months_arr < t - 3)
    export[np.ix_(shocked, window)] *= 0.8
    outliers = rng.random((n, t)) < outlier_rate
    rev = np.where(outliers, rev * rng.choice([0.25, 4.0], size=(n, t)), rev)
    cost = rev * np.clip(rng.normal(0.84, 0.04, size=n), 0.6, 0.98)[:, None]
    margin = rng.normal(0.06, 0.05, size=(n, t))
    profit = rev * margin
    orders = rev * rng.lognormal(0.0, 0.08, size=(n, t))
    inventory = rev * np.clip(rng.normal(0.6, 0.2, size=n), 0.05, None)[:, None]
    receivable = rev * np.clip(rng.normal(1.3, 0.4, size=n), 0.1, None)[:, None]
    employees = np.array([SIZE_EMPLOYEES[s] for s in size])[:, None] * (rev / base[:, None]) ** 0.3 * rng.lognormal(0, 0.1, size=n)[:, None]

    active = (months_arr[None, :] >= active_from[:, None]) & (months_arr[None, :] <= np.minimum(exit_idx, t - 1)[:, None])
    year_of = np.array([int(p[:4]) for p in sim])
    values: dict[str, np.ndarray] = {}
    for item, monthly in (("rev", rev), ("cost", cost), ("profit", profit), ("export", export), ("orders", orders)):
        m = np.round(np.where(active, monthly, 0.0), 1)
        ytd = np.zeros_like(m)
        for y in np.unique(year_of):
            cols = np.flatnonzero(year_of == y)
            ytd[:, cols] = np.cumsum(m[:, cols], axis=1)
        values[f"{item}_m"] = m
        values[f"{item}_ytd"] = np.round(ytd, 1)
    values["inv_eop"] = np.round(inventory, 1)
    values["ar_eop"] = np.round(receivable, 1)
    values["emp_m"] = np.round(employees)

    keep = slice(t - months, t)
    act = active[:, keep]
    rows_e, rows_t = np.nonzero(act)
    period_arr = np.array(periods)
    reports = pd.DataFrame({"credit_code": credit[rows_e], "period": period_arr[rows_t]})
    jan = np.char.endswith(period_arr[rows_t].astype(str), "-01")
    for f in FIELDS:
        col = values[f.column][:, keep][rows_e, rows_t].astype("float64")
        if f.jan_exempt:
            col = np.where(jan, np.nan, col)
        reports[f.column] = col
    enterprises = pd.DataFrame(
        {
            "credit_code": credit,
            "name": name,
            "industry": industry,
            "region": region,
            "size_class": size,
            "above_scale": True,
            "key_enterprise": size == "L",
            "entry_date": [d.date() for d in entry_date],
            "exit_date": [None if pd.isna(d) else d.date() for d in exit_date],
            "generated": True,
        }
    )
    # Main product output: a share of revenue at a product price drawn per product (万元 per
    # catalog unit), cumulated within the year like the financial items.
    from qinggong.catalog import product as catalog_product

    main = _main_products(industry, rng)
    makes = np.array([p is not None for p in main])
    share = rng.uniform(0.5, 0.9, size=n)
    names_made = sorted(set(main[makes]))
    price = dict(zip(names_made, 10 ** rng.uniform(2.5, 4.0, size=len(names_made))))
    unit_price = np.array([price.get(p, np.nan) for p in main])
    out_m = np.round(np.where(active, rev * share[:, None] / np.where(makes, unit_price, 1.0)[:, None], 0.0), 4)
    out_ytd = np.zeros_like(out_m)
    for y in np.unique(year_of):
        cols = np.flatnonzero(year_of == y)
        out_ytd[:, cols] = np.cumsum(out_m[:, cols], axis=1)
    made = makes[rows_e]
    product_rows = pd.DataFrame({
        "credit_code": credit[rows_e][made],
        "period": period_arr[rows_t][made],
        "product": main[rows_e][made],
        "output_m": out_m[:, keep][rows_e, rows_t][made],
        "output_ytd": np.round(out_ytd[:, keep][rows_e, rows_t][made], 4),
    })
    units = {p: catalog_product(p).unit for p in names_made}
    product_rows.insert(3, "unit", product_rows["product"].map(units))
    return Panel(enterprises=enterprises, reports=reports[["credit_code", "period", *REPORT_COLUMNS]], periods=periods,
                 products=product_rows)
