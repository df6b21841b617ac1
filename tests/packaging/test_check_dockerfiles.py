"""docker/check_dockerfiles.py: the repo's Dockerfiles pass, and each kind of mistake is caught."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "check_dockerfiles", ROOT / "docker" / "check_dockerfiles.py"
)
checker = sys.modules[_spec.name] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(checker)

MAKEFILE = """\
NPM ?= npm
build: ## x
\tcd web && $(NPM) ci --no-audit
\t@TORCH_INDEX_URL=$(TORCH_INDEX_URL) tools/install.sh deps \\
\t\t$(VENV)
"""


@pytest.mark.parametrize("dockerfile", ["Dockerfile.backend", "Dockerfile.frontend"])
def test_the_repos_dockerfiles_pass(dockerfile: str) -> None:
    assert checker.check(ROOT / dockerfile) == []


def _context(tmp_path: Path, dockerfile: str, dockerignore: str = "") -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.py").write_text("")
    (tmp_path / "Makefile").write_text(MAKEFILE)
    (tmp_path / ".dockerignore").write_text(dockerignore)
    (tmp_path / "Dockerfile").write_text(dockerfile)
    return tmp_path / "Dockerfile"


def test_a_good_dockerfile_passes(tmp_path: Path) -> None:
    path = _context(
        tmp_path,
        """\
FROM node AS build
# variables stand for any word: $(NPM) is npm, $(VENV) is /opt/venv
RUN npm ci --no-audit
RUN tools/install.sh deps /opt/venv && \\
    npm ci --no-audit
FROM nginx
COPY app/ /srv/app/
COPY ["app/main.py", "/srv/"]
COPY --from=build /dist /usr/share/nginx/html
# image-only: creates the runtime user
RUN useradd app
""",
        dockerignore="**/__pycache__\n",
    )
    assert checker.check(path, root=tmp_path) == []


def test_a_missing_copy_source_is_found(tmp_path: Path) -> None:
    path = _context(tmp_path, "FROM x\nCOPY app/main.py missing.txt /srv/\n")
    assert checker.check(path, root=tmp_path) == [
        "Dockerfile:2: missing.txt does not exist in the build context"
    ]


@pytest.mark.parametrize(
    ("dockerignore", "ignored"),
    [
        ("app\n", True),
        ("/app/\n", True),
        ("**/main.py\n", True),
        ("app/*.py\n", True),
        ("app\n!app/main.py\n", False),
        ("application\n", False),
        ("ap?/main.py\n", True),
    ],
)
def test_a_copy_source_excluded_by_dockerignore_is_found(
    tmp_path: Path, dockerignore: str, ignored: bool
) -> None:
    path = _context(tmp_path, "FROM x\nCOPY app/main.py /srv/\n", dockerignore)
    expected = ["Dockerfile:2: app/main.py is excluded by .dockerignore"] if ignored else []
    assert checker.check(path, root=tmp_path) == expected


def test_a_run_step_the_makefile_does_not_run_is_found(tmp_path: Path) -> None:
    path = _context(
        tmp_path,
        """\
FROM x
RUN npm ci --no-audit && npm run build
RUN tools/install.sh project /opt/venv
# a comment that gives no image-only reason
RUN useradd app
""",
    )
    problems = checker.check(path, root=tmp_path)
    assert [p.split(": ", 1)[1].split("`")[1] for p in problems] == [
        "npm run build",
        "tools/install.sh project /opt/venv",
        "useradd app",
    ]
    assert problems[0].startswith("Dockerfile:2: ")


def test_image_only_needs_a_reason(tmp_path: Path) -> None:
    path = _context(tmp_path, "FROM x\n# image-only:\nRUN useradd app\n")
    assert len(checker.check(path, root=tmp_path)) == 1


def test_continued_recipe_lines_are_one_command() -> None:
    commands = checker.recipe_commands_from_text(MAKEFILE)
    assert ["$(NPM)", "ci", "--no-audit"] in commands
    assert ["tools/install.sh", "deps", "$(VENV)"] in commands
