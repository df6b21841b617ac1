"""The history's schema at start (backend/core/migrate.py), on SQLite and on PostgreSQL: a new
database gets the model's schema; one made by `create_all` before there were migrations is
recognised and upgraded with every row; one ahead of the code, or with a table FaceProof did
not make, stops the start with a clear message."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from backend.core.migrate import (
    BASELINE,
    HistorySchemaError,
    alembic_config,
    current_revisions,
    head,
    upgrade_database,
)
from backend.services.history import Base, HistoryStore

pytest_plugins = ["tests.postgres"]
on_both = pytest.mark.parametrize("history_url", ["sqlite", "postgresql"], indirect=True)
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def create_all_before_migrations(metadata: sa.MetaData) -> sa.Table:
    """`analyses` as backend/services/history.py's model had `create_all` make it before migrations
    (commit 812a9b7), written out so that this test does not move with the model."""
    return sa.Table(
        "analyses",
        metadata,
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("size_bytes", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("prediction", sa.String(16), nullable=False, index=True),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("fake_probability", sa.Float, nullable=False),
        sa.Column("models", sa.JSON, nullable=False),
        sa.Column("model_scores", sa.JSON, nullable=False),
        sa.Column("faces", sa.JSON, nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("duration_ms", sa.Float, nullable=False),
        sa.Column("batch_id", sa.String(36), nullable=True, index=True),
    )


def old_rows() -> list[dict]:
    """Three analyses as the service recorded them then: a NO_FACE one stored 0.0 scores."""
    start = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    common = {"size_bytes": 1234, "models": ["fake", "real"], "duration_ms": 41.5}
    return [
        {
            **common,
            "id": "00000000-0000-0000-0000-000000000001",
            "created_at": start,
            "kind": "image",
            "filename": "face.jpg",
            "sha256": "a" * 64,
            "prediction": "FAKE",
            "confidence": 0.91,
            "fake_probability": 0.955,
            "model_scores": {"fake": 0.98},
            "faces": [{"box": [1, 2, 3, 4], "fake_probability": 0.955}],
            "details": {"face_detected": True},
            "batch_id": None,
        },
        {
            **common,
            "id": "00000000-0000-0000-0000-000000000002",
            "created_at": start + timedelta(minutes=1),
            "kind": "image",
            "filename": "wall.png",
            "sha256": "b" * 64,
            "prediction": "NO_FACE",
            "confidence": 0.0,
            "fake_probability": 0.0,
            "model_scores": {},
            "faces": [],
            "details": {"face_detected": False},
            "batch_id": "10000000-0000-0000-0000-000000000000",
        },
        {
            **common,
            "id": "00000000-0000-0000-0000-000000000003",
            "created_at": start + timedelta(minutes=2),
            "kind": "video",
            "filename": "clip.avi",
            "sha256": "c" * 64,
            "prediction": "REAL",
            "confidence": 0.62,
            "fake_probability": 0.19,
            "model_scores": {"real": 0.19},
            "faces": [],
            "details": {"frames_analyzed": 8, "timeline": [0.1, 0.2]},
            "batch_id": None,
        },
    ]


def make_old_database(url: str) -> list[dict]:
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    table = create_all_before_migrations(metadata)
    metadata.create_all(engine)
    rows = old_rows()
    with engine.begin() as connection:
        connection.execute(table.insert(), rows)
    engine.dispose()
    return rows


def schema_differences(engine: sa.Engine) -> list:
    """What Alembic's autogenerate would change to make the database match the model."""
    with engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), Base.metadata)


def revisions(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return current_revisions(connection)
    finally:
        engine.dispose()


@on_both
def test_a_new_database_gets_the_models_schema(history_url) -> None:
    store = HistoryStore(history_url)
    try:
        assert schema_differences(store.engine) == []
    finally:
        store.close()
    assert revisions(history_url) == {head()}


@on_both
def test_a_database_made_by_create_all_is_upgraded_with_every_row(
    make_client, history_url, blank_png
) -> None:
    rows = make_old_database(history_url)

    client = make_client(HISTORY_URL=history_url)  # the service's start upgrades it

    items = client.get("/api/history", params={"page_size": 200}).json()["items"]
    assert [i["id"] for i in items] == [r["id"] for r in reversed(rows)]
    for item, row in zip(reversed(items), rows, strict=True):
        expected = {k: v for k, v in row.items() if k != "created_at"}
        if row["prediction"] == "NO_FACE":
            expected["confidence"] = expected["fake_probability"] = None
        assert {k: item[k] for k in expected} == expected
        assert datetime.fromisoformat(item["created_at"]) == row["created_at"]
    assert revisions(history_url) == {head()}
    assert schema_differences(client.app.state.history.engine) == []
    # and a new NO_FACE analysis is stored as NULL, which the old schema refused
    made = client.post("/api/predict", files={"file": ("b.png", blank_png, "image/png")}).json()
    with client.app.state.history.engine.connect() as connection:
        stored = connection.execute(
            sa.text("SELECT confidence, fake_probability FROM analyses WHERE id = :id"),
            {"id": made["analysis_id"]},
        ).one()
    assert tuple(stored) == (None, None)
    assert client.get("/api/history").json()["total"] == 4


@on_both
def test_downgrade_to_the_baseline_and_back_keeps_every_row(history_url) -> None:
    rows = make_old_database(history_url)
    engine = sa.create_engine(history_url)
    try:
        upgrade_database(engine)
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), BASELINE)
        assert revisions(history_url) == {BASELINE}
        with engine.connect() as connection:
            scores = connection.execute(
                sa.text("SELECT id, confidence FROM analyses ORDER BY id")
            ).all()
        assert [tuple(s) for s in scores] == [(r["id"], r["confidence"]) for r in rows]

        upgrade_database(engine)
    finally:
        engine.dispose()
    store = HistoryStore(history_url)
    try:
        assert [i["id"] for i in store.list()[0]] == [r["id"] for r in reversed(rows)]
        assert store.get(rows[1]["id"])["confidence"] is None
    finally:
        store.close()


