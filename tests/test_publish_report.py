"""The monthly report drafted from a store of real published figures: text against the store,
the three output files (PDF read back with pdftotext, DOCX opened by LibreOffice), the CLI."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from qinggong.publish import build_report, phrasing as ph, prepare
from qinggong.publish.model import latest_complete_period
from qinggong.store import Store

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "publish"))
import publish_store  # noqa: E402

PERIOD = "2025-11"
NUMBER = re.compile(r"(\d+(?:\.\d+)?)(%|个百分点|万亿元|亿元|万元)")


@pytest.fixture(scope="module")
def real_store(tmp_path_factory):
    """Real figures plus the alerts the monitor stores for the month (as the demo does)."""
    real = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"
    path = tmp_path_factory.mktemp("publish") / "q.duckdb"
    with Store.open(str(path)) as store:
        publish_store.fill_store(store, real)
        try:
            from qinggong.monitor.service import run_warnings
        except ImportError:
            pass
        else:
            run_warnings(store, PERIOD, persist=True)
    return str(path)


@pytest.fixture
def no_live_alerts(tmp_path, monkeypatch):
    """A report.yaml override (the documented $QINGGONG_CONFIG_DIR route) that does not evaluate
    the warning rules when no alert is stored: the numbers test stays fast on both backends."""
    import yaml

    from qinggong.config import config_path

    data = yaml.safe_load(Path(config_path("report")).read_text(encoding="utf-8"))
    data["monitor"]["evaluate_when_none_stored"] = False
    folder = tmp_path / "config"
    folder.mkdir()
    (folder / "report.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("QINGGONG_CONFIG_DIR", str(folder))


@pytest.fixture(scope="module")
def outputs(real_store, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    with Store.open(real_store) as store:
        files = build_report(store, PERIOD, "all", out)
    return {p.suffix: p for p in files}


def _store_value(store: Store, key: str, period: str) -> pd.Series:
    frame = store.read_observations([key])
    row = frame[frame["period"] == period]
    assert len(row) == 1, (key, period)
    return row.iloc[0]


def _months_back(period: str, n: int) -> str:
    return str(pd.Period(period, freq="M") - n)


def _check_streak(store: Store, key: str, period: str, n: int) -> None:
    """Recount the run from the store: n months of the same sign, then a month of another sign."""
    frame = store.read_observations([key]).set_index("period")
    def value(month: str) -> float | None:
        if month in frame.index:
            return float(frame.loc[month, "value"])
        feb = month[:5] + "02"
        if month.endswith("-01") and feb in frame.index and int(frame.loc[feb, "span"]) == 2:
            return float(frame.loc[feb, "value"])
        return None
    sign = 1 if value(period) > 0 else -1
    for k in range(n):
        v = value(_months_back(period, k))
        assert v is not None and round(v, 1) * sign > 0, (key, k)
    before = value(_months_back(period, n))
    assert before is not None and not round(before, 1) * sign > 0


def _check_numbers(store: Store, model, report) -> int:
    checked = 0
    for section in report.sections:
        for paragraph in section.paragraphs:
            for sentence in paragraph.sentences:
                for fact in sentence.facts:
                    row = _store_value(store, fact.key, fact.period)
                    assert row["value"] == pytest.approx(fact.value)
                    assert row["conf_status"] == "F" and row["status"] != "M"
                rates = [f for f in sentence.facts if f.unit == "PCT"]
                found = NUMBER.findall(sentence.text)
                if sentence.origin == "monitor":
                    # a quoted alert explanation states the series value of the month
                    if sentence.facts and found:
                        assert ph.fmt_rate(sentence.facts[0].value) in [n for n, u in found if u == "%"], sentence.text
                        checked += 1
                    continue
                for number, unit in found:
                    checked += 1
                    if unit == "%":
                        assert any(ph.fmt_rate(f.value) == number for f in rates), sentence.text
                    elif unit == "个百分点":
                        diffs = {ph.fmt_rate(ph.shown(a.value) - ph.shown(b.value)) for a in rates for b in rates}
                        assert number in diffs, sentence.text
                    else:
                        money = [ph.amount(f.value, f.unit) for f in sentence.facts if f.unit.startswith("CNY")]
                        assert number + unit in money, sentence.text
                for fact, n in sentence.streaks:
                    assert f"连续{n}个月" in sentence.text
                    _check_streak(store, fact.key, fact.period, n)
                counted = re.search(r"有数据的(\d+)个重点行业中，(\d+)个行业同比增长，(\d+)个行业同比下降", sentence.text)
                if counted:
                    va = store.read_observations(indicator="VA", measure="YOY_M", start=PERIOD, end=PERIOD)
                    va = va[va["industry"].isin([c for c, _ in model.sectors])]
                    assert int(counted.group(1)) == len(va)
                    assert int(counted.group(2)) == int((va["value"].round(1) > 0).sum())
                    assert int(counted.group(3)) == int((va["value"].round(1) < 0).sum())
    return checked


def test_every_number_in_the_text_matches_the_store(db_url, real_data, no_live_alerts):
    with Store.open(db_url) as store:
        publish_store.fill_store(store, real_data)
        model, report = prepare(store, PERIOD)
        assert _check_numbers(store, model, report) > 40
    # the constructed store has no 轻工业 aggregate: the report says so instead of inventing it
    assert any("LI" in note for note in report.notes)
    assert any("预警" in note and "从略" in note for note in report.notes)
    text = "".join(s.text for sec in report.sections for p in sec.paragraphs for s in p.sentences)
    assert "全部规模以上工业增加值同比增长4.8%，增速较上月回落0.1个百分点" in text
    assert "家具制造业增加值同比下降11.3%，降幅较上月扩大2.4个百分点" in text
    assert "文教、工美、体育和娱乐用品制造业增加值同比下降10.5%，增速由正转负（上月为增长6.7%）" in text
    assert "连续43个月保持增长" in text  # 2022-05 … 2025-11 (April 2022: −2.9%)


@pytest.mark.slow  # shares the module store: real figures + one run of the warning rules
def test_alerts_lights_and_drafts_from_the_monitor(real_store):
    pytest.importorskip("qinggong.monitor.service")
    with Store.open(real_store) as store:
        model, report = prepare(store, PERIOD)
        _check_numbers(store, model, report)
    titles = [s.title for s in report.sections]
    assert titles[:2] == ["总体运行情况", "重点行业运行情况"]
    assert "监测预警" in titles and titles[-1] == "下一步建议"
    alerts = next(s for s in report.sections if s.title == "监测预警")
    summary = alerts.paragraphs[0].sentences[0].text
    n = int(re.search(r"本月共有预警(\d+)条", summary).group(1))
    assert n == len(model.alerts) == len(alerts.tables[0].rows)
    assert not [row for row in alerts.tables[0].rows if re.fullmatch(r"[a-z_]+", row[2])]  # rule names in Chinese
    drafts = next(s for s in report.sections if s.title == "下一步建议")
    assert all(p.draft for p in drafts.paragraphs) and "草稿" in drafts.paragraphs[0].sentences[0].text
    sector_table = report.sections[1].tables[0]
    assert any(sector_table.lights) and set(filter(None, sector_table.lights)) <= {"蓝", "浅蓝", "绿", "黄", "红"}
    assert any(name.startswith("warning_rules") or name == "warning_rules" for name in model.methods)


@pytest.mark.slow  # shares the module store: real figures + one run of the warning rules
def test_pdf_text_in_chinese(outputs):
    pdf = outputs[".pdf"]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    for expected in ("2025年11月轻工业经济运行报告", "主要指标", "一、总体运行情况", "二、重点行业运行情况",
                     "家具制造业增加值同比下降11.3%", "附录数据来源与可追溯性", "OFFICIAL.M.VA.21.000000._Z.YOY_M.PCT",
                     "report@2025.1", "图1", "表1"):
        assert expected in flat, expected
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+", info)  # A4


@pytest.mark.slow  # shares the module store: real figures + one run of the warning rules
def test_html_is_self_contained(outputs):
    html = outputs[".html"].read_text(encoding="utf-8")
    assert 'lang="zh-CN"' in html and "一、总体运行情况" in html
    assert not re.search(r"""(src|href)=["'](https?:)?//""", html)
    assert "<link" not in html
    assert html.count("data:image/png;base64,") >= 3
    # every reference in the text resolves to an appendix row
    refs = set(re.findall(r'href="#ref-(\d+)"', html))
    rows = set(re.findall(r'id="ref-(\d+)"', html))
    assert refs and refs <= rows


