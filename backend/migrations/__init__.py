"""The history database's schema versions, as Alembic revisions in `versions/` (run at start
by backend/migrate.py; `env.py` is Alembic's entry point)."""
