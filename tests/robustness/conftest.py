"""Fixtures of the robustness tests: the service fixtures of tests/backend (tiny constant
bundles, settings, clients that fail on any 5xx or malformed error), plus a real uvicorn
process for the faults an in-process client cannot show (signals, dropped connections).
"""

from __future__ import annotations

import os

import pytest

# The service tests' fixtures, so both folders build apps and clients the same way (and with
# the same check of every response: no 5xx, errors exactly {"detail", "code"}).
from tests.backend.conftest import (  # noqa: F401
    _bundles_loaded_once,
    _check_response,
    _no_faceproof_env,
    blank_png,
    client,
    face_jpeg,
    face_png,
    face_rgb,
    face_video,
    make_client,
    make_settings,
    model_p,
    models_dir,
    temp_files,
)

REQUIRED = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(module: str) -> None:
    """Import a test tool; in CI a missing one fails the test, elsewhere it skips it."""
    try:
        __import__(module)
    except ImportError:
        if REQUIRED:
            pytest.fail(f"{module} is not installed: pip install -e '.[dev]'")
        pytest.skip(f"{module} is not installed: pip install -e '.[dev]'")


def allow_history_unavailable(test_client) -> None:
    """Let this client see 503 `history_unavailable` (and only that 5xx): the tests that make
    the history database fail expect it; every other response is checked as usual."""

    def check(response) -> None:
        if response.status_code == 503:
            response.read()
            assert response.json()["code"] == "history_unavailable", response.text
            return
        _check_response(response)

    test_client.event_hooks = {"request": [], "response": [check]}
