"""Alembic's entry point for the history database.

The service runs it at start on its own connection (backend/core/migrate.py passes it in
`config.attributes["connection"]`); by hand, `alembic current` (or `history`, `downgrade`,
`revision --autogenerate`) from the repo root uses FACEPROOF_HISTORY_URL.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

import backend.services.job_queue  # noqa: F401  (video_jobs, on the same metadata)
from backend.services.history import Base


def run_migrations(connection) -> None:
    # SQLite alters a column only by copying the table: batch mode does that
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def history_url() -> str:
    from backend.core.settings import get_settings

    return context.config.get_main_option("sqlalchemy.url") or get_settings().HISTORY_URL


if context.is_offline_mode():  # `alembic upgrade head --sql`: the SQL, printed
    context.configure(url=history_url(), target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
elif (given := context.config.attributes.get("connection")) is not None:
    run_migrations(given)
else:
    engine = create_engine(history_url())
    try:
        with engine.begin() as connection:
            run_migrations(connection)
    finally:
        engine.dispose()
