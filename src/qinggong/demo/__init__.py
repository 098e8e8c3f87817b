"""The demo: shipped real figures and generated microdata, run through every stage.

`run_demo` opens (or creates) the demo store, then runs the steps listed in `STEP_MODULES` in
order; each step is a module of this package exposing `STEP = DemoStep(...)`. Later stages add
their step module to the list; `make demo` stays the same command.
"""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from qinggong.store import Store

STEP_MODULES = [
    "qinggong.demo.step_catalog",
    "qinggong.demo.step_plan",
    "qinggong.demo.step_compute",
    "qinggong.demo.step_official",
    "qinggong.demo.step_monitor",
    "qinggong.demo.step_report",
    "qinggong.demo.step_enterprise",
    "qinggong.demo.step_web",
]


@dataclass
class DemoContext:
    store: Store
    out_dir: Path
    db_url: str
    log: Callable[[str], None]
    shared: dict = field(default_factory=dict)  # results a later step may use


@dataclass
class DemoStep:
    order: int
    title: str
    run: Callable[[DemoContext], list[Path]]


@dataclass
class StepResult:
    title: str
    files: list[Path]
    seconds: float


def steps() -> list[DemoStep]:
    found = [importlib.import_module(name).STEP for name in STEP_MODULES]
    return sorted(found, key=lambda step: step.order)


def run_demo(
    out_dir: Path,
    *,
    db: str | None = None,
    log: Callable[[str], None] = print,
    on_step: Callable[[DemoStep], None] | None = None,
) -> list[StepResult]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    db_url = db or str(out_dir / "qinggong.duckdb")
    if db is None:
        # The demo's own store is an output like the others: a re-run rebuilds it (its generated
        # enterprise reports would otherwise be refused as duplicates of the last run's).
        previous = [p for p in (Path(db_url), Path(db_url + ".wal")) if p.exists()]
        if previous:
            for path in previous:
                path.unlink()
            log(f"重新生成演示数据库：已删除上次运行的 {db_url}")
    results = []
    with Store.open(db_url) as store:
        context = DemoContext(store=store, out_dir=out_dir, db_url=db_url, log=log)
        for step in steps():
            if on_step:
                on_step(step)
            started = time.perf_counter()
            files = step.run(context)
            results.append(StepResult(step.title, files, time.perf_counter() - started))
    return results
