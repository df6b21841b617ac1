#!/usr/bin/env bash
# The backend image's install steps, shared by Dockerfile.backend and `make docker-install`
# (which CI runs) so that the two cannot drift apart. Run from the directory holding
# pyproject.toml (the repo root, or the image's build folder).
#
#   docker/install-backend.sh deps VENV     a venv with torch + torchvision from TORCH_INDEX_URL,
#                                           then the project's other dependencies from PyPI
#   docker/install-backend.sh project VENV  the project itself (no dependencies), then pip check
#
# Two steps so the image caches the heavy first one until pyproject.toml changes.
# TORCH_INDEX_URL: the image passes PyTorch's CPU wheel index (no CUDA libraries); this machine
# and CI reach only PyPI, so the Makefile passes PyPI's index: same steps, another source.
# PYTHON: the interpreter the venv is made from (default python3; it must be 3.11).
set -euo pipefail

step=${1:?usage: install-backend.sh deps|project VENV}
venv=${2:?usage: install-backend.sh deps|project VENV}
pip=("$venv/bin/python" -m pip install --no-input --progress-bar off)

# the project's [project.dependencies], split into the torch pins and everything else; the
# image's extras (postgres: the psycopg driver, for a HISTORY_URL on PostgreSQL) go with the rest
requirements() {
    "$venv/bin/python" - "$1" <<'PY'
import re
import sys
import tomllib

with open("pyproject.toml", "rb") as fh:
    project = tomllib.load(fh)["project"]
deps = project["dependencies"] + project["optional-dependencies"]["postgres"]
torch = {"torch", "torchvision"}
want_torch = sys.argv[1] == "torch"
for dep in deps:
    name = re.split(r"[\s<>=!~;\[]", dep, maxsplit=1)[0].lower()
    if (name in torch) == want_torch:
        print(dep)
PY
}

case "$step" in
    deps)
        : "${TORCH_INDEX_URL:?set TORCH_INDEX_URL: the PyTorch CPU index, or PyPI}"
        "${PYTHON:-python3}" -m venv "$venv"
        mapfile -t torch_pins < <(requirements torch)
        mapfile -t others < <(requirements others)
        # torch first from its own index; the second install then finds the pins satisfied
        # (2.14.1+cpu satisfies ==2.14.1) and takes the rest from PyPI
        "${pip[@]}" --index-url "$TORCH_INDEX_URL" "${torch_pins[@]}"
        "${pip[@]}" "${others[@]}"
        ;;
    project)
        "${pip[@]}" --no-deps .
        "$venv/bin/python" -m pip check
        ;;
    *)
        echo "unknown step '$step': deps or project" >&2
        exit 2
        ;;
esac
