"""Bry–Boschan turning points with the monthly defaults (config/indices.yaml, methods.md §2.2).

Hand-written: no maintained Python package implements the monthly Bry–Boschan routine (R has
BCDating's BBQ for quarters only, OECD/CIF use a simplified variant). Steps, as in the BB code
cited in methods.md §2.2:
1. Spencer 15-term curve; values whose residual from it has |z| ≥ `outlier_z` are replaced by
   the Spencer value.
2. Centred 12-month moving average; candidate turns are extremes within ±`window` months;
   peaks and troughs alternate; cycles shorter than `min_cycle` are removed.
3. Refine the turns on the Spencer curve within ±`window` months.
4. Refine on a short (`short_ma`-term) moving average within ±`window` months.
5. Final turns on the data within ±max(`final_window`, `short_ma`) months; then drop turns
   within `end_censor` months of either end, end turns exceeded by values nearer the end,
   phases shorter than `min_phase` and cycles shorter than `min_cycle`.
Internal gaps (unpublished Januaries) are filled by linear interpolation before step 1.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from qinggong.config import load_method

SPENCER = np.array([-3, -6, -5, 3, 21, 46, 67, 74, 67, 46, 21, 3, -5, -6, -3], dtype=float) / 320.0


def config() -> dict[str, Any]:
    return load_method("indices")["turning_points"]


def _smooth(x: np.ndarray, weights: np.ndarray) -> np.ndarray:
    half = len(weights) // 2
    padded = np.concatenate([np.full(half, x[0]), x, np.full(half, x[-1])])
    return np.convolve(padded, weights[::-1], mode="valid")


def centered_ma(x: np.ndarray, terms: int) -> np.ndarray:
    if terms <= 1:
        return x.copy()
    if terms % 2 == 0:  # 2×k centred average
        weights = np.r_[0.5, np.ones(terms - 1), 0.5] / terms
    else:
        weights = np.ones(terms) / terms
    return _smooth(x, weights)


def _extremes(y: np.ndarray, window: int) -> list[tuple[int, int]]:
    n = len(y)
    if n == 0:
        return []
    view = np.lib.stride_tricks.sliding_window_view(np.pad(y, window, mode="edge"), 2 * window + 1)
    peaks = np.flatnonzero(y >= view.max(axis=1))
    troughs = np.flatnonzero(y <= view.min(axis=1))
    turns = [(int(i), 1) for i in peaks] + [(int(i), -1) for i in troughs]
    turns.sort()
    # collapse flat runs: keep the first index of consecutive same-type turns at equal value
    out: list[tuple[int, int]] = []
    for t in turns:
        if out and out[-1][1] == t[1] and t[0] - out[-1][0] <= window and y[t[0]] == y[out[-1][0]]:
            continue
        out.append(t)
    return out


def _alternate(turns: list[tuple[int, int]], y: np.ndarray) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for t in turns:
        if out and out[-1][1] == t[1]:
            prev = out[-1]
            better = y[t[0]] > y[prev[0]] if t[1] == 1 else y[t[0]] < y[prev[0]]
            if better:
                out[-1] = t
            continue
        out.append(t)
    return out


def _censor_lengths(turns: list[tuple[int, int]], y: np.ndarray, min_phase: int, min_cycle: int) -> list[tuple[int, int]]:
    turns = list(turns)
    while True:
        turns = _alternate(turns, y)
        worst = None  # (amplitude, index of first turn of the pair to drop)
        for k in range(len(turns) - 1):
            if turns[k + 1][0] - turns[k][0] < min_phase:
                amp = abs(y[turns[k + 1][0]] - y[turns[k][0]])
                if worst is None or amp < worst[0]:
                    worst = (amp, k)
        for k in range(len(turns) - 2):
            if turns[k + 2][0] - turns[k][0] < min_cycle:
                for j in (k, k + 1):
                    amp = abs(y[turns[j + 1][0]] - y[turns[j][0]])
                    if worst is None or amp < worst[0]:
                        worst = (amp, j)
        if worst is None:
            return turns
        k = worst[1]
        del turns[k : k + 2]


def _refine(turns: list[tuple[int, int]], y: np.ndarray, window: int) -> list[tuple[int, int]]:
    out = []
    n = len(y)
    for i, kind in turns:
        lo, hi = max(0, i - window), min(n, i + window + 1)
        seg = y[lo:hi]
        j = lo + int(np.argmax(seg) if kind == 1 else np.argmin(seg))
        out.append((j, kind))
    # refinement may move two turns onto one month: keep the first
    dedup: list[tuple[int, int]] = []
    for t in sorted(out):
        if dedup and dedup[-1][0] == t[0]:
            continue
        dedup.append(t)
    return _alternate(dedup, y)


def bry_boschan(values: np.ndarray, cfg: dict[str, Any] | None = None) -> list[tuple[int, int]]:
    """Turning points of `values` (no NaN) as (position, +1 peak / −1 trough)."""
    cfg = cfg or config()
    x = np.asarray(values, dtype=float)
    n = len(x)
    window, min_phase, min_cycle = int(cfg["window"]), int(cfg["min_phase"]), int(cfg["min_cycle"])
    end = int(cfg["end_censor"])
    if n < 2 * end + min_phase:
        return []
    sp = _smooth(x, SPENCER)
    resid = x - sp
    sd = resid.std()
    x1 = np.where(np.abs(resid) >= float(cfg["outlier_z"]) * sd, sp, x) if sd > 0 else x
    ma12 = centered_ma(x1, 12)
    turns = _alternate(_extremes(ma12, window), ma12)
    turns = _censor_lengths(turns, ma12, 0, min_cycle)
    sp1 = _smooth(x1, SPENCER)
    turns = _censor_lengths(_refine(turns, sp1, window), sp1, 0, min_cycle)
    short = int(cfg["short_ma"])
    sma = centered_ma(x1, short)
    turns = _refine(turns, sma, window)
    turns = _refine(turns, x, max(int(cfg["final_window"]), short))
    turns = [t for t in turns if end <= t[0] < n - end]
    # end turns exceeded by values nearer the end
    while turns:
        i, kind = turns[0]
        head = x[:i]
        if len(head) and ((kind == 1 and head.max() > x[i]) or (kind == -1 and head.min() < x[i])):
            turns.pop(0)
            continue
        break
    while turns:
        i, kind = turns[-1]
        tail = x[i + 1 :]
        if len(tail) and ((kind == 1 and tail.max() > x[i]) or (kind == -1 and tail.min() < x[i])):
            turns.pop()
            continue
        break
    return _censor_lengths(turns, x, min_phase, min_cycle)


def fill_gaps(values: pd.Series) -> pd.Series:
    """Linear interpolation of internal gaps; leading and trailing gaps are dropped."""
    valid = values.dropna()
    if valid.empty:
        return valid
    inner = values.loc[valid.index[0] : valid.index[-1]]
    return inner.interpolate(method="linear")


def turning_points(values: pd.Series, cfg: dict[str, Any] | None = None) -> pd.DataFrame:
    """Turning points of a monthly series indexed by month number: month, kind (peak/trough), value."""
    filled = fill_gaps(values)
    if filled.empty:
        return pd.DataFrame(columns=["month", "kind", "value"])
    turns = bry_boschan(filled.to_numpy(), cfg)
    idx = filled.index.to_numpy()
    return pd.DataFrame(
        {
            "month": [int(idx[i]) for i, _ in turns],
            "kind": ["peak" if k == 1 else "trough" for _, k in turns],
            "value": [float(filled.iloc[i]) for i, _ in turns],
        }
    )


def realtime_last_turn(values: pd.Series, months: np.ndarray, cfg: dict[str, Any] | None = None) -> pd.DataFrame:
    """For each evaluation month, the latest turning point detectable with data up to that month.

    Runs Bry–Boschan on every truncation (this is what makes the peak rule point-in-time).
    Returns month, turn_month, kind (peak/trough or None).
    """
    cfg = cfg or config()
    filled = fill_gaps(values)
    idx = filled.index.to_numpy()
    arr = filled.to_numpy()
    out_turn: list[int | None] = []
    out_kind: list[str | None] = []
    min_len = 2 * int(cfg["end_censor"]) + int(cfg["min_cycle"])
    for m in months:
        n = int(np.searchsorted(idx, m, side="right"))
        if n < min_len:
            out_turn.append(None)
            out_kind.append(None)
            continue
        turns = bry_boschan(arr[:n], cfg)
        if not turns:
            out_turn.append(None)
            out_kind.append(None)
        else:
            i, k = turns[-1]
            out_turn.append(int(idx[i]))
            out_kind.append("peak" if k == 1 else "trough")
    return pd.DataFrame({"month": np.asarray(months, dtype=np.int64), "turn_month": out_turn, "kind": out_kind})
