"""The work plan: tasks, dispatch rounds, targets, registries, forecasts.

Owns the 《轻工业稳增长工作方案（2025—2026年）》 as versioned reference data (5 areas, 15 tasks with
their measures in the text's own wording, 3 safeguards, goals and quantitative targets, lead and
co-responsible units — an editable assumption where the text names none), the ministry–province
dispatch rounds (调度: open, submit progress per task, review, close, late list), the target
registries (升级和创新消费品 nominations, 中国消费名品方阵, 特色产业产区 with revenue series,
强制性国家标准 with their stages) and the forecasts of attainment at 2026-12-31.

Tables come from store migration 0003_plan.sql; every write records an audit entry. Imports
`qinggong.store`, `qinggong.catalog`, `qinggong.config` and `qinggong.errors` only. Interfaces
(CLI, web, report) call the service functions re-exported here.
"""

from qinggong.plan.reference import (
    current_plan,
    ensure_plan,
    list_safeguards,
    list_targets,
    list_tasks,
    plan_file,
    plan_versions,
    read_plan_file,
    update_task,
)
from qinggong.plan.rounds import (
    close_round,
    get_round,
    late_reporters,
    list_rounds,
    open_round,
    review_submission,
    round_submissions,
    submission_history,
    submit_progress,
    task_status,
)
from qinggong.plan.registries import (
    add_cluster_revenue,
    add_standard,
    cluster_revenue,
    clusters,
    list_nominations,
    nominate_product,
    record_standard_stage,
    register_cluster,
    review_nomination,
    standards,
)
from qinggong.plan.forecast import cluster_forecasts, forecast_crossing
from qinggong.plan.service import plan_status, targets_progress
from qinggong.plan.imports import import_clusters, import_nominations

__all__ = [
    "add_cluster_revenue",
    "add_standard",
    "close_round",
    "cluster_forecasts",
    "cluster_revenue",
    "clusters",
    "current_plan",
    "ensure_plan",
    "forecast_crossing",
    "get_round",
    "import_clusters",
    "import_nominations",
    "late_reporters",
    "list_nominations",
    "list_rounds",
    "list_safeguards",
    "list_targets",
    "list_tasks",
    "nominate_product",
    "open_round",
    "plan_file",
    "plan_status",
    "plan_versions",
    "read_plan_file",
    "record_standard_stage",
    "register_cluster",
    "review_nomination",
    "review_submission",
    "round_submissions",
    "standards",
    "submission_history",
    "submit_progress",
    "targets_progress",
    "task_status",
    "update_task",
]
