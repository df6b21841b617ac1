# FaceProof: `make run` starts the app, `make test` runs every check. Both set up on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
SHARED ?= ../shared
DATA_SOURCES := dfdc-faces real-faces generated-faces faceswap-faces
MODELS_DIR ?= models
CONFIG ?= training/configs/efficientnet_lite0.yaml
# The exact versions, with hashes, `make setup` and CI install, and those the backend image
# and `make docker-install` install (`make lock` writes both from pyproject.toml: make/lock.mk)
DEV_LOCK := requirements/dev.lock
BACKEND_LOCK := requirements/backend.lock
SETUP_STAMP := $(VENV)/.setup-$(shell cat pyproject.toml $(DEV_LOCK) | sha256sum | cut -c1-12)

include make/frontend.mk
include make/bench.mk
include make/docker.mk
include make/robustness.mk
include make/lock.mk

.PHONY: help setup run dev test lint format postgres train train-default evaluate data doctor models-table clean

help:  ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

setup: $(SETUP_STAMP)  ## create .venv and install the project with its dev tools from the lock (idempotent)

# The lock is complete (pip, setuptools and uv included), so no resolving and no build
# isolation: every file installed is one the lock names and hashes. `pip check` fails when the
# lock misses a dependency pyproject.toml gained since: run `make lock`.
$(SETUP_STAMP): pyproject.toml $(DEV_LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "FaceProof needs Python 3.11; set PYTHON=python3.11")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r $(DEV_LOCK)
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) -m pip check
	rm -f $(VENV)/.setup-* && touch $@

run: setup frontend-build  ## the service and web app on http://127.0.0.1:8000 (FACEPROOF_HOST / FACEPROOF_PORT override)
	FACEPROOF_MODELS_DIR=$(MODELS_DIR) $(PY) -m backend

# `make dev`: the service restarted on every edit of backend/ or faceproof/ (uvicorn --reload),
# the app from Vite's dev server with hot module reload, /api forwarded to the service
# (frontend/vite.config.ts); docker-compose.dev.yml runs the same two in containers
DEV_API_PORT ?= 8000
DEV_WEB_PORT ?= 5173

dev: setup frontend-setup  ## the app with hot reload on http://127.0.0.1:5173, the service with --reload on :8000
	FACEPROOF_MODELS_DIR=$(MODELS_DIR) $(PY) -m uvicorn backend.main:create_app --factory --reload \
	  --reload-dir backend --reload-dir faceproof --host 127.0.0.1 --port $(DEV_API_PORT) & \
	api=$$!; trap 'kill $$api 2>/dev/null' EXIT; \
	cd $(FRONTEND) && FACEPROOF_API_URL=http://127.0.0.1:$(DEV_API_PORT) \
	  $(NPM) run dev -- --host 127.0.0.1 --port $(DEV_WEB_PORT) --strictPort

doctor: setup  ## versions, CPU/GPU features, bundles, face detectors
	$(VENV)/bin/faceproof doctor --models-dir $(MODELS_DIR)

test: setup lint docker-check audit postgres  ## lint, container files, the Python tests (history on SQLite and PostgreSQL), the web app's tests and API types, e2e, the backend image's install steps
	$(PY) -m pytest -q -p no:cacheprovider --ignore=tests/e2e
	$(MAKE) --no-print-directory frontend-test api-types-check e2e docker-install

postgres:  ## Debian's PostgreSQL, which tests/postgres.py starts for the history tests (CI fails without it)
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || \
	  (apt-get update && apt-get install -y --no-install-recommends postgresql)

lint: setup  ## ruff (lint and format check), mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: setup  ## ruff fix + format
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

data: $(foreach s,$(DATA_SOURCES),data/$(s)/metadata.csv)  ## unpack the four training sources from ../shared (never committed)

data/%/metadata.csv:
	mkdir -p data/$*
	for part in $(SHARED)/data/$*/part-*.tar; do tar -xf "$$part" -C data/$*; done
	cp $(SHARED)/data/$*/metadata.csv $@

train: setup data  ## train with CONFIG=... (plus ARGS="key=value ...")
	$(PY) -m training.train --config $(CONFIG) $(ARGS)

train-default: setup data  ## reproduce the default bundles, leave-one-source-out runs and ensemble in models/ (~5 h on 2 cores)
	PY=$(PY) tools/train_default.sh

evaluate: setup data  ## evaluate every bundle in MODELS_DIR per source on CONFIG's validation split
	$(PY) -m training.evaluate $(MODELS_DIR) --config $(CONFIG) --split val --output runs/evaluate

models-table: setup  ## rewrite README's Models table from the bundles' measured metrics
	$(PY) -c 'import re, subprocess, pathlib; \
	t = subprocess.run(["$(VENV)/bin/faceproof", "models", "--markdown", "--models-dir", "$(MODELS_DIR)"], \
	    check=True, capture_output=True, text=True).stdout.strip(); \
	p = pathlib.Path("README.md"); s = p.read_text(); \
	p.write_text(re.sub(r"(<!-- models-table -->\n).*?(\n<!-- /models-table -->)", \
	    lambda m: m.group(1) + t + m.group(2), s, flags=re.S))'

clean:  ## remove caches and run outputs (keeps .venv, data/ and models/)
	rm -rf .pytest_cache .ruff_cache runs build *.egg-info
