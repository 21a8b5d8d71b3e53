# The two commands a newcomer needs: `make run` and `make test`.
# Both install into .venv from the lock files and start the embedded PostgreSQL
# and SeaweedFS for the command's lifetime (unless the environment names its own).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
WITH_SERVICES := $(PY) -m devservices run --
ADDRESS ?= 127.0.0.1:8000

.PHONY: install run test lint format services stop-services bench bench-memory bench-reconcile lock

install: $(VENV)/.installed

$(VENV)/.installed: requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt
	touch $@

run: install
	$(WITH_SERVICES) sh -c '\
	  $(PY) manage.py migrate --noinput && \
	  $(PY) manage.py setup_roles && \
	  $(PY) manage.py load_demo_data && \
	  echo && echo "  Open http://$(ADDRESS)/admin/ and log in as admin / $$DEMO_ADMIN_PASSWORD" && echo && \
	  exec $(PY) manage.py runserver $(ADDRESS)'

test: install
	$(WITH_SERVICES) $(PY) -m pytest $(ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	# The type checker reads the settings but connects to nothing.
	DATABASE_URL=postgres://typecheck@127.0.0.1/typecheck DOCUMENTS_BUCKET=typecheck \
	  $(VENV)/bin/mypy config customers documents eventstore

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Event appends: this store against eventsourcing's recorder and plain INSERTs.
# Only PostgreSQL runs: naming a bucket keeps the object store (and the CPU it
# takes) out of a benchmark that never stores a byte.
bench: install
	DOCUMENTS_BUCKET=$${DOCUMENTS_BUCKET:-not-used-by-this-benchmark} \
	  $(WITH_SERVICES) $(PY) bench/append_events.py $(ARGS)

# Peak memory of large uploads: attach_document against boto3's defaults.
bench-memory: install
	$(WITH_SERVICES) $(PY) bench/upload_memory.py $(ARGS)

# reconcile_storage over 10,000 documents: time and peak memory.
bench-reconcile: install
	$(WITH_SERVICES) $(PY) bench/reconcile.py $(ARGS)

# For running pytest or manage.py by hand: start once, then
#   eval "$$(.venv/bin/python -m devservices env)"
services: install
	$(PY) -m devservices start

stop-services: install
	$(PY) -m devservices stop

# Re-pin every dependency from pyproject.toml.
lock: install
	$(VENV)/bin/pip install --quiet pip-tools
	$(VENV)/bin/pip-compile --quiet --strip-extras --no-emit-index-url \
	  --no-emit-find-links -o requirements/base.txt pyproject.toml
	$(VENV)/bin/pip-compile --quiet --strip-extras --no-emit-index-url \
	  --no-emit-find-links --extra dev -o requirements/dev.txt pyproject.toml
