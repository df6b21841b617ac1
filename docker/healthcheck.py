"""Exit 0 when the service in this container answers /api/ready (its models are loaded).

The HEALTHCHECK of Dockerfile.backend and docker-compose.yml: the slim image has no curl, and
this reads the port the way the service does (FACEPROOF_PORT)."""

from __future__ import annotations

import sys
import urllib.request

from backend.core.settings import Settings


def main() -> int:
    url = f"http://127.0.0.1:{Settings().PORT}/api/ready"
    try:
        with urllib.request.urlopen(url, timeout=4) as response:
            return 0 if response.status == 200 else 1
    except OSError as exc:  # refused while the models load, 503 until they are, timeouts
        print(f"{url}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
