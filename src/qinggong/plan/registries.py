"""Target registries: 升级和创新消费品 and 中国消费名品方阵 nominations, 特色产业产区 with their
annual revenue, 强制性国家标准 with their stages.

Workflows add rows (a nomination's decisions are events, a corrected revenue is a new row, a
standard's stage is a new row); the latest row wins on reads, earlier ones stay as history.
Every write has an audit record.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import pandas as pd

from qinggong.config import load_method
from qinggong.errors import InputError
from qinggong.plan.common import actor_or_default, blank, clean_text, now, parse_date, require_region
from qinggong.store import Store

REGISTRIES = {"upgrade_products": "升级和创新消费品指南", "brand_matrix": "中国消费名品方阵"}
NOMINATOR_TYPES = {"企业": "enterprise", "协会": "association", "行业协会": "association", "省份": "province",
                   "省级主管部门": "province", "enterprise": "enterprise", "association": "association", "province": "province"}
NOMINATOR_LABELS = {"enterprise": "企业自荐", "association": "行业协会推荐", "province": "省级主管部门推荐"}
NOMINATION_STATUS = {"pending": "待审核", "listed": "已入选", "rejected": "未入选"}
DECISIONS = {"入选": "listed", "通过": "listed", "listed": "listed", "未入选": "rejected", "不通过": "rejected", "rejected": "rejected"}
STAGES = ["立项", "征求意见", "送审", "报批", "发布", "实施"]
REVENUE_UNIT = "CNY_100M"


def _registry_code(value: str, **where: Any) -> str:
    text = str(value).strip()
    if text in REGISTRIES:
        return text
    for code, label in REGISTRIES.items():
        if text and (text == label or text in label):
            return code
    where = where or {"field": "名录"}
    raise InputError(f"未知的名录“{text}”，可选：{'、'.join(REGISTRIES.values())}", **where)


# ---------------------------------------------------------------------------------------------- nominations
def _check_nomination(
    fields: dict[str, Any], *, row: int | None = None, file: str | None = None, columns: dict[str, str] | None = None
) -> dict[str, Any]:
    """Validate one nomination; errors name the row and the column (import) or the field (API)."""
    columns = columns or {}

    def where(name: str) -> dict[str, Any]:
        return {"row": row, "file": file, **({"column": columns[name]} if name in columns else {"field": name})}

    out: dict[str, Any] = {}
    registry_value = fields.get("名录")
    out["registry"] = "upgrade_products" if blank(registry_value) else _registry_code(str(registry_value), **where("名录"))
    name = clean_text(fields.get("产品名称"))
    if not name:
        raise InputError("缺少产品名称", **where("产品名称"))
    enterprise = clean_text(fields.get("企业"))
    if not enterprise:
        raise InputError(f"推荐“{name}”缺少企业名称：每项推荐须写明生产企业", **where("企业"))
    out.update(product_name=name, enterprise=enterprise, category=clean_text(fields.get("类别")), batch=clean_text(fields.get("批次")))
    region = fields.get("地区")
    out["region"] = None if blank(region) else require_region(region, **(where("地区")))[0]
    kind_text = clean_text(fields.get("推荐方式")) or "企业"
    kind = NOMINATOR_TYPES.get(kind_text)
    if kind is None:
        raise InputError(f"推荐方式“{kind_text}”无效，可选：企业、协会、省份", **where("推荐方式"))
    nominator = clean_text(fields.get("推荐单位"))
    if kind == "enterprise" and not nominator:
        nominator = enterprise
    if not nominator:
        raise InputError("协会或省份推荐须写明推荐单位", **where("推荐单位"))
    if kind == "province":
        nominator = require_region(nominator, **(where("推荐单位")))[1]
    if out["registry"] == "upgrade_products" and not out["category"]:
        raise InputError(f"升级和创新消费品“{name}”缺少类别（如 智能家居、适老化用品）", **where("类别"))
    out.update(nominator_type=kind, nominator=nominator)
    return out


def nominate_product(
    store: Store,
    *,
    product_name: str,
    enterprise: str | None,
    category: str | None = None,
    region: str | None = None,
    nominator_type: str = "企业",
    nominator: str | None = None,
    batch: str | None = None,
    registry: str = "upgrade_products",
    at: datetime | None = None,
    actor: str | None = None,
) -> dict[str, Any]:
    """Nominate a product for 升级和创新消费品指南 (default) or 中国消费名品方阵; it waits for review."""
    checked = _check_nomination(
        {"名录": registry, "产品名称": product_name, "企业": enterprise, "类别": category, "地区": region,
         "推荐方式": nominator_type, "推荐单位": nominator, "批次": batch}
    )
    with store.transaction():
        ids = _insert_nominations(store, [checked], at=at, actor=actor, source_file=None)
    return get_nomination(store, ids[0])


def _insert_nominations(store: Store, rows: list[dict[str, Any]], *, at: datetime | None, actor: str | None,
                        source_file: str | None, row_numbers: list[int] | None = None) -> list[int]:
    who = actor_or_default(actor)
    stamp = at or now()
    existing = {
        (r[0], r[1], r[2])
        for r in store.backend.fetchall(
            "SELECT n.registry, n.product_name, n.enterprise FROM plan_nomination n"
            " WHERE NOT EXISTS (SELECT 1 FROM plan_nomination_event e WHERE e.nomination_id = n.nomination_id"
            " AND e.nomination_status = 'rejected' AND e.event_id = (SELECT MAX(event_id) FROM plan_nomination_event x"
            " WHERE x.nomination_id = n.nomination_id))"
        )
    }
    ids = []
    for index, item in enumerate(rows):
        key = (item["registry"], item["product_name"], item["enterprise"])
        if key in existing:
            raise InputError(
                f"“{item['enterprise']}”的“{item['product_name']}”已推荐至{REGISTRIES[item['registry']]}，不能重复推荐",
                row=row_numbers[index] if row_numbers else None,
                file=source_file,
                field="产品名称" if not row_numbers else None,
            )
        existing.add(key)
        nomination_id = int(store.backend.scalar("SELECT nextval('plan_nomination_seq')"))
        store.backend.execute(
            "INSERT INTO plan_nomination (nomination_id, registry, product_name, category, enterprise, region, nominator_type,"
            " nominator, batch, submitted_at, submitted_by, source_file) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [nomination_id, item["registry"], item["product_name"], item["category"], item["enterprise"], item["region"],
             item["nominator_type"], item["nominator"], item["batch"], stamp, who, source_file],
        )
        store.backend.execute(
            "INSERT INTO plan_nomination_event (event_id, nomination_id, nomination_status, listed_in, event_comment, event_time, actor)"
            " VALUES (nextval('plan_nomination_event_seq'),?,?,?,?,?,?)",
            [nomination_id, "pending", None, "推荐", stamp, who],
        )
        ids.append(nomination_id)
    store.record_audit(
        "plan.nomination.add",
        object_type="plan_nomination",
        object_id=",".join(str(i) for i in ids),
        file_name=source_file,
        rows_in=len(rows),
        rows_new=len(ids),
        details={"registries": sorted({r["registry"] for r in rows}), "ids": ids},
        actor=who,
    )
    return ids


def review_nomination(
    store: Store,
    nomination_id: int,
    *,
    decision: str,
    listed_in: str | None = None,
    comment: str | None = None,
    at: datetime | None = None,
    actor: str | None = None,
) -> dict[str, Any]:
    """Decide a nomination: 入选 (listed in the named edition, e.g. 升级和创新消费品指南（2025年版）) or 未入选."""
    code = DECISIONS.get(str(decision).strip())
    if code is None:
        raise InputError(f"审核结论“{decision}”无效，可选：入选、未入选", field="审核结论")
    current = get_nomination(store, nomination_id)
    if current["status"] != "pending":
        raise InputError(f"推荐 {nomination_id}“{current['product_name']}”已审核（{current['status_label']}），不能重复审核", field="推荐编号")
    if code == "rejected" and not clean_text(comment):
        raise InputError("未入选须写明审核意见", field="审核意见")
    listed = clean_text(listed_in) or (REGISTRIES[current["registry"]] if code == "listed" else None)
    who = actor_or_default(actor)
    with store.transaction():
        store.backend.execute(
            "INSERT INTO plan_nomination_event (event_id, nomination_id, nomination_status, listed_in, event_comment, event_time, actor)"
            " VALUES (nextval('plan_nomination_event_seq'),?,?,?,?,?,?)",
            [int(nomination_id), code, listed, clean_text(comment), at or now(), who],
        )
        store.record_audit(
            "plan.nomination.review",
            object_type="plan_nomination",
            object_id=str(nomination_id),
            details={"decision": code, "listed_in": listed, "comment": clean_text(comment)},
            actor=who,
        )
    return get_nomination(store, nomination_id)


_NOMINATION_SQL = (
    "SELECT n.nomination_id, n.registry, n.product_name, n.category, n.enterprise, n.region, n.nominator_type, n.nominator,"
    " n.batch, n.submitted_at, n.source_file, e.nomination_status, e.listed_in, e.event_comment, e.event_time"
    " FROM plan_nomination n JOIN plan_nomination_event e ON e.nomination_id = n.nomination_id"
    " AND e.event_id = (SELECT MAX(event_id) FROM plan_nomination_event x WHERE x.nomination_id = n.nomination_id)"
)


def _nomination_frame(frame: pd.DataFrame) -> pd.DataFrame:
    from qinggong import catalog

    frame = frame.rename(columns={"nomination_status": "status", "event_comment": "comment", "event_time": "decided_at"})
    frame["registry_label"] = [REGISTRIES[r] for r in frame["registry"]]
    frame["status_label"] = [NOMINATION_STATUS[s] for s in frame["status"]]
    frame["nominator_label"] = [NOMINATOR_LABELS[k] for k in frame["nominator_type"]]
    frame["region_name"] = [None if blank(r) else catalog.region(r).name for r in frame["region"]]
    return frame


def get_nomination(store: Store, nomination_id: int) -> dict[str, Any]:
    frame = store.backend.fetch_df(_NOMINATION_SQL + " WHERE n.nomination_id = ?", [int(nomination_id)])
    if frame.empty:
        raise InputError(f"推荐 {nomination_id} 不存在", field="推荐编号")
    return _nomination_frame(frame).to_dict(orient="records")[0]


def list_nominations(store: Store, *, registry: str | None = None, status: str | None = None) -> pd.DataFrame:
    sql, params = _NOMINATION_SQL + " WHERE 1 = 1", []
    if registry:
        sql += " AND n.registry = ?"
        params.append(_registry_code(registry))
    if status:
        code = {v: k for k, v in NOMINATION_STATUS.items()}.get(status, status)
        sql += " AND e.nomination_status = ?"
        params.append(code)
    return _nomination_frame(store.backend.fetch_df(sql + " ORDER BY n.nomination_id", params))


def nomination_history(store: Store, nomination_id: int) -> pd.DataFrame:
    return store.backend.fetch_df(
        "SELECT event_id, nomination_status, listed_in, event_comment, event_time, actor FROM plan_nomination_event"
        " WHERE nomination_id = ? ORDER BY event_id",
        [int(nomination_id)],
    )


# ---------------------------------------------------------------------------------------------- clusters
def _cluster_code(name: str) -> str:
    return "CL_" + re.sub(r"\s+", "", name)


def _check_cluster(fields: dict[str, Any], *, row: int | None = None, file: str | None = None,
                   columns: dict[str, str] | None = None) -> dict[str, Any]:
    columns = columns or {}

    def where(name: str) -> dict[str, Any]:
        return {"row": row, "file": file, **({"column": columns[name]} if name in columns else {"field": name})}

    name = clean_text(fields.get("产区名称"))
    if not name:
        raise InputError("缺少产区名称", **where("产区名称"))
    region_code, _ = require_region(fields.get("地区"), **where("地区"))
    sector = clean_text(fields.get("行业"))
    if not sector:
        raise InputError(f"产区“{name}”缺少所属行业（如 家具、家电、皮革）", **where("行业"))
    return {"cluster_id": clean_text(fields.get("产区代码")) or _cluster_code(name), "cluster_name": name,
            "region": region_code, "sector": sector, "batch": clean_text(fields.get("批次"))}


def register_cluster(
    store: Store,
    *,
    name: str,
    region: str,
    sector: str,
    batch: str | None = None,
    cluster_id: str | None = None,
    actor: str | None = None,
) -> dict[str, Any]:
    """Register a 特色产业产区 (region, sector, batch); its revenue is added year by year."""
    checked = _check_cluster({"产区名称": name, "地区": region, "行业": sector, "批次": batch, "产区代码": cluster_id})
    with store.transaction():
        _upsert_clusters(store, [checked], actor=actor, strict=True)
    return clusters(store).set_index("cluster_id").loc[checked["cluster_id"]].to_dict() | {"cluster_id": checked["cluster_id"]}


def _upsert_clusters(store: Store, rows: list[dict[str, Any]], *, actor: str | None, strict: bool,
                     file: str | None = None) -> list[str]:
    """Insert clusters not yet registered; with strict=True an existing one is an error."""
    who = actor_or_default(actor)
    known = {r[0]: r for r in store.backend.fetchall("SELECT cluster_id, cluster_name, region, sector FROM plan_cluster")}
    added = []
    for item in rows:
        if item["cluster_id"] in known:
            old = known[item["cluster_id"]]
            if strict:
                raise InputError(f"产区“{item['cluster_name']}”已登记", field="产区名称")
            if (old[2], old[3]) != (item["region"], item["sector"]):
                raise InputError(
                    f"产区“{item['cluster_name']}”已登记为地区 {old[2]}、行业“{old[3]}”，与本次填写的 {item['region']}、"
                    f"“{item['sector']}”不一致", field="产区名称", file=file)
            continue
        store.backend.execute(
            "INSERT INTO plan_cluster (cluster_id, cluster_name, region, sector, batch, created_at, created_by) VALUES (?,?,?,?,?,?,?)",
            [item["cluster_id"], item["cluster_name"], item["region"], item["sector"], item["batch"], now(), who],
        )
        known[item["cluster_id"]] = (item["cluster_id"], item["cluster_name"], item["region"], item["sector"])
        added.append(item["cluster_id"])
    if added:
        store.record_audit("plan.cluster.register", object_type="plan_cluster", object_id=",".join(added), file_name=file,
                           rows_new=len(added), details={"clusters": added}, actor=who)
    return added


def revenue_in_100m(value: Any, unit: str | None, *, row: int | None = None, file: str | None = None,
                    column: str | None = None, field: str | None = "营业收入") -> tuple[float, float, str]:
    """A revenue as 亿元: converts 万元/元/万亿元, rejects non-money units and implausible unlabelled values.

    Returns (value in 亿元, the value as given, the unit as given).
    """
    from qinggong import catalog
    from qinggong.catalog.names import recognize_unit

    where = {"row": row, "file": file, "column": column, "field": None if column else field}
    if blank(value):
        raise InputError("缺少营业收入", **where)
    try:
        number = float(str(value).replace(",", "").strip()) if not isinstance(value, (int, float)) else float(value)
    except ValueError:
        raise InputError(f"营业收入“{value}”不是数字", **where) from None
    if number != number or number < 0:
        raise InputError(f"营业收入“{value}”无效：应为非负数", **where)
    limit = float(load_method("plan_forecast")["clusters"]["max_plausible_revenue"])
    unit_text = clean_text(unit)
    if unit_text is None:
        if number > limit:
            raise InputError(
                f"营业收入 {number:g} 未注明单位，按亿元理解超过单个产区的合理上限 {limit:g} 亿元，疑似以万元或元填报："
                "请在“单位”列注明（亿元、万元或元），或换算为亿元", **where)
        return number, number, "亿元"
    code = recognize_unit(unit_text)
    if code is None or catalog.unit(code).dimension != "cny":
        raise InputError(f"营业收入的单位“{unit_text}”不是人民币金额单位：请填写亿元、万元或元", **where)
    converted = float(catalog.convert(number, code, REVENUE_UNIT))
    if converted > limit:
        raise InputError(f"营业收入 {number:g}{unit_text}（合 {converted:g} 亿元）超过单个产区的合理上限 {limit:g} 亿元，请核对数值和单位", **where)
    return converted, number, unit_text


def add_cluster_revenue(
    store: Store,
    cluster_id: str,
    year: int,
    value: Any,
    *,
    unit: str | None = "亿元",
    source: str | None = None,
    actor: str | None = None,
) -> dict[str, Any]:
    """Record a cluster's annual revenue (converted to 亿元); a correction adds a row, the old value stays."""
    cluster = _find_cluster(store, cluster_id)
    ref_year = _check_year(year)
    converted, given, given_unit = revenue_in_100m(value, unit)
    with store.transaction():
        _insert_revenues(store, [(cluster["cluster_id"], ref_year, converted, given, given_unit)], source=source, actor=actor)
    return {"cluster_id": cluster["cluster_id"], "year": ref_year, "revenue": converted, "unit": "亿元",
            "given_value": given, "given_unit": given_unit}


