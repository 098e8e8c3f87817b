"""Evaluate edit rules on normalised report frames.

The frame has `credit_code`, `period`, `_row` (the row users see) and the report columns.
History (previous month, same month last year, the stratum for HB) comes from the store:
the latest version of each enterprise's report that is 已上报, 审核通过 or 已确认; rows of the
batch itself take precedence. A rule whose operand is missing is not evaluated (R validate's NA
semantics); missing values are the completeness rule's business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

import numexpr
import numpy as np
import pandas as pd

from qinggong.collect.forms import (FIELD_BY_COLUMN, PRODUCT_FIELDS, REPORT_COLUMNS, ROW_CODE_NUMBER, ROW_MONTH,
                                   codes_by_number, month_index, period_texts)
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
    for rule in data.get("product_rules", []):
        if rule.get("kind") not in ("in_record", "cross_period") or rule.get("severity") not in ("hard", "soft"):
            raise QinggongError(f"产品审核规则 {rule.get('id')}：kind 应为 in_record 或 cross_period，severity 应为 hard 或 soft")
    data["_version"] = method_version("edit_rules")
    return data


_KEY_SPAN = 100_000  # > any month index (year × 12 + month), so enterprise × span + month is unique


class _MonthIndex:
    """Position of (enterprise number, month index) pairs in a panel, −1 where absent: a dense
    enterprise × month table when it is small (a lookup is then one gather, not a hash probe of
    millions of keys), else a hash index on the combined integer key."""

    DENSE_LIMIT = 60_000_000  # table cells (8 bytes each)

    def __init__(self, enterprise: np.ndarray, month: np.ndarray, enterprises: int) -> None:
        self.first = int(month.min()) if len(month) else 0
        self.width = int(month.max()) - self.first + 1 if len(month) else 1
        if enterprises * self.width <= self.DENSE_LIMIT:
            self.table = np.full(enterprises * self.width, -1, dtype=np.int64)
            self.table[enterprise * self.width + (month - self.first)] = np.arange(len(month))
            self.index = None
        else:
            self.table = None
            self.index = pd.Index(enterprise * _KEY_SPAN + month)

    def __call__(self, enterprise: np.ndarray, month: np.ndarray) -> np.ndarray:
        if self.index is not None:
            return self.index.get_indexer(enterprise.astype("int64") * _KEY_SPAN + month)
        out = np.full(len(month), -1, dtype=np.int64)
        inside = (month >= self.first) & (month < self.first + self.width)
        out[inside] = self.table[enterprise[inside] * self.width + (month[inside] - self.first)]
        return out


class _Lazy(dict):
    """Columns computed on first use: the rules name a few of the 26 current and previous-month
    columns, and each costs a pass over millions of reports."""

    def __init__(self, names, compute) -> None:
        super().__init__()
        self._names, self._compute = set(names), compute

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __missing__(self, name: str) -> np.ndarray:
        if name not in self._names:
            raise KeyError(name)
        self[name] = value = self._compute(name)
        return value


class _Gather:
    """values[positions] with NaN where the position is −1 (not found), for any number of columns
    at the same positions: the clipped positions and the mask of absent ones are computed once."""

    def __init__(self, positions: np.ndarray) -> None:
        self.absent = positions < 0
        self.at = np.where(self.absent, 0, positions)

    def __call__(self, values: np.ndarray) -> np.ndarray:
        out = values[self.at]
        out[self.absent] = np.nan
        return out


def _batch_months(batch: pd.DataFrame) -> np.ndarray:
    """The month index of each row of a batch: kept by normalisation (`ROW_MONTH`), else parsed."""
    if ROW_MONTH in batch.columns:
        return batch[ROW_MONTH].to_numpy(dtype="int64")
    return month_index(batch["period"])


def _batch_enterprises(batch: pd.DataFrame) -> tuple[np.ndarray, pd.Series] | None:
    """Each row's enterprise number and the codes in number order, when normalisation kept them
    (`ROW_CODE_NUMBER`) and no row was taken out since: the millions of codes are not hashed again."""
    if ROW_CODE_NUMBER not in batch.columns or not len(batch):
        return None
    number = batch[ROW_CODE_NUMBER].to_numpy(dtype="int64")
    codes = codes_by_number(batch["credit_code"], number)
    return None if codes is None else (number, codes)


def _label(column: str) -> str:
    field = FIELD_BY_COLUMN.get(column)
    return field.name if field else PRODUCT_FIELDS.get(column, column)


def _history(store: Store, months: list[int]) -> pd.DataFrame:
    """The latest 已上报 / 审核通过 / 已确认 report of each enterprise in the months (month indexes):
    credit_code, period_no and the report columns."""
    if not months:
        return pd.DataFrame(columns=["credit_code", "period_no", *REPORT_COLUMNS])
    marks = ", ".join("?" for _ in months)
    return store.backend.fetch_df(
        "SELECT e.credit_code, t.period_no, " + ", ".join(f"t.{c}" for c in REPORT_COLUMNS) + " FROM ("
        " SELECT r.*, ROW_NUMBER() OVER (PARTITION BY enterprise_no, period_no ORDER BY version DESC) AS rn"
        f" FROM enterprise_report_data r WHERE period_no IN ({marks}) AND status IN ('SUBMITTED', 'APPROVED', 'CONFIRMED')"
        ") t JOIN enterprise e ON e.enterprise_no = t.enterprise_no WHERE t.rn = 1",
        [int(m) for m in months],
    )


def _expand(rule: dict) -> list[dict]:
    items = rule.get("for_each")
    if not items:
        return [rule]
    out = []
    for item in items:
        out.append({k: (v.replace("{f}", item) if isinstance(v, str) else v) for k, v in rule.items()})
    return out


class _Operands:
    """The columns a batch's rules read (current and previous month), each column's missing
    mask computed once, and optionally only the rows a rule applies to (`rows`)."""

    def __init__(self, columns: dict[str, np.ndarray], n: int, rows: np.ndarray | None = None,
                 missing: dict[str, np.ndarray] | None = None) -> None:
        self.columns, self.n, self.rows = columns, n, rows
        self._missing = {} if missing is None else missing

    def __contains__(self, name: str) -> bool:
        return name in self.columns

    def __getitem__(self, name: str) -> np.ndarray:
        values = self.columns[name]
        return values if self.rows is None else values[self.rows]

    def missing(self, name: str) -> np.ndarray:
        if name not in self._missing:
            self._missing[name] = np.isnan(self.columns[name])
        mask = self._missing[name]
        return mask if self.rows is None else mask[self.rows]

    def only(self, rows: np.ndarray) -> "_Operands":
        """The same columns restricted to `rows` (sharing the missing masks)."""
        return _Operands(self.columns, len(rows), rows, self._missing)


def _evaluate(operands: _Operands, expression: str, tolerance: dict, field: str | None) -> np.ndarray:
    """Boolean array: True where the rule holds or an operand is missing. `tol` in the expression
    is max(absolute, relative × |field|) from `tolerance`.

    numexpr evaluates the rule, `tol` and the missing-operand test in one pass over the rows,
    without the temporary arrays numpy makes for each operator (a national batch is 2.9 million
    rows and 29 rules)."""
    identifiers = _IDENT.findall(expression)
    names = sorted({name for name in identifiers if name not in _SAFE_NAMES and not name.isdigit()})
    unknown = [name for name in names if name not in operands]
    if unknown:
        raise QinggongError(f"审核规则表达式“{expression}”引用了未知字段：{'、'.join(unknown)}")
    env: dict[str, Any] = {name: operands[name] for name in names}
    tol_field = field if "tol" in identifiers and field in operands else None
    if tol_field:
        env[tol_field] = operands[tol_field]
    env["tol_abs"] = float(tolerance.get("absolute", 0.0))
    env["tol_rel"] = float(tolerance.get("relative", 0.0))
    try:
        return np.asarray(numexpr.evaluate(_fused(expression, names, tol_field), local_dict=env), dtype=bool)
    except (SyntaxError, TypeError) as exc:  # what numexpr raises for text it cannot compile
        raise QinggongError(f"审核规则表达式“{expression}”无法计算（{exc}）：条件之间请用 &、|、~ 连接并加括号，"
                            "不要用 and、or、not 或连写的比较（如 0 <= a <= 1）") from exc


def _fused(expression: str, names: list[str], tol_field: str | None) -> str:
    """The rule as one numexpr expression that also holds where an operand is missing (NaN ≠ NaN),
    with `tol` spelled out as max(absolute, relative × |field|): a missing field compares false,
    leaving the absolute tolerance."""
    tol = f"where(tol_rel * abs({tol_field}) > tol_abs, tol_rel * abs({tol_field}), tol_abs)" if tol_field else "tol_abs"
    expression = re.sub(r"\btol\b", f"({tol})", expression)
    return " | ".join([f"({expression})", *(f"({name} != {name})" for name in names)])


def hb_bounds(ratio: np.ndarray, size: np.ndarray, *, U: float, A: float, C: float) -> tuple[np.ndarray, float, float]:
    """Hidiroglou–Berthelot effects E_i and the acceptance interval [low, high] (methods.md §5.2)."""
    med = np.median(ratio)
    s = np.where(ratio < med, 1 - med / ratio, ratio / med - 1)
    effect = s * np.power(size, U)
    q1, e_med, q3 = np.quantile(effect, [0.25, 0.5, 0.75])
    d_q1 = max(e_med - q1, abs(A * e_med))
    d_q3 = max(q3 - e_med, abs(A * e_med))
    return effect, e_med - C * d_q1, e_med + C * d_q3


def _finding(batch: pd.DataFrame, mask: np.ndarray, rule: dict, field: str | None, messages: list[str] | str) -> pd.DataFrame:
    sub = batch.loc[mask, ["credit_code", "period", "_row"]]
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


def validate_reports(store: Store, reports: pd.DataFrame, *, products: pd.DataFrame | None = None,
                     file: str | None = None, rules: dict | None = None) -> pd.DataFrame:
    """Every failed rule for every report in the batch, and for its product rows (normalised, see
    `validate_products`); nothing is written.

    Works on plain arrays keyed by integer enterprise numbers: a national batch is millions of
    reports, and joins on text columns or wide frames would cost more than the rules."""
    return prepare_validation(store, reports, products=products, rules=rules)()


def prepare_validation(store: Store, reports: pd.DataFrame, *, products: pd.DataFrame | None = None,
                       rules: dict | None = None) -> Callable[[], pd.DataFrame]:
    """Read from the store what the rules need (history, registry), now; return the function that
    evaluates them. That function does not touch the store, so a submission runs it on another
    thread while it writes the batch (rolled back if the rules reject it)."""
    rules = rules or load_rules()
    batch = reports.reset_index(drop=True)
    if "_row" not in batch.columns:
        batch = batch.assign(_row=np.arange(len(batch)) + 2)
    stored = _StoredContext.read(store, batch, rules) if len(batch) else None
    product_batch = None
    product_history = None
    if products is not None and len(products) and rules.get("product_rules"):
        product_batch = products.reset_index(drop=True)
        if "_row" not in product_batch.columns:
            product_batch = product_batch.assign(_row=np.arange(len(product_batch)) + 2)
        months = sorted({p - 1 for p in set(_batch_months(product_batch).tolist())})
        product_history = _product_history(store, months)

    def evaluate() -> pd.DataFrame:
        parts = []
        if stored is not None:
            parts.append(_report_findings(batch, stored, rules))
        if product_batch is not None:
            parts.append(_product_findings(product_batch, product_history, rules))
        parts = [f for f in parts if len(f)]
        if not parts:
            return pd.DataFrame(columns=FINDING_COLUMNS)
        return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)

    return evaluate


@dataclass
class _StoredContext:
    """What the report rules read from the store: the stored history of the months they look at,
    the registry, and (only when a continuity rule needs it) each enterprise's first stored period."""

    history: pd.DataFrame
    registry: pd.DataFrame
    first_periods: pd.DataFrame

    @classmethod
    def read(cls, store: Store, batch: pd.DataFrame, rules: dict) -> "_StoredContext":
        batch_periods = np.unique(_batch_months(batch)).tolist()
        wanted = sorted(set(batch_periods) | {p - 1 for p in batch_periods} | {p - 12 for p in batch_periods})
        continuity = any(rule.get("kind") == "continuity" for rule in rules.get("rules", []))
        return cls(
            _history(store, wanted),
            store.backend.fetch_df("SELECT credit_code, industry, size_class, entry_date FROM enterprise"),
            store.backend.fetch_df(
                "SELECT e.credit_code, f.first_period_no FROM (SELECT enterprise_no, MIN(period_no) AS first_period_no"
                " FROM enterprise_report_data WHERE status IN ('SUBMITTED', 'APPROVED', 'CONFIRMED')"
                " GROUP BY enterprise_no) f JOIN enterprise e ON e.enterprise_no = f.enterprise_no"
            ) if continuity else pd.DataFrame(columns=["credit_code", "first_period_no"]),
        )


