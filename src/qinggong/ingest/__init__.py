"""Ingest: reading the statistics tables analysts download, and writing them back out.

Owns one reader per layout — `nbs` (data.stats.gov.cn exports: 指标 × 月份, 月份 × 指标, 分省,
single-period cross-sections, with 数据库/指标/时间 header lines and 注/数据来源 footnotes), `wide`
(terminal sheets from Wind, CEIdata, iFinD, Choice: one series per column), `long` (one
observation per row) and `sdmx` (SDMX-CSV 1.0 and 2.0) — on top of `tabular` (CSV in UTF-8/BOM/
GBK/GB18030, XLSX and XLS through calamine, garbage detection) and `periods`; `recognize` (labels →
series dimensions through `qinggong.catalog.names`, measures, units), `mapping` (--mapping and
--suggest-mapping), `service` (`import_files`: one transaction per import, conventions for zero
fills, January, 1-2月合并, derived 当月值, unit conversion, audit; every rejected cell reported) and
`export` (CSV, XLSX, SDMX-CSV). Conventions are configuration: `conventions.yaml`.
"""

from qinggong.ingest.export import EXPORT_FORMATS, export_observations
from qinggong.ingest.mapping import load_mapping, suggest_mapping
from qinggong.ingest.service import FileReport, ImportReport, import_files, read_files

__all__ = [
    "EXPORT_FORMATS",
    "FileReport",
    "ImportReport",
    "export_observations",
    "import_files",
    "load_mapping",
    "read_files",
    "suggest_mapping",
]
