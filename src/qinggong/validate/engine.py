"""Evaluate edit rules on normalised report frames.

The frame has `credit_code`, `period`, `_row` (the row users see) and the report columns.
History (previous month, same month last year, the stratum for HB) comes from the store:
the latest version of each enterprise's report that is 已上报, 审核通过 or 已确认; rows of the
batch itself take precedence. A rule whose operand is missing is not evaluated (R validate's NA
semantics); missing values are the completeness rule's business.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from qinggong.collect.forms import FIELD_BY_COLUMN, REPORT_COLUMNS
from qinggong.config import load_method, method_version
from qinggong.errors import QinggongError
from qinggong.store import Store

RULE_KINDS = ("in_record", "cross_period", "hb", "completeness", "continuity")
FINDING_COLUMNS = ["credit_code", "period", "row", "rule_id", "severity", "field", "field_label", "message"]
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SAFE_NAMES = {"abs", "tol", "and", "or", "not"}


def load_rules() -> dict:
    data = load_method("edit_rules")
    for rule in data.get("rules", []):
        if rule.get("kind") not in RULE_KINDS:
            raise QinggongError(f"审核规则 {rule.get('id')} 的类型“{rule.get('kind')}”未知：可选 {'、'.join(RULE_KINDS)}")
        if rule.get("severity") not in ("hard", "soft"):
            raise QinggongError(f"审核规则 {rule.get('id')} 的 severity 应为 hard 或 soft")
    data["_version"] = method_version("edit_rules")
    return data


def _pidx(period: pd.Series) -> np.ndarray:
    text = period.astype(str)
    return text.str[:4].astype(int).to_numpy() * 12 + text.str[5:7].astype(int).to_numpy() - 1


def _label(column: str) -> str:
    field = FIELD_BY_COLUMN.get(column)
    return field.name if field else column


def _history(store: Store, periods: list[str]) -> pd.DataFrame:
    if not periods:
        return pd.DataFrame(columns=["credit_code", "period", *REPORT_COLUMNS])
    marks = ", ".join("?" for _ in periods)
    return store.backend.fetch_df(
        "SELECT credit_code, period, " + ", ".join(REPORT_COLUMNS) + " FROM ("
        " SELECT r.*, ROW_NUMBER() OVER (PARTITION BY credit_code, period ORDER BY version DESC) AS rn"
        f" FROM enterprise_report r WHERE period IN ({marks}) AND status IN ('SUBMITTED', 'APPROVED', 'CONFIRMED')"
        ") t WHERE rn = 1",
        periods,
    )


def _period_text(pidx: np.ndarray) -> list[str]:
    return [f"{p // 12:04d}-{p % 12 + 1:02d}" for p in pidx]


def _expand(rule: dict) -> list[dict]:
    items = rule.get("for_each")
    if not items:
        return [rule]
    out = []
    for item in items:
        out.append({k: (v.replace("{f}", item) if isinstance(v, str) else v) for k, v in rule.items()})
    return out


def _evaluate(frame: pd.DataFrame, expression: str, tol: np.ndarray) -> np.ndarray:
    """Boolean array: True where the rule holds or an operand is missing."""
    names = sorted({n for n in _IDENT.findall(expression) if n not in _SAFE_NAMES and not n.isdigit()})
    unknown = [n for n in names if n not in frame.columns]
    if unknown:
        raise QinggongError(f"审核规则表达式“{expression}”引用了未知字段：{'、'.join(unknown)}")
    env: dict[str, Any] = {n: frame[n].to_numpy(dtype="float64") for n in names}
    env["tol"] = tol
    env["abs"] = np.abs
    with np.errstate(invalid="ignore"):
        result = np.asarray(eval(expression, {"__builtins__": {}}, env), dtype=bool)  # noqa: S307 - names checked above
    present = np.ones(len(frame), dtype=bool)
    for n in names:
        present &= ~np.isnan(env[n])
    return result | ~present


def hb_bounds(ratio: np.ndarray, size: np.ndarray, *, U: float, A: float, C: float) -> tuple[np.ndarray, float, float]:
    """Hidiroglou–Berthelot effects E_i and the acceptance interval [low, high] (methods.md §5.2)."""
    med = np.median(ratio)
    s = np.where(ratio < med, 1 - med / ratio, ratio / med - 1)
    effect = s * np.power(size, U)
    q1, e_med, q3 = np.quantile(effect, [0.25, 0.5, 0.75])
    d_q1 = max(e_med - q1, abs(A * e_med))
    d_q3 = max(q3 - e_med, abs(A * e_med))
    return effect, e_med - C * d_q1, e_med + C * d_q3


def _finding(sub: pd.DataFrame, rule: dict, field: str | None, messages: list[str] | str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "credit_code": sub["credit_code"].to_numpy(),
            "period": sub["period"].to_numpy(),
            "row": sub["_row"].to_numpy(),
            "rule_id": rule["id"],
            "severity": rule["severity"],
            "field": field,
            "field_label": _label(field) if field else None,
            "message": messages,
        }
    )


def validate_reports(store: Store, reports: pd.DataFrame, *, file: str | None = None, rules: dict | None = None) -> pd.DataFrame:
    """Every failed rule for every report in the batch; nothing is written."""
    rules = rules or load_rules()
    batch = reports.copy()
    if "_row" not in batch.columns:
        batch["_row"] = np.arange(len(batch)) + 2
    if batch.empty:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    for column in REPORT_COLUMNS:
        if column not in batch.columns:
            batch[column] = np.nan
    batch["pidx"] = _pidx(batch["period"])
    batch_periods = sorted(set(batch["pidx"]))
    wanted = sorted(set(batch_periods) | {p - 1 for p in batch_periods} | {p - 12 for p in batch_periods})
    history = _history(store, _period_text(np.array(wanted)))
    if len(history):
        history["pidx"] = _pidx(history["period"])
        in_batch = pd.MultiIndex.from_arrays([history["credit_code"], history["pidx"]]).isin(
            pd.MultiIndex.from_arrays([batch["credit_code"], batch["pidx"]])
        )
        history = history[~in_batch]
    panel = pd.concat([batch[["credit_code", "pidx", *REPORT_COLUMNS]], history[["credit_code", "pidx", *REPORT_COLUMNS]]]
                      if len(history) else [batch[["credit_code", "pidx", *REPORT_COLUMNS]]], ignore_index=True)
    prev = panel.rename(columns={c: f"prev_{c}" for c in REPORT_COLUMNS})
    prev["pidx"] = prev["pidx"] + 1
    batch = batch.merge(prev, on=["credit_code", "pidx"], how="left", sort=False)
    batch["has_prev"] = batch["prev_rev_m"].notna() | batch["prev_export_m"].notna() | batch["prev_orders_m"].notna()
    registry = store.backend.fetch_df("SELECT credit_code, industry, size_class, entry_date FROM enterprise")
    month = batch["pidx"].to_numpy() % 12 + 1
    tolerance = rules.get("tolerance", {})
    findings: list[pd.DataFrame] = []

    for base in rules.get("rules", []):
        kind = base["kind"]
        if kind in ("in_record", "cross_period"):
            for rule in _expand(base):
                mask = np.ones(len(batch), dtype=bool)
                if kind == "cross_period":
                    mask &= month > 1
                if "when_month" in rule:
                    mask &= month == int(rule["when_month"])
                field = rule.get("field")
                ref = batch[field].abs().to_numpy(dtype="float64") if field in batch.columns else np.zeros(len(batch))
                tol = np.maximum(float(tolerance.get("absolute", 0.0)), float(tolerance.get("relative", 0.0)) * np.nan_to_num(ref))
                ok = _evaluate(batch, rule["assert"], tol)
                bad = mask & ~ok
                if bad.any():
                    message = rule["message"].replace("{label}", _label(field) if field else "")
                    findings.append(_finding(batch[bad], rule, field, message))
        elif kind == "completeness":
            for column in base["fields"]:
                field = FIELD_BY_COLUMN[column]
                missing = batch[column].isna().to_numpy(copy=True)
                if field.jan_exempt:
                    missing &= month != 1
                if missing.any():
                    findings.append(_finding(batch[missing], base, column, base["message"].replace("{label}", field.name)))
        elif kind == "continuity":
            reg = registry.set_index("credit_code")
            entry = pd.to_datetime(batch["credit_code"].map(reg["entry_date"]))
            entry_idx = (entry.dt.year * 12 + entry.dt.month - 1).to_numpy()
            # A gap is a missing previous month after the enterprise had started reporting.
            first = batch.groupby("credit_code")["pidx"].transform("min").to_numpy()
            stored = store.backend.fetch_df(
                "SELECT credit_code, MIN(period) AS first_period FROM enterprise_report"
                " WHERE status IN ('SUBMITTED', 'APPROVED', 'CONFIRMED') GROUP BY credit_code"
            )
            if len(stored):
                stored_first = batch["credit_code"].map(pd.Series(_pidx(stored["first_period"]), index=stored["credit_code"]))
                first = np.fmin(first, stored_first.to_numpy(dtype="float64"))
            pidx = batch["pidx"].to_numpy()
            gap = ~batch["has_prev"].to_numpy() & (pidx - 1 >= entry_idx) & (first <= pidx - 2)
            if gap.any():
                sub = batch[gap]
                prev_periods = _period_text(sub["pidx"].to_numpy() - 1)
                msgs = [base["message"].replace("{prev_period}", p) for p in prev_periods]
                findings.append(_finding(sub, base, None, msgs))
        elif kind == "hb":
            findings.extend(_hb(base, batch, panel, registry))
    if not findings:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    out = pd.concat(findings, ignore_index=True)
    return out.sort_values(["row", "rule_id"], kind="stable").reset_index(drop=True)


def _hb(base: dict, batch: pd.DataFrame, panel: pd.DataFrame, registry: pd.DataFrame) -> list[pd.DataFrame]:
    out = []
    reg = registry.assign(division=registry["industry"].str[:2]).set_index("credit_code")
    strata = list(base.get("strata", ["division", "size_class"]))
    periods = set(batch["pidx"])
    current = panel[panel["pidx"].isin(periods)]
    for rule in _expand(base):
        field = rule["field"]
        last = panel[["credit_code", "pidx", field]].rename(columns={field: "y_prev"})
        last = last.assign(pidx=last["pidx"] + 12)
        units = current[["credit_code", "pidx", field]].merge(last, on=["credit_code", "pidx"], how="inner")
        units = units[(units[field] > 0) & (units["y_prev"] > 0)]
        if units.empty:
            continue
        for s in strata:
            units[s] = units["credit_code"].map(reg[s]).to_numpy()
        units["ratio"] = units[field] / units["y_prev"]
        units["size"] = np.maximum(units[field], units["y_prev"])
        flagged = []
        for _, group in units.groupby(["pidx", *strata], sort=False):
            if len(group) < int(rule.get("min_units", 10)):
                continue
            effect, low, high = hb_bounds(group["ratio"].to_numpy(), group["size"].to_numpy(),
                                          U=float(rule["U"]), A=float(rule["A"]), C=float(rule["C"]))
            outside = (effect < low) | (effect > high)
            if outside.any():
                flagged.append(group.loc[outside, ["credit_code", "pidx", "ratio"]])
        if not flagged:
            continue
        hits = pd.concat(flagged).merge(batch[["credit_code", "pidx", "period", "_row"]], on=["credit_code", "pidx"])
        if hits.empty:
            continue
        msgs = [rule["message"].replace("{label}", _label(field)).replace("{ratio}", f"{r:.2f}") for r in hits["ratio"]]
        out.append(_finding(hits, rule, field, msgs))
    return out
