"""End-to-end fixtures: the built web app, served by the real backend (uvicorn, in a
subprocess, with tiny real model bundles and its own SQLite history), driven by Debian's
Chromium through Playwright. Screenshots go to tests/e2e/screenshots/.

Run with `make e2e` (it builds the app and installs the browser first, and sets
FACEPROOF_E2E_REQUIRED=1 so that a missing piece fails instead of skipping).
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "frontend" / "dist"
SHOTS = Path(__file__).parent / "screenshots"
CHROMIUM = os.environ.get("FACEPROOF_CHROMIUM", "/usr/bin/chromium")
MAX_IMAGE_BYTES = 2 * 1024 * 1024  # small, so the "too large" file stays small
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def _missing() -> str | None:
    """Why the end-to-end tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "no Playwright: pip install playwright (make e2e does)"
    if not (DIST / "index.html").is_file():
        return "the web app is not built: make e2e (or make frontend-build)"
    if not Path(CHROMIUM).exists():
        return f"no browser at {CHROMIUM}: make browser"
    return None


MISSING = _missing()
if MISSING and os.environ.get("FACEPROOF_E2E_REQUIRED") == "1":
    raise RuntimeError(f"cannot run the end-to-end tests: {MISSING}")


def pytest_collection_modifyitems(config, items) -> None:
    reason = MISSING
    if reason:
        here = Path(__file__).parent
        for item in items:
            if here in Path(item.fspath).parents:
                item.add_marker(pytest.mark.skip(reason=reason))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get_json(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:  # loopback only
        return json.loads(response.read())


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The files the tests upload: a face photo, two images without a face (a gradient, a
    flat grey square), a broken file, one over the size limit, and a short video of the
    face."""
    import cv2
    from PIL import Image
    from skimage import data

    folder = tmp_path_factory.mktemp("media")
    face = np.ascontiguousarray(data.astronaut())
    files = {
        name: folder / name
        for name in (
            "astronaut.jpg",
            "astronaut-copy.png",
            "landscape.jpg",
            "grey.png",
            "broken.jpg",
            "huge.jpg",
            "clip.avi",
        )
    }
    Image.fromarray(face).save(files["astronaut.jpg"], quality=90)
    Image.fromarray(face[::2, ::2]).save(files["astronaut-copy.png"])
    gradient = np.zeros((240, 320, 3), np.uint8)
    gradient[..., 0] = np.linspace(40, 200, 320, dtype=np.uint8)[None, :]
    gradient[..., 2] = np.linspace(220, 90, 240, dtype=np.uint8)[:, None]
    Image.fromarray(gradient).save(files["landscape.jpg"])
    Image.fromarray(np.full((240, 320, 3), 128, np.uint8)).save(files["grey.png"])
    files["broken.jpg"].write_bytes(b"\xff\xd8\xff\xe0 this is not really a JPEG")
    # a real JPEG padded past the limit (bytes after the end marker are ignored by decoders)
    buffer = io.BytesIO()
    Image.fromarray(face).save(buffer, format="JPEG", quality=90)
    files["huge.jpg"].write_bytes(buffer.getvalue() + b"\0" * (MAX_IMAGE_BYTES + 100_000))
    writer = cv2.VideoWriter(
        str(files["clip.avi"]), cv2.VideoWriter_fourcc(*"MJPG"), 10, (256, 256)
    )
    small = cv2.cvtColor(cv2.resize(face, (256, 256)), cv2.COLOR_RGB2BGR)
    for i in range(40):
        writer.write(np.roll(small, i, axis=1))
    writer.release()
    return files


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real service on a free loopback port, serving the built app; always stopped."""
    sys.path.insert(0, str(Path(__file__).parent))
    from make_bundles import make_bundles

    home = tmp_path_factory.mktemp("server")
    models = make_bundles(home / "models")
    port = _free_port()
    env = {
        **os.environ,
        "FACEPROOF_STATIC_DIR": str(DIST),
        "FACEPROOF_MODELS_DIR": str(models),
        "FACEPROOF_HISTORY_URL": f"sqlite:///{home / 'history.db'}",
        "FACEPROOF_MAX_IMAGE_BYTES": str(MAX_IMAGE_BYTES),
        "FACEPROOF_TORCH_THREADS": "1",
        "FACEPROOF_LOG_LEVEL": "WARNING",
        "OMP_NUM_THREADS": "1",
    }
    env.pop("FACEPROOF_API_KEY", None)
    log = (home / "server.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "backend.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the backend exited:\n{(home / 'server.log').read_text()}")
            try:
                if _get_json(f"{base}/api/ready").get("ready"):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the backend was not ready within 120 s")
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    if SHOTS.exists():
        for old in SHOTS.glob("*.png"):
            old.unlink()
    SHOTS.mkdir(exist_ok=True)
    return SHOTS


def _context(browser, server: str, viewport: dict, **options):
    context = browser.new_context(
        base_url=server, viewport=viewport, accept_downloads=True, **options
    )
    context.set_default_timeout(15_000)
    return context


class Page:
    """A Playwright page plus the browser errors seen on it (a test fails on any)."""

    def __init__(self, context):
        self.context = context
        self.page = context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on(
            "console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}")
        )


@pytest.fixture
def desktop(browser, server) -> Iterator:
    holder = Page(_context(browser, server, DESKTOP))
    yield holder
    holder.context.close()
    expected = [e for e in holder.errors if "status of 4" not in e]  # 4xx answers tested on purpose
    assert not expected, expected


@pytest.fixture
def phone(browser, server) -> Iterator:
    holder = Page(
        _context(browser, server, PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    )
    yield holder
    holder.context.close()
    expected = [e for e in holder.errors if "status of 4" not in e]
    assert not expected, expected


@pytest.fixture
def reduced_motion(browser, server) -> Iterator:
    holder = Page(_context(browser, server, DESKTOP, reduced_motion="reduce"))
    yield holder
    holder.context.close()


@pytest.fixture
def shoot(screenshots: Path):
    """`shoot(page, "name")` saves a screenshot (the whole page unless full=False)."""

    def save(page, name: str, *, full: bool = True) -> Path:
        path = screenshots / f"{name}.png"
        page.screenshot(path=str(path), full_page=full, animations="allow")
        return path

    return save
