"""`--mapping MAP.yaml`: say what a column (or row label) means when recognition cannot, and
`--suggest-mapping`: write such a file for a table, pre-filled with what was recognised.

Format:

    # qinggong 导入映射
    series:
      "中国:工业增加值:规模以上工业企业:高技术产业:当月同比":   # the label exactly as in the file
        indicator: VA          # codes (or names: 工业增加值)
        industry: _T
        measure: YOY_M
        unit: PCT              # the unit the file's numbers are in; converted to the canonical unit
        region: "000000"
        product: _Z
        variant: jan_feb_merged   # optional: a 1-2月合并 column
      "中国:工业增加值:规模以上工业企业:国有及国有控股企业:当月同比":
        skip: true             # do not import, and do not list as unrecognised

A mapped label is taken as given: the mapping wins over recognition.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import yaml

from qinggong.errors import InputError

FIELDS = ("indicator", "industry", "region", "product", "measure", "unit", "variant", "skip", "dataflow", "freq")
VARIANTS = (None, "jan_feb_merged", "jan_feb_split")


@dataclass
class Mapping:
    path: str
    series: dict[str, dict[str, Any]]


def load_mapping(path: str | Path) -> Mapping:
    path = Path(path)
    if not path.is_file():
        raise InputError("映射文件不存在", file=str(path))
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(f"映射文件不是有效的 YAML：{getattr(exc, 'problem', exc)}", file=path.name,
                         row=mark.line + 1 if mark else None) from exc
    series = data.get("series") if isinstance(data, dict) else None
    if not isinstance(series, dict):
        raise InputError("映射文件应有顶层键 series：每个列名（序列名称）对应一组维度", file=path.name)
    clean: dict[str, dict[str, Any]] = {}
    for label, spec in series.items():
        if spec is None:
            continue  # an entry left empty in a suggested file: not mapped
        if not isinstance(spec, dict):
            raise InputError(f"“{label}”的映射应为键值对（indicator、industry、measure……）", file=path.name, field=str(label))
        unknown = set(spec) - set(FIELDS)
        if unknown:
            raise InputError(f"“{label}”含未知字段 {', '.join(sorted(unknown))}（可用 {', '.join(FIELDS)}）",
                             file=path.name, field=str(label))
        if spec.get("variant") not in VARIANTS:
            raise InputError(f"“{label}”的 variant 只能是 jan_feb_merged 或 jan_feb_split", file=path.name, field=str(label))
        if not spec.get("skip") and not spec.get("indicator"):
            continue  # still to be filled in
        clean[str(label).strip()] = {k: (str(v) if v is not None and k not in ("skip",) else v) for k, v in spec.items()}
    return Mapping(str(path), clean)


def apply_mapping(mapping: Mapping | None, series_row: dict) -> dict | None:
    if mapping is None:
        return None
    label = str(series_row.get("label") or "").strip()
    spec = mapping.series.get(label)
    if spec is None:
        return None
    result = dict(spec)
    if "region" not in result and series_row.get("region_text"):
        result["region"] = series_row["region_text"]
    if "unit" not in result and series_row.get("unit_text"):
        result["unit"] = series_row["unit_text"]
    return result


def suggest_mapping(paths: Iterable[str | Path], *, format: str = "auto") -> str:
    """YAML text mapping every series label of the files: recognised ones filled in, the others
    left empty with the reason in a comment, for the analyst to complete."""
    from qinggong.ingest import detect
    from qinggong.ingest.service import recognise_series
    from qinggong.ingest.tabular import read_sheets

    lines = ["# qinggong 导入映射：为每个序列名称填写维度代码；留空的条目不生效。",
             "# 字段：indicator 指标、industry 行业、region 地区、product 产品、measure 计量方式、unit 单位、",
             "#       variant（jan_feb_merged 表示1-2月合并列）、skip: true 表示不导入。",
             "series:"]
    seen: set[str] = set()
    for path in paths:
        sheets, _ = read_sheets(path)
        for sheet in sheets:
            table = detect.read_table(sheet, format)
            rec = recognise_series(table, None)
            lines.append(f"  # —— {Path(path).name}{'（工作表 ' + sheet.name + '）' if sheet.name else ''}")
            for r in rec.itertuples():
                label = str(r.label or "").strip()
                if not label or label in seen:
                    continue
                seen.add(label)
                quoted = yaml.safe_dump(label, allow_unicode=True, default_style='"').strip()
                if r.ok:
                    lines.append(f"  {quoted}:")
                    for k in ("indicator", "industry", "region", "product", "measure", "unit"):
                        lines.append(f"    {k}: {yaml.safe_dump(getattr(r, k), allow_unicode=True, default_style=chr(34)).strip()}")
                    if r.variant:
                        lines.append(f"    variant: {r.variant}")
                else:
                    lines.append(f"  # 未识别：{r.reason}")
                    lines.append(f"  {quoted}:")
    return "\n".join(lines) + "\n"
