"""The data release and disclosure control: a cell withheld in the release (conf_status ≠ F) or
missing appears nowhere — not in the report text, tables, charts or appendix, nor in the
release files, which show only its flag."""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from qinggong.publish import build_release, build_report, charts, prepare
from qinggong.publish import release as rel
from qinggong.store import Store

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "publish"))
import publish_store  # noqa: E402

PERIOD = "2025-11"
pytestmark = pytest.mark.slow  # builds two stores and runs the warning rules on each (~30 s)
FURNITURE = "OFFICIAL.M.VA.21.000000._Z.YOY_M.PCT"   # 2025-11: −11.3
PAPER = "OFFICIAL.M.VA.22.000000._Z.YOY_M.PCT"       # 2025-10: 1.2 (2025-11: 2.4)
ELEVEN_THREE = re.compile(r"(?<![\d.])11\.3(?![\d])")


def _withhold(store: Store) -> None:
    """Flag two published cells as confidential in a new vintage (as disclosure control would)."""
    frame = store.read_observations([FURNITURE, PAPER])
    frame = frame[((frame["series_key"] == FURNITURE) & (frame["period"] == PERIOD))
                  | ((frame["series_key"] == PAPER) & (frame["period"] == "2025-10"))].copy()
    assert len(frame) == 2
    frame["conf_status"] = ["D" if key == FURNITURE else "A" for key in frame["series_key"]]
    store.write_observations(frame[["series_key", "period", "value", "status", "conf_status", "span"]],
                             source="test:disclosure", action="test")


def _store_alerts(store: Store) -> None:
    """Run the warning rules once and keep the alerts, as the monitor step does before the report."""
    try:
        from qinggong.monitor.service import run_warnings
    except ImportError:
        return
    run_warnings(store, PERIOD, persist=True)


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    real = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"
    folder = tmp_path_factory.mktemp("release")
    plain, withheld = str(folder / "plain.duckdb"), str(folder / "withheld.duckdb")
    with Store.open(plain) as store:
        publish_store.fill_store(store, real)
        _store_alerts(store)
    with Store.open(withheld) as store:
        publish_store.fill_store(store, real)
        _withhold(store)
        _store_alerts(store)
    return plain, withheld


@pytest.fixture(scope="module")
def prepared(stores):
    with Store.open(stores[0]) as store:
        plain = prepare(store, PERIOD)
    with Store.open(stores[1]) as store:
        withheld = prepare(store, PERIOD)
    return plain, withheld


def _text(report) -> list[str]:
    return [s.text for sec in report.sections for p in sec.paragraphs for s in p.sentences]


def test_release_files_flag_withheld_cells(stores, tmp_path):
    with Store.open(stores[1]) as store:
        files = build_release(store, PERIOD, "all", tmp_path)
    assert [f.suffix for f in files] == [".xlsx", ".csv", ".csv"]
    xlsx, flat, sdmx = files
    ws = load_workbook(xlsx)["分行业"]
    rows = {ws.cell(r, 1).value: r for r in range(4, ws.max_row + 1)}
    assert ws.cell(3, 3).value == "增加值当月同比(%)" and ws.cell(3, 4).value == "标志"
    assert ws.cell(rows["21"], 3).value is None and ws.cell(rows["21"], 4).value == "D"
    assert ws.cell(rows["22"], 3).value == pytest.approx(2.4) and ws.cell(rows["22"], 4).value is None
    assert ws.cell(rows["_T"], 3).value == pytest.approx(4.8)
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.print_title_rows == "$3:$3" and ws.sheet_properties.pageSetUpPr.fitToPage
    with open(flat, encoding="utf-8-sig") as handle:
        table = list(csv.reader(handle))
    furniture = next(r for r in table if r and r[0] == "21")
    assert furniture[2:4] == ["", "D"]
    assert "-11.3" not in flat.read_text(encoding="utf-8-sig")
    obs = pd.read_csv(sdmx, dtype=str, keep_default_na=False)
    assert list(obs.columns[:3]) == ["DATAFLOW", "FREQ", "INDICATOR"]
    assert obs["DATAFLOW"].iloc[0] == "QINGGONG:OFFICIAL(1.0)"
    cell = obs[(obs["INDUSTRY"] == "21") & (obs["INDICATOR"] == "VA") & (obs["MEASURE"] == "YOY_M")]
    assert cell["OBS_VALUE"].tolist() == [""] and cell["CONF_STATUS"].tolist() == ["D"]
    paper = obs[(obs["INDUSTRY"] == "22") & (obs["INDICATOR"] == "VA") & (obs["MEASURE"] == "YOY_M")]
    assert float(paper["OBS_VALUE"].iloc[0]) == pytest.approx(2.4) and paper["CONF_STATUS"].iloc[0] == "F"


