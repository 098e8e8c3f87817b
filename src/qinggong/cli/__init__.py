"""Command line: a thin face on the service functions, one module per verb group.

Each module exposes `register(app)`; `main.COMMAND_MODULES` lists them. No command holds
logic of its own: it parses arguments, calls a service function and prints the result
(a rich table, or JSON with English keys under `--json`).
"""
