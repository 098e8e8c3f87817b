"""The monthly report form (工业企业月报, simplified): its items, statuses and labels."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from qinggong.errors import InputError


@dataclass(frozen=True)
class Field:
    """One form item stored in column `column` of enterprise_report_data."""

    column: str
    item: str  # indicator code (REV, PROFIT, …) shared with the store's series keys
    name: str  # Chinese label for templates and messages
    measure: str  # M 本月, YTD 1–N月累计, EOP 期末
    unit: str  # unit code of the reported figure
    unit_name: str
    nonnegative: bool
    jan_exempt: bool  # 1月免报 (financial items)


# Financial items follow the 1月免报 rule (methods.md §3.1); output-value, order and product
# items are reported every month.
FIELDS: tuple[Field, ...] = (
    Field("rev_m", "REV", "营业收入（本月）", "M", "CNY_10K", "万元", True, True),
    Field("rev_ytd", "REV", "营业收入（1-N月累计）", "YTD", "CNY_10K", "万元", True, True),
    Field("cost_m", "COST", "营业成本（本月）", "M", "CNY_10K", "万元", True, True),
    Field("cost_ytd", "COST", "营业成本（1-N月累计）", "YTD", "CNY_10K", "万元", True, True),
    Field("profit_m", "PROFIT", "利润总额（本月）", "M", "CNY_10K", "万元", False, True),
    Field("profit_ytd", "PROFIT", "利润总额（1-N月累计）", "YTD", "CNY_10K", "万元", False, True),
    Field("export_m", "EXPORT", "出口交货值（本月）", "M", "CNY_10K", "万元", True, False),
    Field("export_ytd", "EXPORT", "出口交货值（1-N月累计）", "YTD", "CNY_10K", "万元", True, False),
    Field("inv_eop", "INVENTORY", "产成品存货（期末）", "EOP", "CNY_10K", "万元", True, True),
    Field("ar_eop", "RECEIVABLE", "应收账款（期末）", "EOP", "CNY_10K", "万元", True, True),
    Field("emp_m", "EMPLOYMENT", "平均用工人数（本月）", "M", "PERSON", "人", True, True),
    Field("orders_m", "ORDERS", "新订单（本月）", "M", "CNY_10K", "万元", True, False),
    Field("orders_ytd", "ORDERS", "新订单（1-N月累计）", "YTD", "CNY_10K", "万元", True, False),
)
FIELD_BY_COLUMN = {f.column: f for f in FIELDS}
FIELD_BY_NAME = {f.name: f for f in FIELDS}
REPORT_COLUMNS = [f.column for f in FIELDS]
FLOW_ITEMS = ("REV", "COST", "PROFIT", "EXPORT", "ORDERS")  # items with 本月 and 累计

PRODUCT_FIELDS = {"output_m": "产品产量（本月）", "output_ytd": "产品产量（1-N月累计）"}

STATUS_LABELS = {
    "DRAFT": "草稿",
    "SUBMITTED": "已上报",
    "APPROVED": "省级审核通过",
    "RETURNED": "退回",
    "CONFIRMED": "已确认",
    "SUPERSEDED": "已被更正版本替代",
}
# Allowed review transitions: action → (from statuses, to status)
TRANSITIONS = {
    "submit": (("DRAFT", "RETURNED"), "SUBMITTED"),
    "approve": (("SUBMITTED",), "APPROVED"),
    "return": (("SUBMITTED", "APPROVED"), "RETURNED"),
    "confirm": (("APPROVED",), "CONFIRMED"),
}
ACTION_LABELS = {"submit": "上报", "approve": "省级审核通过", "return": "退回", "confirm": "确认"}

SIZE_CLASSES = {"L": "大型", "M": "中型", "S": "小型", "XS": "微型"}
SIZE_BY_NAME = {v: k for k, v in SIZE_CLASSES.items()}


def is_exempt(field: Field, period: str) -> bool:
    """True when the item need not be reported for `period` (1月免报)."""
    return field.jan_exempt and period.endswith("-01")


# Normalised report and product frames carry each row's integer keys: the number of its credit
# code (in order of first appearance) and its month index (year × 12 + month − 1). Checks that
# compare rows by enterprise and month use them instead of hashing millions of texts again.
ROW_CODE_NUMBER = "_code_no"
ROW_MONTH = "_month"


def codes_by_number(texts: pd.Series, number: np.ndarray) -> pd.Series | None:
    """The distinct texts of a column in the order of their numbers (one row's text per number),
    or None when some number has no row (rows were taken out after numbering)."""
    if not len(number):
        return pd.Series([], dtype="str")
    at = np.full(int(number.max()) + 1, -1, dtype="int64")
    at[number] = np.arange(len(number))  # any row of a number will do: they all hold its text
    if (at < 0).any():
        return None
    return texts.iloc[at].reset_index(drop=True)


def month_index(periods) -> np.ndarray:
    """Month index (year × 12 + month − 1) of YYYY-MM texts, parsed once per distinct period."""
    codes, uniques = pd.factorize(pd.Series(periods))
    if not len(uniques):
        return np.zeros(len(codes), dtype="int64")
    parsed = np.array([int(p[:4]) * 12 + int(p[5:7]) - 1 for p in map(str, uniques)], dtype="int64")
    return parsed[codes]


def period_texts(numbers) -> np.ndarray:
    """YYYY-MM texts of month indexes (`period_no` of stored reports), made once per distinct month."""
    codes, uniques = pd.factorize(pd.Series(numbers, dtype="int64"))
    texts = np.array([f"{m // 12:04d}-{m % 12 + 1:02d}" for m in uniques.tolist()], dtype=object)
    return texts[codes] if len(codes) else np.array([], dtype=object)


def period_sql(number: str) -> str:
    """SQL, for both engines, of the YYYY-MM text of the month index expression `number`."""
    return (f"LPAD(CAST(CAST(FLOOR({number} / 12) AS INTEGER) AS TEXT), 4, '0') || '-' ||"
            f" LPAD(CAST({number} % 12 + 1 AS TEXT), 2, '0')")


PERIOD_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")  # a report period: YYYY-MM


def period_number(period: str, *, field: str = "报告期") -> int:
    """The month index of one YYYY-MM text given by a user; InputError if it is not one."""
    text = str(period).strip()
    if not PERIOD_RE.match(text):
        raise InputError(f"报告期“{period}”格式不正确：应为 YYYY-MM，如 2025-11", field=field)
    return int(text[:4]) * 12 + int(text[5:7]) - 1
