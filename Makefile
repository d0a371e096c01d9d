# The README's two commands: `make demo` and `make test`. Python 3.11+ is all they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi

.PHONY: demo test install install-dev translations assets lint typecheck extract-messages axe-core

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	$(MAKE) translations assets

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(MAKE) translations assets axe-core

translations:
	$(BIN)/pybabel compile -d grants/translations >/dev/null

# Hashed, gzip and brotli copies of the static files in build/assets (grants/assets.py). The app
# also builds what is missing when it starts; this step lets it start on a read-only checkout.
assets:
	$(BIN)/python -c 'from grants.assets import main; main()' >/dev/null

# The job consumer (exports, minutes) runs in the background and stops with the server.
demo: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(FLASK) jobs-worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(FLASK) run --host 127.0.0.1 --port 5000

# The tests in parallel processes, one per core (pytest-xdist; PYTEST_WORKERS=0 runs them in
# this process); on PostgreSQL each process fills a database of its own (tests/conftest.py).
PYTEST_WORKERS ?= auto
test: install-dev
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .

# mypy on grants/services and grants/models ([tool.mypy] in pyproject.toml).
typecheck: install-dev
	$(BIN)/mypy

# Refresh the catalogs after changing user-visible strings, then translate the new French entries.
extract-messages:
	$(BIN)/pybabel extract -F grants/translations/babel.cfg -k _l -k lazy_gettext --no-location \
	  --sort-output --project grants -o grants/translations/messages.pot .
	$(BIN)/pybabel update -i grants/translations/messages.pot -d grants/translations --no-fuzzy-matching --ignore-obsolete -w 100

# axe-core, the accessibility checker the browser tests inject into each page
# (tests/e2e/test_phone_browser.py), from the npm registry into build/axe: one file, pinned.
AXE_CORE_VERSION := 4.14.1
AXE_CORE := build/axe/node_modules/axe-core/axe.min.js
axe-core: $(AXE_CORE)
# Without npm the accessibility checks are skipped with that reason (required in CI).
$(AXE_CORE): Makefile
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --prefix build/axe --no-audit --no-fund --no-save --silent axe-core@$(AXE_CORE_VERSION) \
	  && touch $@; \
	else echo "npm not found: axe-core not installed, the accessibility checks will be skipped"; fi
