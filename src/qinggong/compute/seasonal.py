"""Seasonal adjustment of monthly series with a Spring Festival (春节) correction.

Two methods, same inputs and same outputs:

* ``x13`` — X-13ARIMA-SEATS (US Census ``x13as``) through ``statsmodels.tsa.x13`` with a raw
  spec: genhol-style before/after regressors (`qinggong.compute.calendar`) entered as
  ``regression{user=(cnypre cnypost) usertype=holiday}`` so that their effect is removed from the
  adjusted series (methods.md §3.2/§3.3), regressors covering the forecast horizon and written one
  pair per line; automatic ARIMA model, outliers, X-11 decomposition.
* ``native`` — for machines without ``x13as``, built to follow X-13's two stages:
  1. pre-adjustment (regARIMA's role): additive outliers and level shifts are searched on the
     series adjusted by a per-calendar-month running-median seasonal (which the outliers cannot
     pull), confirmed by backward deletion on an airline model (0 1 1)(0 1 1)12 and estimated by
     GLS on it, with the Ljung (1993) critical value X-13 uses. Year-start scope breaks of
     规上 series (the enterprise set changes every January) and COVID are found this way.
  2. decomposition (X-11's role): robust STL with locally constant seasonal smoothing on the
     linearised series extended by 12 airline forecasts, the seasonal window chosen from the
     moving seasonality ratio as X-11 chooses its seasonal filter, and the Spring Festival effect
     re-estimated by least squares on the STL remainder with the same regressors, iterated.
  Level shifts stay in the adjusted series and the trend, additive outliers in the irregular
  (and so in SA), as in X-13. Settings and measured agreement: config ``seasonal.yaml``.

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
from pathlib import Path
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal, Mapping

import numpy as np
import pandas as pd

from qinggong.compute.calendar import regressor_matrix
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
    first = str(observed.index[0])
    given = None
    if span is not None:
        given = pd.Series(span.to_numpy(), index=[str(p) for p in span.index])
    if first.endswith("-02") and given is not None and given.get(first, 1) == 2:
        first = f"{first[:4]}-01"  # the sample starts with a 1-2月合并 value: split it like the others
    periods = month_range(first, observed.index[-1])
    if len(periods) < min_months:
        raise InputError(f"季节调整至少需要 {min_months} 个月的数据，当前只有 {len(periods)} 个月", field="period")
    spans = pd.Series(1, index=periods, dtype="int64")
    if given is not None:
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
            j, f = index[jan], index[p]
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
def outlier_critical_value(n: int, alpha: float = 0.05) -> float:
    """Critical |t| for automatic outlier detection over n observations: Ljung (1993), the
    algorithm X-13ARIMA-SEATS and JDemetra+ use by default (≈ 3.8 for n = 106, 4.0 for 300)."""
    n = max(int(n), 3)
    acv = np.sqrt(2.0 * np.log(n))
    bcv = acv - (np.log(np.log(n)) + np.log(4.0 * np.pi)) / (2.0 * acv)
    pmod = 2.0 - np.sqrt(1.0 + alpha)
    xcv = -np.log(-0.5 * np.log(pmod))
    return float(xcv / acv + bcv)


def _detect_outliers(s: np.ndarray, cv: float, max_outliers: int, types: tuple[str, ...]) -> list[tuple[str, int]]:
    """Additive outliers (AO) and level shifts (LS) in a seasonally and holiday adjusted series
    `s` (log or level), found the way regARIMA's forward pass does for a (0 1 0) model: on the
    first differences d, an LS at t is one large d[t−1], an AO at t is d[t−1] ≈ −d[t]. The
    largest |t| above `cv` is taken, its effect removed, and the search repeated; the scale is
    robust (1.4826 × MAD of d)."""
    work = s.astype("float64", copy=True)
    found: list[tuple[str, int]] = []
    n = len(work)
    if n < 4:
        return found
    while len(found) < max_outliers:
        d = np.diff(work)
        centre = float(np.median(d))
        dev = d - centre
        sigma = 1.4826 * float(np.median(np.abs(dev)))
        if not sigma > 0:
            break
        best, best_t, best_kind = 0, 0.0, ""
        if "LS" in types:
            t_ls = np.abs(dev) / sigma  # LS at t ↔ d[t−1], t = 1..n−1
            i = int(np.argmax(t_ls))
            if t_ls[i] > best_t:
                best, best_t, best_kind = i + 1, float(t_ls[i]), "LS"
        if "AO" in types:
            t_ao = np.empty(n)
            t_ao[0] = abs(dev[0]) / sigma
            t_ao[-1] = abs(dev[-1]) / sigma
            t_ao[1:-1] = np.abs(dev[:-1] - dev[1:]) / (np.sqrt(2.0) * sigma)
            i = int(np.argmax(t_ao))
            if t_ao[i] > best_t:
                best, best_t, best_kind = i, float(t_ao[i]), "AO"
        if best_t <= cv or (best_kind, best) in found:
            break
        found.append((best_kind, best))
        if best_kind == "LS":
            work[best:] -= dev[best - 1]
        else:
            neighbours = [work[j] for j in (best - 1, best + 1) if 0 <= j < n]
            work[best] = float(np.mean(neighbours))
    return found


def _robust_seasonal(detrended: np.ndarray, first_month: int, years: int) -> np.ndarray:
    """Seasonal pattern for outlier detection: per calendar month, the running median over
    `years` neighbouring years of the detrended series. A median (unlike STL's LOESS or X-11's
    moving averages) is not pulled by the one or two outlying years it is meant to expose —
    the role regARIMA's seasonal differencing plays for X-13's outlier search."""
    n = len(detrended)
    offset = first_month - 1
    rows = (offset + n + 11) // 12
    grid = np.full(rows * 12, np.nan)
    grid[offset: offset + n] = detrended
    grid = grid.reshape(rows, 12)
    half = max(years, 1) // 2
    padded = np.full((rows + 2 * half, 12), np.nan)
    padded[half: half + rows] = grid
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1, axis=0)  # rows × 12 × window
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN calendar months before the first year
        out = np.nanmedian(windows, axis=2)
    flat = out.reshape(-1)[offset: offset + n]
    return np.where(np.isfinite(flat), flat, 0.0)


def moving_seasonality_ratio(seasonal: np.ndarray, irregular: np.ndarray) -> float:
    """X-11's global moving seasonality ratio (MSR, table D9A): the average absolute
    year-to-year change of the irregular over that of the seasonal component."""
    if len(seasonal) <= 12:
        return float("nan")
    i_bar = float(np.mean(np.abs(irregular[12:] - irregular[:-12])))
    s_bar = float(np.mean(np.abs(seasonal[12:] - seasonal[:-12])))
    return i_bar / s_bar if s_bar > 0 else float("inf")


def _seasonal_window(msr: float, cfg: Mapping[str, Any]) -> tuple[int, str]:
    """STL seasonal window for a moving seasonality ratio, with X-11's automatic choice of
    seasonal filter (X-13 manual, x11 seasonalma=msr: < 3.5 → 3x3, < 5.5 → 3x5, else 3x9 —
    the middle zones resolved to the shorter filter) and the configured STL equivalents."""
    windows = cfg.get("msr_windows", {"3x3": 7, "3x5": 11, "3x9": 15})
    cuts = cfg.get("msr_cuts", [3.5, 5.5])
    name = "3x3" if msr < cuts[0] else "3x5" if msr < cuts[1] else "3x9"
    return int(windows[name]), name


def _ma_poly(theta: float, big_theta: float, period: int) -> np.ndarray:
    poly = np.zeros(period + 2)
    poly[0], poly[1], poly[period], poly[period + 1] = 1.0, theta, big_theta, theta * big_theta
    return poly


def _difference(v: np.ndarray, period: int) -> np.ndarray:
    """(1 − B)(1 − B^s) applied along the first axis (drops the first s + 1 rows)."""
    d = v[period:] - v[:-period]
    return d[1:] - d[:-1]


def _airline_fit(w: np.ndarray, period: int, grid: np.ndarray) -> tuple[float, float]:
    """(θ, Θ) of the airline model (0 1 1)(0 1 1)s by conditional sum of squares over a grid
    (w = the differenced, regression-corrected series). The residual recursion
    a_t = w_t − θa_{t−1} − Θa_{t−s} − θΘa_{t−s−1} runs for all grid points at once."""
    theta, big = (g.ravel() for g in np.meshgrid(grid, grid, indexing="ij"))
    prod = theta * big
    n = len(w)
    a = np.zeros((n + period + 1, theta.size))
    for t in range(n):
        i = t + period + 1
        a[i] = w[t] - theta * a[i - 1] - big * a[i - period] - prod * a[i - period - 1]
    css = np.einsum("ij,ij->j", a, a)
    j = int(np.argmin(css))
    return float(theta[j]), float(big[j])


def _regarima_outliers(x: np.ndarray, regressors: np.ndarray, cv: float, max_outliers: int, types: tuple[str, ...],
                       period: int, grid: np.ndarray) -> tuple[list[tuple[str, int]], np.ndarray]:
    """Automatic AO/LS detection as regARIMA does it, on an airline model: the series and the
    regressors are differenced and filtered by the inverse MA polynomial, outlier t-values are
    the GLS estimates of each candidate's effect over a robust residual scale (1.4826 × MAD),
    the largest above `cv` is added and the regression re-estimated, until none is left.
    Returns the outliers and the coefficients of [regressors, outliers] (log or level units)."""
    from scipy.signal import lfilter

    n = len(x)
    outliers: list[tuple[str, int]] = []
    # differenced patterns of a unit AO / LS at t: AO pulse, LS step (−1 before t, X-13 convention)
    eye = np.eye(n)
    patterns = {"AO": _difference(eye, period), "LS": _difference(-np.tril(np.ones((n, n)), -1).T, period)}
    wx = _difference(x, period)
    wr = _difference(regressors, period)
    theta = (0.0, 0.0)
    beta = np.zeros(regressors.shape[1])
    for _ in range(max_outliers + 1):
        cols = [patterns[kind][:, t] for kind, t in outliers]
        design = np.column_stack([wr] + cols) if cols else wr
        theta = _airline_fit(wx - design @ np.linalg.lstsq(design, wx, rcond=None)[0], period, grid)
        ma = _ma_poly(theta[0], theta[1], period)
        fy = lfilter([1.0], ma, wx)
        fd = lfilter([1.0], ma, design, axis=0)
        beta, *_ = np.linalg.lstsq(fd, fy, rcond=None)
        resid = fy - fd @ beta
        sigma = 1.4826 * float(np.median(np.abs(resid - np.median(resid))))
        if len(outliers) >= max_outliers or not sigma > 0:
            break
        best_t, best = 0.0, None
        for kind in types:
            filtered = lfilter([1.0], ma, patterns[kind], axis=0)  # column t: the effect of an outlier at t
            norm = np.einsum("ij,ij->j", filtered, filtered)
            ok = norm > 1e-12
            tvals = np.zeros(n)
            tvals[ok] = np.abs(resid @ filtered[:, ok]) / np.sqrt(norm[ok]) / sigma
            if kind == "LS":
                tvals[0] = 0.0
                tvals[-1] = 0.0  # an LS at the last month is an AO
            for kind_t in outliers:
                if kind_t[0] == kind:
                    tvals[kind_t[1]] = 0.0
            i = int(np.argmax(tvals))
            if tvals[i] > best_t:
                best_t, best = float(tvals[i]), (kind, i)
        if best is None or best_t <= cv:
            break
        outliers.append(best)
    order = sorted(range(len(outliers)), key=lambda j: outliers[j][1])
    k = regressors.shape[1]
    beta = np.concatenate([beta[:k], beta[k:][order]]) if outliers else beta
    return [outliers[j] for j in order], beta


def _airline_backward(x: np.ndarray, regressors: np.ndarray, candidates: list[tuple[str, int]], cv: float,
                      period: int, grid: np.ndarray) -> tuple[list[tuple[str, int]], np.ndarray]:
    """Backward deletion as regARIMA does after its forward search: refit the regression of the
    airline model with all candidates (GLS, robust scale) and drop the least significant while
    its |t| is below `cv`."""
    from scipy.signal import lfilter

    n = len(x)
    kept = list(candidates)
    wx = _difference(x, period)
    wr = _difference(regressors, period)
    k = regressors.shape[1]
    while kept:
        cols = _difference(_outlier_columns(n, kept), period)
        design = np.hstack([wr, cols])
        beta0, *_ = np.linalg.lstsq(design, wx, rcond=None)
        theta = _airline_fit(wx - design @ beta0, period, grid)
        ma = _ma_poly(theta[0], theta[1], period)
        fy, fd = lfilter([1.0], ma, wx), lfilter([1.0], ma, design, axis=0)
        beta, *_ = np.linalg.lstsq(fd, fy, rcond=None)
        resid = fy - fd @ beta
        sigma = 1.4826 * float(np.median(np.abs(resid - np.median(resid))))
        try:
            # A near-singular design gives tiny negative variances: those t-values are unusable (NaN → not significant).
            with np.errstate(invalid="ignore"):
                se = sigma * np.sqrt(np.diag(np.linalg.inv(fd.T @ fd)))
        except np.linalg.LinAlgError:
            break
        tvals = np.abs(beta[k:]) / np.where(se[k:] > 0, se[k:], np.inf)
        j = int(np.argmin(tvals))
        if tvals[j] >= cv:
            return kept, beta
        kept.pop(j)
    return kept, np.zeros(k)


def _airline_extend(y: np.ndarray, lead: int, period: int, params: tuple[float, float]) -> np.ndarray:
    """y followed by `lead` forecasts of an airline model (0 1 1)(0 1 1)s with MA parameters
    `params` (θ, Θ) and the mean of the differenced series as drift."""
    from scipy.signal import lfilter

    w = _difference(y, period)
    ma = _ma_poly(params[0], params[1], period)
    a = np.concatenate([np.zeros(period + 1), lfilter([1.0], ma, w - w.mean())])  # residuals aligned with y
    out = np.concatenate([y, np.zeros(lead)])
    shocks = np.concatenate([a, np.zeros(lead)])
    drift = float(w.mean())
    for t in range(len(y), len(y) + lead):
        out[t] = (out[t - 1] + out[t - period] - out[t - period - 1] + drift
                  + ma[1] * shocks[t - 1] + ma[period] * shocks[t - period] + ma[period + 1] * shocks[t - period - 1])
    return out


def _outlier_columns(n: int, outliers: list[tuple[str, int]]) -> np.ndarray:
    cols = np.zeros((n, len(outliers)))
    for j, (kind, t) in enumerate(outliers):
        if kind == "AO":
            cols[t, j] = 1.0
        else:  # LS: X-13 convention, −1 before the break and 0 from it on
            cols[:t, j] = -1.0
    return cols


def _native_core(x: np.ndarray, regressors: np.ndarray, cfg: Mapping[str, Any], first_month: int = 1) -> dict[str, Any]:
    """The native method on x (log or level), in X-13's two stages (module docstring):
    stage 1 finds additive outliers and level shifts and estimates their effects; stage 2 runs
    robust STL on the linearised, forecast-extended series and re-estimates the Spring Festival
    effect on the STL remainder until it settles. Returns additive components of x: trend (with
    level shifts, as X-13 assigns them), seasonal, holiday, irregular (with additive outliers)
    and the regression details (outlier t-values from the final regression on the remainder)."""
    from statsmodels.tsa.seasonal import STL

    n, k = regressors.shape
    period = int(cfg.get("stl_period", 12))
    seasonal_window = 7 if str(cfg.get("stl_seasonal", 7)) == "msr" else int(cfg.get("stl_seasonal", 7))
    robust = bool(cfg.get("stl_robust", True))
    outer = int(cfg.get("stl_outer_iter", 15)) if robust else 0
    ocfg = cfg.get("outliers", {}) or {}
    detect = bool(ocfg.get("enabled", True))
    types = tuple(str(t).upper() for t in ocfg.get("types", ["AO", "LS"]))
    critical = ocfg.get("critical")
    cv = float(critical) if critical else outlier_critical_value(n, float(ocfg.get("alpha", 0.05)))
    max_outliers = int(ocfg.get("max", 12))
    detection_years = int(ocfg.get("seasonal_years", 5))
    tol = float(cfg.get("tolerance", 1e-6))
    stl_args = {"period": period, "seasonal": seasonal_window, "robust": robust,
                "seasonal_deg": int(cfg.get("stl_seasonal_deg", 1))}
    # Stage 1 (as regARIMA's pre-adjustment): additive outliers and level shifts with their
    # effects, found against an STL trend and a median-based seasonal pattern that the outliers
    # cannot pull, then confirmed by backward deletion on an airline model.
    outliers: list[tuple[str, int]] = []
    beta = np.zeros(k)
    outlier_effect = np.zeros(n)
    effects = np.zeros(n)
    iterations = 0
    mode = str(ocfg.get("detection", "median+airline"))
    grid = np.asarray(ocfg.get("airline_grid", np.round(np.arange(-0.9, 0.91, 0.1), 2)), dtype="float64")
    if detect and mode == "airline" and n > 2 * period + 2:
        outliers, beta = _regarima_outliers(x, regressors, cv, max_outliers, types, period, grid)
    elif detect:
        confirm = mode == "median+airline" and n > 2 * period + 2
        for iterations in range(1, int(ocfg.get("iterations", 4)) + 1):
            trend = np.asarray(STL(x - effects, **stl_args).fit(outer_iter=outer).trend)
            z = x - trend
            holiday_only = regressors @ beta[:k]
            robust_seasonal = _robust_seasonal(z - effects, first_month, detection_years)
            previous = outliers
            outliers = sorted(_detect_outliers(x - robust_seasonal - holiday_only, cv, max_outliers, types),
                              key=lambda o: o[1])
            design = np.hstack([regressors, _outlier_columns(n, outliers)]) if outliers else regressors
            if confirm and outliers:
                # effects as regARIMA estimates them (GLS on the airline model), not against the
                # STL trend, which would share a level shift with the regression
                outliers, beta = _airline_backward(x, regressors, outliers, cv, period, grid)
                design = np.hstack([regressors, _outlier_columns(n, outliers)]) if outliers else regressors
            else:
                beta, *_ = np.linalg.lstsq(design, z - robust_seasonal, rcond=None)
            new_effects = design @ beta
            change = float(np.max(np.abs(new_effects - effects)))
            effects = new_effects
            if outliers == previous and change < tol:
                break
    if outliers:
        outlier_effect = _outlier_columns(n, outliers) @ beta[k:]
    design = np.hstack([regressors, _outlier_columns(n, outliers)]) if outliers else regressors
    # Stage 2 (the decomposition of the linearised series): STL on x without outliers and the
    # holiday effect, the holiday effect re-estimated on the STL remainder, repeated.
    holiday = regressors @ beta[:k] if detect else np.zeros(n)
    beta_h = beta[:k].copy()
    filter_name = None
    msr = None
    lead = int(cfg.get("forecast_extension", 12)) if n > 2 * period + 2 else 0

    airline: list[tuple[float, float]] = []  # fitted once, on the first linearised series

    def decompose(y: np.ndarray, args: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        # as X-11 works on the series extended by a year of regARIMA forecasts, STL runs on the
        # series extended by airline-model forecasts, so that its end weights see a full cycle
        if lead and not airline:
            w = _difference(y, period)
            airline.append(_airline_fit(w - w.mean(), period, grid))
        ext = _airline_extend(y, lead, period, airline[0]) if lead else y
        fit = STL(ext, **args).fit(outer_iter=outer)
        return np.asarray(fit.trend)[:n], np.asarray(fit.seasonal)[:n], np.asarray(fit.resid)[:n]

    if str(cfg.get("stl_seasonal", 7)) == "msr":  # choose the window as X-11 chooses its filter
        _, seas0, resid0 = decompose(x - outlier_effect - holiday, {**stl_args, "seasonal": int(cfg.get("msr_initial_window", 7))})
        msr = moving_seasonality_ratio(seas0, resid0)
        stl_args["seasonal"], filter_name = _seasonal_window(msr, cfg)
    for _ in range(int(cfg.get("iterations", 4))):
        trend, seas, _ = decompose(x - outlier_effect - holiday, stl_args)
        remainder = x - outlier_effect - trend - seas
        beta_h, *_ = np.linalg.lstsq(regressors, remainder, rcond=None)
        new_holiday = regressors @ beta_h
        change = float(np.max(np.abs(new_holiday - holiday)))
        holiday = new_holiday
        if change < tol:
            break
    beta = np.concatenate([beta_h, beta[k:]])
    effects = holiday + outlier_effect
    remainder = x - trend - seas
    resid = remainder - effects
    ls_effect = np.zeros(n)
    for j, (kind, _) in enumerate(outliers):
        if kind == "LS":
            ls_effect += design[:, k + j] * beta[k + j]
    ao_effect = effects - holiday - ls_effect
    p = design.shape[1]
    rss = float(resid @ resid)
    sigma2 = rss / max(n - p, 1)
    try:
        se = np.sqrt(np.diag(sigma2 * np.linalg.inv(design.T @ design)))
    except np.linalg.LinAlgError:
        se = np.full(p, np.nan)
    aicc = n * np.log(rss / n) + 2 * p + (2 * p * (p + 1)) / max(n - p - 1, 1) if rss > 0 else float("nan")
    return {"trend": trend + ls_effect, "seasonal": seas, "holiday": holiday, "irregular": resid + ao_effect,
            "resid": resid, "beta": beta, "se": se, "aicc": float(aicc), "outliers": outliers,
            "critical": cv, "iterations": iterations, "stl_seasonal": stl_args["seasonal"],
            "msr": msr, "x11_filter": filter_name}


def _ljung_box(resid: np.ndarray, lags: int) -> dict[str, float]:
    """Ljung–Box Q at `lags` (the formula statsmodels' acorr_ljungbox uses, in numpy: that
    function's pandas overhead cost more than the whole STL fit)."""
    from scipy.special import chdtrc

    r = np.asarray(resid, dtype="float64") - float(np.mean(resid))
    n = len(r)
    lags = min(lags, n // 2)
    denom = float(r @ r)
    acf = np.array([float(r[h:] @ r[:-h]) / denom for h in range(1, lags + 1)])
    q = float(n * (n + 2) * np.sum(acf ** 2 / (n - np.arange(1, lags + 1))))
    return {"lag": int(lags), "q": q, "p": float(chdtrc(lags, q))}


def _native(prep: _Prepared, regs: np.ndarray, cfg: Mapping[str, Any], sf_cfg: Mapping[str, Any]) -> dict[str, Any]:
    x = np.log(prep.values) if prep.log else prep.values.copy()
    default_post = tuple(sf_cfg.get("post", (0, 14)))
    candidates = [default_post]
    if sf_cfg.get("select_post_by_aicc"):
        candidates = [tuple(c) for c in sf_cfg.get("post_candidates", candidates)]
    best: dict[str, Any] | None = None
    for post in candidates:
        r = regs if post == default_post else regressor_matrix(
            prep.periods[0], len(prep.periods), tuple(sf_cfg["pre"]), post, tuple(sf_cfg["centre_years"]))
        core = _native_core(x, r[: len(x)], cfg, int(prep.periods[0][5:7]))
        core["post"] = list(post)
        if best is None or core["aicc"] < best["aicc"]:
            best = core
    assert best is not None
    lb = _ljung_box(best["resid"], int(cfg.get("ljung_box_lags", 24)))
    k = 2
    outliers = [
        {"type": kind, "period": prep.periods[t], "coef": float(best["beta"][k + j]),
         "t": float(best["beta"][k + j] / best["se"][k + j]) if best["se"][k + j] > 0 else None}
        for j, (kind, t) in enumerate(best["outliers"])
    ]
    return {
        "components": best,
        "diagnostics": {
            "model": f"STL(period=12, seasonal={best['stl_seasonal']}, robust) + OLS Spring Festival and AO/LS outlier regression",
            "seasonal_filter": {"stl_seasonal": best["stl_seasonal"], "msr": None if best["msr"] is None else round(best["msr"], 3),
                                "x11_equivalent": best["x11_filter"]},
            "aicc": best["aicc"],
            "aicc_note": "AICc of the holiday and outlier regression on the STL remainder (not comparable with X-13 AICC)",
            "ljung_box": lb,
            "holiday": {name: {"coef": float(b), "t": float(b / s) if s > 0 else None}
                        for name, b, s in zip(["cnypre", "cnypost"], best["beta"][:k], best["se"][:k])},
            "outliers": outliers,
            "outlier_critical": round(best["critical"], 3),
            "post_window": best["post"],
        },
    }


# -----------------------------------------------------------------------------
_COEF = re.compile(r"^\s*(cnypre|cnypost)\s+(-?\d+\.\d+)\s+(\d+\.\d+)\s+(-?\d+\.\d+)", re.M)
_AICC = re.compile(r"AICC \(F-corrected-AIC\)\s+(-?\d+\.\d+)")
_OUTLIER = re.compile(r"^\s*(AO|LS|TC)(\d{4})\.(\w{3})\s+(-?\d+\.\d+)\s+(\d+\.\d+)\s+(-?\d+\.\d+)", re.M)
_MONTHS = {m: i for i, m in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)}
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


def _parse_outliers(text: str) -> list[dict[str, Any]]:
    """Outliers of the final regARIMA model (automatically identified ones), once each."""
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for m in _OUTLIER.finditer(text):
        period = f"{m.group(2)}-{_MONTHS.get(m.group(3), 0):02d}"
        seen.setdefault((m.group(1), period), {"type": m.group(1), "period": period, "coef": float(m.group(4)),
                                               "t": float(m.group(6))})
    return sorted(seen.values(), key=lambda o: o["period"])


def _x13_spec(prep: _Prepared, regs: np.ndarray, cfg: Mapping[str, Any]) -> str:
    first = prep.periods[0]
    lines = "\n".join(f"{a:.8f} {b:.8f}" for a, b in regs.tolist())
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
    parts += [f"forecast{{maxlead={int(cfg.get('forecast_maxlead', 12))}}}", f"estimate{{maxiter={int(cfg.get('maxiter', 1500))}}}", "check{}", "x11{}"]
    return "\n".join(parts) + "\n"


def _read_table(path: Path, n: int) -> np.ndarray:
    """Values of an x13as saved table (.d11, .d12): two header lines, then 'YYYYMM<tab>value'."""
    values = [float(line.split()[1]) for line in path.read_text(encoding="utf-8").splitlines()[2:] if line.strip()]
    if len(values) != n:
        raise QinggongError(f"X-13 输出表 {path.suffix} 有 {len(values)} 个值，应为 {n} 个")
    return np.asarray(values, dtype="float64")


def _run_x13(spec: str, n: int) -> tuple[str, np.ndarray, np.ndarray]:
    """Run x13as on a complete spec (series data included) in a private temporary folder and
    return the main output, the final SA series (d11) and trend-cycle (d12). Called directly
    rather than through statsmodels' x13_arima_analysis, which probes the binary with an extra
    run on every call and parses the tables with pandas — together more than the adjustment."""
    import subprocess
    import tempfile

    binary = x13_path()
    if binary is None:
        raise QinggongError("找不到 X-13ARIMA-SEATS 程序 x13as")
    with tempfile.TemporaryDirectory(prefix="qinggong-x13-") as folder:
        base = Path(folder) / "s"
        base.with_suffix(".spc").write_text(spec, encoding="utf-8")
        done = subprocess.run([binary, str(base), str(base)], capture_output=True, text=True, timeout=300)
        err_path = base.with_suffix(".err")
        errors = err_path.read_text(encoding="utf-8", errors="replace") if err_path.exists() else ""
        errors = errors[errors.find("spc:") + 4:].strip() if "spc:" in errors else errors.strip()
        if "ERROR" in errors or not base.with_suffix(".d11").exists():
            raise QinggongError(errors or done.stdout.strip() or "x13as 没有输出")
        text = base.with_suffix(".out").read_text(encoding="utf-8", errors="replace")
        return text, _read_table(base.with_suffix(".d11"), n), _read_table(base.with_suffix(".d12"), n)


def _x13(prep: _Prepared, regs: np.ndarray, cfg: Mapping[str, Any], lb_lags: int) -> dict[str, Any]:
    n = len(prep.values)
    first = prep.periods[0]
    data = "\n".join(f"{v:.10g}" for v in prep.values.tolist())
    spec = _x13_spec(prep, regs, cfg).replace(
        "series{}", f"series{{\n  start={first[:4]}.{first[5:7]}\n  period=12\n  data=(\n{data}\n  )\n}}", 1)
    spec = spec.replace("x11{}", "x11{save=(d11 d12)}")
    retry = None
    try:
        text, sa, trend = _run_x13(spec, n)
    except QinggongError as exc:
        if "automdl{}" not in spec or not cfg.get("airline_on_failure", True):
            raise
        # automatic model selection did not converge: the airline model, as analysts rerun it
        retry = f"automdl failed ({str(exc).strip().splitlines()[-1][:120]}); airline model (0 1 1)(0 1 1)"
        text, sa, trend = _run_x13(spec.replace("automdl{}", "arima{model=(0 1 1)(0 1 1)}"), n)
    coefs = {m.group(1): (float(m.group(2)), float(m.group(3)), float(m.group(4))) for m in _COEF.finditer(text)}
    if set(coefs) != {"cnypre", "cnypost"}:
        raise QinggongError("X-13 输出中找不到春节回归系数")
    beta = np.array([coefs["cnypre"][0], coefs["cnypost"][0]])
    n = len(prep.values)
    holiday_x = regs[:n] @ beta
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
            "outliers": _parse_outliers(text),
            **({"x13_retry": retry} if retry else {}),
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
    regs = regressor_matrix(prep.periods[0], len(prep.periods) + horizon, tuple(sf_cfg["pre"]), tuple(sf_cfg["post"]),
                            tuple(sf_cfg["centre_years"]))
    # 1-2月合并 split and gap filling, iterated on the native model (same input for both methods)
    needs_fill = bool(prep.missing.any())
    if needs_fill:
        for _ in range(int(cfg["jan_feb"].get("iterations", 3))):
            x = np.log(prep.values) if prep.log else prep.values
            core = _native_core(x, regs[: len(x)], cfg["native"], int(prep.periods[0][5:7]))
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
