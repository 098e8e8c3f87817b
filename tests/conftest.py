"""Shared fixtures: a fresh store on each backend, the real data folder, a CLI runner."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

from qinggong.store import Store

REPO = Path(__file__).resolve().parents[1]
REAL_DATA = REPO.parent / "shared" / "data" / "real"


def postgres_url() -> str | None:
    return os.environ.get("QINGGONG_TEST_PG")


def _require_postgres() -> str:
    url = postgres_url()
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI 中必须提供 PostgreSQL：QINGGONG_TEST_PG 未设置（.ci/run 应启动服务器）")
        pytest.skip("QINGGONG_TEST_PG 未设置：跳过 PostgreSQL 测试（make test 会启动服务器并设置它）")
    return url


@contextmanager
def postgres_schema():
    """A PostgreSQL address with a schema of its own, dropped afterwards (any fixture scope may use it)."""
    base = _require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}schema={schema}"
    finally:
        import psycopg

        with psycopg.connect(base, autocommit=True) as con:
            con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def pg_url():
    with postgres_schema() as url:
        yield url


@pytest.fixture
def duckdb_url(tmp_path):
    return str(tmp_path / "qinggong.duckdb")


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    if request.param == "duckdb":
        return str(tmp_path / "qinggong.duckdb")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(db_url):
    with Store.open(db_url) as opened:
        yield opened


@pytest.fixture
def real_data() -> Path:
    if not REAL_DATA.is_dir():
        pytest.fail(f"找不到真实数据目录 {REAL_DATA}：测试需要仓库旁的 shared/ 目录")
    return REAL_DATA
