"""The light-industry total (LI) built from 大类: consistent with the catalog scope, growth on the comparable basis."""

from __future__ import annotations

import pandas as pd
import pytest

from qinggong import catalog
from qinggong.compute.service import compute
from qinggong.config import load_method


def test_members_are_light_or_declared_proxies():
    cfg = load_method("aggregation")["light_industry"]
    scope = catalog.light_scope()
    proxies = set(cfg["proxies"])
    for code in cfg["members"]:
        assert scope.is_light(code) or code in proxies, f"{code} 不在轻工业口径内，也不是声明的代理大类"
    for proxy in proxies:
        assert not scope.is_light(proxy), "代理大类应只是部分属于轻工业"
        assert any(scope.is_light(child.code) for child in catalog.descendants(proxy)), proxy
    for outside in ("17", "18", "23"):
        assert outside not in cfg["members"]


def test_light_total_growth_uses_implied_bases(store):
    members = [str(c) for c in load_method("aggregation")["light_industry"]["members"]]
    periods = ["2025-10", "2025-11"]
    rows = []
    levels = {}
    rates = {}
    for i, code in enumerate(members):
        level = [100.0 + 10 * i, 110.0 + 10 * i]
        rate = [float(i) - 3.0, 2.0 * i - 5.0]
        levels[code], rates[code] = level, rate
        for period, lv, rt in zip(periods, level, rate):
            rows.append({"indicator": "EXPORT", "industry": code, "measure": "M", "unit": "CNY_100M", "period": period, "value": lv})
            rows.append({"indicator": "EXPORT", "industry": code, "measure": "YOY_M", "unit": "PCT", "period": period, "value": rt})
    store.write_observations(pd.DataFrame(rows), source="测试")
    compute(store, method="native")
    got = store.series_values("DERIVED.M.EXPORT.LI.000000._Z.YOY_M.PCT")
    for j, period in enumerate(periods):
        total = sum(levels[c][j] for c in members)
        base = sum(levels[c][j] / (1 + rates[c][j] / 100) for c in members)
        assert got[period] == pytest.approx((total / base - 1) * 100, abs=1e-9)
        # and it is not the ratio of levels, nor the unweighted mean of the rates
        assert got[period] != pytest.approx(sum(rates[c][j] for c in members) / len(members), abs=1e-3)
    total_level = store.series_values("DERIVED.M.EXPORT.LI.000000._Z.M.CNY_100M")
    assert total_level["2025-11"] == pytest.approx(sum(levels[c][1] for c in members))
