"""Load on the web API from a bounded client against 127.0.0.1 only.

1. Embedded store (DuckDB, one server process): 50 concurrent logged-in users call the overview
   and the sector API; p50/p95 latency, against the same calls made one at a time (reference).
   Data: the demo store (`QINGGONG_BENCH_DB`, else the demo is run into a temporary folder).
2. PostgreSQL (`QINGGONG_TEST_PG`, several workers), when qinggong.collect is installed: 200
   enterprise users submit their monthly report at the same moment; every report must be stored
   exactly once (zero lost, zero duplicated).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import httpx

HOST = "127.0.0.1"
USERS = 50
ROUNDS = 20  # requests per user per endpoint
THINK_SECONDS = 1.0  # a person reads a page before the next click; the saturation run uses none
SUBMISSIONS = 200
PASSWORD = "bench-password-1"
TARGET_P95_MS = 200.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(q / 100 * (len(ordered) - 1)))))
    return ordered[index]


def _summary(values: list[float]) -> dict[str, float]:
    return {
        "requests": len(values),
        "p50_ms": round(_percentile(values, 50) * 1000, 1),
        "p95_ms": round(_percentile(values, 95) * 1000, 1),
        "max_ms": round(max(values) * 1000, 1),
        "mean_ms": round(statistics.fmean(values) * 1000, 1),
    }


class Server:
    """`qinggong serve` in its own process, so client and server do not share an interpreter."""

    def __init__(self, db: str, workers: int | None = None) -> None:
        self.port = _free_port()
        self.base = f"http://{HOST}:{self.port}"
        command = [sys.executable, "-m", "qinggong.cli.main", "serve", "--host", HOST, "--port", str(self.port), "--db", db]
        if workers:
            command += ["--workers", str(workers)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 120
        while True:
            try:
                if httpx.get(f"{self.base}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"服务未能启动：{self.process.stderr.read().decode(errors='replace')[-2000:]}")
            time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _local(url: str) -> str:
    if urlsplit(url).hostname != HOST:  # the client never leaves this machine
        raise ValueError(f"负载测试只允许访问 {HOST}：{url}")
    return url


async def _login(client: httpx.AsyncClient, base: str, username: str) -> None:
    response = await client.post(_local(f"{base}/api/v1/auth/login"), json={"username": username, "password": PASSWORD})
    response.raise_for_status()
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]


async def _timed(client: httpx.AsyncClient, url: str, bucket: list[float]) -> None:
    started = time.perf_counter()
    response = await client.get(_local(url))
    bucket.append(time.perf_counter() - started)
    response.raise_for_status()


# ------------------------------------------------------------------------------ embedded store
def _demo_db(folder: Path) -> str:
    given = os.environ.get("QINGGONG_BENCH_DB")
    if given:
        return given
    from qinggong.demo import run_demo

    run_demo(folder / "demo", log=lambda message: None)
    return str(folder / "demo" / "qinggong.duckdb")


def _make_users(db: str, roles: list[tuple[str, str, dict]]) -> None:
    from qinggong.store import Store
    from qinggong.web import auth

    with Store.open(db) as store:
        existing = {u.username for u in auth.list_users(store)}
        for username, role, extra in roles:
            if username not in existing:
                auth.create_user(store, username, PASSWORD, role, actor="bench", **extra)


async def _embedded_load(base: str, sector: str) -> dict:
    names = [f"bench_{i % 5}" for i in range(USERS)]
    clients = [httpx.AsyncClient(timeout=600) for _ in range(USERS)]
    try:
        await asyncio.gather(*(_login(c, base, n) for c, n in zip(clients, names)))
        # first call of each account (one per scope) computes and caches; timed separately
        cold: dict[str, list[float]] = {"overview": [], "sector": []}
        for client in clients[:5]:
            await _timed(client, f"{base}/api/v1/overview", cold["overview"])
            await _timed(client, f"{base}/api/v1/sectors/{sector}", cold["sector"])
        # reference: one user, one request at a time
        reference = {"overview": [], "sector": []}
        for _ in range(ROUNDS):
            await _timed(clients[0], f"{base}/api/v1/overview", reference["overview"])
            await _timed(clients[0], f"{base}/api/v1/sectors/{sector}", reference["sector"])
        async def run_users(think: float) -> tuple[dict[str, list[float]], float]:
            timings: dict[str, list[float]] = {"overview": [], "sector": []}

            async def user(index: int, client: httpx.AsyncClient) -> None:
                # spread the users' first clicks over one think time, as real sessions are
                await asyncio.sleep(think * index / USERS)
                for _ in range(ROUNDS):
                    await _timed(client, f"{base}/api/v1/overview", timings["overview"])
                    await asyncio.sleep(think)
                    await _timed(client, f"{base}/api/v1/sectors/{sector}", timings["sector"])
                    await asyncio.sleep(think)

            started = time.perf_counter()
            await asyncio.gather(*(user(i, c) for i, c in enumerate(clients)))
            return timings, time.perf_counter() - started

        loaded, elapsed = await run_users(THINK_SECONDS)
        saturated, saturated_elapsed = await run_users(0.0)
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    total = sum(len(v) for v in loaded.values())
    saturated_total = sum(len(v) for v in saturated.values())
    return {
        "concurrent_users": USERS,
        "think_time_s": THINK_SECONDS,
        "sector": sector,
        "overview": _summary(loaded["overview"]),
        "sector_api": _summary(loaded["sector"]),
        "throughput_rps": round(total / elapsed, 1),
        "saturation_no_think_time": {
            "overview": _summary(saturated["overview"]),
            "sector_api": _summary(saturated["sector"]),
            "throughput_rps": round(saturated_total / saturated_elapsed, 1),
        },
        "reference_single_user": {"overview": _summary(reference["overview"]), "sector_api": _summary(reference["sector"])},
        # the first call computes (signals, alerts, targets) and fills the per-scope cache
        "cold_first_call_ms_per_scope": {"overview": [round(v * 1000) for v in cold["overview"]], "sector_api": [round(v * 1000) for v in cold["sector"]]},
        "target_p95_ms": TARGET_P95_MS,
        "meets_target": max(_percentile(loaded["overview"], 95), _percentile(loaded["sector"], 95)) * 1000 < TARGET_P95_MS,
    }


def run_embedded(folder: Path) -> dict:
    db = _demo_db(folder)
    # five accounts over the reader roles; 50 sessions share them (a province sees its province only)
    _make_users(db, [
        ("bench_0", "analyst", {}), ("bench_1", "readonly", {}), ("bench_2", "province", {"region": "440000"}),
        ("bench_3", "analyst", {}), ("bench_4", "admin", {}),
    ])
    server = Server(db)
    try:
        with httpx.Client(timeout=60) as client:
            login = client.post(_local(f"{server.base}/api/v1/auth/login"), json={"username": "bench_0", "password": PASSWORD})
            login.raise_for_status()
            sectors = client.get(_local(f"{server.base}/api/v1/sectors")).json()["items"]
            series = client.get(_local(f"{server.base}/api/v1/series?page_size=1")).json()["total"]
        sector = next((s["code"] for s in sectors if s["code"] == "LI"), sectors[0]["code"] if sectors else "LI")
        result = asyncio.run(_embedded_load(server.base, sector))
        result["series_in_store"] = series
        result["store"] = "duckdb"
        return result
    finally:
        server.stop()


# ------------------------------------------------------------------------------ PostgreSQL submissions
def run_postgres_submissions() -> dict:
    base_url = os.environ.get("QINGGONG_TEST_PG")
    if not base_url:
        return {"skipped": "QINGGONG_TEST_PG 未设置"}
    try:
        import qinggong.collect as collect
    except ImportError:
        return {"skipped": "qinggong.collect 未安装"}
    import pandas as pd
    import psycopg

    from qinggong.store import Store
    from qinggong.web import auth

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    url = f"{base_url}{'&' if '?' in base_url else '?'}schema={schema}"
    codes = [collect.make_credit_code("440300", 1000 + i) for i in range(SUBMISSIONS)]
    with Store.open(url) as store:
        registry = pd.DataFrame({"统一社会信用代码": codes, "企业名称": [f"压测企业{i:03d}" for i in range(SUBMISSIONS)],
                                 "行业代码": "2110", "地区代码": "440300", "规模": "小型", "开业日期": "2015-01-01"})
        collect.register_enterprises(store, registry, actor="bench")
        tokens = []
        for i, code in enumerate(codes):
            user = auth.create_user(store, f"ent_{i:03d}", PASSWORD, "enterprise", enterprise_id=code, actor="bench")
            tokens.append(auth.create_api_token(store, user, name="bench", days=1)["token"])
    workers = min(4, max(2, os.cpu_count() or 2))
    server = Server(url, workers=workers)
    values = {"rev_m": 100, "rev_ytd": 300, "cost_m": 80, "cost_ytd": 240, "profit_m": 10, "profit_ytd": 30, "export_m": 5,
              "export_ytd": 15, "inv_eop": 50, "ar_eop": 40, "emp_m": 120, "orders_m": 90, "orders_ytd": 270}
    try:
        async def submit_all() -> tuple[list[int], list[float], float]:
            statuses, latencies = [], []
            async with httpx.AsyncClient(timeout=120, limits=httpx.Limits(max_connections=SUBMISSIONS)) as client:
                async def one(token: str) -> None:
                    started = time.perf_counter()
                    response = await client.post(
                        _local(f"{server.base}/api/v1/enterprise/reports"),
                        json={"period": "2025-03", "values": values, "explanation": "压测：上月未报送"},
                        headers={"Authorization": f"Bearer {token}"},
                    )
                    latencies.append(time.perf_counter() - started)
                    statuses.append(response.status_code)

                started = time.perf_counter()
                await asyncio.gather(*(one(t) for t in tokens))
                return statuses, latencies, time.perf_counter() - started

        statuses, latencies, elapsed = asyncio.run(submit_all())
    finally:
        server.stop()
    with Store.open(url) as store:
        stored = store.backend.fetch_df(
            "SELECT credit_code, COUNT(*) AS n FROM enterprise_report WHERE period = ? AND status <> 'SUPERSEDED' GROUP BY credit_code",
            ["2025-03"],
        )
        audit = int(store.backend.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'enterprise.submit'") or 0)
    with psycopg.connect(base_url, autocommit=True) as con:
        con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    found = set(stored["credit_code"])
    return {
        "store": "postgresql",
        "workers": workers,
        "submissions": SUBMISSIONS,
        "accepted_201": statuses.count(201),
        "other_status": sorted({s for s in statuses if s != 201}),
        "stored_reports": int(stored["n"].sum()) if len(stored) else 0,
        "lost": len(set(codes) - found),
        "duplicated": int((stored["n"] > 1).sum()) if len(stored) else 0,
        "audit_records": audit,
        "latency": _summary(latencies),
        "seconds": round(elapsed, 2),
    }


def run() -> dict:
    folder = Path(tempfile.mkdtemp(prefix="qg-bench-web-"))
    try:
        return {"embedded": run_embedded(folder), "postgres_submissions": run_postgres_submissions()}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
