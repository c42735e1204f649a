# milidip: the few verbs people need. `make run` serves, `make test` tests; both set up first.
#
# Configuration comes from the environment (see README, "Configuration"): DATABASE_URL picks the
# database (SQLite in db.sqlite3 when unset), HOST and PORT where `make run` listens.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2

.PHONY: run setup-db benchmark bench bench-data bench-deep dev test chromium lint format migrations-check schema superuser clean

$(VENV)/.run-deps: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.test-deps: $(VENV)/.run-deps requirements-dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# A secret made once per clone and kept out of git; settings read it when SECRET_KEY is unset.
.secret_key:
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	chmod 600 $@

## run: set up, migrate, load the articles' records and the datasets (first time only), serve
run: $(VENV)/.run-deps .secret_key
	$(MAKE) --no-print-directory setup-db
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "milidip: serving on http://$(HOST):$(PORT)/ (admin at /admin/; 'make superuser' to log in)"
	$(BIN)/gunicorn milidip.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS)

## setup-db: migrate, load the curated records and import the datasets unless already there
setup-db: $(VENV)/.run-deps .secret_key
	$(BIN)/python manage.py migrate --noinput --verbosity 1
	$(BIN)/python manage.py load_records
	$(BIN)/python manage.py import_dataset all --only-new

## benchmark: migrate DATABASE_URL's database, then time each dataset's import (rolled back)
benchmark: $(VENV)/.run-deps .secret_key
	$(BIN)/python manage.py migrate --noinput --verbosity 0
	$(BIN)/python manage.py import_dataset all --benchmark

## bench-data: add SCALE synthetic MME-shaped exercises to DATABASE_URL's database (a throwaway one:
##             no history; COPY on PostgreSQL): make bench-data SCALE=1000000
SCALE ?= 20000
bench-data: $(VENV)/.run-deps .secret_key
	$(BIN)/python manage.py migrate --noinput --verbosity 0
	$(BIN)/python manage.py bench_data --scale $(SCALE)

## bench-deep: time page 1, the deepest `page`, a deep cursor page and the counts (prints only)
bench-deep: $(VENV)/.run-deps .secret_key
	$(BIN)/python bench/deep_pages.py

## bench: milidip's reads beside hand-written floors on the full data, PostgreSQL and SQLite
##        (wrk, 1 thread, 8 connections; printed, not judged; see README, "The read benchmark")
bench: $(VENV)/.run-deps .secret_key
	bash bench/run

## dev: Django's auto-reloading development server with DEBUG on
dev: $(VENV)/.run-deps .secret_key
	$(MAKE) --no-print-directory setup-db
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

## test: install the test tools and run the whole suite (on DATABASE_URL's database)
test: $(VENV)/.test-deps .secret_key chromium
	$(BIN)/pytest $(PYTEST_ARGS)

## chromium: Debian's Chromium for the browser tests (tests/e2e), installed only when missing
chromium:
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

## lint: ruff's checks and formatting, and the layers contract (import-linter), as CI runs them
lint: $(VENV)/.test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(VENV)/.test-deps
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## migrations-check: fail when a model change has no migration
migrations-check: $(VENV)/.run-deps .secret_key
	$(BIN)/python manage.py makemigrations --check --dry-run

## schema: regenerate the committed OpenAPI schema (CI fails when it differs from the code)
schema: $(VENV)/.run-deps .secret_key
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file milidip/api/openapi.yaml

# --- backups ---------------------------------------------------------------
.PHONY: backup restore

## backup: copy DATABASE_URL's whole database, history included, to BACKUP_FILE
##         (default backups/milidip-<UTC time>.dump on PostgreSQL, .sqlite3 on SQLite)
backup: $(VENV)/.run-deps .secret_key
	$(BIN)/python manage.py backup $(if $(BACKUP_FILE),--file "$(BACKUP_FILE)")

## restore: replace DATABASE_URL's database with a backup: make restore BACKUP_FILE=backups/...
restore: $(VENV)/.run-deps .secret_key
	@test -n "$(BACKUP_FILE)" || { echo "make restore: say which backup, BACKUP_FILE=backups/..." >&2; exit 2; }
	$(BIN)/python manage.py restore "$(BACKUP_FILE)"

superuser: $(VENV)/.run-deps .secret_key
	$(BIN)/python manage.py createsuperuser

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
