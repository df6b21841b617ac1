# The lock files: the exact versions, with hashes, that get installed, written from
# pyproject.toml by uv (a dev tool in .venv). Included by the main Makefile, which defines PY,
# VENV, PYTHON, DEV_LOCK and BACKEND_LOCK; run from the repo root.
#   requirements/dev.lock      pyproject.toml's dependencies and the dev extra: `make setup`, CI
#   requirements/backend.lock  the dependencies and the postgres extra, torch and torchvision
#                              left out (the image takes them from TORCH_INDEX_URL), at the same
#                              versions as dev.lock: Dockerfile.backend, `make docker-install`
# For the platform of .venv and of the image: Linux x86_64 (manylinux 2.28), CPython 3.11.
# Versions already in a lock stay; LOCK_ARGS=--upgrade (or --upgrade-package NAME) moves them.
UV := $(VENV)/bin/uv
LOCK_ARGS ?=
UV_COMPILE = $(UV) pip compile --quiet --generate-hashes --custom-compile-command "make lock" \
	--python-version 3.11 --python-platform x86_64-manylinux_2_28 $(LOCK_ARGS)

.PHONY: lock

lock: $(UV)  ## rewrite the lock files from pyproject.toml (LOCK_ARGS=--upgrade to move every pin)
	$(UV_COMPILE) pyproject.toml --extra dev -o $(DEV_LOCK)
	$(UV_COMPILE) pyproject.toml requirements/backend-torch-deps.in --extra postgres \
		--override requirements/backend-overrides.txt -c $(DEV_LOCK) -o $(BACKEND_LOCK)

# uv at the version the lock pins, alone: `make lock` must work when `make setup` cannot yet
# (pyproject.toml gained a dependency the lock lacks)
$(UV):
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet "uv==$$(sed -n 's/^uv==\([^ ]*\).*/\1/p' $(DEV_LOCK))"
