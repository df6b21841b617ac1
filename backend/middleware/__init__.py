"""Pure ASGI middleware: the access log and request ids, metrics, security headers, and
the rate and upload limits."""
