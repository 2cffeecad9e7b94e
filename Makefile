# Campus — the two commands are `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format install install-dev migrate demo worker messages clean-db help bench

help:
	@echo "make run      install, migrate, load the demo school if empty, serve on http://$(HOST):$(PORT)"
	@echo "make test     the whole test suite (SQLite; PostgreSQL and browser suites when available)"
	@echo "make lint     ruff (lint + format check), the layer contract (lint-imports) and mypy"
	@echo "make worker   run the background worker (mail) in the foreground"
	@echo "make messages regenerate and compile the translation catalogues"
	@echo "make bench    the sign-up rush over HTTP (DB=sqlite, or DB=postgres); see bench/README.md"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Stamp files: reinstall only when the pinned requirements change.
$(VENV)/.base-installed: requirements/base.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/base.txt
	touch $@

$(VENV)/.dev-installed: requirements/base.txt requirements/dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/base.txt -r requirements/dev.txt
	touch $@ $(VENV)/.base-installed

install: $(VENV)/.base-installed
install-dev: $(VENV)/.dev-installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo --if-empty

run: demo
	@bash scripts/run-dev.sh $(HOST) $(PORT)

worker: install
	$(BIN)/python manage.py db_worker

test: install-dev
	@bash scripts/test.sh

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install-dev
	$(BIN)/python manage.py makemessages -l en --no-obsolete --ignore=.venv --ignore=var
	$(BIN)/python manage.py compilemessages -l en --ignore=.venv

# The bench (bench/README.md): the sign-up rush (1,000 agents, one 13-seat session), then
# the main pages on the generated metropolis data (generated on first use) against the floor.
DB ?= sqlite
PRESET ?= metropolis
bench: install-dev
	$(BIN)/python -m bench.rush --db $(DB)
	$(BIN)/python -m bench.pages --db $(DB) --preset $(PRESET)

clean-db:
	rm -f var/campus.sqlite3 var/campus.sqlite3-wal var/campus.sqlite3-shm
