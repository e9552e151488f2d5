# Two entry points for people: `make run` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP_QUIET := --quiet --disable-pip-version-check

.PHONY: run test lint typecheck pytest bench bench-fanout clean venv postgres-server messages \
	stats-example interview-example

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install $(PIP_QUIET) -e . 2>&1 | grep -v "^WARNING: Location" || true
	$(BIN)/python -c "import bot, discord, telegram, aiosqlite, asyncpg" && touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install $(PIP_QUIET) -e '.[dev]' 2>&1 | grep -v "^WARNING: Location" || true
	$(BIN)/python -c "import bot, pytest, mypy, ruff" && touch $@ $(VENV)/.installed

venv: $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/prepbot

# The PostgreSQL tests start a throwaway server from Debian's postgresql package. As root on
# Debian (CI) it is installed when missing; elsewhere those tests are skipped with one line
# (PREPBOT_REQUIRE_POSTGRES=1, set by .ci/run, makes that a failure instead).
postgres-server:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null \
	    || [ -n "$$PREPBOT_TEST_DATABASE_URL" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null; then \
	  echo "make test: installing postgresql for the PostgreSQL tests (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql \
	    >/dev/null || echo "make test: could not install postgresql"; \
	else \
	  echo "make test: PostgreSQL (initdb) not found; its tests will be skipped"; \
	fi

test: $(VENV)/.installed-dev postgres-server
	$(BIN)/ruff check bot tests bench devtools
	$(BIN)/mypy bot tests bench devtools
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench

# The message catalogue template translators start from; run it whenever wording changes
# (tests/presentation/test_catalogue.py fails until it is). See docs/architecture.md.
POT := bot/presentation/locale/prepbot.pot
messages: $(VENV)/.installed-dev
	$(BIN)/pybabel extract -F babel.cfg -k Notice --project=prepbot --sort-by-file \
	    -o $(POT) bot

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache

# Three `prepbot run` processes on one throwaway PostgreSQL post to 2,000 chats through a
# rate-limited fake Telegram, then again with one killed (-9) mid fan-out (a few minutes).
bench-fanout: $(VENV)/.installed-dev
	$(BIN)/python -m bench.fanout

# docs/stats-example.png (shown in the README): the /stats picture of a demo user who
# practised on the bundled decks for 26 weeks, drawn by the bot's own code.
stats-example: $(VENV)/.installed
	$(BIN)/python -m devtools.stats_example docs/stats-example.png

# docs/interview-example.txt and the README's example block: a scripted mock interview
# played through the real services on the bundled decks.
interview-example: $(VENV)/.installed
	$(BIN)/python -m devtools.interview_example docs/interview-example.txt