def test_release_without_suppression_has_the_value(stores, tmp_path):
    with Store.open(stores[0]) as store:
        (flat,) = build_release(store, PERIOD, "csv", tmp_path)
    furniture = next(r for r in csv.reader(open(flat, encoding="utf-8-sig")) if r and r[0] == "21")
    assert furniture[2:4] == ["-11.3", ""]


def test_withheld_cells_appear_nowhere_in_the_report(stores, prepared, tmp_path):
    (plain_model, plain), (model, report) = prepared
    with Store.open(stores[1]) as store:
        files = {p.suffix: p for p in build_report(store, PERIOD, "html,docx", tmp_path)}
    # the baseline mentions both numbers; the withheld store mentions neither
    assert any("家具制造业增加值同比下降11.3%" in t for t in _text(plain))
    assert any(t.startswith("造纸和纸制品业增加值同比增长2.4%，增速较上月加快1.2个百分点") for t in _text(plain))
    texts = _text(report)
    assert not any(ELEVEN_THREE.search(t) for t in texts if "家具" in t)
    assert any(t.startswith("造纸和纸制品业增加值同比增长2.4%；") for t in texts)  # no change against a withheld month
    assert model.get("VA", "21", "YOY_M") is None and model.is_withheld("VA", "21", "YOY_M")
    # every withheld release cell: its number is absent from each sentence naming the industry
    labels = {code: label for code, label in model.sectors}
    for cell in rel.suppressed_cells(model):
        label = labels.get(cell.fact.industry)
        if label and pd.notna(cell.fact.value):
            shown = f"{abs(cell.fact.value):.1f}"
            assert not any(shown in t for t in texts if label in t and cell.fact.indicator in ("VA",)), (label, shown)
    # the table row and the appendix
    sector_table = report.sections[1].tables[0]
    furniture_row = next(r for r in sector_table.rows if r[0] == "家具制造业")
    assert furniture_row[1] == "—" and furniture_row[2] == "—"
    paper_row = next(r for r in sector_table.rows if r[0] == "造纸和纸制品业")
    assert paper_row[1] == "2.4" and paper_row[2] == "—"
    assert FURNITURE not in {f.key for f in model.used if f.period == PERIOD}
    html = files[".html"].read_text(encoding="utf-8")
    body = re.sub(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+", "", html)
    for phrase in ("家具制造业增加值同比下降11.3%", "家具制造业增加值当月同比下降11.3%", "<td>-11.3</td>"):
        assert phrase not in body, phrase
    trace = re.findall(r"<tr id=\"ref-\d+\"><td>\d+</td><td>([^<]*)</td><td[^>]*>([^<]*)</td><td class=\"key\">([^<]*)</td>", body)
    assert trace and not [row for row in trace if row[2] == FURNITURE and row[0] == "2025年11月"]
    assert not [row for row in trace if row[2] == PAPER and row[0] == "2025年10月"]
    from docx import Document

    doc = Document(str(files[".docx"]))
    doc_text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "家具制造业增加值同比下降11.3%" not in doc_text and "家具制造业增加值当月同比下降11.3%" not in doc_text
    assert "家具制造业" in doc_text


def test_withheld_cells_are_not_charted(prepared):
    (plain_model, _), (model, _) = prepared
    for name in ("heatmap", "sectors"):
        plain_svg = charts.render(plain_model, name, "svg").data.decode("utf-8")
        svg = charts.render(model, name, "svg").data.decode("utf-8")
        assert "-11.3" in plain_svg, name
        assert "-11.3" not in svg, name
    assert "家具制造业" in charts.render(model, "heatmap", "svg").data.decode("utf-8")  # the row stays, the cell is blank


def test_sdmx_values_keep_full_precision_without_binary_noise():
    from qinggong.publish.release import _sdmx_value

    assert _sdmx_value(302370.60000000003) == "302370.6"
    assert _sdmx_value(0.1 + 0.2) == "0.3"
    assert _sdmx_value(-11.345678901234) == "-11.345678901234"  # real digits are kept
