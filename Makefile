# qinggong — two commands on a fresh Debian machine:
#   make demo   set up everything and run the demo on the embedded DuckDB store
#   make test   set up everything and run the whole test suite (PostgreSQL included)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_OUT ?= demo-output
PYTEST_ARGS ?=

.PHONY: demo test setup setup-test venv system system-test postgres bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip uv

venv: $(BIN)/python
	$(BIN)/uv pip install -q --python $(BIN)/python -e '.[test]'

system:
	bash scripts/setup-system.sh demo

system-test:
	bash scripts/setup-system.sh test

setup: system venv

setup-test: system-test venv

postgres: system-test
	bash scripts/start-postgres.sh

demo: setup
	$(BIN)/qinggong demo --out $(DEMO_OUT)

test: setup-test postgres
	source scripts/postgres-env.sh; $(BIN)/python -m pytest -n 2 $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest 没有收集到任何测试：视为失败" >&2; exit 1; fi; exit $$rc

bench: setup-test postgres
	source scripts/postgres-env.sh && $(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache
