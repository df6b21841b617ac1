#!/usr/bin/env bash
# The backend image's install steps, shared by Dockerfile.backend and `make docker-install`
# (which CI runs) so that the two cannot drift apart. Run from the directory holding
# pyproject.toml (the repo root, or the image's build folder).
#
#   docker/install-backend.sh deps VENV     a venv with torch + torchvision from TORCH_INDEX_URL,
#                                           then every other dependency from
#                                           requirements/backend.lock (versions and hashes)
#   docker/install-backend.sh project VENV  the project itself (no dependencies), then pip check
#
# Two steps so the image caches the heavy first one until the lock or the torch pins change.
# TORCH_INDEX_URL: the image passes PyTorch's CPU wheel index (no CUDA libraries); this machine
# and CI reach only PyPI, so the Makefile passes PyPI's index: same steps, another source.
# PYTHON: the interpreter the venv is made from (default python3; it must be 3.11).
set -euo pipefail

step=${1:?usage: install-backend.sh deps|project VENV}
venv=${2:?usage: install-backend.sh deps|project VENV}
pip=("$venv/bin/python" -m pip install --no-input --progress-bar off)

# pyproject.toml's torch and torchvision pins (==); the lock leaves the two out
# (requirements/backend-overrides.txt) as they come from TORCH_INDEX_URL
torch_pins() {
    "$venv/bin/python" - <<'PY'
import re
import tomllib

with open("pyproject.toml", "rb") as fh:
    for dep in tomllib.load(fh)["project"]["dependencies"]:
        if re.split(r"[\s<>=!~;\[]", dep, maxsplit=1)[0].lower() in {"torch", "torchvision"}:
            print(dep)
PY
}

case "$step" in
    deps)
        : "${TORCH_INDEX_URL:?set TORCH_INDEX_URL: the PyTorch CPU index, or PyPI}"
        "${PYTHON:-python3}" -m venv "$venv"
        mapfile -t torch < <(torch_pins)
        # with their own requirements (PyPI's CUDA build needs its nvidia-* libraries); the
        # lock then sets the pure-Python ones among them to its versions
        "${pip[@]}" --index-url "$TORCH_INDEX_URL" "${torch[@]}"
        # everything else: exactly the lock's files (the service's dependencies, the postgres
        # extra's driver, torch's own requirements), nothing resolved here
        "${pip[@]}" --require-hashes --no-deps -r requirements/backend.lock
        ;;
    project)
        # built with the lock's setuptools, not one fetched for an isolated build
        "${pip[@]}" --no-deps --no-build-isolation .
        "$venv/bin/python" -m pip check
        ;;
    *)
        echo "unknown step '$step': deps or project" >&2
        exit 2
        ;;
esac
