# Accord — every target bootstraps .venv itself, so a fresh clone needs only `make demo` / `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck contracts generate-check pytest docs docs-build bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,docs]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/accord demo

lint: $(STAMP)
	$(BIN)/ruff check accord cli gateway tests benchmarks
	$(BIN)/ruff format --check accord cli gateway tests benchmarks
	$(BIN)/mypy
	$(BIN)/accord lint --fail-severity warn contracts

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/accord validate contracts
	$(BIN)/accord lint --fail-severity warn contracts

generate-check: $(STAMP)
	$(BIN)/accord generate --check

pytest: $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider

docs: $(STAMP)
	$(BIN)/python -m accord_cli.docgen_all docs
	$(BIN)/mkdocs build --strict

docs-build: $(STAMP)
	$(BIN)/mkdocs build --strict

test: $(STAMP)
	$(BIN)/ruff check accord cli gateway tests benchmarks
	$(BIN)/ruff format --check accord cli gateway tests benchmarks
	$(BIN)/mypy
	$(BIN)/accord validate contracts
	$(BIN)/accord lint --fail-severity warn contracts
	$(BIN)/accord generate --check
	$(BIN)/pytest -q -p no:cacheprovider
	$(BIN)/mkdocs build --strict --quiet

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) site build dist .mypy_cache .ruff_cache .pytest_cache
