"""Every error leaves as JSON `{"detail": ..., "code": ...}`: a 4xx for the client's input, a
503 when something the service needs (models, the history database) is unavailable."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from faceproof.errors import (
    BundleError,
    DecodeError,
    FaceProofError,
    ImageTooLargeError,
    UnknownModelError,
    VideoError,
)

log = logging.getLogger("backend")


class HistoryUnavailableError(Exception):
    """The history database cannot be used now; the caller may retry later (503 with
    Retry-After). Raised by backend/services/history.py."""

    code = "history_unavailable"


class APIError(Exception):
    """An error to report to the client as is."""

    def __init__(self, status: int, code: str, detail: str, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers

    @classmethod
    def retry_later(cls, code: str, detail: str, retry_after_s: int) -> APIError:
        """A 503 for something the service cannot do now, with Retry-After."""
        return cls(503, code, detail, headers={"Retry-After": str(retry_after_s)})


# status of each core error; the code comes from the error class itself
CORE_STATUS: dict[type[FaceProofError], int] = {
    DecodeError: 422,
    ImageTooLargeError: 413,
    VideoError: 422,
    UnknownModelError: 400,
    BundleError: 503,
}


HISTORY_RETRY_AFTER_S = 5


def status_of(exc: FaceProofError) -> int:
    for cls in type(exc).__mro__:
        if cls in CORE_STATUS:
            return CORE_STATUS[cls]
    return 400


def error_body(code: str, detail: str) -> dict:
    return {"detail": detail, "code": code}


def answer_of(exc: Exception) -> tuple[int, dict, dict[str, str] | None]:
    """The status, body and headers an error is answered with (a streamed analysis' failed
    event says the same); an exception that is none of ours is a 500 `internal_error`."""
    if isinstance(exc, APIError):
        return exc.status, error_body(exc.code, exc.detail), exc.headers
    if isinstance(exc, HistoryUnavailableError):
        return 503, error_body(exc.code, str(exc)), {"Retry-After": str(HISTORY_RETRY_AFTER_S)}
    if isinstance(exc, FaceProofError):
        return status_of(exc), error_body(exc.code, str(exc)), None
    return 500, error_body("internal_error", f"internal error: {type(exc).__name__}"), None


def _answer(exc: Exception) -> JSONResponse:
    status, body, headers = answer_of(exc)
    return JSONResponse(body, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(APIError)
    async def _api_error(_: Request, exc: APIError) -> JSONResponse:
        return _answer(exc)

    @app.exception_handler(HistoryUnavailableError)
    async def _history_unavailable(_: Request, exc: HistoryUnavailableError) -> JSONResponse:
        log.error("%s", exc)
        return _answer(exc)

    @app.exception_handler(FaceProofError)
    async def _core_error(_: Request, exc: FaceProofError) -> JSONResponse:
        return _answer(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body')}: {e.get('msg')}"
            for e in exc.errors()
        )
        return JSONResponse(
            error_body("invalid_request", problems or "invalid request"), status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        # 400: Starlette refusing a malformed multipart body (part headers too long, too many
        # parts); it is an invalid request like any other
        codes = {
            400: "invalid_request",
            404: "not_found",
            405: "method_not_allowed",
            413: "file_too_large",
        }
        code = codes.get(exc.status_code, f"http_{exc.status_code}")
        return JSONResponse(
            error_body(code, str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )
