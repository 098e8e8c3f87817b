"""XLSX imports for the registries: nominations (升级和创新消费品 / 中国消费名品方阵) and clusters
with their annual revenue. A file lands whole or not at all; the first bad cell is reported with
file, sheet, row (as Excel numbers it) and column.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from qinggong.errors import InputError
from qinggong.plan.common import blank, clean_text
from qinggong.plan.registries import (
    _check_cluster,
    _check_nomination,
    _check_year,
    _insert_nominations,
    _insert_revenues,
    _upsert_clusters,
    revenue_in_100m,
)
from qinggong.store import Store

NOMINATION_COLUMNS = {
    "产品名称": ["产品名称", "产品", "名称", "推荐产品"],
    "企业": ["企业", "企业名称", "生产企业", "申报企业"],
    "类别": ["类别", "产品类别", "品类"],
    "地区": ["地区", "省份", "所在地区", "所在省份"],
    "推荐方式": ["推荐方式", "推荐类型", "推荐渠道"],
    "推荐单位": ["推荐单位", "推荐机构"],
    "批次": ["批次"],
    "名录": ["名录", "推荐名录", "申报名录"],
}
CLUSTER_COLUMNS = {
    "产区名称": ["产区名称", "产区", "特色产业产区", "名称"],
    "产区代码": ["产区代码", "代码"],
    "地区": ["地区", "省份", "所在地区"],
    "行业": ["行业", "所属行业", "产业"],
    "批次": ["批次"],
    "年份": ["年份", "年度"],
    "营业收入": ["营业收入", "营业收入总额", "规模", "产值"],
    "单位": ["单位", "计量单位"],
}
_UNIT_IN_HEADER = re.compile(r"^(?P<name>[^（(]+)[（(](?P<unit>[^）)]+)[）)]\s*$")
_YEAR_HEADER = re.compile(r"^(?P<year>(19|20)\d{2})\s*年?(?:[（(](?P<unit>[^）)]+)[）)])?$")


def _read_sheet(path: str | Path, sheet: str | None) -> tuple[str, list[str], list[tuple[int, list[Any]]], str]:
    from openpyxl import load_workbook

    file = Path(path)
    if not file.is_file():
        raise InputError("文件不存在", file=str(file))
    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for non-XLSX content
        raise InputError(f"无法读取 XLSX 文件：{exc}", file=file.name) from exc
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise InputError(f"没有名为“{sheet}”的工作表（现有：{'、'.join(book.sheetnames)}）", file=file.name)
        ws = book[sheet] if sheet else book.worksheets[0]
        rows = [(index, list(values)) for index, values in enumerate(ws.iter_rows(values_only=True), start=1)]
        title = ws.title
    finally:
        book.close()
    rows = [(i, r) for i, r in rows if any(not blank(v) for v in r)]
    if not rows:
        raise InputError("工作表为空", file=file.name, sheet=title)
    header_row, header = rows[0]
    names = [clean_text(h) or "" for h in header]
    checksum = hashlib.sha256(file.read_bytes()).hexdigest()
    return title, names, rows[1:], checksum


def _map_columns(names: list[str], spec: dict[str, list[str]]) -> dict[str, tuple[int, str, str | None]]:
    """Field → (column index, header as written, unit given in the header)."""
    found: dict[str, tuple[int, str, str | None]] = {}
    for index, header in enumerate(names):
        plain, unit = header, None
        match = _UNIT_IN_HEADER.match(header)
        if match:
            plain, unit = match.group("name").strip(), match.group("unit").strip()
        for field, aliases in spec.items():
            if field not in found and plain in aliases:
                found[field] = (index, header, unit)
                break
    return found


def import_nominations(store: Store, path: str | Path, *, sheet: str | None = None, dry_run: bool = False,
                       actor: str | None = None) -> dict[str, Any]:
    """Import nominations from an XLSX sheet; every row waits for review afterwards."""
    file = Path(path).name
    title, names, rows, checksum = _read_sheet(path, sheet)
    columns = _map_columns(names, NOMINATION_COLUMNS)
    for required in ("产品名称", "企业"):
        if required not in columns:
            raise InputError(f"缺少“{required}”列（可用列名：{'、'.join(NOMINATION_COLUMNS[required])}）", file=file, sheet=title)
    headers = {field: spec[1] for field, spec in columns.items()}
    checked, numbers = [], []
    for number, values in rows:
        fields = {field: values[index] if index < len(values) else None for field, (index, _h, _u) in columns.items()}
        checked.append(_check_nomination(fields, row=number, file=file, columns=headers))
        numbers.append(number)
    if not checked:
        raise InputError("工作表只有表头，没有推荐记录", file=file, sheet=title)
    ids: list[int] = []
    if not dry_run:
        with store.transaction():
            ids = _insert_nominations(store, checked, at=None, actor=actor, source_file=file, row_numbers=numbers)
    return {"file": file, "sheet": title, "checksum": checksum, "rows": len(checked), "nomination_ids": ids, "dry_run": dry_run}


def import_clusters(store: Store, path: str | Path, *, sheet: str | None = None, source: str | None = None,
                    dry_run: bool = False, actor: str | None = None) -> dict[str, Any]:
    """Import clusters and annual revenue from an XLSX sheet, long (年份, 营业收入[, 单位]) or wide
    (one column per year: 2021, 2022年, 2023年（亿元）…). Revenues are converted to 亿元."""
    file = Path(path).name
    title, names, rows, checksum = _read_sheet(path, sheet)
    columns = _map_columns(names, CLUSTER_COLUMNS)
    for required in ("产区名称", "地区", "行业"):
        if required not in columns:
            raise InputError(f"缺少“{required}”列（可用列名：{'、'.join(CLUSTER_COLUMNS[required])}）", file=file, sheet=title)
    year_columns = []
    for index, header in enumerate(names):
        match = _YEAR_HEADER.match(header)
        if match:
            year_columns.append((index, header, int(match.group("year")), match.group("unit")))
    long_format = "年份" in columns and "营业收入" in columns
    if not long_format and not year_columns:
        raise InputError("找不到营业收入：请提供“年份”和“营业收入”列，或每年一列（如 2023年）", file=file, sheet=title)
    headers = {field: spec[1] for field, spec in columns.items()}

    def cell(values: list[Any], index: int) -> Any:
        return values[index] if index < len(values) else None

    found_clusters: dict[str, dict[str, Any]] = {}
    revenues: dict[tuple[str, int], tuple[str, int, float, float, str, int]] = {}
    for number, values in rows:
        fields = {field: cell(values, index) for field, (index, _h, _u) in columns.items()}
        item = _check_cluster(fields, row=number, file=file, columns=headers)
        previous = found_clusters.get(item["cluster_id"])
        if previous and (previous["region"], previous["sector"]) != (item["region"], item["sector"]):
            raise InputError(f"产区“{item['cluster_name']}”在本文件中的地区或行业前后不一致", file=file, row=number,
                             column=headers["地区"])
        found_clusters.setdefault(item["cluster_id"], item)
        entries = []
        if long_format:
            year_index, year_header, _ = columns["年份"]
            value_index, value_header, header_unit = columns["营业收入"]
            if blank(cell(values, year_index)) and blank(cell(values, value_index)):
                continue  # a cluster listed without revenue
            unit = clean_text(cell(values, columns["单位"][0])) if "单位" in columns else None
            year = _check_year(cell(values, year_index), row=number, file=file, column=year_header)
            entries.append((year, cell(values, value_index), unit or header_unit, value_header))
        else:
            unit_col = clean_text(cell(values, columns["单位"][0])) if "单位" in columns else None
            for index, header, year, header_unit in year_columns:
                if blank(cell(values, index)):
                    continue
                entries.append((year, cell(values, index), unit_col or header_unit, header))
        for year, raw, unit, header in entries:
            value, given, given_unit = revenue_in_100m(raw, unit, row=number, file=file, column=header)
            key = (item["cluster_id"], year)
            if key in revenues and abs(revenues[key][2] - value) > 1e-9:
                raise InputError(f"产区“{item['cluster_name']}”{year}年的营业收入在第 {revenues[key][5]} 行已填写为不同数值",
                                 file=file, row=number, column=header)
            revenues[key] = (item["cluster_id"], year, value, given, given_unit, number)
    if not found_clusters:
        raise InputError("工作表只有表头，没有产区记录", file=file, sheet=title)
    added: list[str] = []
    counts = {"new": 0, "revised": 0, "unchanged": 0}
    if not dry_run:
        with store.transaction():
            added = _upsert_clusters(store, list(found_clusters.values()), actor=actor, strict=False, file=file)
            if revenues:
                counts = _insert_revenues(store, [r[:5] for r in revenues.values()], source=source or file, actor=actor, file=file)
    return {"file": file, "sheet": title, "checksum": checksum, "clusters": len(found_clusters), "clusters_added": added,
            "revenue_rows": len(revenues), **{f"revenue_{k}": v for k, v in counts.items()}, "dry_run": dry_run}
