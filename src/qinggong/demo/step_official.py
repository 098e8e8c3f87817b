"""Demo step: import the shipped real NBS/Wind/CEIdata tables (demo/data, see PROVENANCE.md)
with the import service, and log what was stored, recognised and left out."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from qinggong.demo import DemoContext, DemoStep
from qinggong.ingest.service import import_files


def data_files() -> list[Path]:
    folder = Path(str(resources.files("qinggong.demo") / "data"))
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".csv", ".xlsx", ".xls"))


def import_official(context: DemoContext) -> list[Path]:
    files = data_files()
    report = import_files(context.store, files, source="演示：真实公开统计数据")
    write = report.write
    context.log(
        f"导入 {len(files)} 个真实数据文件：新序列 {len(write.new_series)} 个，新观测值 {write.new_observations} 个，"
        f"修订 {write.revised_observations} 个，未变 {write.unchanged_observations} 个"
    )
    for f in report.files:
        context.log(
            f"  {f.file}：{f.format}/{f.profile}，{f.observations} 个观测值、{f.series} 个序列"
            f"（缺失 {f.missing}、推算 {f.derived}），未识别 {len(f.unrecognised)} 项，拒收 {len(f.rejected)} 个单元格"
        )
    out = context.out_dir / "import"
    out.mkdir(parents=True, exist_ok=True)
    summary = out / "导入报告.json"
    summary.write_text(json.dumps(report.as_dict(changes=False), ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    context.shared["official_import"] = report
    return [summary]


STEP = DemoStep(order=20, title="导入真实统计数据", run=import_official)
