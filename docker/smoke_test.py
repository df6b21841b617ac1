"""Start the service from a venv made by docker/install-backend.sh the way the backend image
does, and wait until the image's HEALTHCHECK passes (`make docker-smoke`).

The environment is the final stage's ENV in Dockerfile.backend, with its folders mapped here:
/app/models -> the repo's models/, /data and /app -> a temporary folder; only the port is
changed (a free one). Then GET /api/ready must list the models and / must answer without a
web app (nginx serves it in the containers).

Usage: python docker/smoke_test.py build/docker-venv
"""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from check_dockerfiles import parse_dockerfile

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_S = 240


def image_environment(dockerfile: Path) -> dict[str, str]:
    """The ENV of the final stage (PATH and the like left out)."""
    instructions = parse_dockerfile(dockerfile.read_text())
    last_from = max(i for i, ins in enumerate(instructions) if ins.keyword == "FROM")
    env = {}
    for instruction in instructions[last_from:]:
        if instruction.keyword == "ENV":
            for word in shlex.split(instruction.arguments):
                name, _, value = word.partition("=")
                env[name] = value
    return {k: v for k, v in env.items() if k.startswith(("FACEPROOF_", "PYTHON"))}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main(venv: Path) -> int:
    python = str(venv.resolve() / "bin" / "python")
    with tempfile.TemporaryDirectory(prefix="faceproof-smoke-") as tmp:
        app, data = Path(tmp) / "app", Path(tmp) / "data"
        app.mkdir()
        data.mkdir()
        env = {
            k: (
                v.replace("/app/models", str(ROOT / "models"))
                .replace("/data", str(data))
                .replace("/app", str(app))
            )
            for k, v in image_environment(ROOT / "Dockerfile.backend").items()
        }
        env["FACEPROOF_PORT"] = str(free_port())
        print("image environment, mapped:", json.dumps(env, indent=1))
        env = {**os.environ, **env}
        # the working folder holds no source: the code must come from the venv, as in the image
        server = subprocess.Popen([python, "-m", "backend"], cwd=app, env=env)
        try:
            started = time.monotonic()
            while True:
                check = subprocess.run(
                    [python, str(ROOT / "docker" / "healthcheck.py")],
                    cwd=app,
                    env=env,
                    capture_output=True,
                    text=True,
                )
                if check.returncode == 0:
                    break
                if server.poll() is not None:
                    print(f"the service exited with {server.returncode}", file=sys.stderr)
                    return 1
                if time.monotonic() - started > TIMEOUT_S:
                    print(f"not healthy after {TIMEOUT_S} s: {check.stderr}", file=sys.stderr)
                    return 1
                time.sleep(1)
            print(f"HEALTHCHECK passed after {time.monotonic() - started:.1f} s")
            base = f"http://127.0.0.1:{env['FACEPROOF_PORT']}"
            with urllib.request.urlopen(base + "/api/ready", timeout=10) as response:
                ready = json.load(response)
            assert ready["ready"] and ready["models"], ready
            with urllib.request.urlopen(base + "/", timeout=10) as response:
                assert "has not been built" in response.read().decode(), "no SPA expected"
            assert (data / "history.db").is_file(), "the history belongs on the volume"
            print(
                f"ready with {', '.join(ready['models'])}; / answers without a web app; "
                "history on the volume"
            )
            return 0
        finally:
            server.terminate()
            server.wait(timeout=60)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    sys.exit(main(Path(sys.argv[1])))
