"""Self-contained HTML: one file, CSS inline, charts as data: URIs, nothing fetched at view time."""

from __future__ import annotations

import base64
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from qinggong import __version__
from qinggong.publish import phrasing as ph
from qinggong.publish.charts import Chart
from qinggong.publish.model import ReportModel, vintage_text
from qinggong.publish.narrative import Narrative
from qinggong.publish.templates import template_file


def trace_rows(model: ReportModel) -> list[dict]:
    rows = []
    for fact in model.used:
        unit = "%" if fact.unit == "PCT" else {"CNY_100M": "亿元", "CNY_10K": "万元"}.get(fact.unit, fact.unit)
        rows.append({
            "ref": fact.ref,
            "period": ph.current_label(fact.period, fact.span) if fact.measure not in ("YTD", "YOY_YTD")
            else ph.ytd_label(fact.period),
            "year": fact.period[:4],
            "value": f"{fact.value:g}{unit}",
            "key": fact.key,
            "source": fact.source,
            "vintage": f"#{fact.vintage_id}（{vintage_text(fact.vintage_at)}）",
        })
    for row in rows:
        row["period"] = f"{row['year']}年{row['period']}"
    return rows


def render_html(model: ReportModel, report: Narrative, charts: dict[str, Chart], template_dir: Path, *,
                for_print: bool = False) -> str:
    html_template = template_file(template_dir, "report.html.j2")
    css_file = template_file(template_dir, "style.css")
    env = Environment(loader=FileSystemLoader(str(html_template.parent)), autoescape=select_autoescape(["html", "j2"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    template = env.get_template(html_template.name)
    chart_ctx = {
        name: {"caption": chart.caption, "uri": f"data:{chart.mime};base64,{base64.b64encode(chart.data).decode('ascii')}"}
        for name, chart in charts.items()
    }
    return template.render(
        report=report,
        charts=chart_ctx,
        css=css_file.read_text(encoding="utf-8") if css_file else "",
        trace=trace_rows(model),
        methods=model.methods,
        period_label=ph.period_label(model.period),
        generated_at=datetime.now().strftime("%Y-%m-%d %H:%M"),
        issuer=model.config.get("issuer", "轻工业经济运行监测"),
        version=__version__,
        for_print=for_print,
    )


def write_html(path: Path, html: str) -> Path:
    path.write_text(html, encoding="utf-8")
    return path