def _check_year(year: Any, *, row: int | None = None, file: str | None = None, column: str | None = None) -> int:
    try:
        value = int(float(str(year).strip().removesuffix("年")))
    except (TypeError, ValueError):
        raise InputError(f"年份“{year}”无效", row=row, file=file, column=column, field=None if column else "年份") from None
    if not 1990 <= value <= 2100:
        raise InputError(f"年份 {value} 超出合理范围（1990—2100）", row=row, file=file, column=column, field=None if column else "年份")
    return value


def _insert_revenues(store: Store, rows: list[tuple[str, int, float, float, str]], *, source: str | None,
                     actor: str | None, file: str | None = None) -> dict[str, int]:
    """Add revenue rows; a value equal to the latest stored one for that year is not added again."""
    who = actor_or_default(actor)
    latest = {(r[0], int(r[1])): float(r[2]) for r in store.backend.fetchall(
        "SELECT cluster_id, ref_year, revenue FROM plan_cluster_revenue r WHERE revenue_id = "
        "(SELECT MAX(revenue_id) FROM plan_cluster_revenue x WHERE x.cluster_id = r.cluster_id AND x.ref_year = r.ref_year)")}
    new = revised = unchanged = 0
    stamp = now()
    for cluster_id, year, value, given, given_unit in rows:
        old = latest.get((cluster_id, year))
        if old is not None and abs(old - value) <= 1e-9 * max(1.0, abs(value)):
            unchanged += 1
            continue
        if old is None:
            new += 1
        else:
            revised += 1
        store.backend.execute(
            "INSERT INTO plan_cluster_revenue (revenue_id, cluster_id, ref_year, revenue, given_value, given_unit, source,"
            " recorded_at, recorded_by) VALUES (nextval('plan_cluster_revenue_seq'),?,?,?,?,?,?,?,?)",
            [cluster_id, year, value, given, given_unit, source, stamp, who],
        )
        latest[(cluster_id, year)] = value
    store.record_audit(
        "plan.cluster.revenue", object_type="plan_cluster",
        object_id=",".join(sorted({r[0] for r in rows})), file_name=file, rows_in=len(rows), rows_new=new,
        rows_revised=revised, rows_unchanged=unchanged, details={"source": source, "unit": "亿元"}, actor=who,
    )
    return {"new": new, "revised": revised, "unchanged": unchanged}


