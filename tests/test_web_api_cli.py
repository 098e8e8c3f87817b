"""`qinggong user add|list|passwd|disable` and `qinggong serve`, on a real store and a real server."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import httpx
import pytest
from typer.testing import CliRunner

from qinggong.cli.main import app
from qinggong.store import Store
from qinggong.web import auth

runner = CliRunner()


def _run(*args: str, env: dict | None = None):
    return runner.invoke(app, list(args), env=env, catch_exceptions=False)


def test_user_commands_manage_accounts_and_audit(db_url):
    result = _run("user", "add", "li_si", "--role", "省级用户", "--region", "440000", "--password", "pass-word-9", "--db", db_url, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["role"] == "province"
    assert _run("user", "add", "xie", "--role", "association", "--sector", "21", "--sector", "22", "--db", db_url,
                env={"QINGGONG_PASSWORD": "pass-word-8"}).exit_code == 0
    listed = json.loads(_run("user", "list", "--db", db_url, "--json").output)
    assert [(u["username"], u["role"], u["region"], u["sectors"]) for u in listed] == [
        ("li_si", "province", "440000", []), ("xie", "association", None, ["21", "22"])]
    table = _run("user", "list", "--db", db_url).output
    assert "省级用户" in table and "协会用户" in table
    with Store.open(db_url) as store:
        assert auth.authenticate(store, "li_si", "pass-word-9").username == "li_si"
    assert _run("user", "passwd", "li_si", "--password", "new-pass-77", "--db", db_url).exit_code == 0
    assert _run("user", "disable", "xie", "--db", db_url).exit_code == 0
    with Store.open(db_url) as store:
        with pytest.raises(auth.AuthError):
            auth.authenticate(store, "li_si", "pass-word-9")
        assert auth.authenticate(store, "li_si", "new-pass-77").region == "440000"
        with pytest.raises(auth.AuthError):
            auth.authenticate(store, "xie", "pass-word-8")  # disabled
        actions = list(store.backend.fetch_df(
            "SELECT action FROM audit_log WHERE action LIKE 'user.%' ORDER BY audit_id")["action"])
        assert actions == ["user.add", "user.add", "user.passwd", "user.disable"]
        stored = store.backend.scalar("SELECT password_hash FROM web_user WHERE username = 'li_si'")
        assert stored.startswith("$argon2id$") and "new-pass-77" not in stored


def test_user_add_rejects_bad_input_in_chinese(duckdb_url, monkeypatch, capsys):
    from qinggong.cli.main import run

    for args, expected in (
        (["--role", "boss"], "未知的角色"),
        (["--role", "province", "--region", "4400"], "省级行政区划代码"),
        (["--role", "association"], "至少需要一个行业代码"),
        (["--role", "enterprise"], "企业标识"),
    ):
        monkeypatch.setattr(sys, "argv", ["qinggong", "user", "add", "x", *args, "--password", "long-enough-1", "--db", duckdb_url])
        with pytest.raises(SystemExit) as info:
            run()  # the real entry point: one Chinese line, exit code 2, no traceback
        err = capsys.readouterr().err
        assert info.value.code == 2 and expected in err and "Traceback" not in err
    with Store.open(duckdb_url) as store:
        assert auth.list_users(store) == []


def test_login_rate_limit(duckdb_url):
    with Store.open(duckdb_url) as store:
        auth.create_user(store, "wang", "right-password", "readonly")
        limit = auth.RateLimit(per_user=3, per_ip=100, window_seconds=600)
        for _ in range(3):
            with pytest.raises(auth.AuthError):
                auth.authenticate(store, "wang", "wrong", client_ip="10.0.0.1", limit=limit)
        with pytest.raises(auth.RateLimited) as info:
            auth.authenticate(store, "wang", "right-password", client_ip="10.0.0.2", limit=limit)
        assert "登录失败次数过多" in str(info.value) and info.value.retry_after > 0
        ip_limit = auth.RateLimit(per_user=100, per_ip=3, window_seconds=600)
        with pytest.raises(auth.RateLimited):
            auth.authenticate(store, "someone", "x", client_ip="10.0.0.1", limit=ip_limit)
        assert auth.authenticate(store, "wang", "right-password", client_ip="10.0.0.9", limit=ip_limit).username == "wang"


def test_login_rate_limit_over_http(duckdb_url):
    from fastapi.testclient import TestClient

    from qinggong.web.app import create_app
    from qinggong.web.security import WebSettings

    with Store.open(duckdb_url) as store:
        auth.create_user(store, "zhao", "right-password", "readonly")
        client = TestClient(create_app(store, settings=WebSettings(rate_limit=auth.RateLimit(per_user=2, per_ip=50))))
        for _ in range(2):
            assert client.post("/api/v1/auth/login", json={"username": "zhao", "password": "bad"}).status_code == 401
        blocked = client.post("/api/v1/auth/login", json={"username": "zhao", "password": "right-password"})
        assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
        # the login form says so too, in Chinese
        page = client.get("/login")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        form = client.post("/login", data={"username": "zhao", "password": "right-password", "csrf_token": token}, follow_redirects=False)
        assert form.status_code == 429 and "登录失败次数过多" in form.text
        # a login form without the matching CSRF token is refused before any password check
        stale = TestClient(client.app).post("/login", data={"username": "zhao", "password": "x", "csrf_token": "forged"})
        assert stale.status_code == 403


@pytest.mark.slow
def test_serve_runs_a_real_server_and_refuses_duckdb_workers(duckdb_url):
    from qinggong.errors import QinggongError

    with pytest.raises(QinggongError, match="DuckDB"):
        _run("serve", "--db", duckdb_url, "--workers", "2")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "qinggong.cli.main", "serve", "--db", duckdb_url, "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.time() + 180  # a cold start imports every stage; shared CI machines are slow
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1)
                break
            except httpx.HTTPError:
                assert proc.poll() is None, proc.stderr.read()
                assert time.time() < deadline
                time.sleep(0.2)
        assert health.json() == {"status": "ok", "version": health.json()["version"], "backend": "duckdb"}
        assert httpx.get(f"http://127.0.0.1:{port}/static/js/echarts.min.js").status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/", follow_redirects=False).headers["location"].startswith("/login")
    finally:
        proc.terminate()
        proc.wait(timeout=20)
