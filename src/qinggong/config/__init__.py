"""Methods as data: versioned YAML files with documented defaults.

Each method file (`signals.yaml`, `warning_rules.yaml`, `edit_rules.yaml`, `disclosure.yaml`,
`seasonal.yaml`, …) carries `method` and `version`; every output records the versions it
used. A deployment overrides a file by putting one of the same name in `$QINGGONG_CONFIG_DIR`.
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from qinggong.errors import QinggongError


def _override_dir() -> Path | None:
    value = os.environ.get("QINGGONG_CONFIG_DIR")
    return Path(value) if value else None


def config_path(name: str) -> Path:
    filename = name if name.endswith(".yaml") else f"{name}.yaml"
    override = _override_dir()
    if override and (override / filename).is_file():
        return override / filename
    return Path(str(resources.files("qinggong.config") / filename))


@lru_cache(maxsize=64)
def _load(path: str, mtime: float) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    if not isinstance(data, dict) or "version" not in data:
        raise QinggongError(f"方法配置文件“{path}”格式不正确：顶层应为映射并包含 version 字段")
    return data


def load_method(name: str) -> dict[str, Any]:
    """The method configuration `name` (without .yaml), from the override folder or the defaults."""
    path = config_path(name)
    if not path.is_file():
        raise QinggongError(f"找不到方法配置文件“{path.name}”")
    return _load(str(path), path.stat().st_mtime)


def method_version(name: str) -> str:
    data = load_method(name)
    return f"{data.get('method', name)}@{data['version']}"


def available_methods() -> dict[str, str]:
    names = sorted(p.name[:-5] for p in resources.files("qinggong.config").iterdir() if p.name.endswith(".yaml"))
    return {name: method_version(name) for name in names}
