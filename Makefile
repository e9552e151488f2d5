# Two entry points for people: `make run` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP_QUIET := --quiet --disable-pip-version-check

.PHONY: run test lint typecheck pytest bench clean venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install $(PIP_QUIET) -e . 2>&1 | grep -v "^WARNING: Location" || true
	$(BIN)/python -c "import bot, discord, telegram, aiosqlite" && touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install $(PIP_QUIET) -e '.[dev]' 2>&1 | grep -v "^WARNING: Location" || true
	$(BIN)/python -c "import bot, pytest, mypy, ruff" && touch $@ $(VENV)/.installed

venv: $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/prepbot

test: $(VENV)/.installed-dev
	$(BIN)/ruff check bot tests bench
	$(BIN)/mypy bot
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
