"""Monthly reports: normalisation, submission with edit rules, versions and the review workflow.

A report is one row of `enterprise_report_data` per (enterprise, period, version), keyed by the
enterprise's number and the month index (migration 0015; the view `enterprise_report` shows it
with the credit code and the period text). Resubmitting a draft or a returned report, and a late
correction (`correction=True`), create a new version; older versions are kept. Aggregation
uses the highest 已确认 version of each enterprise and period. A version's creation (who sent
it, when, as 已上报 or 草稿) is its submission's row, `enterprise_submission`; every later
status change is an `enterprise_report_event` row with who and when. `report_history` reads
both as one list of events.
"""

from __future__ import annotations

import functools
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd

from qinggong.collect.forms import (
    ACTION_LABELS,
    PERIOD_RE,
    FIELD_BY_COLUMN,
    FIELD_BY_NAME,
    PRODUCT_FIELDS,
    REPORT_COLUMNS,
    ROW_CODE_NUMBER,
    ROW_MONTH,
    STATUS_LABELS,
    TRANSITIONS,
    codes_by_number,
    month_index,
    period_number,
    period_sql,
    period_texts,
)
from qinggong.catalog import product, recognize_product, unit
from qinggong.catalog.units import IncompatibleUnitsError, conversion_factor, scale_values, unit_code_for_label
from qinggong.errors import InputError, QinggongError, UnknownCodeError
from qinggong.store import Store, current_actor, now_utc

REPORT_HEADERS = {"统一社会信用代码": "credit_code", "报告期": "period", **{f.name: f.column for f in FIELD_BY_NAME.values()}}
PRODUCT_HEADERS = {"统一社会信用代码": "credit_code", "报告期": "period", "产品代码": "product", "计量单位": "unit",
                   PRODUCT_FIELDS["output_m"]: "output_m", PRODUCT_FIELDS["output_ytd"]: "output_ytd"}
FIELD_LABEL = {**{f.column: f.name for f in FIELD_BY_COLUMN.values()}, "credit_code": "统一社会信用代码",
               "period": "报告期", **PRODUCT_FIELDS, "product": "产品代码", "unit": "计量单位"}


class ReportRejected(InputError):
    """Edit rules failed: hard rules, or soft rules without an explanation. Carries all findings."""

    def __init__(self, message: str, findings: pd.DataFrame, **where: Any) -> None:
        self.findings = findings
        super().__init__(message, **where)


def _rows(frame: pd.DataFrame) -> np.ndarray:
    """Row numbers users see (the spreadsheet row), default index + 2."""
    if "_row" in frame.columns:
        return frame["_row"].to_numpy()
    return np.arange(len(frame)) + 2


def _numbers(raw: pd.Series, rows: np.ndarray, column: str, hint: str, *, file: str | None) -> np.ndarray:
    """A column as float64 (blank → NaN); text that is not a number raises InputError."""
    if raw.dtype == np.float64:  # numbers already: only an infinity can be wrong
        array = raw.to_numpy()
        if np.isinf(array).any():
            i = int(np.argmax(np.isinf(array)))
            raise InputError(f"“{raw.iloc[i]}”不是数字：{hint}", file=file, row=int(rows[i]), field=FIELD_LABEL[column])
        return array
    values = pd.to_numeric(raw, errors="coerce")
    bad = np.zeros(len(raw), dtype=bool)
    if not pd.api.types.is_numeric_dtype(raw.dtype):
        # Only the cells that did not parse can be text; checking just those keeps this cheap.
        failed = np.flatnonzero(values.isna().to_numpy())
        text = raw.iloc[failed].astype(object)
        blank = text.isna() | text.astype(str).str.strip().isin(["", "nan", "None", "NaN", "<NA>"])
        bad[failed[~blank.to_numpy()]] = True
    array = values.to_numpy(dtype="float64", na_value=np.nan)
    if not bad.any():
        bad = np.isinf(array)
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(f"“{raw.iloc[i]}”不是数字：{hint}", file=file, row=int(rows[i]), field=FIELD_LABEL[column])
    return array


def _on_frame_sheet(normalize):
    """Errors of a normaliser name the worksheet its frame came from (`frame.attrs["sheet"]`,
    set by the template reader), so that a row number points at the right sheet."""
    @functools.wraps(normalize)
    def wrapper(frame, *args, **kwargs):
        try:
            return normalize(frame, *args, **kwargs)
        except InputError as exc:
            raise exc.in_sheet(frame.attrs.get("sheet") if frame is not None else None)
    return wrapper


def _clean_texts(raw: pd.Series, clean: Callable[[pd.Series], pd.Series]) -> tuple[pd.Series, np.ndarray]:
    """`clean` (vectorised string operations) applied to the distinct texts of a column, missing
    staying missing; and the number of each row's cleaned text. A national batch is millions of
    rows of a few hundred thousand credit codes and a few dozen periods: cleaning the distinct
    values, and comparing rows by integer, is much cheaper than text operations on every row."""
    spelled, spellings = pd.factorize(raw, use_na_sentinel=False)
    texts = pd.Series(spellings, dtype=object).astype("str") if spellings.dtype != "str" else pd.Series(spellings)
    cleaned = clean(texts)
    numbers, distinct = pd.factorize(cleaned, use_na_sentinel=False)
    number_of_row = numbers.astype("int64")[spelled]
    if raw.dtype == "str" and len(distinct) == len(spellings) and cleaned.fillna("\0").eq(texts.fillna("\0")).all():
        return raw.reset_index(drop=True), number_of_row  # nothing to clean: no copy
    return pd.Series(pd.array(distinct, dtype="str").take(number_of_row)), number_of_row


def _clean_code(texts: pd.Series) -> pd.Series:
    return texts.str.strip().str.upper()


def _clean_period(texts: pd.Series) -> pd.Series:
    return texts.str.strip().str[:7]  # a period typed as a date keeps its year and month


def _first_repeat(key: np.ndarray) -> int | None:
    """Position of the first row whose key an earlier row has, or None. Counting small keys is a
    single pass; which row repeats is looked up only if one does."""
    if not len(key):
        return None
    if key.max() < 4 * len(key) and np.bincount(key).max() <= 1:
        return None
    repeated = pd.Series(key).duplicated(keep="first").to_numpy()
    return int(np.argmax(repeated)) if repeated.any() else None


