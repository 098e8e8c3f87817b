"""The month's data release: sector × indicator and province × indicator tables with their
disclosure flags, as print-formatted XLSX, CSV and SDMX-CSV.

A cell whose observation is not free to publish (conf_status ≠ F) or missing (status M) is left
empty and carries its flag; its value is never written.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from qinggong.catalog.units import round_significant
from qinggong.publish import phrasing as ph
from qinggong.publish.model import Fact, ReportModel
from qinggong.store import NATIONAL
from qinggong.store.repository import CONF_STATUS_CODES, STATUS_CODES

FLAG_LEGEND = {
    **{code: f"{label}（不公布）" for code, label in CONF_STATUS_CODES.items() if code != "F"},
    "M": "缺失（未发布）",
}


@dataclass
class Cell:
    value: float | None
    flag: str                      # "" free; conf code (A/O/G/D/C) or "M"
    fact: Fact | None = None


@dataclass
class ReleaseTable:
    name: str
    title: str
    row_header: str
    columns: list[dict]
    rows: list[tuple[str, str, list[Cell]]] = field(default_factory=list)  # (code, label, cells)


def _cell(model: ReportModel, indicator: str, industry: str, measure: str, region: str) -> Cell | None:
    fact = model.get(indicator, industry, measure, region=region)
    if fact is not None:
        return Cell(fact.value, "", fact)
    hidden = model.withheld.get((indicator, industry, region, measure), {}).get(model.period)
    if hidden is not None:
        flag = hidden.conf_status if hidden.conf_status != "F" else "M"
        return Cell(None, flag, hidden)
    return None


def tables(model: ReportModel, region_model: ReportModel | None = None) -> list[ReleaseTable]:
    """The release tables; provinces come from `region_model` (wider dataflows) when given."""
    columns = model.config["release"]["sector_columns"]
    sector_table = ReleaseTable("sectors", f"表1　轻工业分行业主要指标（{ph.period_label(model.period)}）", "行业", columns)
    lines = [(model.subjects["light"][0], model.subjects["light"][1]), (model.subjects["total"][0], model.subjects["total"][1])]
    lines += [(str(s["code"]), s["label"]) for s in model.config["sectors"]]
    for code, label in lines:
        cells = [_cell(model, c["indicator"], code, c["measure"], NATIONAL) for c in columns]
        if any(c is not None for c in cells):
            sector_table.rows.append((code, label, [c or Cell(None, "") for c in cells]))
    result = [sector_table]
    model = region_model or model
    regions = sorted({key[2] for key in list(model.facts) + list(model.withheld) if key[2] != NATIONAL})
    if regions:
        subject = model.subjects["light"][0]
        if not any(key[1] == subject and key[2] != NATIONAL for key in list(model.facts) + list(model.withheld)):
            subject = model.subjects["total"][0]
        region_table = ReleaseTable("regions", f"表2　分地区主要指标（{ph.period_label(model.period)}）", "地区", columns)
        for region in regions:
            cells = [_cell(model, c["indicator"], subject, c["measure"], region) for c in columns]
            if any(c is not None for c in cells):
                region_table.rows.append((region, model.region_names.get(region, region), [c or Cell(None, "") for c in cells]))
        if region_table.rows:
            result.append(region_table)
    return result


def suppressed_cells(model: ReportModel, region_model: ReportModel | None = None) -> list[Cell]:
    return [cell for table in tables(model, region_model) for _, _, cells in table.rows for cell in cells if cell.flag]


def _number(value: float | None, measure: str) -> float | None:
    if value is None:
        return None
    return ph.round_half_up(value, 1)


THIN = Side(style="thin", color="888888")


def write_xlsx(path: Path, model: ReportModel, release: list[ReleaseTable]) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for table in release:
        ws = wb.create_sheet("分行业" if table.name == "sectors" else "分地区")
        ncols = 2 + 2 * len(table.columns)
        ws.cell(1, 1, table.title).font = Font(name="Noto Sans CJK SC", bold=True, size=13)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
        ws.cell(1, 1).alignment = Alignment(horizontal="center")
        headers = ["代码", table.row_header]
        for col in table.columns:
            headers += [col["header"], "标志"]
        for j, text in enumerate(headers, 1):
            cell = ws.cell(3, j, text)
            cell.font = Font(bold=True, size=9)
            cell.fill = PatternFill("solid", fgColor="E8E8E8")
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
        for i, (code, label, cells) in enumerate(table.rows, 4):
            ws.cell(i, 1, code)
            ws.cell(i, 2, label)
            for j, (col, c) in enumerate(zip(table.columns, cells)):
                value_cell = ws.cell(i, 3 + 2 * j, _number(c.value, col["measure"]))
                value_cell.number_format = "0.0"
                ws.cell(i, 4 + 2 * j, c.flag or None).alignment = Alignment(horizontal="center")
            for j in range(1, ncols + 1):
                ws.cell(i, j).border = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
                ws.cell(i, j).font = Font(size=9)
        note_row = len(table.rows) + 5
        ws.cell(note_row, 1, "标志：" + "；".join(f"{k} {v}" for k, v in FLAG_LEGEND.items()) + "。空白数值不公布。")
        ws.cell(note_row + 1, 1, f"数据来源：国家统计局（经数据服务商转载）；方法版本：{model.methods.get('report')}。")
        ws.column_dimensions["A"].width = 10
        ws.column_dimensions["B"].width = 26
        for j in range(3, ncols + 1):
            ws.column_dimensions[get_column_letter(j)].width = 11 if (j - 3) % 2 == 0 else 5
        ws.row_dimensions[3].height = 42
        ws.freeze_panes = "C4"
        ws.print_title_rows = "3:3"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
        ws.print_area = f"A1:{get_column_letter(ncols)}{note_row + 1}"
    wb.save(str(path))
    return path


def write_csv(path: Path, release: list[ReleaseTable]) -> Path:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        for n, table in enumerate(release):
            if n:
                writer.writerow([])
            writer.writerow([table.title])
            header = ["代码", table.row_header]
            for col in table.columns:
                header += [col["header"], f"{col['header']}_标志"]
            writer.writerow(header)
            for code, label, cells in table.rows:
                row = [code, label]
                for col, c in zip(table.columns, cells):
                    value = _number(c.value, col["measure"])
                    row += ["" if value is None else f"{value:.1f}", c.flag]
                writer.writerow(row)
    return path


def _sdmx_value(value: float) -> str:
    """Full precision without binary noise (3.0000000000000004 → 3.0)."""
    return repr(float(round_significant(np.array([value]))[0]))


def write_sdmx_csv(path: Path, model: ReportModel, release: list[ReleaseTable]) -> Path:
    """SDMX-CSV 1.0: one observation per row; DATAFLOW as AGENCY:ID(VERSION)."""
    agency = model.config["release"]["sdmx_agency"]
    version = model.config["release"]["sdmx_version"]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["DATAFLOW", "FREQ", "INDICATOR", "INDUSTRY", "REGION", "PRODUCT", "MEASURE", "UNIT_MEASURE",
                         "TIME_PERIOD", "OBS_VALUE", "OBS_STATUS", "CONF_STATUS"])
        for table in release:
            for _, _, cells in table.rows:
                for c in cells:
                    f = c.fact
                    if f is None:
                        continue
                    published = not c.flag
                    writer.writerow([f"{agency}:{f.dataflow}({version})", "M", f.indicator, f.industry, f.region, "_Z", f.measure,
                                     f.unit, f.period, _sdmx_value(f.value) if published else "", f.status if published else
                                     ("M" if c.flag == "M" else f.status), f.conf_status])
    return path


__all__ = ["FLAG_LEGEND", "STATUS_CODES", "tables", "suppressed_cells", "write_xlsx", "write_csv", "write_sdmx_csv"]
