"""The plan as reference data: the shipped YAML (version 1) and its edits, kept as versions in the store.

`current_plan(store)` is the latest stored version, or the shipped file when nothing is stored yet.
`ensure_plan(store)` stores the shipped file as the first version (a write, audited). Edits
(`update_task`) add a whole new version, so every earlier state stays readable (`plan_versions`).
"""

from __future__ import annotations

import copy
import hashlib
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from qinggong.errors import InputError, QinggongError
from qinggong.plan.common import actor_or_default, dumps, loads, now
from qinggong.store import Store

PLAN_FILE = "work_plan_2025_2026.yaml"


def plan_file() -> Path:
    return Path(str(resources.files("qinggong.plan") / "data" / PLAN_FILE))


def _normalise(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def read_plan_file(path: str | Path | None = None) -> dict[str, Any]:
    target = Path(path) if path else plan_file()
    try:
        with open(target, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except OSError as exc:
        raise QinggongError(f"无法读取工作方案文件“{target}”：{exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise InputError(f"工作方案文件不是合法的 YAML：{exc}", file=str(target)) from exc
    plan = _normalise(data)
    _check_plan(plan, str(target))
    return plan


def _check_plan(plan: dict[str, Any], where: str) -> None:
    for key in ("plan_id", "title", "areas", "safeguards", "targets"):
        if key not in plan:
            raise InputError(f"工作方案缺少“{key}”", file=where, field=key)
    seen: set[str] = set()
    for area in plan["areas"]:
        for task in area.get("tasks", []):
            if task["id"] in seen:
                raise InputError(f"任务编号“{task['id']}”重复", file=where, field="tasks")
            seen.add(task["id"])
            if not task.get("measures"):
                raise InputError(f"任务“{task['title']}”没有措施", file=where, field=task["id"])


def _hash(plan: dict[str, Any]) -> str:
    return hashlib.sha256(dumps(plan).encode("utf-8")).hexdigest()


def _latest_row(store: Store) -> tuple | None:
    return store.backend.fetchone(
        "SELECT version_id, content, created_at, actor, change_note FROM plan_version ORDER BY version_id DESC LIMIT 1"
    )


def current_plan(store: Store | None = None) -> dict[str, Any]:
    """The plan in force: the latest stored version, else the shipped file (version_id None)."""
    if store is not None:
        row = _latest_row(store)
        if row:
            plan = loads(row[1])
            plan["version_id"] = int(row[0])
            return plan
    plan = read_plan_file()
    plan["version_id"] = None
    return plan


def ensure_plan(store: Store, *, actor: str | None = None) -> dict[str, Any]:
    """Store the shipped plan as the first version if the store holds none; return the plan in force."""
    with store.transaction():
        if _latest_row(store) is None:
            plan = read_plan_file()
            _insert_version(store, plan, source=f"qinggong/plan/data/{PLAN_FILE}", note="初始版本（随系统发布的工作方案）", actor=actor)
    return current_plan(store)


def _insert_version(store: Store, plan: dict[str, Any], *, source: str, note: str, actor: str | None) -> int:
    content = {k: v for k, v in plan.items() if k != "version_id"}
    version_id = int(store.backend.scalar("SELECT nextval('plan_version_seq')"))
    who = actor_or_default(actor)
    store.backend.execute(
        "INSERT INTO plan_version (version_id, plan_id, created_at, actor, source, change_note, content, content_hash)"
        " VALUES (?,?,?,?,?,?,?,?)",
        [version_id, content["plan_id"], now(), who, source, note, dumps(content), _hash(content)],
    )
    store.record_audit(
        "plan.version",
        object_type="plan_version",
        object_id=str(version_id),
        details={"plan_id": content["plan_id"], "note": note, "source": source},
        actor=who,
    )
    return version_id


def plan_versions(store: Store) -> pd.DataFrame:
    frame = store.backend.fetch_df(
        "SELECT version_id, plan_id, created_at, actor, source, change_note, content_hash FROM plan_version ORDER BY version_id"
    )
    return frame


def plan_version(store: Store, version_id: int) -> dict[str, Any]:
    row = store.backend.fetchone("SELECT content FROM plan_version WHERE version_id = ?", [int(version_id)])
    if row is None:
        raise QinggongError(f"工作方案版本 {version_id} 不存在")
    plan = loads(row[0])
    plan["version_id"] = int(version_id)
    return plan


def iter_tasks(plan: dict[str, Any]):
    for area in plan["areas"]:
        for task in area["tasks"]:
            yield area, task


def find_task(plan: dict[str, Any], task_id: str, *, field: str = "任务") -> dict[str, Any]:
    wanted = str(task_id).strip()
    for _area, task in iter_tasks(plan):
        if task["id"] == wanted or task["title"] == wanted:
            return task
    for safeguard in plan["safeguards"]:
        if safeguard["id"] == wanted or safeguard["title"] == wanted:
            return safeguard
    raise InputError(f"工作方案中没有任务“{wanted}”（任务编号为 T01—T15，保障措施为 S1—S3）", field=field)


def list_tasks(store: Store | None = None, *, plan: dict[str, Any] | None = None) -> pd.DataFrame:
    """One row per task: area, number, title, the measures (text's wording), lead and co units."""
    plan = plan or current_plan(store)
    rows = []
    for number, (area, task) in enumerate(iter_tasks(plan), start=1):
        units = task.get("units") or {}
        rows.append(
            {
                "task_id": task["id"],
                "number": number,
                "area_id": area["id"],
                "area": area["name"],
                "section": area.get("section"),
                "title": task["title"],
                "measures": list(task["measures"]),
                "measure_count": len(task["measures"]),
                "lead_units": list(units.get("lead") or []),
                "co_units": list(units.get("co") or []),
                "units_assumption": bool(units.get("assumption", True)),
                "registries": list(task.get("registries") or []),
            }
        )
    return pd.DataFrame(rows)


def list_safeguards(store: Store | None = None, *, plan: dict[str, Any] | None = None) -> pd.DataFrame:
    plan = plan or current_plan(store)
    rows = []
    for item in plan["safeguards"]:
        units = item.get("units") or {}
        rows.append(
            {
                "safeguard_id": item["id"],
                "title": item["title"],
                "measures": list(item["measures"]),
                "lead_units": list(units.get("lead") or []),
                "co_units": list(units.get("co") or []),
                "units_assumption": bool(units.get("assumption", True)),
            }
        )
    return pd.DataFrame(rows)


def list_targets(store: Store | None = None, *, plan: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    plan = plan or current_plan(store)
    return [dict(t) for t in plan["targets"]]


def _unit_list(value: Any, field: str) -> list[str]:
    if isinstance(value, str):
        value = [part for part in value.replace("，", ",").replace("、", ",").split(",")]
    if not isinstance(value, (list, tuple)):
        raise InputError("单位应为名称列表，多个单位用逗号或顿号分隔", field=field)
    names = [str(v).strip() for v in value if str(v).strip()]
    return names


def update_task(
    store: Store,
    task_id: str,
    *,
    lead: list[str] | str | None = None,
    co: list[str] | str | None = None,
    measures: list[str] | None = None,
    assumption: bool | None = None,
    note: str,
    actor: str | None = None,
) -> dict[str, Any]:
    """Edit a task's (or safeguard's) responsible units or measures; stores a new plan version.

    Setting units without `assumption=True` marks them as confirmed (no longer an assumption).
    """
    if not note or not str(note).strip():
        raise InputError("修改工作方案须说明修改依据", field="修改说明")
    with store.transaction():
        plan = ensure_plan(store, actor=actor)
        new = copy.deepcopy(plan)
        task = find_task(new, task_id)
        units = task.setdefault("units", {"lead": [], "co": [], "assumption": True})
        changed: dict[str, Any] = {}
        if lead is not None:
            names = _unit_list(lead, "牵头单位")
            if not names:
                raise InputError("牵头单位不能为空", field="牵头单位")
            changed["lead"] = {"old": units.get("lead"), "new": names}
            units["lead"] = names
        if co is not None:
            names = _unit_list(co, "参与单位")
            changed["co"] = {"old": units.get("co"), "new": names}
            units["co"] = names
        if measures is not None:
            texts = [str(m).strip() for m in measures if str(m).strip()]
            if not texts:
                raise InputError("措施不能为空", field="措施")
            changed["measures"] = {"old": task["measures"], "new": texts}
            task["measures"] = texts
        if lead is not None or co is not None or assumption is not None:
            flag = bool(assumption) if assumption is not None else False
            changed["assumption"] = {"old": units.get("assumption", True), "new": flag}
            units["assumption"] = flag
        if not changed:
            raise InputError("没有给出要修改的内容（牵头单位、参与单位或措施）", field="修改内容")
        version_id = _insert_version(store, new, source="edit", note=str(note).strip(), actor=actor)
        store.record_audit(
            "plan.task.update",
            object_type="plan_task",
            object_id=task["id"],
            details={"version_id": version_id, "changes": changed, "note": note},
            actor=actor_or_default(actor),
        )
    return current_plan(store)
