# erasmo: `make run` starts erasmo, `make test` runs every check CI runs.
# Each creates its own virtual environment in .venv and installs what it needs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint pytest smoke bench clean

run: $(STAMP)
	$(BIN)/erasmo

test: lint pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

pytest: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

# The wheel, installed with a plain `pip install` into a fresh venv: version, a trade, the window
# under Xvfb (xvfb-run must be installed), the sync server. CI runs it after `make test`.
smoke: $(STAMP)
	bash .ci/smoke.sh

bench: $(STAMP)
	$(BIN)/python bench/cli_write.py
	$(BIN)/python bench/store_throughput.py

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,gui,sync,market]"
	touch $(STAMP)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