@on_both
def test_a_database_ahead_of_the_code_is_refused(history_url) -> None:
    HistoryStore(history_url).close()
    engine = sa.create_engine(history_url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()

    with pytest.raises(
        HistorySchemaError,
        match=r"revision 9999, which this FaceProof does "
        rf"not know \(its newest is {head()}\)",
    ):
        HistoryStore(history_url)
    assert revisions(history_url) == {"9999"}  # left as it was


@on_both
def test_a_table_faceproof_did_not_make_is_refused(history_url) -> None:
    engine = sa.create_engine(history_url)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE analyses (id VARCHAR(36), note TEXT)"))
    engine.dispose()

    with pytest.raises(
        HistorySchemaError,
        match=r"analyses.*not those FaceProof made "
        r"\(\+note, -batch_id, -confidence",
    ):
        HistoryStore(history_url)
    assert revisions(history_url) == set()


@on_both
def test_python_m_backend_refuses_in_one_line(history_url, tmp_path) -> None:
    """The service started by hand on a database ahead of it: one line, no traceback, before
    any model loads."""
    HistoryStore(history_url).close()
    engine = sa.create_engine(history_url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACEPROOF_")}
    env |= {"FACEPROOF_HISTORY_URL": history_url, "FACEPROOF_MODELS_DIR": str(tmp_path)}

    done = subprocess.run(
        [sys.executable, "-m", "backend"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .startswith("cannot start: the history database is at schema revision 9999")
    )


@pytest.mark.parametrize("history_url", ["postgresql"], indirect=True)
def test_replicas_starting_together_migrate_once(history_url) -> None:
    """PostgreSQL only: several replicas share it (SQLite serves one process)."""
    engines = [sa.create_engine(history_url) for _ in range(4)]
    results: list[object] = []
    barrier = threading.Barrier(len(engines))

    def start(engine: sa.Engine) -> None:
        barrier.wait()
        try:
            results.append(upgrade_database(engine))
        except Exception as exc:  # reported below
            results.append(exc)

    threads = [threading.Thread(target=start, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for engine in engines:
        engine.dispose()

    assert results == [head()] * len(engines)
    assert revisions(history_url) == {head()}


@on_both
def test_the_deciding_face_of_old_rows_is_filled_in(history_url) -> None:
    """0004 gives each image recorded before it the index of its most suspicious face (the
    first on a tie), as the predictor chose it then; videos and NO_FACE rows keep none."""
    rows = old_rows()
    two = {
        **rows[0],
        "id": "00000000-0000-0000-0000-000000000004",
        "faces": [{"fake_probability": 0.2}, {"fake_probability": 0.7}, {"fake_probability": 0.7}],
    }
    engine = sa.create_engine(history_url)
    metadata = sa.MetaData()
    table = create_all_before_migrations(metadata)
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(table.insert(), [*rows, two])
    engine.dispose()
    store = HistoryStore(history_url)
    try:
        deciding = {r["id"][-1]: r["deciding_face"] for r in store.list()[0]}
    finally:
        store.close()
    assert deciding == {"1": 0, "2": None, "3": None, "4": 1}


@on_both
def test_the_rule_owner_of_old_rows_is_filled_in(history_url) -> None:
    """0005 names whose rule an old record kept: the ensemble's for several models, else the
    one model's; a record without a rule, or one that names its owner, is left alone."""
    rule = {"threshold": 0.5, "low": 0.2, "high": 0.9}
    rows = old_rows()
    rows[0]["details"] = {**rows[0]["details"], "decision": rule}
    rows[2]["details"] = {**rows[2]["details"], "decision": {**rule, "owner": "real"}}
    alone = {
        **rows[0],
        "id": "00000000-0000-0000-0000-000000000004",
        "models": ["fake"],
    }
    engine = sa.create_engine(history_url)
    metadata = sa.MetaData()
    table = create_all_before_migrations(metadata)
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(table.insert(), [*rows, alone])
    engine.dispose()
    store = HistoryStore(history_url)
    try:
        decisions = {r["id"][-1]: r["details"].get("decision") for r in store.list()[0]}
    finally:
        store.close()
    assert decisions == {
        "1": {**rule, "owner": "ensemble"},
        "2": None,
        "3": {**rule, "owner": "real"},
        "4": {**rule, "owner": "fake"},
    }