def _report_findings(batch: pd.DataFrame, stored: _StoredContext, rules: dict) -> pd.DataFrame:
    n = len(batch)
    pidx = _batch_months(batch)
    batch_periods = np.unique(pidx).tolist()
    history, registry = stored.history, stored.registry
    # One integer per enterprise across the batch, the stored history and the registry.
    (batch_no, history_no, registry_no), count = _enterprise_numbers(
        batch["credit_code"], history["credit_code"], registry["credit_code"], numbered=_batch_enterprises(batch))
    history_pidx = history["period_no"].to_numpy(dtype="int64") if len(history) else np.zeros(0, dtype="int64")
    # Rows of the batch take precedence over stored ones.
    keep = _MonthIndex(batch_no, pidx, count)(history_no, history_pidx) < 0 if len(history) else np.zeros(0, dtype=bool)
    panel_no = np.concatenate([batch_no, history_no[keep]]).astype("int64")
    panel_pidx = np.concatenate([pidx, history_pidx[keep]])
    find = _MonthIndex(panel_no, panel_pidx, count)

    def panel_values(c: str) -> np.ndarray:
        mine = batch[c].to_numpy(dtype="float64") if c in batch.columns else np.full(n, np.nan)
        if not keep.any():
            return mine  # nothing stored for these months (a first national batch): no copy
        return np.concatenate([mine, history[c].to_numpy(dtype="float64")[keep]])

    values = _Lazy(REPORT_COLUMNS, panel_values)
    # Each report's previous month, by integer key (enterprise number × span + month index).
    previous = _Gather(find(batch_no, pidx - 1))
    columns = _Lazy([*REPORT_COLUMNS, *(f"prev_{c}" for c in REPORT_COLUMNS)],
                    lambda name: previous(values[name[5:]]) if name.startswith("prev_") else values[name][:n])
    operands = _Operands(columns, n)
    has_prev = ~(operands.missing("prev_rev_m") & operands.missing("prev_export_m") & operands.missing("prev_orders_m"))
    # HB strata take every report of the batch's periods, stored ones included, so that a single
    # report is judged against its peers; only the batch's own reports are flagged.
    if keep.any():
        in_periods = np.flatnonzero(np.isin(panel_pidx, batch_periods, kind="table"))
        units = {"position": in_periods, "pidx": panel_pidx[in_periods], "enterprise": panel_no[in_periods]}
    else:  # nothing stored for these months: the panel is the batch
        units = {"position": np.arange(n), "pidx": panel_pidx, "enterprise": panel_no}
    units["year_ago_at"] = find(units["enterprise"], units["pidx"] - 12)
    by_enterprise = _registry_arrays(registry, registry_no, count)
    month = pidx % 12 + 1
    tolerance = rules.get("tolerance", {})
    findings: list[pd.DataFrame] = []

    for base in rules.get("rules", []):
        kind = base["kind"]
        if kind in ("in_record", "cross_period"):
            for rule in _expand(base):
                mask = np.ones(n, dtype=bool)
                if kind == "cross_period":
                    mask &= month > 1
                if "when_month" in rule:
                    mask &= month == int(rule["when_month"])
                field = rule.get("field")
                if mask.all():
                    bad = ~_evaluate(operands, rule["assert"], tolerance, field)
                elif mask.mean() > 0.25:
                    # Most rows (cross-period rules skip only January): gathering each operand's
                    # rows would cost more than evaluating every row.
                    bad = mask & ~_evaluate(operands, rule["assert"], tolerance, field)
                else:  # a rule for one month (H4, January) is evaluated on its rows only
                    rows = np.flatnonzero(mask)
                    bad = np.zeros(n, dtype=bool)
                    bad[rows] = ~_evaluate(operands.only(rows), rule["assert"], tolerance, field)
                if bad.any():
                    message = rule["message"].replace("{label}", _label(field) if field else "")
                    findings.append(_finding(batch, bad, rule, field, message))
        elif kind == "completeness":
            for column in base["fields"]:
                field = FIELD_BY_COLUMN[column]
                missing = operands.missing(column)
                if field.jan_exempt:
                    missing = missing & (month != 1)
                if missing.any():
                    findings.append(_finding(batch, missing, base, column, base["message"].replace("{label}", field.name)))
        elif kind == "continuity":
            entry_idx = by_enterprise["entry_idx"][batch_no]
            # A gap is a missing previous month after the enterprise had started reporting.
            first = pd.Series(pidx).groupby(batch_no).transform("min").to_numpy(dtype="float64")
            first_stored = stored.first_periods
            if len(first_stored):
                stored_first = pd.Series(first_stored["first_period_no"].to_numpy(dtype="int64"),
                                         index=first_stored["credit_code"].astype(object))
                first = np.fmin(first, batch["credit_code"].astype(object).map(stored_first).to_numpy(dtype="float64"))
            gap = ~has_prev & (pidx - 1 >= entry_idx) & (first <= pidx - 2)
            if gap.any():
                msgs = [base["message"].replace("{prev_period}", p) for p in period_texts(pidx[gap] - 1)]
                findings.append(_finding(batch, gap, base, None, msgs))
        elif kind == "hb":
            findings.extend(_hb(base, batch, values, units, by_enterprise))
    if not findings:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    out = pd.concat(findings, ignore_index=True)
    return out.sort_values(["row", "rule_id"], kind="stable").reset_index(drop=True)


