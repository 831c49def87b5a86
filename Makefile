# cpog — developer and user entry points. Needs only Python 3.11+ and make: uv is bootstrapped
# into .tools/ when it is not on the PATH.
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := .tools/bin/uv
UV_BOOTSTRAP := .tools/bin/uv
endif
RUN := $(UV) run --frozen
# Optional extras installed by every target that calls setup (uv sync removes the extras it is
# not asked for): EXTRAS="--extra spark" for the Spark conformance tests and the national run.
EXTRAS ?=
export UV_LINK_MODE ?= copy

.PHONY: schemas help setup run test test-sqlite test-postgres check lint format typecheck bench clean screenshots

help:
	@echo "make run    installe, charge le contrat et les données de démonstration, lance l'application"
	@echo "make test   lance tous les tests (SQLite, puis PostgreSQL si DATABASE_URL_TEST répond)"
	@echo "make check  lint, format, types, tests"
	@echo "make screenshots  refait les copies d'écran du guide (docs/images/ecrans/)"

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv

setup: $(UV_BOOTSTRAP)
	$(UV) sync --frozen $(EXTRAS)

# Ctrl+C or SIGTERM stops cpog serve with code 0; a stop that still ends in 130 or 143 (a signal
# that reached uv first) is a stop asked for, not an error: no « make: *** Error 143 ».
run: setup
	$(RUN) cpog check
	@echo "$(RUN) cpog serve"; $(RUN) cpog serve || { code=$$?; [ $$code -eq 130 ] || [ $$code -eq 143 ] || exit $$code; }

DATABASE_URL_TEST ?= postgres://postgres@127.0.0.1:5432/test
# The tests run in parallel (pytest-xdist), one test file per worker at a time: one worker per
# core, four at most (each may start a browser, a Spark session, servers). TEST_WORKERS=0 runs
# them in one process.
TEST_WORKERS ?= auto
PYTEST := $(RUN) pytest -q -n $(TEST_WORKERS) --maxprocesses=4 --dist loadfile

# Every test on SQLite, then every test that touches the database (store, CLI, web pages, API, reports)
# again on PostgreSQL. Browser tests run once, on SQLite.
test: setup
	$(PYTEST)
	@if $(RUN) python -c "import psycopg; psycopg.connect('$(DATABASE_URL_TEST)', connect_timeout=3).close()" 2>/dev/null; then \
		echo "Tests de la base sur PostgreSQL ($(DATABASE_URL_TEST))"; \
		DATABASE_URL=$(DATABASE_URL_TEST) $(PYTEST) tests/store tests/web tests/reports; \
	elif [ -n "$$CPOG_REQUIRE_POSTGRES" ]; then \
		echo "PostgreSQL injoignable ($(DATABASE_URL_TEST)) alors que CPOG_REQUIRE_POSTGRES=1"; exit 1; \
	else \
		echo "PostgreSQL injoignable : tests PostgreSQL non lancés (CPOG_REQUIRE_POSTGRES=1 pour les exiger)"; \
	fi

test-sqlite: setup
	$(PYTEST)

lint: setup
	$(RUN) ruff check src tests benchmarks
	$(RUN) ruff format --check src tests benchmarks
	$(RUN) lint-imports --no-cache

format: setup
	$(RUN) ruff format src tests benchmarks
	$(RUN) ruff check --fix src tests benchmarks

typecheck: setup
	$(RUN) mypy

check: lint typecheck test

schemas: setup
	$(RUN) python -m cpog.contract.export docs/schemas

# The user guide's screenshots (docs/images/ecrans/), taken by the browser tests of every page.
screenshots: setup
	CPOG_SCREENSHOTS=1 $(RUN) pytest -q tests/browser/test_pages.py tests/browser/test_territory_map_browser.py -k "test_screenshot or test_the_map_draws" -p no:cacheprovider
	@du -ch docs/images/ecrans/*.png | tail -1

bench: setup
	$(RUN) python benchmarks/run.py

clean:
	rm -rf .venv .tools .mypy_cache .ruff_cache .pytest_cache
