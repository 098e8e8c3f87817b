"""Compute: the indicator engine.

Owns every number derived from stored series: 当月 ↔ 累计 with the 1-2月合并 convention
(`periods`), growth on a comparable basis and implied 当月同比 (`growth`), shares and
contributions (`shares`), aggregation over the industry and region hierarchies (`aggregate`),
Spring Festival calendars (`calendar`) and seasonal adjustment with X-13ARIMA-SEATS or a native
regression + STL method (`seasonal`). `service.compute` reads OFFICIAL series from the
store and writes DERIVED series, each with its inputs, method and method version.
"""
