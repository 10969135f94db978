# crewplan: two commands do all set-up on a fresh machine.
#   make demo   virtualenv, install, migrate SQLite, seed the medium demo, run web server + Celery worker
#   make test   virtualenv, install, run the whole suite (on PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: install demo test lint schema clean-demo

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

demo: install
	PORT=$(PORT) PY=$(PY) bash scripts/demo.sh

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .

schema: install
	DEBUG=1 $(PY) manage.py spectacular --file openapi.yaml --validate --fail-on-warn

clean-demo:
	rm -rf var/crewplan.sqlite3 var/celery