@pytest.mark.slow
def test_docx_opens_in_libreoffice(outputs, tmp_path):
    from docx import Document

    docx = outputs[".docx"]
    doc = Document(str(docx))
    styles = {p.style.name for p in doc.paragraphs}
    assert {"Title", "Heading 1", "Heading 2", "Normal"} <= styles
    east_asia = doc.styles["Normal"].element.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
    assert east_asia == "Noto Serif CJK SC"
    assert len(doc.inline_shapes) >= 3
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is required"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(docx)], check=True, capture_output=True, timeout=120)
    pdf = tmp_path / (docx.stem + ".pdf")
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)
    assert "一、总体运行情况" in text and "家具制造业增加值同比下降11.3%" in text


@pytest.mark.slow  # shares the module store: real figures + one run of the warning rules
def test_cli_report_and_errors(real_store, tmp_path):
    from qinggong.cli.main import app

    runner = CliRunner()
    result = runner.invoke(app, ["report", "--period", PERIOD, "--format", "html", "--out", str(tmp_path), "--db", real_store])
    assert result.exit_code == 0, result.output
    assert (tmp_path / f"轻工业经济运行报告_{PERIOD}.html").is_file()
    assert not (tmp_path / f"轻工业经济运行报告_{PERIOD}.pdf").exists()
    bad = runner.invoke(app, ["report", "--period", "2025-13", "--out", str(tmp_path), "--db", real_store])
    assert bad.exit_code != 0 and "YYYY-MM" in str(bad.exception)
    bad = runner.invoke(app, ["report", "--period", PERIOD, "--format", "xls", "--out", str(tmp_path), "--db", real_store])
    assert bad.exit_code != 0 and "xls" in str(bad.exception)
    bad = runner.invoke(app, ["report", "--period", "1999-01", "--out", str(tmp_path), "--db", real_store])
    assert bad.exit_code != 0 and "没有" in str(bad.exception)
    result = runner.invoke(app, ["release", "--period", PERIOD, "--format", "sdmx-csv", "--out", str(tmp_path), "--db", real_store, "--json"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / f"轻工业数据发布_{PERIOD}.sdmx.csv").is_file()


@pytest.mark.slow  # shares the module store: real figures + one run of the warning rules
def test_saved_template_is_used_for_docx(real_store, tmp_path):
    from docx import Document
    from docx.shared import Pt

    from qinggong.cli.main import app

    folder = tmp_path / "tpl"
    result = CliRunner().invoke(app, ["report", "--save-template", str(folder)])
    assert result.exit_code == 0, result.output
    assert {p.name for p in folder.iterdir()} == {"report.html.j2", "style.css", "report.docx"}
    styles = Document(str(folder / "report.docx"))
    styles.styles["Normal"].font.size = Pt(11)  # an analyst changes 正文 to 11 pt
    styles.save(str(folder / "report.docx"))
    with Store.open(real_store) as store:
        (docx,) = build_report(store, PERIOD, "docx", tmp_path / "out", str(folder))
    doc = Document(str(docx))
    assert doc.styles["Normal"].font.size == Pt(11)
    assert doc.paragraphs[0].text == "2025年11月轻工业经济运行报告"  # the sample text of the template is gone
    assert not any("样式：正文" in p.text for p in doc.paragraphs)


@pytest.mark.slow  # shares the module store: real figures + one run of the warning rules
def test_latest_complete_month_skips_unpublished_cells(real_store):
    # 2025-12 exists in the vendor file but most industry cells are 0 (= not yet published)
    with Store.open(real_store) as store:
        assert latest_complete_period(store) == PERIOD


@pytest.mark.slow  # shares the module store: real figures + one run of the warning rules
def test_user_template_folder_overrides_css(real_store, tmp_path):
    folder = tmp_path / "mytpl"
    folder.mkdir()
    (folder / "style.css").write_text("body { color: #123456; }", encoding="utf-8")
    with Store.open(real_store) as store:
        files = build_report(store, PERIOD, "html", tmp_path / "out", str(folder))
    html = files[0].read_text(encoding="utf-8")
    assert "#123456" in html and "一、总体运行情况" in html  # CSS from the user, HTML from the default
