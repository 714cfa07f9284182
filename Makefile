# Koers: two commands to get going.
#   make run   create .venv, install, write a dev .env, migrate, load demo data and serve
#              http://127.0.0.1:8000 with a Celery worker and beat (no servers needed)
#   make test  the whole quality gate: pytest (browser tests included), ruff, migrations
# DATABASE_URL / REDIS_URL (in the environment or .env) switch to PostgreSQL / Redis.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Re-install only when the dependencies change: the stamp is newer than pyproject.toml.
STAMP := $(VENV)/.installed
# pytest-xdist workers; each gets its own test database and Redis database number.
PYTEST_WORKERS ?= auto
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install run test test-shifted pytest ruff-check format-check typecheck layers-check lint format migrations-check check-deploy bandit messages \
	bench-import bench-checks bench-web seed clean

help:
	@echo "make run           serve Koers on http://127.0.0.1:8000 with demo data, worker and beat"
	@echo "make test          pytest + ruff + the app layers + makemigrations --check (the quality gate)"
	@echo "make test-shifted  the date-sensitive tests under faketime on five dates (SQLite)"
	@echo "make lint          ruff check and ruff format --check"
	@echo "make format        ruff format and ruff check --fix"
	@echo "make messages      makemessages + compilemessages for locale/en"
	@echo "make bench-import  import benchmark (100,000 students; set DATABASE_URL to PostgreSQL)"
	@echo "make bench-checks  checks benchmark (100,000 and 500,000 students; DATABASE_URL to PostgreSQL)"
	@echo "make bench-web     pages under load through gunicorn (DATABASE_URL to PostgreSQL; BENCH_ARGS=--students N --reuse)"
	@echo "make seed          (re)load the demo data"
	@echo "make clean         remove var/ (the SQLite database, Celery queue, media)"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# A development .env: DEBUG on and a random secret. Never overwritten once it exists.
.env:
	@printf '%s\n' \
		'# Written by make for local development; see .env.example for every variable.' \
		'DEBUG=true' \
		'# Demo accounts (*.demo) skip the second factor; only while DEBUG is on.' \
		'KOERS_DEMO_SKIP_2FA=true' \
		"SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env
	@echo "Wrote .env (DEBUG=true, random SECRET_KEY)"

run: $(STAMP) .env
	bin/run-dev

seed: $(STAMP) .env
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo

# ruff check and ruff format --check are part of the gate (`make lint` runs just those two).
test: $(STAMP) .env ruff-check format-check layers-check typecheck bandit migrations-check pytest

# The date-sensitive modules again, as if today were 1 April, 1 August, 1 October,
# 31 December and 29 February (needs faketime: apt-get install faketime). CI runs it too.
test-shifted: $(STAMP) .env
	bin/test-shifted-clock

pytest: $(STAMP) .env
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

ruff-check: $(STAMP)
	$(BIN)/ruff check .

# The app layers: the one contract in pyproject.toml ([tool.importlinter]), no exceptions.
layers-check: $(STAMP)
	$(BIN)/lint-imports --no-cache

format-check: $(STAMP)
	$(BIN)/ruff format --check .

# mypy with django-stubs: strict on the rule book and the services ([tool.mypy] in pyproject.toml).
typecheck: $(STAMP) .env
	$(BIN)/mypy

lint: ruff-check format-check

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: $(STAMP) .env
	$(BIN)/python manage.py makemigrations --check --dry-run

check-deploy: $(STAMP)
	DEBUG=false ALLOWED_HOSTS=koers.example.nl \
		SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))') \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

# bandit, medium and high severity, on the project's code (not tests, not .venv).
bandit: $(STAMP)
	$(BIN)/bandit -q -r accounts rulebook students roadmap monitoring referrals doorstroomtafel reports portal api casework caseload documents planner config -x '*/migrations/*' -ll

# msgids are Dutch; English is the one translation. Needs gettext (apt-get install gettext).
messages: $(STAMP) .env
	$(BIN)/python manage.py makemessages --locale en --ignore '.venv/*' --ignore 'var/*' \
		--ignore 'static/vendor/*' --ignore 'bench/*' --no-obsolete
	$(BIN)/python manage.py compilemessages --locale en --ignore '.venv/*'

bench-import: $(STAMP) .env
	$(BIN)/python bench/import_benchmark.py $(BENCH_ARGS)

bench-checks: $(STAMP) .env
	$(BIN)/python bench/checks_benchmark.py $(BENCH_ARGS)

# The load generator (aiohttp) and profiler (py-spy) live in their own venv, not in .venv.
bench-web: $(STAMP) .env
	@test -x var/bench-venv/bin/python || $(PYTHON) -m venv var/bench-venv
	@var/bench-venv/bin/python -c "import aiohttp" 2>/dev/null && test -x var/bench-venv/bin/py-spy \
		|| var/bench-venv/bin/python -m pip install --quiet -r bench/requirements.txt
	$(BIN)/python -u bench/web_benchmark.py $(BENCH_ARGS)

clean:
	rm -rf var/
