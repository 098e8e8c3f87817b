"""Seasonal adjustment of monthly series with a Spring Festival (春节) correction.

Two methods, same inputs and same outputs:

* ``x13`` — X-13ARIMA-SEATS (US Census ``x13as``) through ``statsmodels.tsa.x13`` with a raw
  spec: genhol-style before/after regressors (`qinggong.compute.calendar`) entered as
  ``regression{user=(cnypre cnypost) usertype=holiday}`` so that their effect is removed from the
  adjusted series (methods.md §3.2/§3.3), regressors covering the forecast horizon and written one
  pair per line; automatic ARIMA model, outliers, X-11 decomposition.
* ``native`` — for machines without ``x13as``: STL (statsmodels, robust LOESS) on the series
  with the holiday effect removed, and the holiday effect re-estimated by least squares on the
  STL remainder with the same regressors, iterated.

``auto`` picks ``x13`` when the binary is found (PATH or ``$X13PATH``) and records the choice.

1-2月合并 (methods.md §3.2 option b, allocation): a combined January–February flow (February
with span 2) is split into January and February by calendar-day shares (31 : 28/29), so the two
parts add up to the published value, and both months carry status ``E``. A model-based split
was tried and rejected: when January is never published the split between January and February
is not identified by the data (the iteration drifted to January ≈ 2 × February on 营业收入), so a
fixed, documented rule is used and the Spring Festival regressors act on the Jan+Feb → March
shift that the data do identify. For rates the combined value is used for both months. Other
missing months inside the sample are filled with the model's fitted value (status ``E``).
"""

from __future__ import annotations

import os
import re
import shutil
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal, Mapping

import numpy as np
import pandas as pd

from qinggong.compute.calendar import spring_festival_regressors
from qinggong.compute.periods import check_monthly_index, month_range
from qinggong.config import load_method, method_version
from qinggong.errors import InputError, QinggongError

Method = Literal["auto", "x13", "native"]
Kind = Literal["flow", "rate"]


@dataclass
class SeasonalResult:
    """Components indexed by period. ``frame`` columns: original, input (after the 1-2月 split
    and gap filling), sa, trend, seasonal, holiday, irregular, mom_sa, status.

    Multiplicative (log) adjustment: seasonal and holiday are factors around 1 and
    sa = input / (seasonal × holiday), mom_sa in %. Additive: components in the series' unit and
    mom_sa is the change of sa (for rates: 百分点)."""

    frame: pd.DataFrame
    diagnostics: dict[str, Any]
    method: str
    method_version: str
    mode: str  # "multiplicative" or "additive"

    @property
    def sa(self) -> pd.Series:
        return self.frame["sa"]

    @property
    def trend(self) -> pd.Series:
        return self.frame["trend"]

    @property
    def seasonal(self) -> pd.Series:
        return self.frame["seasonal"]

    @property
    def holiday(self) -> pd.Series:
        return self.frame["holiday"]

    @property
    def mom_sa(self) -> pd.Series:
        return self.frame["mom_sa"]

    @property
    def status(self) -> pd.Series:
        return self.frame["status"]


def x13_path() -> str | None:
    """The x13as binary statsmodels would use, or None."""
    folder = os.environ.get("X13PATH")
    if folder:
        for name in ("x13as", "x12a", "x13as_ascii"):
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return candidate
    return shutil.which("x13as")


def x13_available() -> bool:
    return x13_path() is not None


def choose_method(method: str = "auto") -> str:
    if method not in ("auto", "x13", "native"):
        raise InputError(f"季节调整方法“{method}”未知：可选 auto、x13、native", field="method")
    if method == "auto":
        return "x13" if x13_available() else "native"
    if method == "x13" and not x13_available():
        raise QinggongError("找不到 X-13ARIMA-SEATS 程序 x13as（PATH 或 X13PATH）；请安装 Debian non-free 软件包 x13as，或改用 --method native")
    return method


# ----------------------------------------------------------------------------- preparation
@dataclass
class _Prepared:
    periods: list[str]
    original: np.ndarray
    values: np.ndarray  # filled working values
    status: np.ndarray  # 'A' or 'E'
    combined: list[tuple[int, int, float]]  # (jan index, feb index, combined value)
    missing: np.ndarray  # bool, filled from the model
    log: bool
    kind: str
    notes: list[str] = field(default_factory=list)


