"""Demo step: five-light signals, composite/diffusion indices and warnings for the latest month."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from qinggong.catalog.units import round_significant
from qinggong.demo import DemoContext, DemoStep


def run_monitor(context: DemoContext) -> list[Path]:
    from qinggong.monitor import service
    from qinggong.monitor.panel import load_panel

    panel = load_panel(context.store)
    if panel.last_month is None:
        context.log("监测预警：库中没有 OFFICIAL/ENTERPRISE 月度数据，跳过")
        return []
    period = service.latest_period(context.store)
    # the latest month may be only partly published (Wind leaves cells empty): use the last
    # month for which most light sub-sectors have a value
    from qinggong.monitor.diffusion import sub_sector_series
    from qinggong.monitor.panel import to_period

    subs = sub_sector_series(panel, "VA", "YOY_M")
    if subs:
        ends = sorted(int(s.months[-1]) for s in subs if len(s.months))
        period = to_period(ends[len(ends) // 2])
    folder = context.out_dir / "monitor"
    folder.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []

    signals = service.run_signals(context.store, period)
    path = folder / f"景气信号_{period}.json"
    path.write_text(json.dumps({"period": period, "method": signals.method,
                                "lights": json.loads(signals.lights.to_json(orient="records", force_ascii=False)),
                                "composite": json.loads(signals.composite.to_json(orient="records", force_ascii=False))},
                               ensure_ascii=False, indent=2), encoding="utf-8")
    files.append(path)
    if not signals.composite.empty:
        csv = folder / f"景气信号综合_{period}.csv"
        signals.composite.to_csv(csv, index=False, encoding="utf-8-sig")
        files.append(csv)

    indices = service.run_indices(context.store)
    path = folder / "合成指数与扩散指数.json"
    path.write_text(json.dumps(indices.as_dict(), ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    files.append(path)
    csv = folder / "合成指数.csv"
    table = indices.indices.drop(columns=["month"])
    # Computed indices and growth rates: 10 significant digits are far more than their accuracy,
    # and drop the arithmetic noise (0.799999999999999 → 0.8).
    for column in table.select_dtypes("float").columns:
        table[column] = round_significant(table[column].to_numpy(), 10)
    table.to_csv(csv, index=False, encoding="utf-8-sig")
    files.append(csv)

    run = service.run_warnings(context.store, period, persist=True)
    path = folder / f"预警_{period}.json"
    path.write_text(json.dumps(service.contract(run.alerts), ensure_ascii=False, indent=2), encoding="utf-8")
    files.append(path)
    csv = folder / f"预警_{period}.csv"
    pd.DataFrame(service.contract(run.alerts), columns=service.CONTRACT_FIELDS).to_csv(csv, index=False, encoding="utf-8-sig")
    files.append(csv)
    lights = signals.composite.set_index("industry_code")["light"].to_dict() if not signals.composite.empty else {}
    context.log(
        f"监测预警 {period}：{len(signals.lights)} 个指标信号，轻工业综合信号 {lights.get('LI', '—')}；"
        f"{len(run.alerts)} 条预警（新增 {run.sync['new'] if run.sync else 0}）"
    )
    context.shared["monitor"] = {"period": period, "alerts": len(run.alerts)}
    return files


STEP = DemoStep(order=60, title="监测预警", run=run_monitor)
