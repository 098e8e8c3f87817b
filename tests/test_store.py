"""The versioned store, on DuckDB and PostgreSQL alike."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from qinggong.errors import InputError, StoreError, UnknownCodeError
from qinggong.store import SeriesKey, Store, now_utc

KEY = "OFFICIAL.M.VA.21.000000._Z.YOY_M.PCT"


def furniture_growth(values):
    periods = ["2025-09", "2025-10", "2025-11"][: len(values)]
    return pd.DataFrame(
        {"indicator": "VA", "industry": "21", "measure": "YOY_M", "unit": "PCT", "period": periods, "value": values}
    )


def test_first_write_creates_series_vintage_and_audit(store):
    result = store.write_observations(furniture_growth([-9.0, -8.9, -11.3]), source="测试", file_name="a.csv", checksum="abc")
    assert result.new_series == [KEY]
    assert result.new_observations == 3
    assert result.vintage_id is not None
    audit = store.audit_log()
    assert audit.iloc[0]["file_name"] == "a.csv"
    assert audit.iloc[0]["checksum"] == "abc"
    assert int(audit.iloc[0]["rows_new"]) == 3
    values = store.series_values(KEY)
    assert values.to_dict() == {"2025-09": -9.0, "2025-10": -8.9, "2025-11": -11.3}


def test_same_data_twice_changes_nothing(store):
    store.write_observations(furniture_growth([-9.0, -8.9, -11.3]), source="测试")
    before = store.counts()
    again = store.write_observations(furniture_growth([-9.0, -8.9, -11.3]), source="测试")
    assert again.new_observations == 0 and again.revised_observations == 0 and again.unchanged_observations == 3
    after = store.counts()
    assert after["observations"] == before["observations"]
    assert after["vintages"] == before["vintages"]
    assert after["audit_records"] == before["audit_records"] + 1  # the repeat is still traced


def test_revision_keeps_both_vintages_and_as_of_returns_old(store):
    store.write_observations(furniture_growth([-9.0, -8.9, -11.3]), source="初值")
    time.sleep(0.01)
    between = now_utc()
    time.sleep(0.01)
    revised = store.write_observations(furniture_growth([-9.0, -8.9, -11.0]), source="修订")
    assert revised.revised_observations == 1 and revised.new_observations == 0
    assert store.series_values(KEY)["2025-11"] == -11.0
    assert store.series_values(KEY, as_of=between)["2025-11"] == -11.3
    history = store.read_observations([KEY], history=True)
    nov = history[history["period"] == "2025-11"]
    assert sorted(nov["value"]) == [-11.3, -11.0]
    assert nov["vintage_id"].nunique() == 2


def test_dry_run_reports_changes_and_stores_nothing(store):
    store.write_observations(furniture_growth([-9.0, -8.9, -11.3]), source="初值")
    before = store.counts()
    frame = furniture_growth([-9.0, -8.9, -11.0])
    result = store.write_observations(frame, source="修订", dry_run=True)
    assert result.dry_run and result.revised_observations == 1
    change = result.changes.iloc[0]
    assert (change["period"], change["old_value"], change["new_value"]) == ("2025-11", -11.3, -11.0)
    assert store.counts() == before


def test_conflicting_duplicate_rolls_back_whole_write(store):
    frame = pd.concat([furniture_growth([-9.0, -8.9, -11.3]), furniture_growth([-9.0])])
    frame.iloc[-1, frame.columns.get_loc("value")] = 1.0
    with pytest.raises(InputError, match="两个不同的值"):
        store.write_observations(frame, source="坏文件")
    assert store.counts() == {"series": 0, "observations": 0, "vintages": 0, "audit_records": 0}


def _other_series(values):
    frame = furniture_growth(values)
    frame["industry"] = "19"  # 皮革、毛皮、羽毛及其制品和制鞋业: another series
    return frame


def test_parts_are_written_as_one_vintage(store):
    result = store.write_observations(iter([furniture_growth([-9.0, -8.9]), _other_series([1.5, 2.5, None])]),
                                      source="分批", file_name="parts")
    assert (result.rows_in, result.new_observations, result.unchanged_observations) == (5, 5, 0)
    assert result.new_series == sorted([KEY, KEY.replace(".21.", ".19.")])
    assert store.counts() == {"series": 2, "observations": 5, "vintages": 1, "audit_records": 1}
    assert int(store.audit_log().iloc[0]["rows_new"]) == 5
    history = store.read_observations(history=True)
    assert history["vintage_id"].nunique() == 1 and len(history) == 5
    # The same parts again change nothing; a later part revising an earlier vintage is one revision.
    again = store.write_observations(iter([furniture_growth([-9.0, -8.9]), _other_series([1.5, 2.5, None])]), source="分批")
    assert (again.new_observations, again.revised_observations, again.unchanged_observations) == (0, 0, 5)
    revised = store.write_observations(iter([furniture_growth([-9.0]), _other_series([1.5, 2.0])]), source="修订")
    assert (revised.new_observations, revised.revised_observations) == (0, 1)
    assert revised.changes[["period", "old_value", "new_value"]].values.tolist() == [["2025-10", 2.5, 2.0]]


def test_a_part_contradicting_an_earlier_part_rolls_back_every_part(store):
    store.write_observations(furniture_growth([-9.0]), source="初值")
    before = store.counts()
    # The second part repeats 2025-09 exactly (harmless) and gives 2025-10 another value.
    with pytest.raises(InputError, match="两个不同的值"):
        store.write_observations(iter([furniture_growth([-9.0, -8.9]), furniture_growth([-9.0, 7.0])]), source="坏")
    assert store.counts() == before
    repeated = store.write_observations(iter([furniture_growth([-9.0, -8.9]), furniture_growth([-9.0, -8.9])]),
                                        source="重复")
    assert (repeated.rows_in, repeated.new_observations, repeated.unchanged_observations) == (4, 1, 3)
    assert store.series_values(KEY).to_dict() == {"2025-09": -9.0, "2025-10": -8.9}


def test_a_failing_producer_leaves_the_store_untouched(store):
    def parts():
        yield furniture_growth([-9.0, -8.9])
        raise RuntimeError("第二部分未能算出")

    with pytest.raises(RuntimeError, match="第二部分"):
        store.write_observations(parts(), source="中断")
    assert store.counts() == {"series": 0, "observations": 0, "vintages": 0, "audit_records": 0}


def test_sql_without_parameters_goes_as_written(store):
    # psycopg reads placeholders only when parameters are given: `%` must not be doubled then.
    assert store.backend.scalar("SELECT 17 % 5") == 2
    assert store.backend.scalar("SELECT 17 % ?", [5]) == 2
    assert store.backend.fetchall("SELECT 'a%b' AS t")[0][0] == "a%b"


def test_an_exact_repeat_within_a_frame_is_stored_once(store):
    frame = pd.concat([furniture_growth([-9.0, None]), furniture_growth([-9.0, None])], ignore_index=True)
    result = store.write_observations(frame, source="重复行")
    assert (result.rows_in, result.new_observations, result.unchanged_observations) == (4, 2, 2)
    assert store.counts()["observations"] == 2
    # A value against a missing one is a conflict, like two values.
    clash = pd.concat([furniture_growth([None]), furniture_growth([-9.0])], ignore_index=True)
    with pytest.raises(InputError, match="两个不同的值"):
        store.write_observations(clash.assign(period="2025-12"), source="冲突")
    assert store.counts()["observations"] == 2


def test_missing_value_is_stored_as_missing_not_zero(store):
    frame = furniture_growth([None, -8.9])
    frame["note"] = ["1月不公布", None]
    store.write_observations(frame, source="测试")
    obs = store.read_observations([KEY])
    first = obs.iloc[0]
    assert pd.isna(first["value"]) and first["status"] == "M" and first["note"] == "1月不公布"
    assert len(store.read_observations([KEY], include_missing=False)) == 1


def test_combined_january_february_is_representable(store):
    frame = pd.DataFrame(
        {"indicator": "VA", "industry": "21", "measure": "YOY_M", "unit": "PCT",
         "period": ["2025-02"], "value": [3.1], "span": [2]}
    )
    store.write_observations(frame, source="测试")
    assert int(store.read_observations([KEY]).iloc[0]["span"]) == 2


def test_filters_and_key_parsing(store):
    store.write_observations(furniture_growth([1.0]), source="测试")
    other = furniture_growth([2.0]).assign(industry="22")
    store.write_observations(other, source="测试")
    assert list(store.list_series(industry="22")["industry"]) == ["22"]
    assert len(store.list_series(indicator="VA")) == 2
    assert str(SeriesKey.parse(KEY)) == KEY
    with pytest.raises(UnknownCodeError, match="序列键"):
        SeriesKey.parse("VA.21")
    with pytest.raises(UnknownCodeError, match="库中没有序列"):
        store.series_info("OFFICIAL.M.VA.99.000000._Z.YOY_M.PCT")


def test_reopen_keeps_data_and_schema(db_url):
    with Store.open(db_url) as first:
        first.write_observations(furniture_growth([1.0]), source="测试")
        version = first.schema_version()
    with Store.open(db_url) as second:
        assert second.schema_version() == version
        assert second.counts()["observations"] == 1


def test_bad_addresses_give_chinese_errors(tmp_path):
    with pytest.raises(StoreError, match="不支持的数据库地址"):
        Store.open("mysql://x@y/z")
    with pytest.raises(StoreError, match="是一个目录"):
        Store.open(str(tmp_path))
    not_db = tmp_path / "not.duckdb"
    not_db.write_text("这不是数据库")
    with pytest.raises(StoreError):
        Store.open(str(not_db))


@pytest.mark.postgres
def test_unreachable_postgres_is_a_clear_error():
    with pytest.raises(StoreError, match="无法连接 PostgreSQL"):
        Store.open("postgresql://nobody:x@127.0.0.1:1/nothing")


def test_report_migrations_keep_every_report(db_url, monkeypatch):
    # 0006 and 0007 rebuild the report tables on DuckDB only (no text-key UNIQUE index, no
    # primary-key indexes); 0009 and 0010 move who sent a report, when and through which channel
    # to one row per submission, and 0011 reads each version's creation from its submission. A
    # store made at 0005 keeps every report, version, product row and event (its history shows the
    # same events), still tells who sent each version and who changed its status, and ids continue.
    import datetime as dt

    from qinggong.collect import (list_reports, make_credit_code, register_enterprises, report_history, review_reports,
                                  submit_reports)
    from qinggong.store import schema

    everything = schema.available_migrations
    assert dict(everything("postgresql"))["0006_report_versions"].strip() == ""
    assert "DROP TABLE enterprise_report" in dict(everything("duckdb"))["0006_report_versions"]
    assert dict(everything("postgresql"))["0007_report_keys"].strip() == ""
    monkeypatch.setattr(schema, "available_migrations", lambda engine=None: everything(engine)[:5])
    path = db_url
    code = make_credit_code("330102", 7)
    sent, approved, corrected = (dt.datetime(2025, 11, d, 9) for d in (3, 5, 8))
    with Store.open(path) as old:
        assert old.schema_version() == "0005_web"
        # Rows as the code of 0005 wrote them: the enterprise without a number, who and when on
        # every report row.
        old.backend.execute(
            "INSERT INTO enterprise (credit_code, name, industry, region, size_class, above_scale, key_enterprise,"
            " entry_date, generated, updated_at, updated_by) VALUES (?, '企业', '1431', '330102', 'S', TRUE, FALSE,"
            " DATE '2010-01-01', FALSE, ?, '管理员')", [code, sent])
        for version, status, channel, created, by, status_at, status_by, export in (
                (1, "SUPERSEDED", "web", sent, "填报员", approved, "省局", 1.0),
                (2, "SUBMITTED", "excel", corrected, "填报员", corrected, "填报员", 2.0)):
            old.backend.execute(
                "INSERT INTO enterprise_report (report_id, credit_code, period, version, status, channel, created_at,"
                " created_by, status_at, status_by, export_m) VALUES (nextval('enterprise_report_seq'), ?, '2025-10',"
                " ?, ?, ?, ?, ?, ?, ?, ?)", [code, version, status, channel, created, by, status_at, status_by, export])
            old.backend.execute(
                "INSERT INTO enterprise_report_event (report_id, to_status, actor, event_time)"
                " SELECT report_id, 'SUBMITTED', ?, ? FROM enterprise_report WHERE version = ?", [by, created, version])
        old.backend.execute(
            "INSERT INTO enterprise_report_event (report_id, from_status, to_status, actor, event_time)"
            " SELECT report_id, 'SUBMITTED', 'SUPERSEDED', '省局', ? FROM enterprise_report WHERE version = 1", [approved])
        old.backend.execute("INSERT INTO enterprise_report_product SELECT report_id, 'BEER', 'KL_10K', 1.5, 9.0"
                            " FROM enterprise_report WHERE version = 2")
        events_before = old.backend.fetchall(
            "SELECT event_id, report_id, from_status, to_status, actor, event_time FROM enterprise_report_event ORDER BY 1")
    monkeypatch.setattr(schema, "available_migrations", everything)
    with Store.open(path) as new:
        assert new.schema_version() == everything("duckdb")[-1][0] >= "0010_report_submission_ids"
        rows = new.backend.fetchall("SELECT version, status, export_m FROM enterprise_report ORDER BY version")
        assert rows == [(1, "SUPERSEDED", 1.0), (2, "SUBMITTED", 2.0)]
        assert new.backend.fetchall("SELECT product, output_ytd FROM enterprise_report_product") == [("BEER", 9.0)]
        # 0011: the creation events are read from their submissions now; the status change stays.
        assert new.backend.fetchall(
            "SELECT event_id, report_id, from_status, to_status, actor, event_time FROM enterprise_report_event") \
            == [e for e in events_before if e[2] is not None]
        history = report_history(new, code, "2025-10")["events"]
        shown = history[["report_id", "from_status", "to_status", "actor", "event_time"]].itertuples(index=False)
        assert [(int(r), None if pd.isna(f) else f, t, a, pd.Timestamp(at)) for r, f, t, a, at in shown] \
            == [(r, f, t, a, pd.Timestamp(at)) for _, r, f, t, a, at in sorted(events_before, key=lambda e: e[5])]
        versions = list_reports(new, all_versions=True).set_index("version")
        assert versions["channel"].to_dict() == {1: "web", 2: "excel"}
        assert versions["created_by"].to_dict() == {1: "填报员", 2: "填报员"}
        assert versions["status_by"].to_dict() == {1: "省局", 2: "填报员"}
        assert pd.Timestamp(versions.loc[1, "created_at"]) == sent
        assert pd.Timestamp(versions.loc[1, "status_at"]) == approved
        later = submit_reports(new, pd.DataFrame([{"credit_code": code, "period": "2025-11", "export_m": 3.0}]),
                               run_rules=False, actor="新填报员")
        assert later["report_ids"][0] > max(e[1] for e in events_before)
        review_reports(new, later["report_ids"], "approve", actor="省局")
        latest_event = new.backend.fetchone("SELECT MAX(event_id) FROM enterprise_report_event")[0]
        assert latest_event > max(e[0] for e in events_before)
        assert list_reports(new, period="2025-11")["created_by"].tolist() == ["新填报员"]
        assert new.backend.scalar("SELECT COUNT(*) FROM enterprise_submission") == 3
        # 0015: the reports are stored under the enterprise's number and the month index; read
        # through the view they keep their credit code and period, also after the enterprise is
        # registered again (it keeps its number).
        number = new.backend.scalar("SELECT enterprise_no FROM enterprise WHERE credit_code = ?", [code])
        assert new.backend.fetchall("SELECT DISTINCT enterprise_no, period_no FROM enterprise_report_data"
                                    " ORDER BY period_no") == [(number, 2025 * 12 + 9), (number, 2025 * 12 + 10)]
        register_enterprises(new, pd.DataFrame([{"credit_code": code, "name": "企业（更名）", "industry": "1431",
                                                 "region": "330102", "size_class": "S", "entry_date": "2010-01-01"}]))
        assert new.backend.scalar("SELECT enterprise_no FROM enterprise WHERE credit_code = ?", [code]) == number
        assert new.backend.fetchall("SELECT credit_code, period, version FROM enterprise_report ORDER BY report_id") \
            == [(code, "2025-10", 1), (code, "2025-10", 2), (code, "2025-11", 1)]
        assert list_reports(new, credit_code=code)["name"].unique().tolist() == ["企业（更名）"]


def test_report_migration_stops_at_a_report_without_its_enterprise(db_url, monkeypatch):
    # 0015 stores reports under their enterprise's number: a report whose enterprise is missing
    # from the registry (the application never leaves one) stops it, naming the credit code,
    # instead of being dropped.
    from qinggong.collect import make_credit_code
    from qinggong.store import schema

    everything = schema.available_migrations
    monkeypatch.setattr(schema, "available_migrations", lambda engine=None: everything(engine)[:14])
    code = make_credit_code("330102", 8)
    with Store.open(db_url) as old:
        assert old.schema_version() == "0014_report_status_events"
        old.backend.execute("INSERT INTO enterprise_report (report_id, credit_code, period, version, status)"
                            " VALUES (1, ?, '2025-10', 1, 'SUBMITTED')", [code])
    monkeypatch.setattr(schema, "available_migrations", everything)
    with pytest.raises(Exception, match=code):
        Store.open(db_url)
    with Store.open(db_url, migrate_schema=False) as kept:
        assert kept.schema_version() == "0014_report_status_events"
        assert kept.backend.fetchall("SELECT credit_code, period FROM enterprise_report") == [(code, "2025-10")]


def test_report_pages_leave_room_for_status_updates_on_postgresql(store):
    # 0008: on PostgreSQL, status changes update reports in place (fillfactor 50), kept when 0015
    # rebuilt the table; DuckDB has no such setting and records the migration with nothing to do.
    assert store.schema_version() >= "0008_report_fillfactor"
    if store.backend.name == "postgresql":
        options = store.backend.scalar(
            "SELECT reloptions FROM pg_class WHERE oid = 'enterprise_report_data'::regclass")
        assert "fillfactor=50" in options


def test_report_status_reads_as_text_on_both_engines(store):
    # 0013: DuckDB stores a report's status as an ENUM; it is still read as text, like PostgreSQL's.
    from qinggong.collect import make_credit_code, register_enterprises, review_reports, submit_reports

    code = make_credit_code("330102", 9)
    register_enterprises(store, pd.DataFrame([{"credit_code": code, "name": "企业", "industry": "1431",
                                               "region": "330102", "size_class": "S", "entry_date": "2020-01-01"}]))
    form = {"credit_code": code, "period": "2025-10", "rev_m": 100.0, "rev_ytd": 300.0, "cost_m": 80.0,
            "cost_ytd": 240.0, "profit_m": 5.0, "profit_ytd": 15.0, "export_m": 1.0, "export_ytd": 3.0,
            "inv_eop": 10.0, "ar_eop": 20.0, "emp_m": 10, "orders_m": 100.0, "orders_ytd": 300.0}
    first = submit_reports(store, pd.DataFrame([form]), explanation="测试")
    review_reports(store, first["report_ids"], "approve")
    read = store.backend.fetch_df("SELECT credit_code, status FROM enterprise_report")
    assert read["status"].tolist() == ["APPROVED"]
    assert read["status"].dtype == read["credit_code"].dtype
    if store.backend.name == "duckdb":
        column_type = store.backend.scalar(
            "SELECT data_type FROM information_schema.columns WHERE table_name = 'enterprise_report_data'"
            " AND column_name = 'status'")
        assert column_type.startswith("ENUM")
        with pytest.raises(Exception, match="UNKNOWN"):
            store.backend.execute("UPDATE enterprise_report_data SET status = 'UNKNOWN'")


def test_a_session_keeps_the_connection_without_opening_a_transaction(store):
    # Aggregation works on temp tables in a session: they must outlive each statement, and no
    # transaction may be open (DuckDB scans tables made inside one at half speed). A failed
    # statement inside a transaction would abort it; in a session the next statement still runs.
    with store.session():
        store.backend.execute("CREATE TEMP TABLE qg_session_probe AS SELECT 1 AS x")
        with pytest.raises(Exception):
            store.backend.execute("SELECT * FROM qg_no_such_table")
        assert store.backend.scalar("SELECT COUNT(*) FROM qg_session_probe") == 1
        # A transaction inside a session is still one: rolled back on error.
        with pytest.raises(RuntimeError), store.transaction():
            store.backend.execute("CREATE TABLE qg_session_rolled_back (a INTEGER)")
            raise RuntimeError("回滚")
        assert store.backend.scalar(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'qg_session_rolled_back'") == 0
        store.backend.execute("DROP TABLE qg_session_probe")


def test_temp_table_loading_keeps_every_value_exactly(store):
    # Bulk loading (COPY on PostgreSQL, an Arrow scan on DuckDB): NULL vs empty text, quotes,
    # commas, line breaks and full float precision must all come back as they went in.
    import datetime as dt

    frame = pd.DataFrame({
        "t": ["普通", "", None, 'say "hi", then\nleave', "\\.", "a\\b"],
        "x": [0.1 + 0.2, 1e-300, -0.0, None, 123456789.123456789, 2.5e15 + 0.5],
        "n": [1, 2, 3, 4, 5, 2**53 + 1],
        "b": [True, False, True, False, True, False],
        "d": pd.to_datetime(["2025-11-30 08:00:01.5", "2025-01-01 00:00:00", "2024-02-29 00:00:00", None,
                             "2000-01-01 00:00:00", "2025-06-30 00:00:00"], format="ISO8601"),
    })
    types = {"t": "TEXT", "x": "DOUBLE PRECISION", "n": "BIGINT", "b": "BOOLEAN", "d": "TIMESTAMP"}
    with store.session():
        store.backend.load_temp_table("qg_exact_probe", frame, types)
        back = store.backend.fetch_df("SELECT t, x, n, b, d FROM qg_exact_probe ORDER BY n")
        store.backend.execute("DROP TABLE qg_exact_probe")
    assert back["t"].tolist()[:2] == ["普通", ""] and pd.isna(back["t"].iloc[2])
    assert back["t"].tolist()[3:] == frame["t"].tolist()[3:]
    x = pd.to_numeric(back["x"]).to_numpy()
    assert x[0] == 0.1 + 0.2 and x[1] == 1e-300 and x[4] == 123456789.123456789 and x[5] == 2.5e15 + 0.5
    assert np.isnan(x[3])
    assert [int(v) for v in back["n"]] == frame["n"].tolist()
    assert [bool(v) for v in back["b"]] == frame["b"].tolist()
    stamps = pd.to_datetime(back["d"])
    assert stamps.iloc[0] == pd.Timestamp("2025-11-30 08:00:01.5") and pd.isna(stamps.iloc[3])
    assert stamps.iloc[2] == dt.datetime(2024, 2, 29)


def test_temp_table_loading_of_awkward_frames(store):
    # A one-column frame whose value is COPY's end-of-data marker `\\.` alone on its line; and
    # an object column mixing numbers and text (Arrow cannot convert it: loaded row by row).
    with store.session():
        store.backend.load_temp_table("qg_marker_probe", pd.DataFrame({"t": ["\\.", "after", None]}), {"t": "TEXT"})
        assert [r[0] for r in store.backend.fetchall("SELECT t FROM qg_marker_probe")] == ["\\.", "after", None]
        mixed = pd.DataFrame({"t": pd.Series([1, "二", 3.5, None], dtype=object), "n": [1, 2, 3, 4]})
        store.backend.load_temp_table("qg_mixed_probe", mixed, {"t": "TEXT", "n": "BIGINT"})
        assert store.backend.fetchall("SELECT t, n FROM qg_mixed_probe ORDER BY n") == [
            ("1", 1), ("二", 2), ("3.5", 3), (None, 4)]
        store.backend.execute("DROP TABLE qg_marker_probe")
        store.backend.execute("DROP TABLE qg_mixed_probe")


def test_observation_migration_keeps_every_vintage(db_url, monkeypatch):
    # 0012 rebuilds observation on DuckDB without its primary-key index (PostgreSQL keeps it): a
    # store written at 0011 keeps every vintage of every value, reads as before, and a stage that
    # gives one observation two values is still refused whole.
    from qinggong.store import schema

    everything = schema.available_migrations
    assert dict(everything("postgresql"))["0012_observation_keys"].strip() == ""
    monkeypatch.setattr(schema, "available_migrations", lambda engine=None: everything(engine)[:11])
    with Store.open(db_url) as old:
        assert old.schema_version() == "0011_submission_status"
        old.write_observations(furniture_growth([-9.0, -8.9, -11.3]), source="初值")
        old.write_observations(furniture_growth([-9.0, -8.9, -11.0]), source="修订")
        before = old.read_observations([KEY], history=True).sort_values(["period", "vintage_id"])
    monkeypatch.setattr(schema, "available_migrations", everything)
    with Store.open(db_url) as new:
        assert new.schema_version() >= "0012_observation_keys"
        after = new.read_observations([KEY], history=True).sort_values(["period", "vintage_id"])
        columns = ["period", "vintage_id", "value", "status", "conf_status"]
        assert after[columns].values.tolist() == before[columns].values.tolist() and len(after) == 4
        assert new.series_values(KEY).to_dict() == {"2025-09": -9.0, "2025-10": -8.9, "2025-11": -11.0}
        keys = new.backend.scalar(
            "SELECT COUNT(*) FROM information_schema.table_constraints"
            " WHERE table_name = 'observation' AND constraint_type = 'PRIMARY KEY' AND table_schema = current_schema()")
        assert keys == (1 if new.backend.name == "postgresql" else 0)
        conflicting = pd.concat([furniture_growth([-9.0, -8.9, -11.0]), furniture_growth([-9.0, -8.0])])
        with pytest.raises(InputError, match="两个不同的值"):
            new.write_observations(conflicting, source="冲突")
        assert len(new.read_observations([KEY], history=True)) == 4
        new.write_observations(furniture_growth([-9.0, -8.9, -10.0]), source="再修订")
        assert new.series_values(KEY)["2025-11"] == -10.0
