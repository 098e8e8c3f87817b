"""Demo step: derive indicators from the imported official series and save a summary."""

from __future__ import annotations

import json
from pathlib import Path

from qinggong.compute.service import compute
from qinggong.demo import DemoContext, DemoStep


def run_compute(context: DemoContext) -> list[Path]:
    listing = context.store.list_series(dataflow="OFFICIAL")
    if listing.empty:
        context.log("指标计算：库中还没有官方统计序列（导入步骤未运行），跳过")
        return []
    report = compute(context.store)
    folder = context.out_dir / "compute"
    folder.mkdir(parents=True, exist_ok=True)
    summary = folder / "指标计算报告.json"
    summary.write_text(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    context.shared["compute_report"] = report
    methods = "、".join(f"{m} {n} 个" for m, n in report.seasonal_methods.items()) or "无"
    context.log(
        f"指标计算：读取 {report.series_read} 个序列，写入 {len(report.series_written)} 个派生序列，"
        f"新增 {report.new_observations} 条观测；季节调整 {methods}"
    )
    return [summary]


STEP = DemoStep(order=30, title="指标计算", run=run_compute)
