"""Known vulnerabilities in the project's dependencies: pip-audit over .venv, then npm audit
(high and critical) over the web app. `make audit` runs it; `make test` too.

pip-audit asks PyPI's per-version JSON API; where that answers 404 (a PyPI mirror that only
serves the project-level JSON), each skipped package is checked against the project-level
JSON's `vulnerabilities`, which PyPI fills for the latest release, so a package that is its
latest release is still audited. npm's advisory endpoint may be unreachable the same way.
Whatever could not be audited is listed by name; `--strict` makes that a failure too.

Exit status 1 when a known vulnerability is found that is not ignored (`--ignore ID`, each
with its reason next to it in make/robustness.mk); 2 when a tool itself fails (not installed,
crashed, or gave no report), so an audit that did not run never passes as clean. An advisory
service that refuses the tool (npm's bulk endpoint answering 405 behind a registry mirror) is
not a tool failure: what it leaves unaudited is named, and `--strict` fails on it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYPI_JSON = "https://pypi.org/pypi/{name}/json"


class ToolFailed(Exception):
    """An audit tool did not run or gave no report."""


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    except OSError as exc:
        raise ToolFailed(f"{cmd[0]} could not be started: {exc}") from exc


def audit_python(
    ignored: set[str], command: list[str] | None = None
) -> tuple[list[str], list[str], int]:
    """(vulnerabilities found, packages not audited, packages audited)."""
    run = _run(
        command
        or [
            sys.executable,
            "-m",
            "pip_audit",
            "--skip-editable",
            "--format",
            "json",
            "--progress-spinner",
            "off",
        ]
    )
    try:
        report = json.loads(run.stdout)
        dependencies = report["dependencies"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ToolFailed(
            f"pip-audit gave no report (exit {run.returncode}): "
            f"{(run.stderr or run.stdout).strip()[-500:]}"
        ) from exc
    if not dependencies:
        raise ToolFailed("pip-audit reported no installed package at all")
    found, unaudited, audited = [], [], 0
    for dep in dependencies:
        name, version = dep["name"], dep.get("version")
        if "skip_reason" in dep:
            if "editable" in dep["skip_reason"]:
                continue  # this project itself
            version = dep["skip_reason"].rsplit("(", 1)[-1].rstrip(")")
            vulns = _latest_release_vulns(name, version)
            if vulns is None:
                unaudited.append(f"{name} {version}")
                continue
        else:
            vulns = [
                {
                    "id": v["id"],
                    "aliases": v.get("aliases", []),
                    "fixed_in": v.get("fix_versions", []),
                }
                for v in dep.get("vulns", [])
            ]
        audited += 1
        for vuln in vulns:
            ids = {vuln["id"], *vuln.get("aliases", [])}
            if not ids & ignored:
                found.append(
                    f"{name} {version}: {vuln['id']} (fixed in "
                    f"{', '.join(vuln.get('fixed_in') or ['?'])})"
                )
    return found, unaudited, audited


def _latest_release_vulns(name: str, version: str) -> list[dict] | None:
    """PyPI's known vulnerabilities of `name` when `version` is its latest release; None
    when that cannot be said."""
    try:
        with urllib.request.urlopen(PYPI_JSON.format(name=name), timeout=30) as response:
            project = json.loads(response.read())
    except (OSError, ValueError):
        return None
    if project["info"]["version"] != version:
        return None
    return [v for v in project.get("vulnerabilities") or [] if not v.get("withdrawn")]


def audit_npm(folder: Path, command: list[str] | None = None) -> tuple[list[str], list[str]]:
    """(high or critical advisories, what could not be audited)."""
    if not (folder / "package-lock.json").is_file():
        raise ToolFailed(f"npm audit needs {folder / 'package-lock.json'}")
    run = _run(command or ["npm", "audit", "--json", "--audit-level=high"], cwd=folder)
    try:
        report = json.loads(run.stdout)
    except ValueError as exc:
        raise ToolFailed(
            f"npm audit gave no report (exit {run.returncode}): {run.stderr.strip()[-300:]}"
        ) from exc
    if "vulnerabilities" not in report:
        if "security/advisories" in str(report.get("uri", "")):  # the service refused
            return [], [f"npm's advisory endpoint refused the audit ({report.get('message')})"]
        raise ToolFailed(f"npm audit failed: {report.get('message') or report.get('error')}")
    found = [
        f"{name}: {v['severity']} ({', '.join(_advisory(x) for x in v.get('via', []))})"
        for name, v in report["vulnerabilities"].items()
        if v.get("severity") in {"high", "critical"}
    ]
    return found, []


def _advisory(via: dict | str) -> str:
    """An advisory's title, or the package it comes through."""
    return str(via.get("title", via.get("url", "?"))) if isinstance(via, dict) else via


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="ID",
        help="a vulnerability id (or alias) explained elsewhere",
    )
    parser.add_argument(
        "--strict", action="store_true", help="fail when anything could not be audited"
    )
    parser.add_argument("--frontend", type=Path, default=REPO / "frontend")
    args = parser.parse_args(argv)

    try:
        py_found, py_unaudited, py_audited = audit_python(set(args.ignore))
        npm_found, npm_unaudited = audit_npm(args.frontend)
    except ToolFailed as exc:
        print(f"AUDIT DID NOT RUN: {exc}")
        return 2
    print(
        f"Python: {py_audited} packages audited, {len(py_found)} known vulnerabilities, "
        f"{len(py_unaudited)} not audited"
    )
    for line in py_found:
        print(f"  VULNERABLE {line}")
    if py_unaudited:
        print(
            "  not audited (PyPI gave no advisory data for these versions): "
            + ", ".join(py_unaudited)
        )
    print(
        f"npm: {len(npm_found)} high or critical advisories"
        + (f"; not audited: {'; '.join(npm_unaudited)}" if npm_unaudited else "")
    )
    for line in npm_found:
        print(f"  VULNERABLE {line}")
    if py_found or npm_found:
        return 1
    if args.strict and (py_unaudited or npm_unaudited):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
