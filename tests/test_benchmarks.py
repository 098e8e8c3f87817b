"""The national enterprise benchmark, run at a small scale so that it keeps working: the same
pipeline and the same hand-written floors, with figures that add up."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the benchmarks package beside src/


@pytest.mark.slow
def test_enterprise_benchmark_runs_at_small_scale(monkeypatch):
    from benchmarks import bench_enterprise

    from qinggong.disclose import publish_enterprise_aggregates
    from qinggong.disclose.suppress import params

    monkeypatch.setattr(bench_enterprise, "N_ENTERPRISES", 400)
    monkeypatch.setattr(bench_enterprise, "REPEATS", 1)  # a test of the harness, not a measurement
    # A panel this small is nearly all suppressed and its full LP audit takes most of a minute
    # (tested elsewhere); a sampled audit keeps this a test of the harness.
    config = params()
    config = {**config, "secondary": {**config["secondary"], "verify": 100}}
    monkeypatch.setattr(bench_enterprise, "publish_enterprise_aggregates",
                        lambda store, **kw: publish_enterprise_aggregates(store, config=config, **kw))
    figures = bench_enterprise.run()
    assert figures["enterprises"] == 400 and figures["reports"] > 400 * 12 and figures["product_rows"] > 0
    assert figures["unprotected_units"] == 0 and figures["product_unprotected_units"] == 0
    assert figures["cells"] > 0 and figures["product_cells"] > 0 and figures["floor_cells"] > figures["cells"] / 4
    pipeline = figures["validate_and_store_seconds"] + figures["aggregate_suppress_write_seconds"]
    assert figures["pipeline_seconds"] == pytest.approx(pipeline, abs=0.11)
    assert figures["ratio_to_floor"] == pytest.approx(figures["pipeline_seconds"] / figures["floor_duckdb_sql_seconds"], rel=0.1)
    # The floor is the faster registration of the frames; CPU seconds are measured, not derived.
    assert figures["floor_duckdb_sql_seconds"] == pytest.approx(min(figures["floor_by_registration_seconds"].values()),
                                                                abs=0.01)
    assert set(figures["floor_by_registration_seconds"]) == {"pandas", "arrow"}
    assert 0 < figures["floor_cpu_seconds"] and 0 < figures["pipeline_cpu_seconds"]
    assert figures["cpu_budget_at_target_seconds"] > 3 * figures["floor_duckdb_sql_seconds"] * 0.99
