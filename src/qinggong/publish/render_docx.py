"""DOCX with styles an analyst can edit: Word's built-in 标题 (Title), 标题 1/2 (Heading 1/2) and
正文 (Normal), with free substitutes for 仿宋/黑体/小标宋 set as East-Asian fonts.

The styles come from the template's `report.docx` when it has one (its body text is dropped),
otherwise from python-docx's default document with the fonts of `report.yaml` applied.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from qinggong.publish import phrasing as ph
from qinggong.publish.charts import Chart
from qinggong.publish.model import ReportModel
from qinggong.publish.narrative import Narrative, Table
from qinggong.publish.render_html import trace_rows
from qinggong.publish.templates import template_file


def _set_font(style, family: str, size: float | None = None, bold: bool | None = None) -> None:
    style.font.name = family
    if size is not None:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), family)
    for theme_attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme_attr), None)


def build_style_document(config: dict):
    """A blank document whose styles follow `report.yaml` (used when the template has no report.docx)."""
    doc = Document()
    fonts = config["fonts"]
    _set_font(doc.styles["Normal"], fonts["body"], fonts["body_size_pt"])
    doc.styles["Normal"].paragraph_format.line_spacing = 1.5
    doc.styles["Normal"].paragraph_format.first_line_indent = Pt(fonts["body_size_pt"] * 2)
    _set_font(doc.styles["Title"], fonts["title"], fonts["title_size_pt"], True)
    doc.styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.styles["Title"].paragraph_format.first_line_indent = Pt(0)
    for name, size in (("Heading 1", fonts["heading_size_pt"]), ("Heading 2", fonts["body_size_pt"])):
        _set_font(doc.styles[name], fonts["heading"], size, True)
        doc.styles[name].paragraph_format.first_line_indent = Pt(0)
    _set_font(doc.styles["Caption"], fonts["heading"], 10, False)
    doc.styles["Caption"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.styles["Caption"].paragraph_format.first_line_indent = Pt(0)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    return doc


def _open(template_dir: Path, config: dict):
    source = template_file(template_dir, "report.docx")
    if source is None:
        return build_style_document(config)
    doc = Document(str(source))
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return doc


def _refs(paragraph, refs: list[int]) -> None:
    if refs:
        run = paragraph.add_run("[" + ",".join(str(r) for r in refs) + "]")
        run.font.superscript = True
        run.font.size = Pt(8)


def _table(doc, table: Table, *, font_size: float = 9) -> None:
    doc.add_paragraph(table.caption, style="Caption")
    show_lights = any(table.lights)
    headers = table.headers + (["信号灯"] if show_lights else [])
    grid = doc.add_table(rows=1, cols=len(headers))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(grid.rows[0].cells, headers):
        _cell(cell, text, font_size, bold=True)
    for n, row in enumerate(table.rows):
        cells = grid.add_row().cells
        values = row + ([table.lights[n] or "—"] if show_lights else [])
        for i, (cell, text) in enumerate(zip(cells, values)):
            _cell(cell, text, font_size, align=WD_ALIGN_PARAGRAPH.RIGHT if 0 < i < len(row) else None)


def _cell(cell, text: str, size: float, *, bold: bool = False, align=None) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.first_line_indent = Pt(0)
    if align is not None:
        paragraph.alignment = align
    run = paragraph.add_run(str(text))
    run.font.size = Pt(size)
    run.font.bold = bold


def write_docx(path: Path, model: ReportModel, report: Narrative, charts: dict[str, Chart], template_dir: Path) -> Path:
    doc = _open(template_dir, model.config)
    doc.core_properties.title = report.title
    doc.core_properties.author = "qinggong"
    doc.add_paragraph(report.title, style="Title")
    meta = doc.add_paragraph(f"报告期：{ph.period_label(model.period)}　生成时间：{datetime.now():%Y-%m-%d %H:%M}　初稿，供分析人员审核修改")
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    meta.paragraph_format.first_line_indent = Pt(0)
    if report.headline:
        box = doc.add_table(rows=2, cols=len(report.headline))
        box.style = "Table Grid"
        box.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, item in zip(box.rows[0].cells, report.headline):
            _cell(cell, item.text, 16, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
            _refs(cell.paragraphs[0], [item.fact.ref])
        for cell, item in zip(box.rows[1].cells, report.headline):
            _cell(cell, f"{item.subject}{item.title}", 8, align=WD_ALIGN_PARAGRAPH.CENTER)
    for section in report.sections:
        doc.add_paragraph(f"{section.number}、{section.title}", style="Heading 1")
        for paragraph in section.paragraphs:
            if paragraph.heading:
                doc.add_paragraph(paragraph.heading, style="Heading 2")
            p = doc.add_paragraph()
            for sentence in paragraph.sentences:
                run = p.add_run(sentence.text)
                if paragraph.draft:
                    run.font.highlight_color = 7  # yellow: a draft for the analyst
                _refs(p, sentence.refs)
        for name in section.charts:
            chart = charts.get(name)
            if chart is None or chart.mime != "image/png":
                continue
            pic = doc.add_paragraph()
            pic.alignment = WD_ALIGN_PARAGRAPH.CENTER
            pic.paragraph_format.first_line_indent = Pt(0)
            pic.add_run().add_picture(io.BytesIO(chart.data), width=Cm(15.5))
            doc.add_paragraph(chart.caption, style="Caption")
        for table in section.tables:
            _table(doc, table)
    doc.add_page_break()
    doc.add_paragraph("附录　数据来源与可追溯性", style="Heading 1")
    doc.add_paragraph("报告中每个数字的上标编号对应下表一行：序列键、数据来源和入库版本。")
    rows = trace_rows(model)
    _table(doc, Table("附表　数据来源", ["编号", "期别", "数值", "序列键", "来源", "版本"],
                      [[str(r["ref"]), r["period"], r["value"], r["key"], r["source"], r["vintage"]] for r in rows]), font_size=7)
    doc.add_paragraph("方法版本", style="Heading 2")
    for name, version in model.methods.items():
        doc.add_paragraph(f"{name}：{version}")
    if report.notes:
        doc.add_paragraph("说明", style="Heading 2")
        for note in report.notes:
            doc.add_paragraph(note)
    doc.save(str(path))
    return path
