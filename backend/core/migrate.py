"""The history database brought to this code's schema at start (Alembic revisions in
backend/migrations/versions/).

- at the code's revision: nothing is written (a read-only database still starts);
- older: upgraded, in one transaction where the database has transactional DDL (PostgreSQL);
- made by `create_all` before there were migrations (an `analyses` table, no alembic_version):
  recognised by its columns, stamped as the baseline, then upgraded, rows kept;
- newer than the code, or an `analyses` table FaceProof did not make: `HistorySchemaError`,
  and the service refuses to start rather than guess.

Replicas starting together on PostgreSQL take an advisory lock, so one migrates and the others
then find the database at the code's revision.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
BASELINE = "0001"  # the schema of `create_all` before migrations
TABLE = "analyses"
LOCK_KEY = 0x46505248  # pg_advisory_xact_lock's key: "FPRH", FaceProof history

log = logging.getLogger("backend")
# Alembic says at INFO which dialect it found, on every start; the upgrade is logged below
logging.getLogger("alembic").setLevel(logging.WARNING)


class HistorySchemaError(Exception):
    """The database's schema is not one this code can use; the service does not start."""

    code = "history_schema"


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, without an alembic.ini; `connection` is the one env.py uses."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head() -> str:
    """The revision this code's model is at."""
    revision = scripts().get_current_head()
    if revision is None:
        raise RuntimeError(f"no migration in {MIGRATIONS}")
    return revision


def current_revisions(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


def upgrade_database(engine: Engine) -> str:
    """Bring the database to `head()`; returns it. Raises `HistorySchemaError` when the
    database is ahead of the code or holds a table it did not make."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        current = current_revisions(connection)
        if current == {head()}:
            return head()
        known = {script.revision for script in scripts().walk_revisions()}
        if unknown := sorted(current - known):
            raise HistorySchemaError(
                f"the history database is at schema revision {', '.join(unknown)}, which this "
                f"FaceProof does not know (its newest is {head()}): a newer FaceProof upgraded "
                "it. Run that version, downgrade the database with its `alembic downgrade "
                f"{head()}`, or set FACEPROOF_HISTORY_URL to another database"
            )
        if not current and _stamp_if_made_by_create_all(connection):
            current = {BASELINE}
        command.upgrade(alembic_config(connection), "head")
    log.info(
        "history database upgraded to schema %s from %s",
        head(),
        ", ".join(sorted(current)) or "an empty database",
    )
    return head()


def _stamp_if_made_by_create_all(connection: Connection) -> bool:
    """A database with our table but no alembic_version was made by `create_all`: stamp it
    as the baseline when its columns are the baseline's (True); an empty one is left to the
    migrations (False)."""
    inspector = inspect(connection)
    if TABLE not in inspector.get_table_names():
        return False
    found = {column["name"] for column in inspector.get_columns(TABLE)}
    baseline = {column.name for column in scripts().get_revision(BASELINE).module.columns()}
    if found != baseline:
        differences = ", ".join(
            [
                *(f"+{name}" for name in sorted(found - baseline)),
                *(f"-{name}" for name in sorted(baseline - found)),
            ]
        )
        raise HistorySchemaError(
            f"the history database has a table {TABLE!r} but no alembic_version, and its "
            f"columns are not those FaceProof made ({differences}): not upgrading it. Set "
            "FACEPROOF_HISTORY_URL to another database, or stamp it by hand (`alembic stamp`)"
        )
    command.stamp(alembic_config(connection), BASELINE)
    return True