def validate_products(store: Store, products: pd.DataFrame, *, rules: dict | None = None) -> pd.DataFrame:
    """The product rules (`product_rules` in edit_rules.yaml) on normalised product rows: one row
    per enterprise, period and product, outputs in the catalog unit. The previous month is the
    same product in the batch or, failing that, in the enterprise's latest stored report."""
    return prepare_validation(store, pd.DataFrame(), products=products, rules=rules)()


def _product_findings(batch: pd.DataFrame, history: pd.DataFrame, rules: dict) -> pd.DataFrame:
    n = len(batch)
    pidx = _batch_months(batch)
    (batch_no, history_no), _ = _enterprise_numbers(batch["credit_code"], history["credit_code"],
                                                    numbered=_batch_enterprises(batch))
    (batch_product, history_product), products_seen = _enterprise_numbers(batch["product"], history["product"])
    history_pidx = history["period_no"].to_numpy(dtype="int64") if len(history) else np.zeros(0, dtype="int64")
    # enterprise × month × product as one integer; the previous month is key − products_seen.
    batch_key = (batch_no * _KEY_SPAN + pidx) * products_seen + batch_product
    history_key = (history_no * _KEY_SPAN + history_pidx) * products_seen + history_product
    keep = pd.Index(batch_key).get_indexer(history_key) < 0 if len(history) else np.zeros(0, dtype=bool)
    panel_key = pd.Index(np.concatenate([batch_key, history_key[keep]]))
    prev_at = panel_key.get_indexer(batch_key - products_seen)
    columns: dict[str, np.ndarray] = {}
    previous = _Gather(prev_at)
    for c in PRODUCT_FIELDS:
        mine = batch[c].to_numpy(dtype="float64")
        columns[c] = mine
        stored = history[c].to_numpy(dtype="float64")[keep] if len(history) else np.zeros(0)
        columns[f"prev_{c}"] = previous(np.concatenate([mine, stored]) if len(stored) else mine)
    operands = _Operands(columns, n)
    month = pidx % 12 + 1
    tolerance = rules.get("product_tolerance", {})
    findings = []
    for rule in rules["product_rules"]:
        mask = month > 1 if rule["kind"] == "cross_period" else np.ones(n, dtype=bool)
        field = rule.get("field")
        bad = mask & ~_evaluate(operands, rule["assert"], tolerance, field)
        if bad.any():
            names = _product_names(batch["product"][bad])  # only the rows a message is written for
            findings.append(_finding(batch, bad, rule, field, [rule["message"].replace("{product}", p) for p in names]))
    if not findings:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    return pd.concat(findings, ignore_index=True)


