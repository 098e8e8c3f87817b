"""Monitor: the five-light signal system, composite (leading/coincident/lagging) and diffusion
indices, Bry–Boschan turning points, warning rules and the alerts they raise.

Reads series through `qinggong.store` (dataflow OFFICIAL or ENTERPRISE, any region) and
methods from `config/signals.yaml`, `config/indices.yaml` and `config/warning_rules.yaml`.
Owns the tables of migration 0004 (alerts, alert history, signal cut-off versions).
Everything is computed from data known at each month (truncation), so the same month gives
the same answer in a live run and in a backtest; the same inputs give identical output.

Entry points: `qinggong.monitor.service` (run_signals, run_indices, run_warnings, backtest)
and `qinggong.monitor.alerts` (list_alerts, acknowledge, dispose, resolve, alert_history).
"""
