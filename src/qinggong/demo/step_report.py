"""Demo step: the operation report for the latest complete month in the demo store, in all
formats, and that month's data release."""

from __future__ import annotations

from pathlib import Path

from qinggong.demo import DemoContext, DemoStep
from qinggong.publish import build_release, build_report, latest_period


def run(context: DemoContext) -> list[Path]:
    period = latest_period(context.store)
    if period is None:
        context.log("库中没有可用于报告的增加值数据：跳过运行报告")
        return []
    folder = context.out_dir / "report"
    files = build_report(context.store, period, "all", folder)
    files += build_release(context.store, period, "all", folder)
    context.log(f"运行报告与数据发布（{period}）：{len(files)} 个文件")
    return files


STEP = DemoStep(order=80, title="运行报告与数据发布", run=run)