def _find_cluster(store: Store, cluster_id: str) -> dict[str, Any]:
    text = str(cluster_id).strip()
    row = store.backend.fetchone(
        "SELECT cluster_id, cluster_name, region, sector, batch FROM plan_cluster WHERE cluster_id = ? OR cluster_name = ?",
        [text, text],
    )
    if row is None:
        raise InputError(f"产区“{text}”未登记：请先登记产区（地区、行业、批次）", field="产区")
    return {"cluster_id": row[0], "cluster_name": row[1], "region": row[2], "sector": row[3], "batch": row[4]}


def clusters(store: Store) -> pd.DataFrame:
    """Registered clusters with their latest revenue year and value (亿元)."""
    from qinggong import catalog

    frame = store.backend.fetch_df(
        "SELECT cluster_id, cluster_name, region, sector, batch, created_at FROM plan_cluster ORDER BY cluster_id"
    )
    revenue = cluster_revenue(store)
    frame["region_name"] = [catalog.region(r).name for r in frame["region"]]
    last = revenue.sort_values("year").groupby("cluster_id").tail(1).set_index("cluster_id") if not revenue.empty else None
    frame["latest_year"] = [None if last is None or c not in last.index else int(last.loc[c, "year"]) for c in frame["cluster_id"]]
    frame["latest_revenue"] = [None if last is None or c not in last.index else float(last.loc[c, "revenue"]) for c in frame["cluster_id"]]
    frame["years"] = [int((revenue["cluster_id"] == c).sum()) if not revenue.empty else 0 for c in frame["cluster_id"]]
    return frame


