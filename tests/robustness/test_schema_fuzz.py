"""Property-based fuzzing of the whole OpenAPI schema with schemathesis: valid and invalid
requests generated for every operation (at least 1,000 in all), each answered without a 5xx,
with a status the schema declares, a body valid against the schema, and errors exactly
`{"detail", "code"}`.

Generation is derandomised, so a run is repeatable; a failure prints the request as a curl
command. Whatever it finds becomes a test in test_regressions.py.
"""

from __future__ import annotations

from collections import Counter

from tests.robustness.conftest import require

MIN_REQUESTS = 1000
EXAMPLES = {"positive": 100, "negative": 60}  # per operation and mode, at most


def _error_body_shape(ctx, response, case) -> None:
    """The service's own rule, as in tests/backend/conftest.py: errors are {detail, code}."""
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"detail", "code"}, body
        assert isinstance(body["detail"], str) and body["detail"]
        assert isinstance(body["code"], str) and body["code"]


def test_fuzz_the_whole_schema(make_settings) -> None:
    require("schemathesis")
    import schemathesis
    from hypothesis.errors import Unsatisfiable
    from schemathesis.python.asgi import shutdown_lifespans

    from backend.main import create_app

    # the fuzzer is one client: no rate limit
    app = create_app(make_settings(RATE_LIMIT_PER_MINUTE=0))
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    sent: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    try:
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 14
        for operation in operations:
            for mode, examples in EXAMPLES.items():
                try:
                    _fuzz(operation, mode, examples, sent, statuses)
                except Unsatisfiable:
                    # nothing about it can be invalid (no parameters, or only free strings)
                    assert mode == "negative", operation.label
                except (Exception, BaseExceptionGroup) as exc:  # fuzz all, show every failure
                    notes = "\n".join(getattr(exc, "__notes__", []))
                    failures.append(f"{operation.label} ({mode}): {exc}\n{notes}")
    finally:
        shutdown_lifespans()

    total = sum(sent.values())
    print(
        f"\nschemathesis: {total} requests over {len(sent)} operations; statuses "
        f"{dict(sorted(statuses.items()))}"
    )
    assert not failures, "\n\n".join(failures)
    assert set(sent) == {op.label for op in operations}
    assert total >= MIN_REQUESTS
    assert not [s for s in statuses if s >= 500]


def _fuzz(operation, mode: str, examples: int, sent: Counter, statuses: Counter) -> None:
    """Run `examples` generated cases of one operation (fewer where its inputs run out)."""
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.generation import GenerationMode
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
        _error_body_shape,
    ]
    generation_mode = GenerationMode.POSITIVE if mode == "positive" else GenerationMode.NEGATIVE

    # no shrinking: a failure is reported as found (with its curl command), in bounded time
    @given(case=operation.as_strategy(generation_mode=generation_mode))
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case) -> None:
        response = case.call()
        sent[operation.label] += 1
        statuses[response.status_code] += 1
        case.validate_response(response, checks=checks)

    fuzz()
