# Tremplin: `make demo` (install, load, serve) and `make test` (the whole suite, SQLite and PostgreSQL).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export TREMPLIN_HOME ?= $(CURDIR)/var
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/tremplin
APT_PACKAGES := chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
	fonts-dejavu-core postgresql-client wrk

.PHONY: demo test install install-dev system-deps lint typecheck pytest pytest-sqlite pytest-postgres \
	bench serve clean audit

system-deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages: $$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: system-deps $(VENV)/.installed
install-dev: system-deps $(VENV)/.installed-dev

demo: install
	$(BIN)/tremplin migrate --noinput -v0
	$(BIN)/tremplin refdata load
	$(BIN)/tremplin demo load
	$(BIN)/tremplin collectstatic --noinput -v0
	@echo ""
	@echo "Tremplin : http://127.0.0.1:$(PORT)/ (comptes de démonstration ci-dessus)"
	$(BIN)/tremplin serve --port $(PORT)

serve: install
	$(BIN)/tremplin serve --port $(PORT)

lint: install-dev
	$(BIN)/ruff check tremplin tests tools benchmarks
	$(BIN)/ruff format --check tremplin tests tools benchmarks

typecheck: install-dev
	$(BIN)/mypy tremplin

pytest-sqlite: install-dev
	@echo "== Tests on SQLite"
	env -u DATABASE_URL $(BIN)/pytest

pytest-postgres: install-dev
	@echo "== Tests on PostgreSQL"
	@if ! pg_isready -q -h 127.0.0.1 -p 5432; then \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql 2>/dev/null | head -1) main start 2>/dev/null; sleep 2; \
	fi; \
	if pg_isready -q -h 127.0.0.1 -p 5432; then \
	  DATABASE_URL=$(PG_URL) $(BIN)/pytest; \
	elif [ "$${CI:-}" = "true" ]; then \
	  echo "PostgreSQL is not reachable on 127.0.0.1:5432, and CI=true makes the PostgreSQL run mandatory."; exit 1; \
	else \
	  echo "SKIPPED: the PostgreSQL run (no server on 127.0.0.1:5432; mandatory under CI=true)."; \
	fi

# The two database runs are independent (their own test databases, browser servers and scratch
# files): they run side by side, each one's output printed whole when it ends.
test: lint typecheck
	$(MAKE) --no-print-directory -j2 --output-sync=target pytest-sqlite pytest-postgres

# The national demo loaded once, every figure against its reference, one table (benchmarks/).
# SQLite by default; DATABASE_URL=postgres://…/tremplin_bench for PostgreSQL (emptied first).
bench: install-dev
	$(BIN)/python benchmarks/suite.py

# Static security analysis and the dependency audit (needs the network: the advisories come from
# PyPI / OSV); not part of `make test`. Every accepted finding is explained in docs/security.md.
audit: install-dev
	$(BIN)/bandit -q -c pyproject.toml -r tremplin
	$(BIN)/pip-audit --skip-editable

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
