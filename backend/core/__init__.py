"""Wiring: settings, what the service loads and releases (lifespan), errors, logs, thread pools."""
