"""Run the benchmarks: `python -m benchmarks` for all, `python -m benchmarks import_files` for one."""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from pathlib import Path

import benchmarks


def main(argv: list[str]) -> int:
    names = sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_"))
    wanted = [a if a.startswith("bench_") else f"bench_{a}" for a in argv] or names
    unknown = sorted(set(wanted) - set(names))
    if unknown:
        print(f"未知的基准测试：{', '.join(unknown)}；可选：{', '.join(names)}", file=sys.stderr)
        return 2
    results_dir = Path(__file__).parent / "results"
    results_dir.mkdir(exist_ok=True)
    for name in wanted:
        print(f"== {name}", flush=True)
        figures = importlib.import_module(f"benchmarks.{name}").run()
        print(json.dumps(figures, ensure_ascii=False, indent=2), flush=True)
        (results_dir / f"{name}.json").write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