def _key_positions(code_no: np.ndarray, month: np.ndarray, find_code: np.ndarray,
                   find_month: np.ndarray) -> np.ndarray:
    """Position of each (find_code, find_month) among the unique (code_no, month) keys of a
    batch, −1 where the batch has none (a find_code of −1 is never found). The keys are
    integers: a direct table when they are dense (a month-end batch: every enterprise in a few
    months), a hash index otherwise."""
    found = np.full(len(find_code), -1, dtype="int64")
    if not len(code_no) or not len(find_code):
        return found
    low = int(month.min())
    span = int(month.max()) - low + 1
    key = code_no * span + (month - low)
    inside = (find_code >= 0) & (find_month >= low) & (find_month < low + span)
    wanted = find_code[inside] * span + (find_month[inside] - low)
    if int(key.max()) < 8 * len(key):
        table = np.full(int(key.max()) + 1, -1, dtype="int64")
        table[key] = np.arange(len(key))
        wanted_in = wanted <= int(key.max())
        hits = np.full(len(wanted), -1, dtype="int64")
        hits[wanted_in] = table[wanted[wanted_in]]
        found[inside] = hits
    else:
        found[inside] = pd.Index(key).get_indexer(wanted)
    return found


@_on_frame_sheet
def normalize_reports(frame: pd.DataFrame, *, file: str | None = None) -> pd.DataFrame:
    """Rename headers, check periods and numbers; the first problem raises InputError."""
    file = file or frame.attrs.get("file")
    frame = frame.rename(columns={c: REPORT_HEADERS.get(str(c).strip(), str(c).strip()) for c in frame.columns})
    for required in ("credit_code", "period"):
        if required not in frame.columns:
            raise InputError(f"缺少必需的列“{FIELD_LABEL[required]}”", file=file, row=1)
    rows = _rows(frame)
    # Text stays in pandas' (Arrow-backed) string columns: no Python object per cell, and the
    # engine later scans them without a copy. The frame is assembled once, at the end.
    credit_code, code_no = _clean_texts(frame["credit_code"], _clean_code)
    period, period_no = _clean_texts(frame["period"], _clean_period)
    columns: dict[str, Any] = {"_row": rows, "credit_code": credit_code, "period": period}
    distinct_periods = pd.Series(pd.unique(period), dtype="str")  # in order of first appearance = period_no
    bad_period = ~distinct_periods.fillna("").str.match(PERIOD_RE).to_numpy(dtype=bool)
    if bad_period.any():
        i = int(np.argmax(bad_period[period_no]))
        raise InputError(f"报告期“{frame['period'].iloc[i]}”格式不正确：应为 YYYY-MM，如 2025-11",
                         file=file, row=int(rows[i]), field="报告期")
    for column in REPORT_COLUMNS:
        if column not in frame.columns:
            columns[column] = np.full(len(frame), np.nan)
            continue
        raw = frame[column].reset_index(drop=True)
        checked = _numbers(raw, rows, column, f"请填写数值（单位{FIELD_BY_COLUMN[column].unit_name}）或留空", file=file)
        # A column that is numbers already is taken as it is, not copied: a national batch is
        # 13 columns of 2.9 million figures, and the copy's fresh pages cost more than the checks.
        columns[column] = raw if raw.dtype == np.float64 else checked
    out = pd.DataFrame(columns, copy=False)
    # Integer keys of each row, kept for the submission (registry check, product rows): the
    # enterprise's number in order of first appearance, and the month index.
    out[ROW_CODE_NUMBER] = code_no
    out[ROW_MONTH] = month_index(distinct_periods)[period_no]
    key = code_no * (int(period_no.max(initial=0)) + 1) + period_no
    i = _first_repeat(key)
    if i is not None:
        first = int(np.argmax(key == key[i]))
        raise InputError(
            f"重复报表：企业 {out['credit_code'].iloc[i]} {out['period'].iloc[i]} 已在第 {int(rows[first])} 行填报",
            file=file, row=int(rows[i]), field="统一社会信用代码",
        )
    return out


@_on_frame_sheet
def normalize_products(frame: pd.DataFrame | None, *, file: str | None = None) -> pd.DataFrame:
    """Product rows (统一社会信用代码, 报告期, 产品代码, 计量单位, 本月 and 累计产量): products and
    units resolved against the catalog, outputs in the product's catalog unit."""
    cols = ["_row", "credit_code", "period", "product", "unit", "output_m", "output_ytd"]
    if frame is None or len(frame) == 0:
        return pd.DataFrame({**{c: pd.Series(dtype="float64" if c.startswith("output") else "object") for c in cols},
                             ROW_CODE_NUMBER: pd.Series(dtype="int64"), ROW_MONTH: pd.Series(dtype="int64")})
    frame = frame.rename(columns={c: PRODUCT_HEADERS.get(str(c).strip(), str(c).strip()) for c in frame.columns})
    rows = _rows(frame)
    columns: dict[str, Any] = {"_row": rows}
    for c in ("credit_code", "period", "product", "unit"):
        if c not in frame.columns:
            raise InputError(f"产品产量表缺少列“{FIELD_LABEL[c]}”", file=file, row=1)
    columns["credit_code"], code_no = _clean_texts(frame["credit_code"], _clean_code)
    columns["period"], period_no = _clean_texts(frame["period"], _clean_period)
    for c in ("product", "unit"):
        columns[c] = _clean_texts(frame[c], lambda texts: texts.fillna("").str.strip())[0]
    empty = columns["product"].isin(["", "nan", "None", "<NA>"]).to_numpy()
    if empty.any():
        i = int(np.argmax(empty))
        raise InputError("产品代码为空", file=file, row=int(rows[i]), field="产品代码")
    for c in ("output_m", "output_ytd"):
        raw = frame[c] if c in frame.columns else pd.Series(np.full(len(frame), np.nan))
        columns[c] = _numbers(raw, rows, c, "请填写产量或留空", file=file)
        negative = columns[c] < 0
        if negative.any():
            i = int(np.argmax(negative))
            raise InputError("产品产量不能为负数", file=file, row=int(rows[i]), field=FIELD_LABEL[c])
    distinct_periods = pd.Series(pd.unique(columns["period"]), dtype="str")
    bad_period = ~distinct_periods.fillna("").str.match(PERIOD_RE).to_numpy(dtype=bool)
    if bad_period.any():
        i = int(np.argmax(bad_period[period_no]))
        raise InputError(f"报告期“{frame['period'].iloc[i]}”格式不正确：应为 YYYY-MM，如 2025-11",
                         file=file, row=int(rows[i]), field="报告期")
    out = pd.DataFrame(columns)
    out[ROW_CODE_NUMBER] = code_no
    out[ROW_MONTH] = month_index(distinct_periods)[period_no]
    product_no = _resolve_products(out, file=file)
    key = (code_no * (int(period_no.max(initial=0)) + 1) + period_no) * (int(product_no.max(initial=0)) + 1) + product_no
    i = _first_repeat(key)
    if i is not None:
        raise InputError(f"产品“{out['product'].iloc[i]}”重复填报", file=file, row=int(rows[i]), field="产品代码")
    return out