def cluster_revenue(store: Store, cluster_id: str | None = None, *, history: bool = False) -> pd.DataFrame:
    """Annual revenue (亿元) per cluster and year: the latest row, or every row with history=True."""
    sql = ("SELECT cluster_id, ref_year AS year, revenue, given_value, given_unit, source, recorded_at, revenue_id"
           " FROM plan_cluster_revenue r")
    if not history:
        sql += (" WHERE revenue_id = (SELECT MAX(revenue_id) FROM plan_cluster_revenue x"
                " WHERE x.cluster_id = r.cluster_id AND x.ref_year = r.ref_year)")
    params: list[Any] = []
    if cluster_id:
        sql += (" AND" if not history else " WHERE") + " cluster_id = ?"
        params.append(_find_cluster(store, cluster_id)["cluster_id"])
    frame = store.backend.fetch_df(sql + " ORDER BY cluster_id, ref_year, revenue_id", params)
    if not frame.empty:
        frame["year"] = frame["year"].astype(int)
    return frame


# ---------------------------------------------------------------------------------------------- standards
def add_standard(
    store: Store,
    *,
    name: str,
    product: str | None = None,
    standard_no: str | None = None,
    lead_unit: str | None = None,
    standard_id: str | None = None,
    actor: str | None = None,
) -> dict[str, Any]:
    """Register a mandatory national standard under revision (e.g. 玩具安全); stages follow."""
    title = clean_text(name)
    if not title:
        raise InputError("缺少标准名称", field="标准名称")
    code = clean_text(standard_id) or "STD_" + re.sub(r"\s+", "", title)
    if store.backend.scalar("SELECT COUNT(*) FROM plan_standard WHERE standard_id = ?", [code]):
        raise InputError(f"标准“{title}”已登记", field="标准名称")
    who = actor_or_default(actor)
    with store.transaction():
        store.backend.execute(
            "INSERT INTO plan_standard (standard_id, standard_name, standard_no, product, lead_unit, created_at, created_by)"
            " VALUES (?,?,?,?,?,?,?)",
            [code, title, clean_text(standard_no), clean_text(product), clean_text(lead_unit), now(), who],
        )
        store.record_audit("plan.standard.add", object_type="plan_standard", object_id=code,
                           details={"name": title, "standard_no": standard_no, "product": product}, actor=who)
    return {"standard_id": code, "standard_name": title}


