"""Import speed: a Wind-style wide sheet of 200 series × 240 months and a long CSV of about
1,000,000 rows, against reading the same file with pandas.read_csv alone (the parsing floor),
measured in the same run. Reports the import split into reading+recognition (`read_files`) and
the whole import into a fresh DuckDB store (`import_files`, which includes Store.write_observations)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from qinggong import catalog
from qinggong.ingest.service import import_files, read_files
from qinggong.store import Store


def _industries() -> pd.DataFrame:
    frame = catalog.industries()
    frame = frame[(frame["level"] == "大类") & frame["section"].isin(["B", "C", "D"])]
    return frame[["code", "name"]].reset_index(drop=True)


def make_wide(path: Path, n_series: int = 200, n_months: int = 240) -> None:
    rng = np.random.default_rng(1)
    industries = _industries()
    measures = [("工业增加值", "当月同比"), ("工业增加值", "累计同比"), ("出口交货值", "当月同比"),
                ("出口交货值", "累计同比"), ("出口交货值", "当月值")]
    labels = [f"中国:{ind}:规模以上工业企业:{name}:{measure}" for ind, measure in measures for name in industries["name"]]
    labels = labels[:n_series]
    dates = pd.date_range(end="2025-12-31", periods=n_months, freq="ME")[::-1]  # newest first, like Wind
    values = np.round(rng.normal(5, 4, size=(n_months, len(labels))), 1)
    values[values == 0] = 0.1
    frame = pd.DataFrame(values, columns=labels)
    frame.insert(0, "指标名称", dates.strftime("%Y-%m-%d"))
    frame.to_csv(path, index=False, encoding="utf-8")


def make_long(path: Path, target_rows: int = 1_000_000) -> int:
    rng = np.random.default_rng(2)
    industries = _industries()["name"].tolist()
    regions = catalog.regions()["name"].tolist()[:32]
    kinds = [("工业增加值", "当月同比", "%"), ("利润总额", "累计值", "亿元"), ("营业收入", "累计值", "万元")]
    n_series = len(industries) * len(regions) * len(kinds)
    n_periods = int(np.ceil(target_rows / n_series))
    periods = pd.period_range(end="2025-12", periods=n_periods, freq="M").strftime("%Y-%m").tolist()
    ind = np.repeat(np.arange(len(kinds)), len(industries) * len(regions) * n_periods)
    rest = np.arange(len(ind)) % (len(industries) * len(regions) * n_periods)
    industry = rest // (len(regions) * n_periods)
    region = (rest // n_periods) % len(regions)
    period = rest % n_periods
    values = np.round(rng.uniform(1, 5000, size=len(ind)), 2)
    frame = pd.DataFrame({
        "indicator": np.array([k[0] for k in kinds])[ind],
        "industry": np.array(industries)[industry],
        "region": np.array(regions)[region],
        "product": "",
        "period": np.array(periods)[period],
        "measure": np.array([k[1] for k in kinds])[ind],
        "value": values,
        "unit": np.array([k[2] for k in kinds])[ind],
    })
    frame.to_csv(path, index=False, encoding="utf-8")
    return len(frame)


def _time(fn) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def _case(path: Path, folder: Path, name: str) -> dict:
    floor, raw = _time(lambda: pd.read_csv(path))
    parse, (obs, _) = _time(lambda: read_files([path]))
    with Store.open(str(folder / f"{name}.duckdb")) as store:
        total, report = _time(lambda: import_files(store, [path]))
        again, second = _time(lambda: import_files(store, [path]))
    return {
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "rows_in_file": int(len(raw)),
        "observations": int(len(obs)),
        "pandas_read_csv_s": round(floor, 2),
        "read_and_recognise_s": round(parse, 2),
        "import_total_s": round(total, 2),
        "store_write_s": round(total - parse, 2),
        "reimport_unchanged_s": round(again, 2),
        "read_and_recognise_vs_pandas": round(parse / floor, 1),
        "import_total_vs_pandas": round(total / floor, 1),
        "new_observations": report.write.new_observations,
        "reimport_new_observations": second.write.new_observations,
    }


def run() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        wide = folder / "wide_200x240.csv"
        make_wide(wide)
        long = folder / "long_1m.csv"
        make_long(long)
        return {"wide_200_series_x_240_months": _case(wide, folder, "wide"),
                "long_csv_1m_rows": _case(long, folder, "long")}