def _resolve_products(out: pd.DataFrame, *, file: str | None) -> np.ndarray:
    """Product codes (or names) to catalog codes, outputs converted to the product's catalog unit
    (in place); returns each row's product as a number. Looked up once per distinct spelling and
    per distinct (spelling, unit), then spread to the rows by integer codes: a national batch has
    a million product rows."""
    rows = out["_row"].to_numpy()
    spelled, spellings = pd.factorize(out["product"], use_na_sentinel=False)
    resolved = []
    for text in spellings:
        try:
            found = product(text)
        except UnknownCodeError:
            code = recognize_product(text)
            found = product(code) if code else None
        resolved.append(found.code if found is not None and found.kind == "industrial_product" else None)
    known = np.array([code is not None for code in resolved])
    if not known[spelled].all():
        i = int(np.argmin(known[spelled]))
        raise InputError(f"产品“{out['product'].iloc[i]}”不在主要工业产品目录中（可用 qinggong catalog products 查看代码）",
                         file=file, row=int(rows[i]), field="产品代码")
    unit_of, unit_texts = pd.factorize(out["unit"], use_na_sentinel=False)
    # The distinct (spelling, unit) pairs in file order (the first bad row is the one named), by hash.
    pair_of_row, pairs = pd.factorize(spelled.astype("int64") * len(unit_texts) + unit_of)
    first_row = np.empty(len(pairs), dtype="int64")
    first_row[pair_of_row[::-1]] = np.arange(len(pair_of_row) - 1, -1, -1)
    pair_factors = np.ones(len(pairs))
    for k in range(len(pairs)):
        pair, i = int(pairs[k]), int(first_row[k])
        code, text = resolved[pair // len(unit_texts)], str(unit_texts[pair % len(unit_texts)])
        target = product(code).unit
        source = None if text in ("", "nan", "None") else unit_code_for_label(text)
        try:
            pair_factors[k] = conversion_factor(source, target) if source and target else np.nan
        except (UnknownCodeError, IncompatibleUnitsError):
            pair_factors[k] = np.nan
        if np.isnan(pair_factors[k]):
            wanted = f"应为{unit(target).name}或可换算的单位" if target else "目录中该产品没有计量单位"
            raise InputError(f"产品“{product(code).name}”的计量单位“{text}”不对：{wanted}", file=file,
                             row=int(rows[i]), field="计量单位")
    codes = np.array(resolved, dtype=object)
    product_no = pd.factorize(codes)[0].astype("int64")[spelled]  # two spellings of one product: one number
    # Spread to the rows by Arrow (a million rows of a few hundred texts; numpy would gather objects).
    out["product"] = pd.array(resolved, dtype="str").take(spelled)
    out["unit"] = pd.array([product(code).unit for code in resolved], dtype="str").take(spelled)
    factors = pair_factors[pair_of_row]
    for c in ("output_m", "output_ytd"):
        out[c] = scale_values(out[c].to_numpy(dtype="float64"), factors)
    return product_no


def _check_against_registry(store: Store, reports: pd.DataFrame, *, file: str | None,
                            correction: bool) -> tuple[pd.DataFrame, np.ndarray]:
    """Enterprise known and in business in the period; no duplicate of a report already filed.

    Returns the current version and status of each (enterprise, period) already stored, with
    the batch row (`_row`) it concerns, by row and latest version first; and each row's
    enterprise number (`enterprise.enterprise_no`), under which its report is stored.

    The engine is asked about the batch's distinct enterprises only (a national batch is
    millions of reports of a few hundred thousand enterprises); the rows are judged here, by
    their integer keys (`ROW_CODE_NUMBER`, `ROW_MONTH` of `normalize_reports`)."""
    code_no = reports[ROW_CODE_NUMBER].to_numpy()
    month = reports[ROW_MONTH].to_numpy()
    rows = reports["_row"].to_numpy()
    codes = _codes_of(reports)
    b = store.backend
    with b.staged("qg_report_codes", pd.DataFrame({"code_no": np.arange(len(codes)), "credit_code": codes}),
                  {"code_no": "BIGINT", "credit_code": "TEXT"}):
        registry = b.fetch_df("SELECT c.code_no, e.enterprise_no, e.entry_date, e.exit_date FROM qg_report_codes c"
                              " JOIN enterprise e ON e.credit_code = c.credit_code")
        months = sorted(set(month.tolist()))
        stored = b.fetch_df(
            "SELECT c.code_no, c.credit_code, r.period_no, r.version, r.status, r.report_id FROM qg_report_codes c"
            " JOIN enterprise e ON e.credit_code = c.credit_code"
            " JOIN enterprise_report_data r ON r.enterprise_no = e.enterprise_no"
            f" WHERE r.period_no IN ({', '.join('?' for _ in months)}) AND r.status <> 'SUPERSEDED'",
            months) if months else pd.DataFrame()
    _judge_registry(registry, len(codes), code_no, month, rows, reports, file=file)
    number_of_code = np.zeros(len(codes), dtype="int64")
    number_of_code[registry["code_no"].to_numpy(dtype="int64")] = registry["enterprise_no"].to_numpy(dtype="int64")
    enterprise_no = number_of_code[code_no]
    if not len(stored):
        return pd.DataFrame(columns=["_row", "credit_code", "period", "version", "status", "report_id"]), enterprise_no
    stored_month = stored["period_no"].to_numpy(dtype="int64")
    stored["period"] = period_texts(stored_month)
    at = _key_positions(code_no, month, stored["code_no"].to_numpy(dtype="int64"), stored_month)
    existing = stored[at >= 0].assign(_row=rows[at[at >= 0]])
    existing = existing.sort_values(["_row", "version"], ascending=[True, False], kind="stable")
    existing = existing[["_row", "credit_code", "period", "version", "status", "report_id"]].reset_index(drop=True)
    if len(existing) and not correction:
        filed = existing[~existing["status"].isin(["DRAFT", "RETURNED"])]
        if len(filed):
            r = filed.iloc[0]
            raise InputError(
                f"重复报表：企业 {r['credit_code']} {r['period']} 已有第 {int(r['version'])} 版（{STATUS_LABELS[r['status']]}）；"
                "如需更正已上报的数据，请以更正方式提交（--correct）",
                file=file, row=int(r["_row"]), field="报告期",
            )
    return existing, enterprise_no


def _judge_registry(registry: pd.DataFrame, n_codes: int, code_no: np.ndarray, month: np.ndarray, rows: np.ndarray,
                    reports: pd.DataFrame, *, file: str | None) -> None:
    """InputError for the first row (smallest row number) of the first kind of problem: an
    enterprise not in the registry, then a period before it opened, then one after it closed."""
    known = np.zeros(n_codes, dtype=bool)
    opened = np.zeros(n_codes, dtype="int64")
    closed = np.full(n_codes, np.iinfo("int64").max)
    if len(registry):
        at = registry["code_no"].to_numpy(dtype="int64")
        known[at] = True
        entry = pd.to_datetime(registry["entry_date"])
        opened[at] = (entry.dt.year * 12 + entry.dt.month - 1).to_numpy(dtype="int64")
        exit_ = pd.to_datetime(registry["exit_date"])
        has_exit = exit_.notna().to_numpy()
        closed[at[has_exit]] = (exit_.dt.year * 12 + exit_.dt.month - 1).to_numpy()[has_exit].astype("int64")
    unknown = ~known[code_no]
    early = known[code_no] & (month < opened[code_no])
    late = known[code_no] & (month > closed[code_no])
    for kind, bad in (("unknown", unknown), ("early", early), ("late", late)):
        if not bad.any():
            continue
        i = int(np.flatnonzero(bad)[np.argmin(rows[bad])])
        code, period, row = reports["credit_code"].iloc[i], reports["period"].iloc[i], int(rows[i])
        if kind == "unknown":
            raise InputError(f"名录中没有统一社会信用代码为“{code}”的企业：请先登记企业名录",
                             file=file, row=row, field="统一社会信用代码")
        found = registry[registry["code_no"] == code_no[i]].iloc[0]
        if kind == "early":
            raise InputError(f"报告期 {period} 早于企业开业时间 {pd.Timestamp(found['entry_date']).date()}：企业当时尚未开业",
                             file=file, row=row, field="报告期")
        raise InputError(f"报告期 {period} 晚于企业停业时间 {pd.Timestamp(found['exit_date']).date()}", file=file,
                         row=row, field="报告期")


def _new_ids(store: Store, n: int) -> np.ndarray:
    """n new report ids, in increasing order, from the report sequence."""
    if n == 0:
        return np.zeros(0, dtype="int64")
    if store.backend.name == "duckdb":
        # A submission draws them inside its transaction, under the backend's lock: nothing else
        # draws from the sequence meanwhile, so the n values are consecutive and only their range
        # is read back (not 2.9 million numbers to sort). Should they not be, they are drawn again.
        low, high = store.backend.fetchone(
            "SELECT MIN(id), MAX(id) FROM (SELECT nextval('enterprise_report_seq') AS id FROM range(?))", [int(n)])
        if high - low + 1 == n:
            return np.arange(low, high + 1, dtype="int64")
    ids = store.backend.fetch_df("SELECT nextval('enterprise_report_seq') AS id FROM generate_series(1, ?)", [int(n)])
    return np.sort(ids["id"].to_numpy(dtype="int64"))


def _stage_versions(store: Store, clean: pd.DataFrame, existing: pd.DataFrame, enterprise_no: np.ndarray,
                    explanation: str | dict[str, str] | None) -> tuple[pd.DataFrame, np.ndarray]:
    """The batch as new versions: each row with a new report id, its enterprise's number (its
    month index is normalisation's `ROW_MONTH`), its version (one above the latest stored one of its enterprise and
    period) and, given per enterprise, its 说明."""
    stage = clean.drop(columns=["_row"])  # a new frame: adding its id and version columns leaves `clean` alone
    ids = _new_ids(store, len(stage))
    stage["report_id"] = ids
    stage["enterprise_no"] = enterprise_no
    if len(existing):
        latest = existing.drop_duplicates(["credit_code", "period"]).set_index(["credit_code", "period"])["version"]
        before = pd.MultiIndex.from_arrays([stage["credit_code"], stage["period"]]).map(latest.to_dict())
        stage["version"] = pd.Series(before, index=stage.index).fillna(0).astype("int64") + 1
    else:
        stage["version"] = 1
    if isinstance(explanation, dict):
        stage["explanation"] = stage["credit_code"].astype(object).map(explanation)
    return stage, ids


def submit_reports(
    store: Store,
    reports: pd.DataFrame,
    *,
    actor: str | None = None,
    explanation: str | dict[str, str] | None = None,
    products: pd.DataFrame | None = None,
    channel: str = "api",
    file: str | None = None,
    draft: bool = False,
    correction: bool = False,
    run_rules: bool = True,
) -> dict:
    """Check and store reports as new versions (status 已上报, or 草稿 with `draft=True`).

    All rows or none: a bad input raises InputError naming row and field; failed hard rules, or
    soft rules without an explanation (说明), raise ReportRejected with every finding.
    `explanation` is one text for all rows or a mapping credit_code → text.
    """
    from qinggong.validate import prepare_validation  # edit rules run at submission (methods.md §5.3)

    actor = actor or current_actor()
    file = file or reports.attrs.get("file")
    report_sheet = reports.attrs.get("sheet")
    product_sheet = products.attrs.get("sheet") if products is not None else None

    # The product rows are normalised on a worker thread while the reports are normalised. Errors
    # keep their order: reports, then product rows, then registry.
    with ExitStack() as stack:
        pool = stack.enter_context(ThreadPoolExecutor(max_workers=2))
        normalizing = pool.submit(normalize_products, products, file=file)
        clean = normalize_reports(reports, file=file)
        stack.enter_context(store.transaction())
        prods = normalizing.result()
        # The rules read what they need from the store now, then run on a worker (numpy, on this
        # process's second core) while the batch is checked against the registry and written; a
        # rejection rolls the write back with the transaction. Their verdict comes first, as if
        # they had run before the write: a rejected batch reports its findings, not a write error.
        evaluate_rules = prepare_validation(store, clean, products=prods) if run_rules else None
        pending = pool.submit(evaluate_rules) if evaluate_rules else None
        try:
            existing, enterprise_no = _check_against_registry(store, clean, file=file, correction=correction)
        except InputError as exc:
            raise exc.in_sheet(report_sheet)
        stage, ids = _stage_versions(store, clean, existing, enterprise_no, explanation)
        # On the other worker: the rows as the engine will read them, where each product row's
        # report sits in the batch (taken back if not started when the products are written,
        # `_insert_products`) and the ids as the result lists them.
        staging = pool.submit(store.backend.for_staging, stage[list(_report_stage_types(stage))])
        positions = pool.submit(_report_positions, stage, prods) if len(prods) else None
        listed_ids = pool.submit(ids.tolist)
        # The rules' verdict, and what an accepted batch stores and lists of their findings, made
        # on whichever worker is free once the rules are done.
        judged = pool.submit(_judge, pending, stage, explanation, file=file, report_sheet=report_sheet,
                             product_sheet=product_sheet)
        now = now_utc()
        try:
            _write_batch(store, stage, prods, existing, draft=draft, explanation=explanation, channel=channel,
                         now=now, actor=actor, file=file, product_sheet=product_sheet, positions=positions,
                         staging=staging)
            write_error = None
        except InputError as exc:
            write_error = exc
        findings, checks, explained = judged.result()
        if write_error is not None:
            raise write_error
        if checks is not None:
            store.backend.load_temp_table(
                "qg_check_stage", checks,
                {"report_id": "BIGINT", "rule_id": "TEXT", "severity": "TEXT", "field": "TEXT", "message": "TEXT"},
            )
            store.backend.execute(
                "INSERT INTO enterprise_report_check (report_id, rule_id, severity, field, message)"
                " SELECT report_id, rule_id, severity, field, message FROM qg_check_stage"
            )
            store.backend.execute("DROP TABLE IF EXISTS qg_check_stage")
        new = int((stage["version"] == 1).sum())
        store.record_audit(
            "enterprise.submit", object_type="enterprise_report", file_name=file, rows_in=len(stage),
            rows_new=new, rows_revised=len(stage) - new,
            details={"channel": channel, "draft": draft, "correction": correction, "soft_findings": len(findings)},
            actor=actor,
        )
    return {
        "reports": len(stage),
        "report_ids": listed_ids.result(),
        "new": new,
        "new_versions": len(stage) - new,
        "status": "DRAFT" if draft else "SUBMITTED",
        "explained_findings": explained,
    }


def _judge(pending: Future | None, stage: pd.DataFrame, explanation: str | dict[str, str] | None, *,
           file: str | None, report_sheet: str | None,
           product_sheet: str | None) -> tuple[pd.DataFrame, pd.DataFrame | None, list[dict]]:
    """The rules' findings (`pending`), judged: ReportRejected unless each is soft and explained.
    Returns them with their rows for enterprise_report_check (None if there are none) and as the
    submission's result lists them."""
    findings = pending.result() if pending is not None else pd.DataFrame()
    _reject_unless_explained(findings, explanation, file=file, report_sheet=report_sheet,
                             product_sheet=product_sheet)
    if not len(findings):
        return findings, None, []
    # (enterprise, period) is unique in a batch: each finding, from a report row or one of its
    # product rows, belongs to that report, found by the batch's integer keys.
    at = _key_positions(stage[ROW_CODE_NUMBER].to_numpy(), stage[ROW_MONTH].to_numpy(),
                        pd.Index(_codes_of(stage)).get_indexer(findings["credit_code"]),
                        month_index(findings["period"]))
    checks = findings.assign(report_id=stage["report_id"].to_numpy()[at])
    return findings, checks, _records(findings.drop(columns=["row"], errors="ignore"))


def _records(frame: pd.DataFrame) -> list[dict]:
    """`frame.to_dict(orient="records")`, column by column: a national batch explains thousands
    of findings, which pandas converts one value at a time (0.03 s, here 0.004 s)."""
    columns = list(frame.columns)
    return [dict(zip(columns, values)) for values in zip(*(frame[c].tolist() for c in columns))]


def _write_batch(store: Store, stage: pd.DataFrame, prods: pd.DataFrame, existing: pd.DataFrame, *, draft: bool,
                 explanation: str | dict[str, str] | None, channel: str, now, actor: str, file: str | None,
                 product_sheet: str | None, positions: Future | None = None, staging: Future | None = None) -> None:
    """The new versions, their events and product rows; the versions they replace superseded."""
    _insert_reports(store, stage, status="DRAFT" if draft else "SUBMITTED",
                    explanation=None if isinstance(explanation, dict) else explanation,
                    channel=channel, now=now, actor=actor, file=file, staging=staging)
    if len(existing):
        replaced = existing[existing["status"].isin(["DRAFT", "RETURNED"])]
        _set_status(store, replaced["report_id"].tolist(), "SUPERSEDED", actor=actor, reason="被新版本替代")
    if len(prods):
        try:
            _insert_products(store, prods, stage, file=file, positions=positions)
        except InputError as exc:
            raise exc.in_sheet(product_sheet)


def _reject_unless_explained(findings: pd.DataFrame, explanation: str | dict[str, str] | None, *,
                             file: str | None, report_sheet: str | None, product_sheet: str | None) -> None:
    """ReportRejected for the first hard finding, else for the first soft one without a 说明."""
    if not len(findings):
        return

    def sheet_of(finding: pd.Series) -> str | None:
        return product_sheet if finding["field"] in PRODUCT_FIELDS else report_sheet

    hard = findings[findings["severity"] == "hard"]
    if len(hard):
        r = hard.iloc[0]
        raise ReportRejected(f"未通过审核规则 {r['rule_id']}：{r['message']}（共 {len(hard)} 处硬性错误，数据未保存）",
                             findings, file=file, sheet=sheet_of(r), row=int(r["row"]), field=r["field_label"])
    if isinstance(explanation, dict):
        has = findings["credit_code"].map(lambda c: bool(str(explanation.get(c, "") or "").strip()))
    else:
        has = pd.Series(bool(str(explanation or "").strip()), index=findings.index)
    unexplained = findings[~has.to_numpy()]
    if len(unexplained):
        r = unexplained.iloc[0]
        raise ReportRejected(
            f"提示性审核 {r['rule_id']}：{r['message']}。请核实；如数据属实，请填写说明后再上报"
            f"（共 {len(unexplained)} 处需说明，数据未保存）",
            findings, file=file, sheet=sheet_of(r), row=int(r["row"]), field=r["field_label"],
        )


def submit_report(store: Store, report: dict | pd.DataFrame, actor: str | None = None,
                  explanation: str | None = None, **options: Any) -> dict:
    """One enterprise's report for one period (dict of column or Chinese label → value)."""
    frame = pd.DataFrame([report]) if isinstance(report, dict) else report
    products = options.pop("products", None)
    if isinstance(products, list):
        base = {"credit_code": frame.iloc[0].get("credit_code", frame.iloc[0].get("统一社会信用代码")),
                "period": frame.iloc[0].get("period", frame.iloc[0].get("报告期"))}
        products = pd.DataFrame([{**base, **p} for p in products])
    return submit_reports(store, frame, actor=actor, explanation=explanation, products=products, **options)


def _insert_products(store: Store, prods: pd.DataFrame, stage: pd.DataFrame, *, file: str | None,
                     positions: Future | None = None) -> None:
    """Product rows under the report ids of their (enterprise, period); a row without its report
    in the batch is refused, naming the first such row. `positions`: `_report_positions` of the
    same rows, submitted to a worker; computed here if the worker has not started it yet."""
    at = positions.result() if positions is not None and not positions.cancel() else _report_positions(stage, prods)
    if (at < 0).any():
        orphan = int(np.argmax(at < 0))
        raise InputError("产品产量所属的企业和报告期不在月报表中", file=file, row=int(prods["_row"].iloc[orphan]),
                         field="统一社会信用代码")
    rows = prods[["product", "unit", "output_m", "output_ytd"]].assign(
        report_id=stage["report_id"].to_numpy()[at])
    types = {"report_id": "BIGINT", "product": "TEXT", "unit": "TEXT", "output_m": "DOUBLE PRECISION",
             "output_ytd": "DOUBLE PRECISION"}
    with store.backend.staged("qg_product_stage", rows[list(types)], types):
        store.backend.execute(
            "INSERT INTO enterprise_report_product (report_id, product, unit, output_m, output_ytd)"
            " SELECT report_id, product, unit, output_m, output_ytd FROM qg_product_stage"
        )


def _report_positions(stage: pd.DataFrame, prods: pd.DataFrame) -> np.ndarray:
    """Position in `stage` of each product row's report (same enterprise and period), −1 where
    the batch has none. Only the distinct credit codes are compared as text (the product rows'
    against the reports'); rows are matched by their integer keys (`ROW_CODE_NUMBER`, `ROW_MONTH`)."""
    as_report_code = pd.Index(_codes_of(stage)).get_indexer(_codes_of(prods))
    return _key_positions(stage[ROW_CODE_NUMBER].to_numpy(), stage[ROW_MONTH].to_numpy(),
                          as_report_code[prods[ROW_CODE_NUMBER].to_numpy()] if len(prods) else np.zeros(0, dtype="int64"),
                          prods[ROW_MONTH].to_numpy(dtype="int64"))


def _codes_of(frame: pd.DataFrame) -> pd.Series:
    """The distinct credit codes of a frame fresh from normalisation, in number order."""
    codes = codes_by_number(frame["credit_code"], frame[ROW_CODE_NUMBER].to_numpy())
    if codes is None:
        raise QinggongError("内部错误：规范化后的表行被删减，企业编号不连续")
    return codes


def _report_stage_types(stage: pd.DataFrame) -> dict[str, str]:
    """The columns of the staged reports that are stored, with their SQL types."""
    return {"report_id": "BIGINT", "enterprise_no": "INTEGER", ROW_MONTH: "INTEGER", "version": "BIGINT",
            **({"explanation": "TEXT"} if "explanation" in stage.columns else {}),
            **{c: "DOUBLE PRECISION" for c in REPORT_COLUMNS}}


def _insert_reports(store: Store, stage: pd.DataFrame, *, status: str, explanation: str | None, channel: str,
                    now, actor: str, file: str | None, staging: Future | None = None) -> None:
    """Insert one submission (who, when, channel, file, the status the reports start in, a 说明
    common to the batch) and the staged reports under it. What is the same for every row is
    stored once, not copied onto millions of rows: neither on the reports (migration 0009) nor as
    one creation event each (0011). `staging`: the rows as the backend stages them, if made ahead."""
    per_row = "explanation" in stage.columns
    types = _report_stage_types(stage)
    values = ", ".join(REPORT_COLUMNS)
    b = store.backend
    submission = int(b.scalar("SELECT nextval('enterprise_submission_seq')"))
    b.execute(
        "INSERT INTO enterprise_submission (submission_id, channel, file_name, explanation, created_at, created_by,"
        " initial_status) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [submission, channel, file, None if per_row else explanation, now, actor, status],
    )
    rows = staging.result() if staging is not None else stage[list(types)]
    with b.staged("qg_report_stage", rows, types):
        b.execute(
            f"INSERT INTO enterprise_report_data (report_id, enterprise_no, period_no, version, status, submission_id,"
            f" {'explanation, ' if per_row else ''}{values})"
            f" SELECT report_id, enterprise_no, {ROW_MONTH}, version, CAST(? AS TEXT), CAST(? AS BIGINT),"
            f" {'explanation, ' if per_row else ''}{values} FROM qg_report_stage",
            [status, submission],
        )


def _set_status(store: Store, report_ids: list[int], status: str, *, actor: str, reason: str | None) -> int:
    if not len(report_ids):
        return 0
    with store.backend.staged("qg_status_list", pd.DataFrame({"report_id": report_ids}), {"report_id": "BIGINT"}):
        return _set_status_where(store, "SELECT report_id FROM qg_status_list", [], status, actor=actor, reason=reason)


def _set_status_where(store: Store, selection: str, params: list, status: str, *, actor: str,
                      reason: str | None) -> int:
    """Move the reports chosen by the `selection` query to `status`, one event per report.

    The ids stay in the engine: a national batch is millions of reports."""
    now = now_utc()
    b = store.backend
    b.execute("DROP TABLE IF EXISTS qg_status_ids")
    b.execute(f"CREATE TEMP TABLE qg_status_ids AS {selection}", params)
    count = int(b.scalar("SELECT COUNT(*) FROM qg_status_ids"))
    if count:
        b.execute(
            "INSERT INTO enterprise_report_event (report_id, from_status, to_status, actor, event_time, reason)"
            " SELECT r.report_id, r.status, ?, ?, ?, ? FROM enterprise_report_data r"
            " WHERE r.report_id IN (SELECT report_id FROM qg_status_ids)",
            [status, actor, now, reason],
        )
        # Who moved it, when and why is read from this event (migration 0014).
        b.execute("UPDATE enterprise_report_data SET status = ? WHERE report_id IN (SELECT report_id FROM qg_status_ids)",
                  [status])
    b.execute("DROP TABLE IF EXISTS qg_status_ids")
    return count


def _resolve_report(store: Store, report: int | str | tuple[str, str]) -> dict:
    if isinstance(report, tuple):
        code, period = report
        frame = store.backend.fetch_df(
            f"SELECT r.report_id, e.credit_code, {period_sql('r.period_no')} AS period, r.version, r.status"
            " FROM enterprise_report_data r JOIN enterprise e ON e.enterprise_no = r.enterprise_no"
            " WHERE e.credit_code = ? AND r.period_no = ? AND r.status <> 'SUPERSEDED' ORDER BY r.version DESC LIMIT 1",
            [code.strip().upper(), period_number(period)],
        )
        label = f"企业 {code} {period}"
    else:
        frame = store.backend.fetch_df(
            "SELECT report_id, credit_code, period, version, status FROM enterprise_report WHERE report_id = ?",
            [int(report)],
        )
        label = f"报表编号 {report}"
    if frame.empty:
        raise QinggongError(f"找不到{label}的报表")
    return frame.iloc[0].to_dict()


def review_report(store: Store, report: int | str | tuple[str, str], action: str, *,
                  actor: str | None = None, reason: str | None = None) -> dict:
    """Move one report along the workflow: submit, approve, return (needs reason), confirm."""
    info = _resolve_report(store, report)
    result = review_reports(store, [int(info["report_id"])], action, actor=actor, reason=reason)
    return {**info, "status": result["status"], "status_label": STATUS_LABELS[result["status"]]}


def review_reports(store: Store, report_ids: Iterable[int] | None, action: str, *, actor: str | None = None,
                   reason: str | None = None, period: str | None = None, region: str | None = None) -> dict:
    """The same workflow step for many reports (by id, or all eligible ones of a period/region)."""
    if action not in TRANSITIONS:
        raise QinggongError(f"未知的审核操作“{action}”：可选 {'、'.join(f'{k}（{v}）' for k, v in ACTION_LABELS.items())}")
    allowed, target = TRANSITIONS[action]
    if action == "return" and not (reason and reason.strip()):
        raise InputError("退回必须填写退回原因", field="reason")
    actor = actor or current_actor()
    with store.transaction():
        if report_ids is None:
            where = [f"status IN ({', '.join('?' for _ in allowed)})"]
            params: list[Any] = list(allowed)
            if period:
                where.append("period_no = ?")
                params.append(period_number(period, field="period"))
            if region:
                where.append("enterprise_no IN (SELECT enterprise_no FROM enterprise WHERE region LIKE ?)")
                params.append(region.rstrip("0") + "%")
            selection = "SELECT report_id FROM enterprise_report_data WHERE " + " AND ".join(where)
        else:
            ids = [int(i) for i in report_ids]
            frame = store.backend.fetch_df(
                f"SELECT report_id, status FROM enterprise_report_data WHERE report_id IN ({', '.join('?' for _ in ids)})", ids
            ) if ids else pd.DataFrame(columns=["report_id", "status"])
            missing = sorted(set(ids) - set(frame["report_id"].astype(int)))
            if missing:
                raise QinggongError(f"找不到报表编号 {missing[0]}")
            wrong = frame[~frame["status"].isin(allowed)]
            if len(wrong):
                r = wrong.iloc[0]
                raise QinggongError(
                    f"报表编号 {int(r['report_id'])} 当前状态为“{STATUS_LABELS[r['status']]}”，不能执行“{ACTION_LABELS[action]}”"
                    f"（只适用于：{'、'.join(STATUS_LABELS[s] for s in allowed)}）"
                )
            if ids:
                store.backend.load_temp_table("qg_review_ids", pd.DataFrame({"report_id": ids}), {"report_id": "BIGINT"})
            selection, params = "SELECT report_id FROM qg_review_ids", []
        count = 0
        if report_ids is None or ids:
            if action == "confirm":
                # A confirmed correction replaces the version confirmed before it.
                _set_status_where(
                    store,
                    # Only a later version (n.version > 1) can replace one: first versions skip the join.
                    "SELECT o.report_id FROM enterprise_report_data o JOIN enterprise_report_data n"
                    " ON n.enterprise_no = o.enterprise_no AND n.period_no = o.period_no AND o.version < n.version"
                    f" WHERE n.version > 1 AND n.report_id IN ({selection}) AND o.status = 'CONFIRMED'",
                    params, "SUPERSEDED", actor=actor, reason="被确认的更正版本替代",
                )
            count = _set_status_where(store, selection, params, target, actor=actor, reason=reason)
        store.backend.execute("DROP TABLE IF EXISTS qg_review_ids")
        store.record_audit(f"enterprise.{action}", object_type="enterprise_report", rows_in=count,
                           details={"reason": reason, "period": period}, actor=actor)
    return {"action": action, "status": target, "reports": count}


def list_reports(store: Store, *, period: str | None = None, status: str | None = None,
                 credit_code: str | None = None, region: str | None = None, all_versions: bool = False,
                 limit: int | None = None) -> pd.DataFrame:
    where, params = [], []
    if period:
        where.append("r.period_no = ?")
        params.append(period_number(period, field="period"))
    if status:
        code = {v: k for k, v in STATUS_LABELS.items()}.get(status, status.upper())
        where.append("r.status = ?")
        params.append(code)
    if credit_code:
        where.append("e.credit_code = ?")
        params.append(credit_code.strip().upper())
    if region:
        where.append("e.region LIKE ?")
        params.append(region.rstrip("0") + "%")
    if not all_versions:
        where.append("r.status <> 'SUPERSEDED'")
    # Who sent a report and when is its submission's (migration 0010); its status time and author
    # are those of its latest status event once the status has changed, its submission's before,
    # and a return's reason that of its latest return (0014). The events are read for the
    # reports listed only.
    condition = " WHERE " + " AND ".join(where) if where else ""
    reports = "enterprise_report_data r JOIN enterprise e ON e.enterprise_no = r.enterprise_no"
    listed = f"SELECT r.report_id FROM {reports}{condition}"
    sql = ("SELECT r.report_id, e.credit_code, e.name, e.region, e.industry,"
           f" {period_sql('r.period_no')} AS period, r.version, r.status,"
           " s.created_at, s.created_by, s.channel, s.file_name, COALESCE(last.event_time, s.created_at) AS status_at,"
           " COALESCE(last.actor, s.created_by) AS status_by, COALESCE(r.explanation, s.explanation) AS explanation,"
           " ret.reason AS return_reason, "
           + ", ".join(f"r.{c}" for c in REPORT_COLUMNS)
           + f" FROM {reports}"
           " LEFT JOIN enterprise_submission s ON s.submission_id = r.submission_id"
           " LEFT JOIN (SELECT report_id, MAX(event_id) AS last_event,"
           "            MAX(CASE WHEN to_status = 'RETURNED' THEN event_id END) AS return_event"
           f"           FROM enterprise_report_event WHERE report_id IN ({listed}) GROUP BY report_id) se"
           " ON se.report_id = r.report_id"
           " LEFT JOIN enterprise_report_event last ON last.event_id = se.last_event"
           " LEFT JOIN enterprise_report_event ret ON ret.event_id = se.return_event"
           + condition
           + " ORDER BY r.period_no, e.credit_code, r.version")
    if limit:
        sql += f" LIMIT {int(limit)}"
    frame = store.backend.fetch_df(sql, params * 2)
    frame["status_label"] = frame["status"].map(STATUS_LABELS)
    return frame


def report_history(store: Store, credit_code: str, period: str) -> dict:
    """Every version of one enterprise's report for one period, with its workflow events, edit-rule
    findings and product rows."""
    versions = list_reports(store, credit_code=credit_code, period=period, all_versions=True)
    # The reports of this enterprise and period, by their stored keys.
    mine = ("r.enterprise_no = (SELECT enterprise_no FROM enterprise WHERE credit_code = ?) AND r.period_no = ?")
    key = [credit_code.strip().upper(), period_number(period)]
    # Each version's creation comes from its submission (migration 0011), then its status
    # changes; at the same instant a creation comes first (a resubmission creates the new
    # version, then supersedes the old one).
    events = store.backend.fetch_df(
        "SELECT report_id, version, from_status, to_status, actor, event_time, reason FROM ("
        " SELECT r.report_id, r.version, CAST(NULL AS TEXT) AS from_status, s.initial_status AS to_status,"
        "  s.created_by AS actor, s.created_at AS event_time, CAST(NULL AS TEXT) AS reason, 0 AS kind, 0 AS event_id"
        "  FROM enterprise_report_data r JOIN enterprise_submission s ON s.submission_id = r.submission_id"
        f"  WHERE {mine} AND s.initial_status IS NOT NULL"
        " UNION ALL"
        " SELECT ev.report_id, r.version, ev.from_status, ev.to_status, ev.actor, ev.event_time, ev.reason,"
        "  1 AS kind, ev.event_id FROM enterprise_report_event ev JOIN enterprise_report_data r ON r.report_id = ev.report_id"
        f"  WHERE {mine}"
        ") e ORDER BY event_time, kind, event_id, report_id",
        key * 2,
    )
    checks = store.backend.fetch_df(
        "SELECT c.report_id, c.rule_id, c.severity, c.field, c.message FROM enterprise_report_check c"
        f" JOIN enterprise_report_data r ON r.report_id = c.report_id WHERE {mine}",
        key,
    )
    products = store.backend.fetch_df(
        "SELECT p.report_id, r.version, p.product, p.unit, p.output_m, p.output_ytd FROM enterprise_report_product p"
        f" JOIN enterprise_report_data r ON r.report_id = p.report_id WHERE {mine}"
        " ORDER BY r.version, p.product",
        key,
    )
    products["product_name"] = products["product"].map(lambda c: product(c).name)
    products["unit_name"] = products["unit"].map(lambda c: unit(c).name)
    return {"versions": versions, "events": events, "checks": checks, "products": products}
