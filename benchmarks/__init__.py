"""Benchmarks, run on demand (`make bench` or `python -m benchmarks [NAME]`).

Each `bench_*.py` module has `run() -> dict` that measures qinggong against a reference
measured in the same run (pandas alone, a hand-written DuckDB query, …) and returns the
figures; the runner prints them and writes `benchmarks/results/<name>.json`.
"""
