# newsdesk: `make demo` serves the demo reader, `make test` runs the suite.
PORT ?= 8000
HOST ?= 127.0.0.1
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_DB ?= demo.db
# axe-core for the accessibility test (tests/test_accessibility.py), from npm into the
# git-ignored node_modules/; never copied into the repository
AXE_VERSION := 4.14.1
AXE := node_modules/axe-core/axe.min.js

.PHONY: install axe demo test lint bench clean i18n

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) axe

# without npm the install still succeeds; the accessibility test then skips and says why
axe:
	@if [ -f $(AXE) ] && grep -q '"version": "$(AXE_VERSION)"' node_modules/axe-core/package.json; then :; \
	elif command -v npm >/dev/null 2>&1; then \
	  npm install --prefix . --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
	    axe-core@$(AXE_VERSION); \
	else echo "npm is missing: axe-core not installed, the accessibility test will skip" >&2; fi

demo: $(STAMP)
	$(BIN)/newsdesk --db $(DEMO_DB) demo --host $(HOST) --port $(PORT)

test: $(STAMP) axe
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/mypy src/newsdesk

# interface catalogues: bring src/newsdesk/translations/*/LC_MESSAGES/newsdesk.po in step with
# the messages of the templates and web/*.py, then check every one is translated
i18n: $(STAMP)
	$(BIN)/python scripts/i18n.py extract
	$(BIN)/python scripts/i18n.py check

bench: $(STAMP)
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) node_modules $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm .pytest_cache .mypy_cache .ruff_cache
