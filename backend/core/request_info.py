"""What the access log and the metrics read of a served request: the matched route's
template, and the verdict the route handler reported (`set_verdict`)."""

from __future__ import annotations

from fastapi import Request
from starlette.types import Scope

Verdicts = str | dict[str, int]  # one verdict, or a batch's count of each


def set_verdict(request: Request, verdict: Verdicts) -> None:
    """Report the analysis' verdict (a batch: counts of each) to the access log and metrics."""
    request.state.verdict = verdict


def verdict_of(scope: Scope) -> Verdicts | None:
    """What the route handler reported with `set_verdict`: a verdict, or counts of them."""
    return (scope.get("state") or {}).get("verdict")


def route_template(scope: Scope) -> str | None:
    """The matched route's path template (`/api/jobs/{job_id}`), None when nothing matched."""
    # FastAPI >= 0.130 keeps included routers nested: the route's own path lacks their
    # prefixes, and the full one is on the effective route context it leaves in the scope
    context = (scope.get("fastapi") or {}).get("effective_route_context")
    path = getattr(context, "path", None)
    if isinstance(path, str):
        return path
    route = scope.get("route")
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return path if isinstance(path, str) else None
