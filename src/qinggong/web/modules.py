"""The stages a page depends on, and whether they are installed in this build.

A page of an area whose stage package is missing shows a clear notice (and the API answers 503)
instead of made-up data.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

STAGES = {
    "ingest": "数据导入模块（qinggong.ingest）",
    "collect": "企业直报模块（qinggong.collect）",
    "monitor": "监测预警模块（qinggong.monitor）",
    "plan": "调度模块（qinggong.plan）",
    "publish": "报告发布模块（qinggong.publish）",
    "disclose": "统计披露控制模块（qinggong.disclose）",
}


class ModuleMissing(Exception):
    def __init__(self, stage: str) -> None:
        self.stage = stage
        self.message = f"{STAGES.get(stage, stage)}尚未安装，本页暂无数据"
        super().__init__(self.message)


def available(stage: str) -> bool:
    """A real package (with its __init__), not a folder still being written."""
    try:
        spec = importlib.util.find_spec(f"qinggong.{stage}")
    except (ImportError, ValueError):
        return False
    return spec is not None and spec.origin is not None


def stage(name: str) -> ModuleType:
    """The stage package, or ModuleMissing."""
    if not available(name):
        raise ModuleMissing(name)
    try:
        return importlib.import_module(f"qinggong.{name}")
    except Exception as exc:  # a stage that fails to import is as good as missing for the web
        raise ModuleMissing(name) from exc


def service(name: str, *functions: str) -> tuple:
    """The named service functions of a stage, or ModuleMissing if any is absent."""
    module = stage(name)
    found = []
    for function in functions:
        target = module
        for part in function.split("."):
            target = getattr(target, part, None)
            if target is None:
                try:
                    target = importlib.import_module(f"qinggong.{name}.{function.rsplit('.', 1)[0]}")
                    target = getattr(target, function.rsplit(".", 1)[1], None)
                except Exception:
                    target = None
                break
        if target is None or not callable(target):
            raise ModuleMissing(name)
        found.append(target)
    return tuple(found)


def status() -> dict[str, dict[str, object]]:
    return {name: {"available": available(name), "name": label} for name, label in STAGES.items()}
