"""tools/audit.py: a tool that fails or reports nothing fails the audit (exit 2); a refused
advisory service is named as not audited; a vulnerability fails it (exit 1)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tools import audit


def _echo(text: str, code: int = 0) -> list[str]:
    return [sys.executable, "-c", f"import sys; sys.stdout.write({text!r}); sys.exit({code})"]


def test_pip_audit_without_a_report_is_a_tool_failure() -> None:
    with pytest.raises(audit.ToolFailed, match="no report"):
        audit.audit_python(set(), _echo("", 1))
    with pytest.raises(audit.ToolFailed, match="no installed package"):
        audit.audit_python(set(), _echo(json.dumps({"dependencies": []})))
    with pytest.raises(audit.ToolFailed, match="could not be started"):
        audit.audit_python(set(), ["/no/such/pip-audit"])


def test_pip_audit_findings_and_ignores() -> None:
    report = {
        "dependencies": [
            {"name": "good", "version": "1.0", "vulns": []},
            {
                "name": "bad",
                "version": "2.0",
                "vulns": [{"id": "PYSEC-1", "aliases": ["CVE-1"], "fix_versions": ["2.1"]}],
            },
        ]
    }
    found, unaudited, audited = audit.audit_python(set(), _echo(json.dumps(report), 1))
    assert (found, unaudited, audited) == (["bad 2.0: PYSEC-1 (fixed in 2.1)"], [], 2)
    assert audit.audit_python({"CVE-1"}, _echo(json.dumps(report), 1))[0] == []


def test_npm(tmp_path: Path) -> None:
    with pytest.raises(audit.ToolFailed, match="package-lock"):
        audit.audit_npm(tmp_path)
    (tmp_path / "package-lock.json").write_text("{}")
    with pytest.raises(audit.ToolFailed, match="no report"):
        audit.audit_npm(tmp_path, _echo("npm ERR! something", 1))
    refused = {
        "message": "405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/"
        "security/advisories/bulk",
        "uri": "https://registry.npmjs.org/-/npm/v1/security/advisories/bulk",
    }
    found, unaudited = audit.audit_npm(tmp_path, _echo(json.dumps(refused), 1))
    assert found == [] and "refused" in unaudited[0]
    with pytest.raises(audit.ToolFailed, match="failed"):
        audit.audit_npm(tmp_path, _echo(json.dumps({"error": {"code": "ENOLOCK"}}), 1))
    report = {
        "vulnerabilities": {
            "lodash": {"severity": "high", "via": [{"title": "Proto"}]},
            "minor": {"severity": "low", "via": []},
        }
    }
    assert audit.audit_npm(tmp_path, _echo(json.dumps(report), 1)) == (["lodash: high (Proto)"], [])


def test_main_exit_codes(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    def failing(*_a, **_k):
        raise audit.ToolFailed("pip-audit gave no report")

    monkeypatch.setattr(audit, "audit_python", failing)
    assert audit.main([]) == 2
    assert "AUDIT DID NOT RUN" in capsys.readouterr().out

    monkeypatch.setattr(audit, "audit_python", lambda *_a: ([], [], 10))
    monkeypatch.setattr(audit, "audit_npm", lambda *_a: ([], ["refused"]))
    assert audit.main([]) == 0
    assert audit.main(["--strict"]) == 1
    monkeypatch.setattr(audit, "audit_npm", lambda *_a: (["x: high (y)"], []))
    assert audit.main([]) == 1
