# The two set-up commands of the README: `make demo` and `make test`.
# Everything else here is a helper target they are built from.

PY         := .venv/bin/python
HOST       ?= 127.0.0.1
PORT       ?= 8000
DEMO_SEED  ?= 1
DEMO_ARGS  ?=
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help bootstrap migrate demo-data collectstatic serve demo lint format check-deploy \
        pytest test worker ci

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

bootstrap: ## Install Debian libraries, .venv and pip packages (each only when missing)
	@bash scripts/bootstrap.sh

migrate: bootstrap ## Apply migrations (SQLite in var/ unless DATABASE_URL is set)
	$(PY) manage.py migrate --noinput

demo-data: migrate ## Generate the two demo authorities and demo users (idempotent)
	$(PY) manage.py make_demo_data --seed $(DEMO_SEED) $(DEMO_ARGS)

collectstatic: bootstrap ## Collect static files for WhiteNoise
	$(PY) manage.py collectstatic --noinput --verbosity 0

serve: bootstrap ## Serve the app (default http://127.0.0.1:8000; HOST, PORT)
	$(PY) manage.py runserver $(HOST):$(PORT)

demo: bootstrap ## Install, migrate, load demo data, serve at http://127.0.0.1:8000
	$(MAKE) --no-print-directory demo-data
	$(MAKE) --no-print-directory collectstatic
	$(MAKE) --no-print-directory serve

lint: bootstrap ## ruff check
	.venv/bin/ruff check .

format: bootstrap ## ruff format (rewrites files)
	.venv/bin/ruff format .

check-deploy: bootstrap ## Django's deployment checks in production mode (DEBUG=0)
	DEBUG=0 ALLOWED_HOSTS=example.org \
	SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	$(PY) manage.py check --deploy --fail-level WARNING

pytest: bootstrap ## The whole test suite (pass more flags in PYTEST_ARGS)
	.venv/bin/pytest -q -ra --durations=10 $(PYTEST_ARGS)

test: bootstrap ## Install, then lint, deployment checks and the whole test suite
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory check-deploy
	$(MAKE) --no-print-directory pytest

worker: bootstrap ## A Celery worker (needs REDIS_URL or CELERY_BROKER_URL)
	.venv/bin/celery -A config worker --loglevel INFO --concurrency 2

ci: ## What CI runs: make test on PostgreSQL + Redis
	bash .ci/run