def _prepare(series: pd.Series, span: pd.Series | None, kind: str, min_months: int) -> _Prepared:
    check_monthly_index(series, what="季节调整序列")
    values = pd.to_numeric(pd.Series(series.to_numpy(), index=[str(p) for p in series.index]), errors="coerce")
    values = values.astype("float64").sort_index()
    observed = values.dropna()
    if observed.empty:
        raise InputError("季节调整序列没有数值", field="value")
    periods = month_range(observed.index[0], observed.index[-1])
    if len(periods) < min_months:
        raise InputError(f"季节调整至少需要 {min_months} 个月的数据，当前只有 {len(periods)} 个月", field="period")
    spans = pd.Series(1, index=periods, dtype="int64")
    if span is not None:
        given = pd.Series(span.to_numpy(), index=[str(p) for p in span.index])
        spans = given.reindex(periods).fillna(1).astype("int64")
    work = values.reindex(periods)
    original = work.to_numpy(copy=True)
    filled = original.copy()
    status = np.where(np.isnan(original), "E", "A").astype(object)
    combined: list[tuple[int, int, float]] = []
    index = {p: i for i, p in enumerate(periods)}
    for p, s in spans.items():
        if s == 2 and p.endswith("-02") and not np.isnan(work[p]):
            jan = f"{p[:4]}-01"
            j, f = index.get(jan), index[p]
            if j is None:  # sample starts with a combined February: treat it as February alone
                continue
            combined.append((j, f, float(work[p])))
            status[j] = status[f] = "E"
    missing = np.isnan(filled)
    for j, f, _ in combined:
        missing[j] = missing[f] = False
    log = kind == "flow" and bool(np.nanmin(original) > 0)
    # initial fill: combined months by calendar days (rates: the combined value for both)
    for j, f, total in combined:
        if kind == "rate":
            filled[j] = filled[f] = total
        else:
            year = int(periods[f][:4])
            feb_days = 29 if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 28
            filled[j] = total * 31 / (31 + feb_days)
            filled[f] = total - filled[j]
    if np.isnan(filled).any():
        x = np.arange(len(filled))
        ok = ~np.isnan(filled)
        base = np.log(filled[ok]) if log else filled[ok]
        interp = np.interp(x, x[ok], base)
        filled[~ok] = np.exp(interp[~ok]) if log else interp[~ok]
    if kind == "flow" and combined and np.nanmin(filled) <= 0:
        log = False
    return _Prepared(periods, original, filled, status, combined, missing, log, kind)


def _reallocate(prep: _Prepared, fitted: np.ndarray) -> None:
    """Fill gaps other than 1-2月合并 with the model's fitted values."""
    prep.values[prep.missing] = fitted[prep.missing]


# ----------------------------------------------------------------------------- native
def _native_core(x: np.ndarray, regressors: np.ndarray, cfg: Mapping[str, Any]) -> dict[str, Any]:
    """STL + holiday regression on x (log or level). Returns additive components of x."""
    from statsmodels.tsa.seasonal import STL

    holiday = np.zeros_like(x)
    beta = np.zeros(regressors.shape[1])
    for _ in range(int(cfg.get("iterations", 4))):
        stl = STL(x - holiday, period=int(cfg.get("stl_period", 12)), seasonal=int(cfg.get("stl_seasonal", 7)),
                  robust=bool(cfg.get("stl_robust", True))).fit()
        remainder = x - stl.trend - stl.seasonal
        beta, *_ = np.linalg.lstsq(regressors, remainder, rcond=None)
        holiday = regressors @ beta
    irregular = remainder - holiday
    n, k = regressors.shape
    rss = float(irregular @ irregular)
    sigma2 = rss / max(n - k, 1)
    try:
        cov = sigma2 * np.linalg.inv(regressors.T @ regressors)
        se = np.sqrt(np.diag(cov))
    except np.linalg.LinAlgError:
        se = np.full(k, np.nan)
    aicc = n * np.log(rss / n) + 2 * k + (2 * k * (k + 1)) / max(n - k - 1, 1) if rss > 0 else float("nan")
    return {"trend": np.asarray(stl.trend), "seasonal": np.asarray(stl.seasonal), "holiday": holiday,
            "irregular": irregular, "beta": beta, "se": se, "aicc": float(aicc)}