def _product_history(store: Store, months: list[int]) -> pd.DataFrame:
    """Product rows of the latest 已上报 / 审核通过 / 已确认 report of each enterprise in the months
    (month indexes)."""
    columns = ["credit_code", "period_no", "product", *PRODUCT_FIELDS]
    if not months:
        return pd.DataFrame(columns=columns)
    marks = ", ".join("?" for _ in months)
    return store.backend.fetch_df(
        "SELECT e.credit_code, r.period_no, p.product, p.output_m, p.output_ytd FROM enterprise_report_product p JOIN ("
        " SELECT report_id, enterprise_no, period_no,"
        "  ROW_NUMBER() OVER (PARTITION BY enterprise_no, period_no ORDER BY version DESC) AS rn"
        f" FROM enterprise_report_data WHERE period_no IN ({marks}) AND status IN ('SUBMITTED', 'APPROVED', 'CONFIRMED')"
        ") r ON r.report_id = p.report_id JOIN enterprise e ON e.enterprise_no = r.enterprise_no WHERE r.rn = 1",
        [int(m) for m in months],
    )


def _product_names(codes: pd.Series) -> np.ndarray:
    from qinggong.catalog import product

    uniques = codes.unique()
    names = {c: product(c).name for c in uniques}
    return codes.map(names).to_numpy(dtype=object)