def record_standard_stage(
    store: Store,
    standard_id: str,
    stage: str,
    stage_date: Any,
    *,
    note: str | None = None,
    actor: str | None = None,
) -> dict[str, Any]:
    """Record that a standard reached a stage (立项/征求意见/送审/报批/发布/实施) on a date.

    Stages go forward: a stage earlier than one already recorded, or a date before the previous
    stage's date, is refused. Recording the same stage again corrects its date (history kept).
    """
    text = str(stage).strip()
    if text not in STAGES:
        raise InputError(f"阶段“{text}”无效，可选：{'、'.join(STAGES)}", field="阶段")
    when = parse_date(stage_date, field="日期")
    row = store.backend.fetchone("SELECT standard_id, standard_name FROM plan_standard WHERE standard_id = ? OR standard_name = ?",
                                 [str(standard_id), str(standard_id)])
    if row is None:
        raise InputError(f"标准“{standard_id}”未登记", field="标准")
    code, title = row
    stages = _stage_dates(store).get(code, {})
    index = STAGES.index(text)
    later = [s for s in stages if STAGES.index(s) > index]
    if later:
        raise InputError(f"标准“{title}”已到“{later[-1]}”阶段，不能回到“{text}”", field="阶段")
    earlier = [s for s in stages if STAGES.index(s) < index]
    if earlier and when < stages[earlier[-1]]:
        raise InputError(f"“{text}”日期 {when} 早于上一阶段“{earlier[-1]}”的日期 {stages[earlier[-1]]}", field="日期")
    who = actor_or_default(actor)
    with store.transaction():
        store.backend.execute(
            "INSERT INTO plan_standard_stage (stage_event_id, standard_id, stage, stage_date, note, recorded_at, recorded_by)"
            " VALUES (nextval('plan_standard_stage_seq'),?,?,?,?,?,?)",
            [code, text, when, clean_text(note), now(), who],
        )
        store.record_audit("plan.standard.stage", object_type="plan_standard", object_id=code,
                           details={"stage": text, "date": when.isoformat(), "note": note}, actor=who)
    return {"standard_id": code, "stage": text, "date": when}


