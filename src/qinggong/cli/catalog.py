"""`qinggong catalog …`: list the reference catalogs (industries, regions, indicators, products, scope)."""

from __future__ import annotations

from typing import Annotated, Any, Optional

import pandas as pd
import typer

from qinggong import catalog
from qinggong.cli.common import JsonOption, emit_json, emit_table
from qinggong.errors import QinggongError

app = typer.Typer(help="参考目录：行业、地区、指标、产品", no_args_is_help=True, add_completion=False)


def register(root: typer.Typer) -> None:
    """Mount this sub-app as `qinggong catalog` (called by cli.main)."""
    root.add_typer(app, name="catalog")


def _joined(values: Any) -> str:
    return "、".join(str(v) for v in values) if values else ""


@app.command("industries")
def industries_command(
    light_only: Annotated[bool, typer.Option("--light-only", help="只列出属于轻工业口径的行业")] = False,
    level: Annotated[
        Optional[str],
        typer.Option("--level", help="只列出某一层级：门类、大类、中类或小类"),
    ] = None,
    include_uncertain: Annotated[
        bool, typer.Option("--include-uncertain", help="把尚未确认（uncertain）的代码也算作轻工业")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """列出 GB/T 4754-2017 国民经济行业分类代码（门类、大类、中类、小类）。"""
    if level is not None and level not in catalog.LEVELS:
        raise QinggongError(f"--level 必须是 {'、'.join(catalog.LEVELS)} 之一，收到：{level}")
    scope = catalog.light_scope()
    frame = catalog.industries()
    if include_uncertain:
        frame["light"] = [scope.is_light(code, include_uncertain=True) for code in frame["code"]]
    if light_only:
        frame = frame[frame["light"]]
    if level is not None:
        frame = frame[frame["level"] == level]
    # every sector lies inside the scope, so only light codes can have one
    frame = frame.assign(
        sector=[_sector_id(scope, code) if light else None for code, light in zip(frame["code"], frame["light"])]
    )
    if as_json:
        emit_json(frame[["code", "name", "level", "parent", "section", "light", "sector"]])
        return
    frame = frame.assign(light=frame["light"].map({True: "是", False: ""}))
    emit_table(
        frame,
        {"code": "代码", "name": "名称", "level": "层级", "parent": "上级", "light": "轻工", "sector": "细分行业"},
        title=f"GB/T 4754-2017 行业（{len(frame)} 个）",
    )


def _sector_id(scope: catalog.LightScope, code: str) -> Optional[str]:
    sector = scope.sector_for(code)
    return sector.id if sector is not None else None


@app.command("regions")
def regions_command(as_json: JsonOption = False) -> None:
    """列出地区代码（GB/T 2260）：全国和 31 个省级行政区。"""
    frame = catalog.regions()
    if as_json:
        emit_json(frame)
        return
    emit_table(frame, {"code": "代码", "name": "名称", "short_name": "简称", "level": "层级"}, title="地区")


@app.command("indicators")
def indicators_command(as_json: JsonOption = False) -> None:
    """列出指标：代码、名称、单位、类型、发布口径、汇总方式和 1 月处理规则。"""
    frame = catalog.indicators()
    if as_json:
        emit_json(frame)
        return
    shown = frame.assign(aliases=frame["aliases"].map(_joined), measures=frame["measures"].map(_joined))
    emit_table(
        shown,
        {
            "code": "代码",
            "name": "名称",
            "unit": "单位",
            "kind": "类型",
            "measures": "发布口径",
            "aggregation": "汇总",
            "january": "1月",
            "aliases": "别名",
        },
        title="指标",
    )


@app.command("products")
def products_command(
    kind: Annotated[
        Optional[str],
        typer.Option("--kind", help="只列出一类：industrial_product（工业产品）或 retail_class（零售商品类别）"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """列出产品：主要工业产品（含单位、所属行业）和限额以上商品零售类别。"""
    if kind is not None and kind not in ("industrial_product", "retail_class"):
        raise QinggongError(f"--kind 必须是 industrial_product 或 retail_class，收到：{kind}")
    frame = catalog.products(kind)
    if as_json:
        emit_json(frame)
        return
    shown = frame.assign(
        light=[_light_mark(row) for row in frame.to_dict(orient="records")],
        unit=frame["unit"].map(lambda code: catalog.unit(code).name if isinstance(code, str) else ""),
    )
    emit_table(
        shown,
        {"code": "代码", "name": "名称", "kind": "类型", "unit": "单位", "gbt4754": "行业代码", "light": "轻工"},
        title="产品与商品类别",
    )


def _light_mark(row: dict[str, Any]) -> str:
    value = row["light"] if row["kind"] == "industrial_product" else row["light_retail"]
    if value is True:
        return "是" if row["kind"] == "industrial_product" else f"是（{row['light_retail_certainty']}）"
    if value is False:
        return ""
    return "未知"


@app.command("scope")
def scope_command(
    codes: Annotated[bool, typer.Option("--codes", help="列出构成轻工业的全部行业代码及确定程度，而不是细分行业")] = False,
    as_json: JsonOption = False,
) -> None:
    """列出轻工业口径：细分行业（默认），或构成轻工业的行业代码（--codes）。"""
    scope = catalog.light_scope()
    if codes:
        rows = [
            {"code": c.code, "name": c.name, "item": c.item, "certainty": c.certainty, "note": c.note}
            for c in scope.codes
        ]
        if as_json:
            emit_json(rows)
            return
        emit_table(
            rows,
            {"code": "代码", "name": "名称", "item": "CNLIF类别", "certainty": "确定程度", "note": "说明"},
            title=f"轻工业口径（版本 {scope.version}）",
        )
        return
    sectors = [
        {
            "id": s.id,
            "name": s.name,
            "series_code": s.series_code,
            "codes": list(s.codes),
            "certainty": s.certainty,
            "key_industries": list(s.key_industries),
            "note": s.note,
        }
        for s in scope.sectors
    ]
    if as_json:
        emit_json(sectors)
        return
    emit_table(
        pd.DataFrame(sectors).assign(
            codes=lambda f: f["codes"].map(_joined), key_industries=lambda f: f["key_industries"].map(_joined)
        ),
        {
            "id": "标识",
            "name": "名称",
            "series_code": "序列代码",
            "codes": "行业代码",
            "certainty": "确定程度",
            "key_industries": "重点行业",
        },
        title=f"轻工细分行业（版本 {scope.version}）",
    )