def _enterprise_numbers(first: pd.Series, *others: pd.Series,
                        numbered: tuple[np.ndarray, pd.Series] | None = None) -> tuple[list[np.ndarray], int]:
    """One integer per credit code across several columns (numbering the first column's codes
    first; hashing its Arrow text directly is much cheaper than a combined object column).
    `numbered` is the first column's numbering when it is already known (`_batch_enterprises`)."""
    numbers, uniques = numbered if numbered is not None else pd.factorize(first)
    out, known = [numbers.astype("int64")], pd.Index(uniques)
    count = len(known)
    for column in others:
        found = known.get_indexer(column) if len(column) else np.zeros(0, dtype="int64")
        new = found < 0
        if new.any():
            extra, extra_uniques = pd.factorize(column[new])
            found[new] = extra + count
            known = known.append(pd.Index(extra_uniques))
            count += len(extra_uniques)
        out.append(found.astype("int64"))
    return out, count


def _registry_arrays(registry: pd.DataFrame, registry_no: np.ndarray, size: int) -> dict[str, np.ndarray]:
    """Registry attributes as arrays indexed by enterprise number (−1 where not registered)."""
    out: dict[str, np.ndarray] = {}
    entry = pd.to_datetime(registry["entry_date"])
    attributes = {
        "entry_idx": (entry.dt.year * 12 + entry.dt.month - 1).to_numpy(dtype="float64"),
        "division": pd.factorize(registry["industry"].astype(str).str[:2])[0],
        "size_class": pd.factorize(registry["size_class"].astype(str))[0],
    }
    for name, column in attributes.items():
        full = np.full(size, np.nan if column.dtype.kind == "f" else -1, dtype=column.dtype)
        full[registry_no] = column
        out[name] = full
    return out


