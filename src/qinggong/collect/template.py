"""The Excel report template: written for one period, read back with row-level checks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from qinggong.catalog import products, unit
from qinggong.collect.forms import FIELDS, PERIOD_RE, PRODUCT_FIELDS, is_exempt, period_number
from qinggong.collect.registry import list_enterprises
from qinggong.errors import InputError
from qinggong.store import Store

INFO_SHEET = "填报说明"
REPORT_SHEET = "月报"
PRODUCT_SHEET = "产品产量"
CATALOG_SHEET = "产品目录"
PERIOD_CELL = "B2"
TEMPLATE_MARK = "qinggong 企业直报月报模板"


def write_template(store: Store, period: str, path: str | Path, *, credit_codes: list[str] | None = None,
                   region: str | None = None) -> dict:
    """Write an XLSX template for `period`, one row per enterprise in business that month."""
    if not PERIOD_RE.match(period):
        raise InputError(f"报告期“{period}”格式不正确：应为 YYYY-MM", field="报告期")
    firms = list_enterprises(store, region=region)
    start = pd.Timestamp(period + "-01")
    end = start + pd.offsets.MonthEnd(0)
    firms = firms[(pd.to_datetime(firms["entry_date"]) <= end)
                  & (firms["exit_date"].isna() | (pd.to_datetime(firms["exit_date"]) >= start))]
    if credit_codes:
        firms = firms[firms["credit_code"].isin([c.upper() for c in credit_codes])]
    wb = Workbook()
    info = wb.active
    info.title = INFO_SHEET
    info["A1"] = TEMPLATE_MARK
    info["A2"], info[PERIOD_CELL] = "报告期", period
    info["A3"] = "金额单位：万元；用工：人。1月份财务指标（营业收入、营业成本、利润总额、存货、应收账款、用工）免报，请留空。"
    info["A4"] = "请勿修改表头和报告期；本模板只能用于上述报告期。提示性审核未通过时须填写“说明”列。"
    info["A5"] = ("产品产量：已按上期报表列出产品，请填写本月和1-N月累计产量；新增产品请按“产品目录”工作表填写产品代码"
                  "（或产品名称）和计量单位（目录单位或可换算的单位，如千升、吨）。")
    info["A1"].font = Font(bold=True)
    ws = wb.create_sheet(REPORT_SHEET)
    headers = ["统一社会信用代码", "企业名称", "报告期", *[f.name for f in FIELDS], "说明"]
    ws.append(headers)
    grey = PatternFill("solid", fgColor="DDDDDD")
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for rec in firms.itertuples():
        ws.append([rec.credit_code, rec.name, period] + [None] * len(FIELDS) + [None])
    for j, field in enumerate(FIELDS, start=4):
        if is_exempt(field, period):
            for row in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                for cell in row:
                    cell.fill = grey
    numbers = DataValidation(type="decimal", operator="between", formula1="-1E15", formula2="1E15", allow_blank=True,
                             error="请填写数字", errorTitle="输入错误")
    ws.add_data_validation(numbers)
    if len(firms):
        numbers.add(f"D2:{ws.cell(row=1, column=3 + len(FIELDS)).column_letter}{len(firms) + 1}")
    ws.freeze_panes = "D2"
    ps = wb.create_sheet(PRODUCT_SHEET)
    ps.append(["统一社会信用代码", "报告期", "产品代码", "计量单位", PRODUCT_FIELDS["output_m"], PRODUCT_FIELDS["output_ytd"]])
    for cell in ps[1]:
        cell.font = Font(bold=True)
    known = last_products(store, period, firms["credit_code"].tolist())
    for rec in known.itertuples():
        ps.append([rec.credit_code, period, rec.product, unit(rec.unit).name if rec.unit else None, None, None])
    catalog = wb.create_sheet(CATALOG_SHEET)
    catalog.append(["产品代码", "产品名称", "计量单位", "国民经济行业代码"])
    for cell in catalog[1]:
        cell.font = Font(bold=True)
    for rec in reportable_products().itertuples():
        catalog.append([rec.code, rec.name, rec.unit_name, rec.gbt4754])
    wb.save(path)
    return {"path": str(path), "period": period, "enterprises": len(firms), "product_rows": len(known)}


def reportable_products() -> pd.DataFrame:
    """The products offered to enterprises (template sheet, web form): light-industry products of
    the catalog with code, name, unit_name and gbt4754."""
    listed = products("industrial_product")
    listed = listed[listed["light"].fillna(False).astype(bool)]
    return listed.assign(unit_name=[unit(u).name if u else None for u in listed["unit"]])[
        ["code", "name", "unit_name", "gbt4754"]].reset_index(drop=True)


def last_products(store: Store, period: str, credit_codes: list[str]) -> pd.DataFrame:
    """The products each enterprise reported in its latest report before `period`, to pre-fill
    the template's product sheet and the web form (the enterprise fills in the figures, and adds
    or deletes rows)."""
    if not credit_codes:
        return pd.DataFrame(columns=["credit_code", "product", "unit"])
    codes = pd.DataFrame({"credit_code": sorted({c.strip().upper() for c in credit_codes})})
    # Only the enterprises asked for: the web form asks for one, not the whole registry.
    with store.transaction(), store.backend.staged("qg_last_codes", codes, {"credit_code": "TEXT"}):
        # By the reports' stored keys (enterprise number, month index: migration 0015).
        frame = store.backend.fetch_df(
            "SELECT DISTINCT last.credit_code, p.product, p.unit FROM enterprise_report_product p"
            " JOIN enterprise_report_data r ON r.report_id = p.report_id"
            " JOIN (SELECT e.credit_code, x.enterprise_no, MAX(x.period_no) AS period_no FROM enterprise_report_data x"
            "       JOIN enterprise e ON e.enterprise_no = x.enterprise_no"
            "       JOIN qg_last_codes k ON k.credit_code = e.credit_code"
            "       WHERE x.period_no < ? AND x.status <> 'SUPERSEDED' GROUP BY e.credit_code, x.enterprise_no) last"
            "   ON last.enterprise_no = r.enterprise_no AND last.period_no = r.period_no"
            " WHERE r.status <> 'SUPERSEDED'",
            [period_number(period)],
        )
    return frame.sort_values(["credit_code", "product"]).reset_index(drop=True)


def read_template(path: str | Path, *, expected_period: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """Reports, product rows and explanations (credit_code → 说明) from a filled template."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise InputError("文件不存在", file=str(path))
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # not an xlsx
        raise InputError(f"无法作为 Excel 工作簿读取：{exc}", file=name) from exc
    try:
        if INFO_SHEET not in wb.sheetnames or REPORT_SHEET not in wb.sheetnames:
            raise InputError(f"不是企业直报月报模板：缺少工作表“{INFO_SHEET}”或“{REPORT_SHEET}”", file=name)
        info = wb[INFO_SHEET]
        period = str(info[PERIOD_CELL].value or "").strip()[:7]
        if not PERIOD_RE.match(period):
            raise InputError(f"模板报告期“{period}”无法识别", file=name, sheet=INFO_SHEET, row=2, field="报告期")
        if expected_period and period != expected_period:
            raise InputError(f"这是 {period} 的模板，不能用于 {expected_period} 的报送：请下载 {expected_period} 的模板",
                             file=name, sheet=INFO_SHEET, row=2, field="报告期")
        rows = list(wb[REPORT_SHEET].iter_rows(values_only=True))
        products = list(wb[PRODUCT_SHEET].iter_rows(values_only=True)) if PRODUCT_SHEET in wb.sheetnames else []
    finally:
        wb.close()
    if not rows:
        raise InputError("月报工作表为空", file=name, sheet=REPORT_SHEET)
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    expected = ["统一社会信用代码", "企业名称", "报告期", *[f.name for f in FIELDS]]
    for j, title in enumerate(expected):
        if j >= len(header) or header[j] != title:
            raise InputError(f"表头第 {j + 1} 列应为“{title}”：请勿修改模板表头", file=name, sheet=REPORT_SHEET, row=1,
                             column=header[j] if j < len(header) else None)
    body = [(i + 2, r) for i, r in enumerate(rows[1:]) if any(v not in (None, "") for v in r[3:3 + len(FIELDS)])]
    frame = pd.DataFrame([list(r[: len(header)]) + [None] * (len(header) - len(r)) for _, r in body], columns=header)
    frame["_row"] = [i for i, _ in body]
    for i, row_period in zip(frame["_row"], frame["报告期"]):
        if str(row_period or "").strip()[:7] != period:
            raise InputError(f"报告期“{row_period}”与模板报告期 {period} 不一致", file=name, sheet=REPORT_SHEET, row=int(i),
                             field="报告期")
    explanations = {}
    if "说明" in frame.columns:
        explanations = {str(c).strip().upper(): str(t) for c, t in zip(frame["统一社会信用代码"], frame["说明"])
                        if t not in (None, "") and str(t).strip()}
    frame = frame.drop(columns=[c for c in ("企业名称", "说明") if c in frame.columns])
    frame.attrs.update(file=name, sheet=REPORT_SHEET)
    prod = pd.DataFrame()
    if len(products) > 1:
        p_header = [str(h).strip() if h is not None else "" for h in products[0]]
        # Pre-filled product rows left without figures are products not made this month.
        figures = [j for j, h in enumerate(p_header) if h in PRODUCT_FIELDS.values()]
        p_body = [(i + 2, r) for i, r in enumerate(products[1:]) if any(r[j] not in (None, "") for j in figures if j < len(r))]
        prod = pd.DataFrame([list(r[: len(p_header)]) for _, r in p_body], columns=p_header)
        prod["_row"] = [i for i, _ in p_body]
        bad = prod["报告期"].astype(str).str.strip().str[:7] != period
        if bad.any():
            i = int(prod.loc[bad, "_row"].iloc[0])
            raise InputError(f"报告期与模板报告期 {period} 不一致", file=name, sheet=PRODUCT_SHEET, row=i, field="报告期")
    prod.attrs.update(file=name, sheet=PRODUCT_SHEET)
    return frame, prod, explanations