def _stage_dates(store: Store) -> dict[str, dict[str, date]]:
    rows = store.backend.fetchall(
        "SELECT standard_id, stage, stage_date FROM plan_standard_stage ORDER BY stage_event_id"
    )
    out: dict[str, dict[str, date]] = {}
    for code, stage, when in rows:
        out.setdefault(code, {})[stage] = pd.Timestamp(when).date()
    return {k: dict(sorted(v.items(), key=lambda kv: STAGES.index(kv[0]))) for k, v in out.items()}


def standards(store: Store, *, as_of: date | None = None) -> pd.DataFrame:
    """Each standard with its current stage and the date of every stage reached, plus a projected
    publication date range (fast / typical / slow, config plan_forecast.standards) when not yet published."""
    config = load_method("plan_forecast")["standards"]
    frame = store.backend.fetch_df(
        "SELECT standard_id, standard_name, standard_no, product, lead_unit FROM plan_standard ORDER BY standard_id"
    )
    dates = _stage_dates(store)
    counts_at = STAGES.index(config["counts_at"])
    records = []
    for rec in frame.to_dict(orient="records"):
        reached = dates.get(rec["standard_id"], {})
        stage = next(reversed(reached), None) if reached else None
        rec["stage"] = stage
        rec["stage_date"] = reached.get(stage) if stage else None
        rec["stage_dates"] = {k: v.isoformat() for k, v in reached.items()}
        done = stage is not None and STAGES.index(stage) >= counts_at
        rec["completed"] = done
        rec["published_on"] = reached.get(config["counts_at"]) or (reached.get("实施") if done else None)
        span = config["months_to_publish"].get(stage) if stage and not done else None
        if span:
            base = pd.Timestamp(rec["stage_date"])
            rec["projected_fast"], rec["projected_typical"], rec["projected_slow"] = (
                (base + pd.DateOffset(months=int(m))).date() for m in span)
        else:
            rec["projected_fast"] = rec["projected_typical"] = rec["projected_slow"] = None
        records.append(rec)
    return pd.DataFrame(records, columns=["standard_id", "standard_name", "standard_no", "product", "lead_unit", "stage",
                                          "stage_date", "stage_dates", "completed", "published_on", "projected_fast",
                                          "projected_typical", "projected_slow"])
