"""Demo step: one account per role on the demo store, and how to serve the dashboard."""

from __future__ import annotations

from pathlib import Path

from qinggong.demo import DemoContext, DemoStep
from qinggong.store import describe_url

# The demo password is printed on purpose: these accounts exist only in the demo store.
DEMO_PASSWORD = "qinggong-demo"
DEMO_ACCOUNTS = [
    {"username": "demo_admin", "role": "admin", "display_name": "演示管理员"},
    {"username": "demo_analyst", "role": "analyst", "display_name": "演示部级分析员"},
    {"username": "demo_province", "role": "province", "region": "440000", "display_name": "演示广东省用户"},
    {"username": "demo_association", "role": "association", "sectors": ["21"], "display_name": "演示家具协会"},
    {"username": "demo_enterprise", "role": "enterprise", "display_name": "演示企业"},
    {"username": "demo_readonly", "role": "readonly", "display_name": "演示只读用户"},
]


def _demo_enterprise(context: DemoContext) -> str:
    """The first registered demo enterprise (when enterprise reporting ran), else a fixed placeholder id."""
    shared = context.shared.get("enterprise_id")
    if shared:
        return str(shared)
    row = None
    for sql in (
        # an enterprise in the demo province with reports, so its history is not empty
        "SELECT r.credit_code FROM enterprise_report r JOIN enterprise e ON e.credit_code = r.credit_code"
        " WHERE e.region LIKE '44%' ORDER BY r.period DESC, r.credit_code LIMIT 1",
        "SELECT credit_code FROM enterprise ORDER BY credit_code LIMIT 1",
    ):
        try:
            row = context.store.backend.fetchone(sql)
        except Exception:  # the enterprise tables come with qinggong.collect; absent in a partial build
            row = None
        if row:
            break
    return str(row[0]) if row and row[0] else "DEMO-ENTERPRISE-0001"


def create_demo_accounts(context: DemoContext) -> list[Path]:
    from qinggong.web import auth

    store = context.store
    existing = {u.username for u in auth.list_users(store)}
    lines = []
    for account in DEMO_ACCOUNTS:
        spec = dict(account)
        if spec["role"] == "enterprise":
            spec["enterprise_id"] = _demo_enterprise(context)
        if spec["username"] not in existing:
            auth.create_user(
                store,
                spec["username"],
                DEMO_PASSWORD,
                spec["role"],
                region=spec.get("region"),
                sectors=spec.get("sectors"),
                enterprise_id=spec.get("enterprise_id"),
                display_name=spec.get("display_name"),
                actor="demo",
            )
        scope = spec.get("region") or "、".join(spec.get("sectors", [])) or spec.get("enterprise_id") or "全部"
        lines.append(f"{spec['username']}\t{auth.ROLES[spec['role']]}\t{scope}")
        context.log(f"演示账户 {spec['username']}（{auth.ROLES[spec['role']]}，范围：{scope}）")
    context.log(f"演示口令（所有演示账户相同）：{DEMO_PASSWORD}")
    command = f"qinggong serve --db {context.db_url}"
    context.log(f"启动看板：{command}  然后打开 http://127.0.0.1:8000/")
    out = context.out_dir / "web"
    out.mkdir(parents=True, exist_ok=True)
    accounts = out / "演示账户.txt"
    accounts.write_text(
        "用户名\t角色\t范围\n" + "\n".join(lines) + f"\n\n口令：{DEMO_PASSWORD}\n数据库：{describe_url(context.db_url)}\n"
        f"启动：{command}\n地址：http://127.0.0.1:8000/（API 文档 /api/v1/docs）\n",
        encoding="utf-8",
    )
    return [accounts]


STEP = DemoStep(order=90, title="网页看板账户", run=create_demo_accounts)
