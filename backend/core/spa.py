"""Serve the built single-page app at `/`: real files as they are, any other path as
index.html so client-side routes survive a reload. /api stays the API's."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>FaceProof</title>
<body style="font-family:system-ui;max-width:40em;margin:4em auto">
<h1>FaceProof API is running</h1>
<p>The web app has not been built. The API is documented at <a href="/api/docs">/api/docs</a>
(Swagger UI) and <a href="/api/redoc">/api/redoc</a>.</p></body>"""


def mount_spa(app: FastAPI, static_dir: Path) -> None:
    index = static_dir / "index.html"
    if not index.is_file():

        @app.get("/", include_in_schema=False)
        async def spa_missing() -> HTMLResponse:
            return HTMLResponse(NOT_BUILT)

        return

    root = static_dir.resolve()
    files = {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file()}
    if (root / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=root / "assets"), name="spa-assets")

    @app.get("/{path:path}", include_in_schema=False)
    async def spa(path: str) -> FileResponse:
        # only files that were in the build are served: no user text becomes a path
        if path.startswith("api/"):
            from backend.core.errors import APIError

            raise APIError(404, "not_found", f"no route /{path}")
        target = files.get(path)
        if target is None:
            return FileResponse(index, headers={"Cache-Control": "no-cache"})
        return FileResponse(target)
