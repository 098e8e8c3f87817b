"""Enterprise direct reporting (企业直报): the registry with GB 32100-2015 credit codes, the
monthly report form (本月 / 1–N月累计, 1月免报), Excel templates, the review workflow with
versions, and the comparable-basis aggregation of accepted reports in SQL.

Service functions (what CLI, API and web call): `register_enterprises`, `list_enterprises`,
`get_enterprise`, `submit_report`, `submit_reports`, `review_report`, `list_reports`,
`report_history`, `write_template`, `read_template`, `aggregate_reports`.
Edit rules are run at submission through `qinggong.validate` (the online system checks on
submission, methods.md §5.3).
"""

from qinggong.collect.creditcode import credit_code_check_char, is_valid_credit_code, make_credit_code
from qinggong.collect.forms import FIELDS, REPORT_COLUMNS, STATUS_LABELS, Field
from qinggong.collect.registry import get_enterprise, list_enterprises, read_registry_file, register_enterprises
from qinggong.collect.reports import (
    list_reports,
    report_history,
    review_report,
    review_reports,
    submit_report,
    submit_reports,
)
from qinggong.collect.template import last_products, read_template, reportable_products, write_template
from qinggong.collect.aggregate import aggregate_reports

__all__ = [
    "FIELDS",
    "REPORT_COLUMNS",
    "STATUS_LABELS",
    "Field",
    "aggregate_reports",
    "credit_code_check_char",
    "get_enterprise",
    "is_valid_credit_code",
    "list_enterprises",
    "list_reports",
    "make_credit_code",
    "read_registry_file",
    "last_products",
    "read_template",
    "reportable_products",
    "register_enterprises",
    "report_history",
    "review_report",
    "review_reports",
    "submit_report",
    "submit_reports",
    "write_template",
]
