"""Import and export through a real store on both backends: one transaction, dry run, idempotent
re-import, revisions as vintages, audit, garbage leaves the store untouched, SDMX-CSV round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from qinggong.errors import InputError
from qinggong.ingest import export_observations, import_files, load_mapping, suggest_mapping

FIX = Path(__file__).parent / "fixtures" / "ingest"


def _snapshot(store):
    return store.counts(), store.read_observations()[["series_key", "period", "value", "status"]]


def test_import_is_one_vintage_with_audit_and_idempotent(store):
    report = import_files(store, [FIX / "wide.xlsx", FIX / "nbs_gbk.csv"], source="测试")
    write = report.write
    assert write.vintage_id is not None and write.new_observations == len(report.observations)
    assert len(store.vintages()) == 1
    audit = store.audit_log(1).iloc[0]
    assert audit["action"] == "import" and "wide.xlsx" in audit["file_name"] and "nbs_gbk.csv" in audit["file_name"]
    details = json.loads(audit["details"])
    assert [f["checksum"] for f in details["files"]] == [f.checksum for f in report.files]
    assert audit["rows_new"] == write.new_observations and audit["actor"]
    assert store.series_values("OFFICIAL.M.VA.21.000000._Z.YOY_M.PCT")["2025-11"] == -11.3
    again = import_files(store, [FIX / "wide.xlsx", FIX / "nbs_gbk.csv"])
    assert again.write.new_observations == 0 and again.write.revised_observations == 0
    assert len(store.vintages()) == 1


def test_revised_file_adds_a_vintage_and_dry_run_shows_old_and_new(store, tmp_path):
    import_files(store, [FIX / "nbs_gbk.csv"])
    revised = tmp_path / "nbs_revised.csv"
    revised.write_bytes((FIX / "nbs_gbk.csv").read_bytes().replace(b"-11.3", b"-11.0"))
    before = _snapshot(store)
    dry = import_files(store, [revised], dry_run=True)
    assert dry.dry_run and dry.write.revised_observations == 1 and dry.write.vintage_id is None
    change = dry.write.changes.iloc[0]
    assert (change["period"], change["old_value"], change["new_value"]) == ("2025-11", -11.3, -11.0)
    after = _snapshot(store)
    assert before[0] == after[0]
    real = import_files(store, [revised])
    assert real.write.revised_observations == 1
    assert store.series_values("OFFICIAL.M.VA.21.000000._Z.YOY_M.PCT")["2025-11"] == -11.0
    first_vintage_time = store.vintages().iloc[0]["created_at"]
    old = store.series_values("OFFICIAL.M.VA.21.000000._Z.YOY_M.PCT", as_of=first_vintage_time)
    assert old["2025-11"] == -11.3


@pytest.mark.parametrize("name", ["empty.csv", "image.csv", "truncated.xlsx", "binary.dat"])
def test_garbage_in_a_batch_leaves_the_store_untouched(store, name):
    import_files(store, [FIX / "nbs_gbk.csv"])
    before = _snapshot(store)
    with pytest.raises(InputError):
        import_files(store, [FIX / "wide.xlsx", FIX / name])
    after = _snapshot(store)
    assert before[0] == after[0]
    pd.testing.assert_frame_equal(before[1], after[1])


@pytest.mark.parametrize("version", ["1.0", "2.0"])
def test_sdmx_round_trip_gives_identical_observations(store, tmp_path, version):
    import_files(store, [FIX / "wide.xlsx", FIX / "nbs_gbk.csv", FIX / "long_gbk.csv"])
    cols = ["series_key", "period", "value", "status", "conf_status", "span", "note"]
    original = store.read_observations()[cols]
    out = tmp_path / f"export_{version}.csv"
    result = export_observations(store, out, format="sdmx-csv", sdmx_version=version)
    assert result["observations"] == len(original)
    header = out.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("STRUCTURE,STRUCTURE_ID,ACTION" if version == "2.0" else "DATAFLOW,FREQ")
    assert "OBS_STATUS" in header and "CONF_STATUS" in header
    from qinggong.store import Store

    with Store.open(str(tmp_path / "other.duckdb")) as other:
        report = import_files(other, [out])
        assert report.files[0].format == "sdmx" and not report.unrecognised and not report.rejected
        back = other.read_observations()[cols]
    pd.testing.assert_frame_equal(original.reset_index(drop=True), back.reset_index(drop=True))
    # and re-importing the export into the same store changes nothing
    assert import_files(store, [out]).write.new_observations == 0


def test_csv_and_xlsx_export(store, tmp_path):
    import_files(store, [FIX / "wide.xlsx"])
    csv_out = tmp_path / "out.csv"
    export_observations(store, csv_out, format="csv", indicator="VA")
    frame = pd.read_csv(csv_out, dtype=str, encoding="utf-8-sig")
    assert set(frame["indicator"]) == {"VA"} and "industry_name" in frame and frame["industry_name"].iloc[0] == "家具制造业"
    assert import_files(store, [csv_out]).write.new_observations == 0  # the CSV reads back as a long table
    xlsx_out = tmp_path / "out.xlsx"
    export_observations(store, xlsx_out, format="xlsx")
    sheets = pd.read_excel(xlsx_out, sheet_name=None)
    assert set(sheets) == {"观测值", "宽表"}
    with pytest.raises(InputError, match="没有符合条件"):
        export_observations(store, tmp_path / "none.csv", format="csv", indicator="PPI")


def test_mapping_maps_an_unrecognised_column(store, tmp_path):
    text = suggest_mapping([FIX / "nbs_gbk.csv"])
    assert "高技术产业增加值同比增长(%)" in text and "未识别" in text
    mapping = tmp_path / "map.yaml"
    mapping.write_text(text.replace('"高技术产业增加值同比增长(%)":', '"高技术产业增加值同比增长(%)":\n'
                                    '    indicator: VA\n    industry: C\n    measure: YOY_M\n    unit: PCT'), encoding="utf-8")
    assert "高技术产业增加值同比增长(%)" in load_mapping(mapping).series
    report = import_files(store, [FIX / "nbs_gbk.csv"], mapping=mapping)
    assert not report.unrecognised
    assert store.series_values("OFFICIAL.M.VA.C.000000._Z.YOY_M.PCT")["2025-10"] == 7.2
