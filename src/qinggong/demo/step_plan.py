"""Demo step: plan dispatch data — a closed round with provinces on time, late and missing, an open
round, nominations, clusters with revenue series, mandatory standards. Everything here is GENERATED
and ILLUSTRATIVE (演示数据，非真实): names say so, numbers come from a seeded random generator.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from openpyxl import Workbook

from qinggong import plan
from qinggong.demo import DemoContext, DemoStep
from qinggong.plan.common import dumps

DEMO = "（演示）"
PROVINCES = ["浙江省", "广东省", "福建省", "江苏省", "山东省", "河北省", "四川省", "江西省"]
SECTORS = ["家具", "家电", "皮革制鞋", "五金制品", "陶瓷", "造纸", "塑料制品", "照明电器", "眼镜", "文教体育用品", "食品", "钟表"]
STANDARDS = ["玩具安全", "儿童手表", "智能锁具", "家用燃气灶具", "电动自行车用锂离子电池", "婴童用品安全", "家具有害物质限量",
             "一次性卫生用品", "燃气热水器能效", "儿童学生用品安全"]


def _clusters_xlsx(path: Path, rng: np.random.Generator) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "特色产业产区"
    sheet.append(["产区名称", "地区", "行业", "批次", "年份", "营业收入", "单位"])
    for index, sector in enumerate(SECTORS):
        province = PROVINCES[index % len(PROVINCES)]
        start = float(rng.uniform(380, 950))
        growth = float(rng.uniform(-0.01, 0.12))
        for year in range(2018, 2025):
            value = start * (1 + growth) ** (year - 2018) * float(np.exp(rng.normal(0, 0.025)))
            # one cluster reports in 万元, as provinces sometimes do: the import converts it to 亿元
            unit, shown = ("万元", round(value * 1e4)) if index == 3 else ("亿元", round(value, 1))
            sheet.append([f"演示产区{index + 1:02d}（{sector}）", province, sector, "第一批" if index < 6 else "第二批", year, shown, unit])
    book.save(path)


def _nominations_xlsx(path: Path, rng: np.random.Generator) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "推荐名单"
    sheet.append(["产品名称", "企业", "类别", "地区", "推荐方式", "推荐单位", "批次", "名录"])
    categories = ["智能家居", "适老化用品", "婴童用品", "体育休闲用品", "健康护理用品", "智能家电"]
    kinds = [("协会", "中国轻工业联合会（演示）"), ("省份", None), ("企业", None)]
    for i in range(120):
        kind, nominator = kinds[int(rng.integers(0, 3))]
        province = PROVINCES[int(rng.integers(0, len(PROVINCES)))]
        registry = "中国消费名品方阵" if i % 6 == 5 else "升级和创新消费品指南"
        sheet.append([f"演示产品{i + 1:03d}", f"演示企业{i + 1:03d}有限公司", categories[i % len(categories)], province, kind,
                      nominator or (province if kind == "省份" else None), "2025年第一批" if i < 70 else "2025年第二批", registry])
    book.save(path)


def run(context: DemoContext) -> list[Path]:
    store, rng = context.store, np.random.default_rng(2025)
    folder = context.out_dir / "plan"
    folder.mkdir(parents=True, exist_ok=True)
    actor = "演示：部调度员"
    plan.ensure_plan(store, actor=actor)
    rounds = plan.list_rounds(store)
    if rounds["title"].str.contains("演示").any():  # the demo store already has its dispatch data
        context.log("调度演示数据已存在，跳过生成")
        return _write_status(context, folder, [])

    # ---- a closed round (October) and an open one (November); dates are fixed so the demo is repeatable
    opened = datetime(2025, 10, 31, 1, 0)
    october = plan.open_round(store, title=f"2025年10月轻工业稳增长工作调度{DEMO}", period="2025-10", deadline="2025-11-10",
                              reporters=PROVINCES[:6] + ["中国轻工业联合会"], task_ids=["T03", "T05", "T12", "T14"],
                              fields=["进展状态", "进展情况"], kpis=["新增推广升级和创新产品数", "新增智能工厂数"], at=opened, actor=actor)
    deadline = october["deadline"]
    statuses = ["按进度推进", "按进度推进", "已完成", "进度滞后"]
    for index, reporter in enumerate(october["reporters"]):
        if index == 5:
            continue  # never reports: 未报送
        late_hours = 40 if index in (3, 4) else -48 + index  # two report after the deadline
        for task_index, task in enumerate(october["task_ids"]):
            if index == 4 and task_index == 3:
                continue  # one reports only part of its tasks: 部分报送
            when = deadline + timedelta(hours=late_hours + task_index)
            sub = plan.submit_progress(
                store, october["round_id"], reporter["code"], task,
                task_status=statuses[int(rng.integers(0, len(statuses)))],
                narrative=f"{reporter['name']}关于{task}的进展情况{DEMO}：已部署相关工作，组织重点企业对接。",
                kpis={"新增推广升级和创新产品数": int(rng.integers(0, 12)), "新增智能工厂数": int(rng.integers(0, 4))},
                items=[f"{reporter['name']}{task}佐证材料（演示）.pdf"], at=when, actor=f"演示：{reporter['name']}")
            decision = "通过" if rng.random() > 0.2 else "退回"
            plan.review_submission(store, sub["submission_id"], decision=decision,
                                   comment=None if decision == "通过" else "请补充量化指标口径说明（演示）",
                                   at=when + timedelta(days=1), actor="演示：部审核员")
    plan.close_round(store, october["round_id"], at=deadline + timedelta(days=5), actor=actor)
    november = plan.open_round(store, title=f"2025年11月轻工业稳增长工作调度{DEMO}", period="2025-11", deadline="2025-12-10",
                               reporters=PROVINCES[:6], task_ids=["T03", "T12"], at=datetime(2025, 11, 28, 1, 0), actor=actor)
    for reporter in november["reporters"][:2]:
        for task in november["task_ids"]:
            plan.submit_progress(store, november["round_id"], reporter["code"], task, task_status="按进度推进",
                                 narrative=f"{reporter['name']}{task}进展{DEMO}", at=datetime(2025, 12, 2, 3, 0), actor=actor)

    # ---- registries, through the XLSX imports users run
    nominations_file, clusters_file = folder / "演示_推荐名单.xlsx", folder / "演示_特色产业产区.xlsx"
    _nominations_xlsx(nominations_file, rng)
    _clusters_xlsx(clusters_file, rng)
    plan.import_nominations(store, nominations_file, actor=actor)
    plan.import_clusters(store, clusters_file, source="演示数据（随机生成，非真实）", actor=actor)
    pending = plan.list_nominations(store, status="待审核")
    for rec in pending.to_dict(orient="records")[:100]:
        listed = rng.random() > 0.15
        plan.review_nomination(
            store, rec["nomination_id"], decision="入选" if listed else "未入选",
            listed_in=("升级和创新消费品指南（2025年版，演示）" if rec["registry"] == "upgrade_products" else "中国消费名品方阵（演示）") if listed else None,
            comment=None if listed else "创新性说明不足（演示）", at=datetime(2025, 9, 30) if rec["nomination_id"] % 2 else datetime(2025, 6, 30),
            actor="演示：部审核员")
    stages = ["立项", "征求意见", "送审", "报批", "发布", "实施"]
    for index, name in enumerate(STANDARDS):
        std = plan.add_standard(store, name=f"{name}{DEMO}", product=name, lead_unit="市场监管总局（演示）", actor=actor)
        reached = [2, 5, 3, 1, 4, 2, 0, 3, 1, 0][index]
        day = datetime(2024, 3, 1) + timedelta(days=30 * index)
        for stage in stages[: reached + 1]:
            plan.record_standard_stage(store, std["standard_id"], stage, day.date(), actor=actor)
            day += timedelta(days=int(rng.integers(90, 200)))
            if day > datetime(2025, 11, 20):
                break

    late = plan.late_reporters(store, october["round_id"])
    context.log(f"调度：轮次 {october['round_id']} 已关闭，逾期/未报 {len(late)} 个单位（{'、'.join(late['reporter_name'])}）；"
                f"轮次 {november['round_id']} 进行中")
    return _write_status(context, folder, [nominations_file, clusters_file])


def _write_status(context: DemoContext, folder: Path, files: list[Path]) -> list[Path]:
    status = plan.plan_status(context.store, as_of="2025-12-05")
    status_file = folder / "工作方案调度总览.json"
    status_file.write_text(json.dumps(json.loads(dumps({"note": "演示数据：随机生成，非真实", **status})), ensure_ascii=False, indent=2),
                           encoding="utf-8")
    for target in status["targets"]:
        context.log(f"目标 {target['name']}：现值 {target['current']}，预测 {target['projected']:g}"
                    f"（{target['projected_lower']:g}—{target['projected_upper']:g}），{target['status']}")
    context.shared["plan_status"] = status
    return [status_file, *files]


STEP = DemoStep(order=50, title="工作方案调度（演示数据）", run=run)
