"""Every package the repo imports is one pyproject.toml declares: deptry, configured in
pyproject.toml's [tool.deptry], over faceproof/, backend/, training/, tests/ and the scripts.

An import that only works because another package happens to pull its distribution in (timm
brings huggingface_hub, schemathesis brings hypothesis) breaks the day that package drops it;
the backend image installs exactly requirements/backend.lock, so there it breaks at once.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def deptry(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deptry", ".", "--no-ansi", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_imported_package_is_declared() -> None:
    result = deptry()
    assert result.returncode == 0, result.stdout + result.stderr


# a declared distribution, and the module a file of the repo imports from it
@pytest.mark.parametrize(
    ("distribution", "module"),
    [
        ("scipy", "scipy"),  # training/calibrate.py
        ("starlette", "starlette"),  # backend's middleware, beside fastapi
        ("hypothesis", "hypothesis"),  # tests/robustness, beside schemathesis
        ("huggingface-hub", "huggingface_hub"),  # faceproof/pretrained.py, beside timm
        ("dlib-bin", "dlib"),  # training/face_cache.py: [tool.deptry.package_module_name_map]
    ],
)
def test_an_import_left_undeclared_fails(tmp_path: Path, distribution: str, module: str) -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    line = re.compile(rf'^\s*"{re.escape(distribution)}[\s<>=!~\[;"].*\n', re.MULTILINE)
    assert len(line.findall(pyproject)) == 1, f"{distribution} is declared once"
    (tmp_path / "pyproject.toml").write_text(line.sub("", pyproject))
    result = deptry("--config", str(tmp_path / "pyproject.toml"))
    report = result.stdout + result.stderr  # deptry writes its findings on stderr
    assert result.returncode == 1, report
    assert re.search(rf"DEP00[13] '{module}' imported but", report), report
