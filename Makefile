# Kartosfera: `make demo` runs the product, `make test` runs the tests. Both start from nothing
# but Python 3.11: they create the virtual environment and install the pinned dependencies.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | sha1sum | cut -c1-12)
MANAGE := $(BIN)/python manage.py
PG_URL ?= postgres://postgres@127.0.0.1:5432/kartosfera
REDIS_URL ?= redis://127.0.0.1:6379/15
# Where `make demo` serves (the README's address; .ci/run's smoke step may move it to a free port).
DEMO_ADDR ?= 127.0.0.1:8000
# Where `make demo` runs the core banking simulator (corebanking/simulator.py).
CORE_BANKING_PORT ?= 8765

.PHONY: demo test test-services test-browser screenshots check-deploy lint install translations migrate serve bench clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Kartosfera needs Python 3.11 (found %s); set PYTHON=/path/to/python3.11" % sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt pip setuptools wheel
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-build-isolation -c constraints.txt -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

translations: $(STAMP)
	$(BIN)/pybabel -q compile -d locale -D django

migrate: install translations
	$(MANAGE) migrate --noinput

# The core banking simulator and the beat schedule (run_beat: the sweeps, the audit sealer, postings,
# webhooks, each when due, as `celery beat` runs them in production) run beside the server and stop with it.
demo: migrate
	export KARTOSFERA_CORE_BANKING_URL=http://127.0.0.1:$(CORE_BANKING_PORT); \
	$(BIN)/python -m corebanking.simulator --port $(CORE_BANKING_PORT) & simulator=$$!; \
	trap 'kill $$simulator $$beat 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) seed_demo --addr $(DEMO_ADDR) || exit 1; \
	$(MANAGE) run_beat & beat=$$!; \
	$(MANAGE) runserver $(DEMO_ADDR)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

test: lint translations
	$(BIN)/pytest

# The same suite on PostgreSQL with a real Celery worker on Redis (tests/conftest.py starts it).
test-services: install translations
	@if $(BIN)/python scripts/services_available.py "$(PG_URL)" "$(REDIS_URL)"; then \
		DATABASE_URL="$(PG_URL)" CELERY_BROKER_URL="$(REDIS_URL)" $(BIN)/pytest; \
	else \
		echo "SKIPPED make test-services: PostgreSQL or Redis is not reachable (see the reason above)"; \
	fi

# Django's deployment checks under production settings (DEBUG=0). Real deployments take these values
# from their environment; the stand-ins here only let the checks run (tests/customers/test_deploy_check.py
# runs the same).
check-deploy: install
	DEBUG=0 SECRET_KEY="$${SECRET_KEY:-stand-in-k7Qm2vX9pL4tR8wZ1cB6nH3jF5sD0gA-yU_eI.oP7lK2mN9bV4}" \
	ALLOWED_HOSTS="$${ALLOWED_HOSTS:-portal.kartosfera.example}" \
	DATABASE_URL="$${DATABASE_URL:-postgres://kartosfera@db.kartosfera.example:5432/kartosfera}" \
	CELERY_BROKER_URL="$${CELERY_BROKER_URL:-redis://broker.kartosfera.example:6379/0}" \
	REDIS_CACHE_URL="$${REDIS_CACHE_URL:-redis://broker.kartosfera.example:6379/1}" \
	KARTOSFERA_SMS_BACKEND=customers.sms.HttpGatewaySmsBackend \
	KARTOSFERA_SMS_GATEWAY_URL="$${KARTOSFERA_SMS_GATEWAY_URL:-https://sms-gateway.kartosfera.example/v1/messages}" \
	KARTOSFERA_SMS_GATEWAY_TOKEN="$${KARTOSFERA_SMS_GATEWAY_TOKEN:-stand-in}" \
	$(MANAGE) check --deploy --fail-level WARNING

# The production runtime: gunicorn (gunicorn.conf.py) with DEBUG=0, static files collected and served
# by WhiteNoise. The environment gives what production needs (README, "Production"): at least
# SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, CELERY_BROKER_URL and the SMS gateway. The Celery worker and
# beat run beside it (Procfile).
serve: install translations
	DEBUG=0 $(MANAGE) check --deploy --fail-level ERROR
	DEBUG=0 $(MANAGE) migrate --noinput
	DEBUG=0 $(MANAGE) collectstatic --noinput --verbosity 0
	DEBUG=0 exec $(BIN)/gunicorn --config gunicorn.conf.py kartosfera.wsgi

# The portal in a real browser (Playwright driving Debian's chromium); skips where /usr/bin/chromium is absent.
test-browser: install translations
	$(BIN)/pytest tests/browser -ra

# Refresh the committed screenshots in docs/screenshots/ (an ordinary run writes to var/screenshots/).
screenshots: install translations
	KARTOSFERA_UPDATE_SCREENSHOTS=1 $(BIN)/pytest tests/browser -ra

bench: migrate
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache .hypothesis
