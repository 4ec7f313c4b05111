# gapbot — two commands on a fresh machine: `make run` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run lint test stress bench bench-large chat clean

$(STAMP): pyproject.toml
	@command -v $(PY) >/dev/null 2>&1 || { echo "gapbot needs Python 3.11 ($(PY) not found)"; exit 1; }
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/gapbot ask "/gap"

chat: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/gapbot chat

# ruff over the code, tests and bench; mypy over the code and bench. `make test` runs it first.
lint: $(STAMP)
	$(BIN)/ruff check bot adapters corpus tests bench
	$(BIN)/mypy

test: lint
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

stress: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q -m stress

# BACKEND=postgres or BACKEND=both measures Postgres too (docs/benchmarks.md, "SQLite and Postgres side by side")
BACKEND ?= sqlite

bench: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m bench --backend $(BACKEND)

bench-large: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m bench --large --backend $(BACKEND)

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .mypy_cache .ruff_cache