def _hb(base: dict, batch: pd.DataFrame, values: dict[str, np.ndarray], units: dict[str, np.ndarray],
        by_enterprise: dict[str, np.ndarray]) -> list[pd.DataFrame]:
    """Hidiroglou–Berthelot per stratum (period × strata), vectorised over all strata at once.

    `units` are the reports of the batch's periods (positions into the panel, whose first
    len(batch) rows are the batch) with the position of each one's report a year earlier."""
    out = []
    strata = list(base.get("strata", ["division", "size_class"]))
    # Stratum = month × strata labels as one small integer (a few thousand values: counted and
    # grouped as it is, never renumbered).
    stratum = units["pidx"].astype("int64") - int(units["pidx"].min(initial=0))
    for s in strata:
        labels = by_enterprise[s][units["enterprise"]].astype("int64")  # −1: not in the registry
        stratum = stratum * (int(labels.max(initial=0)) + 2) + labels + 1
    year_ago = _Gather(units["year_ago_at"])
    for rule in _expand(base):
        field = rule["field"]
        y = values[field][units["position"]]
        y_prev = year_ago(values[field])
        usable = np.flatnonzero((y > 0) & (y_prev > 0))
        if not len(usable):
            continue
        group = stratum[usable]
        large = np.bincount(group)[group] >= int(rule.get("min_units", 10))
        usable, group = usable[large], group[large]
        if not len(usable):
            continue
        ratio = y[usable] / y_prev[usable]
        size = np.maximum(y[usable], y_prev[usable])
        effect, low, high = hb_bounds_grouped(ratio, size, group, U=float(rule["U"]), A=float(rule["A"]), C=float(rule["C"]))
        position = units["position"][usable]
        flagged = ((effect < low) | (effect > high)) & (position < len(batch))
        if not flagged.any():
            continue
        mask = np.zeros(len(batch), dtype=bool)
        mask[position[flagged]] = True
        ratio_of = np.full(len(batch), np.nan)
        ratio_of[position[flagged]] = ratio[flagged]
        msgs = [rule["message"].replace("{label}", _label(field)).replace("{ratio}", f"{r:.2f}") for r in ratio_of[mask]]
        out.append(_finding(batch, mask, rule, field, msgs))
    return out


def hb_bounds_grouped(ratio: np.ndarray, size: np.ndarray, group: np.ndarray, *, U: float, A: float,
                      C: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`hb_bounds` for many strata at once: effects and each unit's stratum interval."""
    frame = pd.DataFrame({"g": group, "ratio": ratio})
    med = frame.groupby("g")["ratio"].transform("median").to_numpy()
    s = np.where(ratio < med, 1 - med / ratio, ratio / med - 1)
    effect = s * np.power(size, U)
    quartiles = pd.DataFrame({"g": group, "e": effect}).groupby("g")["e"].quantile([0.25, 0.5, 0.75]).unstack()
    q1, e_med, q3 = (quartiles[q].reindex(group).to_numpy() for q in (0.25, 0.5, 0.75))
    d_q1 = np.maximum(e_med - q1, np.abs(A * e_med))
    d_q3 = np.maximum(q3 - e_med, np.abs(A * e_med))
    return effect, e_med - C * d_q1, e_med + C * d_q3
