"""Service functions of the publish stage: the monthly report and the data release."""

from __future__ import annotations

import time
from pathlib import Path

from qinggong.config import load_method
from qinggong.errors import InputError
from qinggong.publish import charts as charts_mod
from qinggong.publish import integrations
from qinggong.publish.model import ReportModel, gather, latest_complete_period, validate_period
from qinggong.publish.narrative import Narrative, write
from qinggong.publish.templates import resolve
from qinggong.store import Store

REPORT_FORMATS = ("docx", "pdf", "html")
RELEASE_FORMATS = ("xlsx", "csv", "sdmx-csv")


def _formats(requested: str | list[str] | tuple[str, ...] | None, allowed: tuple[str, ...], field: str) -> list[str]:
    if requested is None or requested == "all" or requested == ["all"]:
        return list(allowed)
    items = [requested] if isinstance(requested, str) else list(requested)
    out: list[str] = []
    for item in items:
        for part in str(item).split(","):
            part = part.strip().lower()
            if part == "all":
                return list(allowed)
            if part not in allowed:
                raise InputError(f"不支持的格式“{part}”：可选 {'、'.join(allowed)} 或 all", field=field)
            if part not in out:
                out.append(part)
    return out


def prepare(store: Store, period: str) -> tuple[ReportModel, Narrative]:
    """Gather the data and draft the text (no files written)."""
    model = gather(store, period, config=load_method("report"))
    integrations.attach(store, model)
    if not any(model.facts.values()):
        raise InputError(f"库中没有 {model.period} 前后可用于报告的数据：请先导入统计数据", field="period")
    return model, write(model)


def build_report(store: Store, period: str, formats: str | list[str] | None = "all", out_dir: str | Path = ".",
                 template: str | None = None, *, timings: dict | None = None) -> list[Path]:
    """Write the monthly operation report for `period` in the requested formats; returns the files."""
    period = validate_period(period)
    wanted = _formats(formats, REPORT_FORMATS, "format")
    template_dir = resolve(template)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    clock = time.perf_counter()
    model, report = prepare(store, period)
    marks = {"gather_and_write": time.perf_counter() - clock}
    clock = time.perf_counter()
    charts = charts_mod.render_all(model)
    marks["charts"] = time.perf_counter() - clock
    stem = f"{model.subjects['light'][1].replace('规模以上', '')}经济运行报告_{period}"
    files: list[Path] = []
    html = None
    if "html" in wanted or "pdf" in wanted:
        from qinggong.publish.render_html import render_html, write_html

        clock = time.perf_counter()
        html = render_html(model, report, charts, template_dir)
        if "html" in wanted:
            files.append(write_html(out / f"{stem}.html", html))
        marks["html"] = time.perf_counter() - clock
    if "docx" in wanted:
        from qinggong.publish.render_docx import write_docx

        clock = time.perf_counter()
        files.insert(0, write_docx(out / f"{stem}.docx", model, report, charts, template_dir))
        marks["docx"] = time.perf_counter() - clock
    if "pdf" in wanted:
        from qinggong.publish.render_pdf import write_pdf

        clock = time.perf_counter()
        files.append(write_pdf(out / f"{stem}.pdf", html, template_dir))
        marks["pdf"] = time.perf_counter() - clock
    store.record_audit("report", object_type="report", object_id=period,
                       details={"formats": wanted, "files": [p.name for p in files], "template": str(template_dir),
                                "facts": len(model.used), "methods": model.methods})
    if timings is not None:
        timings.update(marks)
    return files


def build_release(store: Store, period: str, formats: str | list[str] | None = "all", out_dir: str | Path = ".") -> list[Path]:
    """Write the month's data release (sector × indicator, province × indicator) with disclosure flags."""
    from qinggong.publish import release as rel

    period = validate_period(period)
    wanted = _formats(formats, RELEASE_FORMATS, "format")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    config = load_method("report")
    model = gather(store, period, config=config)
    region_flows = config["release"].get("region_dataflows")
    region_model = gather(store, period, config={**config, "dataflows": region_flows}) if region_flows else None
    tables = rel.tables(model, region_model)
    if not tables or not any(t.rows for t in tables):
        raise InputError(f"库中没有 {period} 可发布的数据：请先导入统计数据", field="period")
    stem = f"轻工业数据发布_{period}"
    files = []
    if "xlsx" in wanted:
        files.append(rel.write_xlsx(out / f"{stem}.xlsx", model, tables))
    if "csv" in wanted:
        files.append(rel.write_csv(out / f"{stem}.csv", tables))
    if "sdmx-csv" in wanted:
        files.append(rel.write_sdmx_csv(out / f"{stem}.sdmx.csv", model, tables))
    store.record_audit("release", object_type="release", object_id=period,
                       details={"formats": wanted, "files": [p.name for p in files],
                                "suppressed": sum(1 for t in tables for _, _, cells in t.rows for c in cells if c.flag)})
    return files


def latest_period(store: Store) -> str | None:
    return latest_complete_period(store)
