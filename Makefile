# 共治 Gongzhi. `make demo` and `make test` are all a newcomer needs (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ADDR ?= 127.0.0.1:8000
WORKERS ?= 2

.PHONY: install system-deps assets demo serve test test-sqlite test-postgres lint format messages docs openapi bench clean

install: $(STAMP) assets

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	@$(PYTHON) -m venv $(VENV) || { echo "python3-venv missing: apt-get install -y python3-venv"; exit 1; }
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e ".[dev]"
	@touch $(STAMP)

# Front-end libraries come from npm (package-lock.json) and are copied into the static dir; never a CDN.
assets: src/gongzhi/static/vendor/.installed
src/gongzhi/static/vendor/.installed: package.json package-lock.json scripts/copy_assets.py
	@command -v npm >/dev/null || bash scripts/install_system_deps.sh node
	npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python scripts/copy_assets.py
	@touch $@

# Chromium and CJK fonts for the browser tests (Debian packages; needs root or sudo).
system-deps:
	bash scripts/install_system_deps.sh browser

demo: install
	@bash scripts/demo_env.sh
	set -a; source var/demo.env; set +a; \
	$(BIN)/gongzhi migrate --noinput && \
	$(BIN)/gongzhi compilemessages --ignore=.venv --ignore=node_modules >/dev/null && \
	$(BIN)/gongzhi collectstatic --noinput -v0 && \
	$(BIN)/gongzhi demo-data && \
	$(BIN)/gongzhi serve --jobs --addr $(ADDR) --workers $(WORKERS)

serve:
	set -a; source var/demo.env; set +a; $(BIN)/gongzhi serve --jobs --addr $(ADDR) --workers $(WORKERS)

lint: install
	$(BIN)/ruff check src benchmarks scripts tests
	$(BIN)/ruff format --check src benchmarks scripts tests

format: install
	$(BIN)/ruff format src benchmarks scripts tests
	$(BIN)/ruff check --fix src benchmarks scripts tests

# Rebuild the zh-hans catalogue from the code and i18n/zh_Hans/*.tsv (see i18n/README.md).
messages: install
	cd src/gongzhi && ../../$(BIN)/django-admin makemessages -l zh_Hans --no-obsolete --no-location \
	  --ignore='static/*' --ignore='*/tests/*'
	$(BIN)/python scripts/fill_translations.py
	cd src/gongzhi && ../../$(BIN)/django-admin compilemessages

test: install system-deps lint test-sqlite

test-sqlite:
	GONGZHI_TESTING=1 $(BIN)/gongzhi compilemessages --ignore=.venv --ignore=node_modules >/dev/null
	GONGZHI_TESTING=1 $(BIN)/pytest -n 2 -p no:cacheprovider

# Needs a PostgreSQL server; GONGZHI_DATABASE_URL must point at a database the tests may create/drop.
test-postgres:
	GONGZHI_TESTING=1 $(BIN)/pytest -n 2 -p no:cacheprovider

# Generated documentation kept in step with the code (tests compare them).
docs: install
	GONGZHI_TESTING=1 $(BIN)/gongzhi export-openapi docs/api/openapi.json
	GONGZHI_TESTING=1 $(BIN)/gongzhi export-data-dictionary docs/data-dictionary/models

openapi: docs

bench: install
	$(BIN)/python benchmarks/locate_points.py

clean:
	rm -rf $(VENV) node_modules src/gongzhi/static/vendor var/test-*
