# The two commands: `make run` and `make test`. Everything else is a helper for them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv db lint pytest e2e bench bench-all faults messages stop-db clean otp

$(VENV)/.stamp: requirements.lock requirements-dev.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.lock
	touch $@

venv: $(VENV)/.stamp

# Development settings said explicitly (manage.py has no default). The schema changes as the
# database's owner role; the site, the worker and seed_demo run as the application role
# (docs/deployment.md, "Database roles"); `grants` hands anything new to them.
DEV := DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-cms.config.settings.dev}

db: venv
	DATABASE_ROLE=owner $(DEV) $(MANAGE) migrate --noinput -v 0
	DATABASE_ROLE=owner $(DEV) $(MANAGE) createcachetable
	@test -n "$$DATABASE_URL" || $(PY) -m cms.config.embedded_db grants

messages: venv
	$(PY) scripts/i18n_sync.py

run: venv
	@scripts/system-deps.sh run || echo "(system packages missing: PDF or translations may be limited)"
	@$(MAKE) --no-print-directory db
	$(DEV) $(MANAGE) seed_demo --if-empty
	@$(DEV) scripts/run.sh $(HOST) $(PORT)

lint: venv
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	git ls-files '*.html' | xargs -r $(VENV)/bin/djhtml --check
	$(VENV)/bin/lint-imports
	DJANGO_SETTINGS_MODULE=cms.config.settings.test $(MANAGE) check
	DJANGO_SETTINGS_MODULE=cms.config.settings.test $(MANAGE) makemigrations --check --dry-run

pytest: venv
	$(VENV)/bin/pytest

test: venv
	scripts/system-deps.sh test
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory pytest

e2e: venv
	$(VENV)/bin/pytest -m e2e

# Benchmarks print their figures (docs/performance.md); pass options with BENCH_ARGS="...".
# `make bench` runs the page benchmark; `make bench-<name>` any one of BENCHES; bench-all all.
BENCHES := pages intake analysis campaigns search export response_pdf

bench: bench-pages

bench-%: venv
	$(PY) -m bench.$* $(BENCH_ARGS)

bench-all: venv
	@for b in $(BENCHES); do echo "== bench.$$b"; $(PY) -m bench.$$b || exit 1; done

# Stops the embedded PostgreSQL (TINGJIAN_PGDATA, default .pgdata/), as root too; fails when
# it could not, so `clean` never deletes the data of a running server.
# The demo accounts' second-factor code in development (refused unless DEBUG): make otp USER=editor
otp: venv
	@$(DEV) $(MANAGE) demo_otp_code $(USER)

# The fault suite (docs/reliability.md): gunicorn, two task workers and a PostgreSQL of its own
# in a temporary folder, on 127.0.0.1 only; options with FAULTS_ARGS="--scenarios a,c".
faults: venv
	$(PY) -m bench.faults $(FAULTS_ARGS)

stop-db: venv
	$(PY) -m cms.config.embedded_db stop

clean: stop-db
	rm -rf "$${TINGJIAN_PGDATA:-.pgdata}" .run
