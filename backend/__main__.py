"""`python -m backend`: serve the API (and the built app) with uvicorn on HOST:PORT."""

from __future__ import annotations

import uvicorn

from backend.settings import get_settings


def main() -> None:
    settings = get_settings()
    uvicorn.run("backend.main:create_app", factory=True, host=settings.HOST, port=settings.PORT,
                log_level=settings.LOG_LEVEL.lower(), timeout_graceful_shutdown=60)


if __name__ == "__main__":
    main()
