"""The history database's schema versions, as Alembic revisions in `versions/` (run at start
by backend/core/migrate.py; `env.py` is Alembic's entry point)."""
