"""The demo runner: its own store is rebuilt on every run (a re-run would otherwise refuse the
generated enterprise reports as duplicates); a store named with --db is never deleted."""

from __future__ import annotations

import qinggong.demo as demo
from qinggong.store import Store


def test_rerun_rebuilds_the_demo_store_but_never_a_given_one(tmp_path, monkeypatch):
    monkeypatch.setattr(demo, "steps", lambda: [])
    out = tmp_path / "out"
    out.mkdir()
    own = out / "qinggong.duckdb"
    with Store.open(str(own)) as store:
        store.backend.execute("CREATE TABLE marker (x INTEGER)")
    messages: list[str] = []
    demo.run_demo(out, log=messages.append)
    assert any("重新生成演示数据库" in m for m in messages)
    with Store.open(str(own)) as store:
        assert store.backend.scalar("SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'marker'") == 0
    given = tmp_path / "mine.duckdb"
    with Store.open(str(given)) as store:
        store.backend.execute("CREATE TABLE marker (x INTEGER)")
    demo.run_demo(out, db=str(given), log=messages.append)
    with Store.open(str(given)) as store:
        assert store.backend.scalar("SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'marker'") == 1