def _ljung_box(resid: np.ndarray, lags: int) -> dict[str, float]:
    from statsmodels.stats.diagnostic import acorr_ljungbox

    lags = min(lags, len(resid) // 2)
    table = acorr_ljungbox(resid, lags=[lags])
    return {"lag": int(lags), "q": float(table["lb_stat"].iloc[0]), "p": float(table["lb_pvalue"].iloc[0])}


def _native(prep: _Prepared, regs: pd.DataFrame, cfg: Mapping[str, Any], sf_cfg: Mapping[str, Any]) -> dict[str, Any]:
    x = np.log(prep.values) if prep.log else prep.values.copy()
    candidates = [tuple(sf_cfg.get("post", (0, 14)))]
    if sf_cfg.get("select_post_by_aicc"):
        candidates = [tuple(c) for c in sf_cfg.get("post_candidates", candidates)]
    best: dict[str, Any] | None = None
    for post in candidates:
        r = regs if post == tuple(sf_cfg.get("post", (0, 14))) else spring_festival_regressors(
            prep.periods, pre=sf_cfg["pre"], post=post, centre_years=sf_cfg["centre_years"])
        core = _native_core(x, r.to_numpy()[: len(x)], cfg)
        core["post"] = list(post)
        if best is None or core["aicc"] < best["aicc"]:
            best = core
    assert best is not None
    lb = _ljung_box(best["irregular"], int(cfg.get("ljung_box_lags", 24)))
    return {
        "components": best,
        "diagnostics": {
            "model": f"STL(period=12, seasonal={cfg.get('stl_seasonal', 7)}, robust) + OLS Spring Festival regression",
            "aicc": best["aicc"],
            "aicc_note": "AICc of the holiday regression on the STL remainder (not comparable with X-13 AICC)",
            "ljung_box": lb,
            "holiday": {name: {"coef": float(b), "t": float(b / s) if s > 0 else None}
                        for name, b, s in zip(["cnypre", "cnypost"], best["beta"], best["se"])},
            "post_window": best["post"],
        },
    }


# -----------------------------------------------------------------------------
_COEF = re.compile(r"^\s*(cnypre|cnypost)\s+(-?\d+\.\d+)\s+(\d+\.\d+)\s+(-?\d+\.\d+)", re.M)
_AICC = re.compile(r"AICC \(F-corrected-AIC\)\s+(-?\d+\.\d+)")
_MODEL = re.compile(r"ARIMA Model:\s+(\([^)]*\)(?:\([^)]*\))?)")


def _parse_ljung_box(text: str, lag_wanted: int) -> dict[str, float] | None:
    start = text.find("Sample Autocorrelations of the Residuals with the Ljung-Box")
    if start < 0:
        return None
    end = text.find("Sample Autocorrelations of the Squared", start)
    block = text[start: end if end > 0 else start + 4000]
    lags: list[int] = []
    qs: list[float] = []
    ps: list[float] = []
    for line in block.splitlines():
        stripped = line.strip()
        if stripped.startswith("Lag"):
            lags += [int(v) for v in stripped.split()[1:]]
        elif stripped.startswith("Q "):
            qs += [float(v) for v in re.findall(r"\d+\.\d{2}", stripped)]
        elif stripped.startswith("P "):
            ps += [float(v) for v in re.findall(r"\d\.\d{3}", stripped)]
    if not lags or len(qs) != len(lags) or len(ps) != len(lags):
        return None
    i = lags.index(lag_wanted) if lag_wanted in lags else len(lags) - 1
    return {"lag": lags[i], "q": qs[i], "p": ps[i]}


def _x13_spec(prep: _Prepared, regs: pd.DataFrame, cfg: Mapping[str, Any]) -> str:
    first = prep.periods[0]
    lines = "\n".join(f"{a:.8f} {b:.8f}" for a, b in regs.to_numpy())
    parts = [
        "series{}",
        f"transform{{function={'log' if prep.log else 'none'}}}",
        "regression{",
        "  user=(cnypre cnypost)",
        "  usertype=holiday",
        f"  start={first[:4]}.{first[5:7]}",
        "  data=(",
        lines,
        "  )",
        "}",
    ]
    parts.append("automdl{}" if cfg.get("automdl", True) else "arima{model=(0 1 1)(0 1 1)}")
    if cfg.get("outlier", True):
        parts.append("outlier{}")
    parts += [f"forecast{{maxlead={int(cfg.get('forecast_maxlead', 12))}}}", "estimate{}", "check{}", "x11{}"]
    return "\n".join(parts) + "\n"


def _x13(prep: _Prepared, regs: pd.DataFrame, cfg: Mapping[str, Any], lb_lags: int) -> dict[str, Any]:
    from statsmodels.tsa.x13 import x13_arima_analysis

    index = pd.PeriodIndex(prep.periods, freq="M").to_timestamp()
    endog = pd.Series(prep.values, index=index)
    spec = _x13_spec(prep, regs, cfg)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = x13_arima_analysis(endog, rawspec=spec, x12path=x13_path())
    text = res.results
    sa = np.asarray(res.seasadj, dtype="float64")
    trend = np.asarray(res.trend, dtype="float64")
    coefs = {m.group(1): (float(m.group(2)), float(m.group(3)), float(m.group(4))) for m in _COEF.finditer(text)}
    if set(coefs) != {"cnypre", "cnypost"}:
        raise QinggongError("X-13 输出中找不到春节回归系数")
    beta = np.array([coefs["cnypre"][0], coefs["cnypost"][0]])
    n = len(prep.values)
    holiday_x = regs.to_numpy()[:n] @ beta
    aicc = _AICC.search(text)
    model = _MODEL.search(text)
    return {
        "sa": sa,
        "trend": trend,
        "holiday_x": holiday_x,
        "diagnostics": {
            "model": f"X-13ARIMA-SEATS regARIMA {model.group(1) if model else '?'} + X-11",
            "aicc": float(aicc.group(1)) if aicc else None,
            "ljung_box": _parse_ljung_box(text, lb_lags),
            "holiday": {k: {"coef": v[0], "se": v[1], "t": v[2]} for k, v in coefs.items()},
        },
    }


# ----------------------------------------------------------------------------- public API
def adjust(
    series: pd.Series,
    *,
    method: Method = "auto",
    kind: Kind = "flow",
    span: pd.Series | None = None,
    config: Mapping[str, Any] | None = None,
) -> SeasonalResult:
    """Seasonally adjust a monthly series indexed by 'YYYY-MM' (see module docstring).

    `span` marks 1-2月合并 Februaries (value 2). Returns SA, trend-cycle, seasonal and holiday
    factors, 环比 of SA, diagnostics and the method actually used.
    """
    if kind not in ("flow", "rate"):
        raise InputError(f"序列类型“{kind}”未知：可选 flow（流量）或 rate（比率）", field="kind")
    cfg = dict(config) if config is not None else load_method("seasonal")
    chosen = choose_method(method)
    sf_cfg = cfg["spring_festival"]
    prep = _prepare(series, span, kind, int(cfg.get("min_months", 36)))
    horizon = int(cfg["x13"].get("forecast_maxlead", 12))
    all_periods = month_range(prep.periods[0], pd.Period(prep.periods[-1], freq="M").__add__(horizon).strftime("%Y-%m"))
    regs = spring_festival_regressors(all_periods, pre=sf_cfg["pre"], post=sf_cfg["post"],
                                      centre_years=sf_cfg["centre_years"])
    # 1-2月合并 split and gap filling, iterated on the native model (same input for both methods)
    needs_fill = bool(prep.missing.any())
    if needs_fill:
        for _ in range(int(cfg["jan_feb"].get("iterations", 3))):
            x = np.log(prep.values) if prep.log else prep.values
            core = _native_core(x, regs.to_numpy()[: len(x)], cfg["native"])
            fitted_x = core["trend"] + core["seasonal"] + core["holiday"]
            _reallocate(prep, np.exp(fitted_x) if prep.log else fitted_x)
    fallback = None
    started = time.perf_counter()
    if chosen == "x13":
        try:
            out = _x13(prep, regs, cfg["x13"], int(cfg["native"].get("ljung_box_lags", 24)))
        except Exception as exc:  # x13as rejected the series: record and fall back when allowed
            if method == "x13":
                raise QinggongError(f"X-13ARIMA-SEATS 调整失败：{str(exc).strip()[:300]}") from exc
            fallback = f"x13 failed: {str(exc).strip()[:200]}"
            chosen = "native"
    if chosen == "x13":
        y = prep.values
        sa, trend = out["sa"], out["trend"]
        if prep.log:
            holiday = np.exp(out["holiday_x"])
            combined_factor = y / sa
            seasonal = combined_factor / holiday
            irregular = sa / trend
        else:
            holiday = out["holiday_x"]
            seasonal = (y - sa) - holiday
            irregular = sa - trend
        diagnostics = out["diagnostics"]
        diagnostics["post_window"] = list(sf_cfg["post"])
    else:
        native = _native(prep, regs, cfg["native"], sf_cfg)
        comp = native["components"]
        diagnostics = native["diagnostics"]
        if prep.log:
            trend = np.exp(comp["trend"])
            seasonal = np.exp(comp["seasonal"])
            holiday = np.exp(comp["holiday"])
            irregular = np.exp(comp["irregular"])
            sa = prep.values / (seasonal * holiday)
        else:
            trend, seasonal, holiday, irregular = comp["trend"], comp["seasonal"], comp["holiday"], comp["irregular"]
            sa = prep.values - seasonal - holiday
    sa_series = pd.Series(sa, index=prep.periods)
    mom = (sa_series / sa_series.shift(1) - 1.0) * 100.0 if prep.log else sa_series.diff()
    frame = pd.DataFrame(
        {
            "original": prep.original,
            "input": prep.values,
            "sa": sa,
            "trend": trend,
            "seasonal": seasonal,
            "holiday": holiday,
            "irregular": irregular,
            "mom_sa": mom.to_numpy(),
            "status": prep.status,
        },
        index=pd.Index(prep.periods, name="period"),
    )
    diagnostics.update(
        {
            "method": chosen,
            "requested": method,
            "mode": "multiplicative" if prep.log else "additive",
            "kind": kind,
            "n": len(prep.periods),
            "jan_feb_combined": len(prep.combined),
            "jan_feb_option": cfg["jan_feb"].get("option", "b"),
            "filled_missing": int(prep.missing.sum()),
            "pre_window": list(sf_cfg["pre"]),
            "seconds": round(time.perf_counter() - started, 4),
        }
    )
    if fallback:
        diagnostics["fallback"] = fallback
    version = f"{method_version('seasonal')}/{chosen}"
    return SeasonalResult(frame, diagnostics, chosen, version, "multiplicative" if prep.log else "additive")


def _adjust_one(args: tuple[str, pd.Series, str, str, pd.Series | None, dict | None]) -> tuple[str, SeasonalResult | str]:
    name, series, method, kind, span, cfg = args
    try:
        return name, adjust(series, method=method, kind=kind, span=span, config=cfg)  # type: ignore[arg-type]
    except QinggongError as exc:
        return name, str(exc)


def adjust_many(
    series: Mapping[str, pd.Series],
    *,
    method: Method = "auto",
    kind: Kind | Mapping[str, Kind] = "flow",
    spans: Mapping[str, pd.Series] | None = None,
    workers: int | None = None,
    config: Mapping[str, Any] | None = None,
) -> dict[str, SeasonalResult | str]:
    """Adjust many series in parallel over processes (all cores by default, config
    `batch.workers`). Returns name → result, or name → Chinese error message."""
    cfg = dict(config) if config is not None else load_method("seasonal")
    chosen = choose_method(method)
    n_workers = workers if workers is not None else int(cfg.get("batch", {}).get("workers", 0))
    n_workers = n_workers or (os.cpu_count() or 1)
    jobs = [
        (name, s, chosen, kind if isinstance(kind, str) else kind.get(name, "flow"), (spans or {}).get(name), cfg)
        for name, s in series.items()
    ]
    if n_workers <= 1 or len(jobs) <= 1:
        return dict(_adjust_one(job) for job in jobs)
    chunk = max(1, len(jobs) // (n_workers * 4))
    with ProcessPoolExecutor(max_workers=n_workers) as pool:
        return dict(pool.map(_adjust_one, jobs, chunksize=chunk))
