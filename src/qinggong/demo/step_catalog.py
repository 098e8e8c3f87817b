"""Demo step: write the reference catalogs the demo uses (light-industry scope first)."""

from __future__ import annotations

import json
from pathlib import Path

from qinggong import catalog
from qinggong.demo import DemoContext, DemoStep


def write_catalogs(context: DemoContext) -> list[Path]:
    folder = context.out_dir / "catalog"
    folder.mkdir(parents=True, exist_ok=True)
    industries = catalog.industries()
    light = industries[industries["light"]]
    light_csv = folder / "轻工业行业范围.csv"
    light.to_csv(light_csv, index=False, encoding="utf-8-sig")
    scope = catalog.light_scope()
    sectors_json = folder / "轻工业细分行业.json"
    sectors_json.write_text(
        json.dumps(
            {
                "version": scope.version,
                "source": scope.source,
                "sectors": [
                    {"id": s.id, "name": s.name, "codes": list(s.codes), "series_code": s.series_code, "certainty": s.certainty}
                    for s in scope.sectors
                ],
            },
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )
    context.log(f"轻工业范围：{len(light)} 个行业代码，{len(scope.sectors)} 个细分行业")
    return [light_csv, sectors_json]


STEP = DemoStep(order=10, title="参考目录", run=write_catalogs)
