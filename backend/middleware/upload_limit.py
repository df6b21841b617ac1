"""Refuse oversized request bodies while they stream in, before they are stored anywhere.

A declared Content-Length over the limit is refused at once; a body without one (chunked) is
counted as it arrives and cut off at the limit.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.core.settings import Settings

MULTIPART_OVERHEAD = 64 * 1024  # form boundaries and fields around the file bytes


def upload_limits(settings: Settings) -> Callable[[str], int | None]:
    """The byte limit of a request body by path: a video, a batch, a photo, anything else."""

    def limit_for(path: str) -> int | None:
        if path.endswith("/video"):
            return settings.MAX_VIDEO_BYTES + MULTIPART_OVERHEAD
        if path.endswith("/predict/batch"):
            return (settings.MAX_IMAGE_BYTES + MULTIPART_OVERHEAD) * settings.MAX_BATCH_FILES
        if path.endswith("/predict"):
            return settings.MAX_IMAGE_BYTES + MULTIPART_OVERHEAD
        return 1024 * 1024

    return limit_for


class BodyTooLarge(Exception):
    pass


class UploadLimitMiddleware:
    """Pure ASGI middleware: `limit_for(path)` gives the byte limit of a request, or None."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int | None]):
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in {"POST", "PUT", "PATCH"}:
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refuse(send, limit)
            return
        received = 0
        exceeded = False
        refused = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            # frameworks turn a failed body read into their own error response: replace it
            nonlocal refused
            if not exceeded:
                await send(message)
            elif not refused:
                refused = True
                await _refuse(send, limit)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except BodyTooLarge:
            if not refused:
                await _refuse(send, limit)


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps(
        {"detail": f"upload larger than the limit of {limit:,} bytes", "code": "file_too_large"}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
