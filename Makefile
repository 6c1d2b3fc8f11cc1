# Two commands matter: `make run` and `make test`. See README.md.
# The interpreter .venv is made from: Debian's python3 when it is 3.11 or later and has venv
# (Debian builds it with PGO and LTO, as the Docker image's Python is built; PDF reports render
# about 8 % faster than on an unoptimised build such as pyenv's default), else python3 on PATH.
PYTHON ?= $(shell /usr/bin/python3 -c 'import sys, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && echo /usr/bin/python3 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
ROOT := $(shell [ "$$(id -u)" = 0 ] && echo yes)
# Debian packages the app and its tests use: Korean fonts and HarfBuzz subsetting (PDF),
# poppler-utils (reading PDFs back in tests), Chromium (browser tests), gettext, redis-server
# (the Redis outage tests start and stop a real one), wrk (make bench).
SYSTEM_PACKAGES := fonts-nanum libharfbuzz-subset0 poppler-utils chromium gettext redis-server wrk

.PHONY: run test lint check bench bench-faults bench-soak system-deps messages clean

# The formatter decides: ruff for Python, djhtml for templates; make test runs this first.
lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djhtml --check $$(find templates -name '*.html' -o -name '*.svg' -o -name '*.txt' | sort)

$(BIN)/.installed: requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ -n "$(ROOT)" ]; then \
	    echo "Installing $$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "note: missing Debian packages: $$missing (sudo apt-get install $$missing); tests that need them will say so."; \
	  fi; \
	fi

run: $(BIN)/.installed
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py loaddata serverless_lens serverless_profile
	DEBUG=true $(BIN)/python manage.py seed_demo
	@echo "Serving on http://127.0.0.1:$(PORT)/ (sign in with the demo account above); background jobs and the scheduler run beside it; mails print here"
	export DEBUG=true SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)}; \
	$(BIN)/python manage.py db_worker --verbosity 0 & worker=$$!; \
	$(BIN)/python manage.py run_scheduler --verbosity 0 & scheduler=$$!; \
	trap 'kill $$worker $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(BIN)/.installed system-deps lint
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run
	scripts/with-postgres.sh $(BIN)/python -m pytest $(PYTEST_ARGS)

check: $(BIN)/.installed
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=true $(BIN)/python manage.py check

messages: $(BIN)/.installed
	DEBUG=true $(BIN)/python manage.py makemessages -l ko -e html,txt,py,svg --no-obsolete --ignore=.venv --ignore=tests --ignore=staticfiles --ignore=bench
	DEBUG=true $(BIN)/python manage.py compilemessages -l ko --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache

bench: $(BIN)/.installed system-deps
	scripts/with-postgres.sh $(BIN)/python bench/save_roundtrip.py
	scripts/with-postgres.sh $(BIN)/python bench/floor_load.py
	scripts/with-postgres.sh $(BIN)/python bench/pdf_render.py
	scripts/with-postgres.sh $(BIN)/python bench/pdf_jobs.py
	scripts/with-postgres.sh $(BIN)/python bench/workshop_load.py
	scripts/with-postgres.sh $(BIN)/python bench/big_workshop.py
	scripts/with-postgres.sh $(BIN)/python bench/two_instances.py
	scripts/with-postgres.sh $(BIN)/python bench/typing_audit.py
	scripts/with-postgres.sh $(BIN)/python bench/many_workloads.py

# The workshop load with each fault injected (PostgreSQL restart, Redis down, web workers killed, job worker killed mid-render): see bench/faults.py.
bench-faults: $(BIN)/.installed system-deps
	scripts/with-postgres.sh $(BIN)/python bench/faults.py

# 30 minutes of the 50-participant workshop: memory, p95, descriptors and connections at start and end (bench/soak.py).
bench-soak: $(BIN)/.installed system-deps
	scripts/with-postgres.sh $(BIN)/python bench/soak.py
