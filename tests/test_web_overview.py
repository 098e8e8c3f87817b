"""The overview leads with official light-industry figures, never with 企业直报 (generated in the demo) aggregates."""

from __future__ import annotations

import pandas as pd

from qinggong.store import Store
from qinggong.web.app import create_app
from test_web_api import login, make_users


def test_headlines_are_official_light_industry_figures(tmp_path):
    store = Store.open(str(tmp_path / "overview.duckdb"))
    rows = [
        {"dataflow": "DERIVED", "indicator": "VA", "industry": "LI", "measure": "YOY_M", "unit": "PCT", "period": p, "value": v}
        for p, v in (("2025-10", -0.4), ("2025-11", -0.3))
    ] + [
        {"dataflow": "ENTERPRISE", "indicator": "REV", "industry": "LI", "measure": "YOY_YTD", "unit": "PCT", "period": p, "value": v}
        for p, v in (("2025-10", 6.0), ("2025-11", 6.7))
    ] + [
        {"dataflow": "OFFICIAL", "indicator": "REV", "industry": "_T", "measure": "YOY_YTD", "unit": "PCT", "period": p, "value": v}
        for p, v in (("2025-10", 1.8), ("2025-11", 1.6))
    ] + [
        {"dataflow": "OFFICIAL", "indicator": "OUTPUT", "industry": "_Z", "product": "PLASTIC_PRODUCTS", "measure": "M",
         "unit": "T_10K", "period": "2025-11", "value": 519.0}
    ]
    store.write_observations(pd.DataFrame(rows).fillna({"product": "_Z"}), source="测试")
    make_users(store)
    client = login(create_app(store), "u_analyst")
    headlines = {h["indicator"]: h for h in client.get("/api/v1/overview").json()["headlines"]}
    assert headlines["VA"]["series_key"].startswith("DERIVED.M.VA.LI.") and headlines["VA"]["value"] == -0.3
    assert headlines["REV"]["series_key"].startswith("OFFICIAL.M.REV._T.") and headlines["REV"]["value"] == 1.6
    assert "OUTPUT" not in headlines
    assert not any(h["series_key"].startswith("ENTERPRISE.") for h in headlines.values())
    store.close()
