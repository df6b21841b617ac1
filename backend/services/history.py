"""The history of analyses, in any SQLAlchemy database (SQLite by default, WAL mode;
PostgreSQL tested too), its schema brought up to date at start (backend/core/migrate.py).

A database that cannot be read or written (locked past the busy timeout, read-only, full,
gone, not a database) raises `HistoryUnavailableError`, which the service answers with 503
`history_unavailable`; each record is its own transaction, so none is ever half-written.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, cast

from sqlalchemy import (
    JSON,
    ColumnElement,
    DateTime,
    Float,
    Integer,
    String,
    create_engine,
    delete,
    event,
    func,
    select,
)
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from backend.core.errors import HistoryUnavailableError
from backend.core.migrate import upgrade_database
from backend.schemas import HistoryItem
from faceproof.predictor import ImagePrediction
from faceproof.video_analysis import VideoPrediction

BUSY_TIMEOUT_MS = 5000  # how long a write waits for another writer's lock


@contextmanager
def _unavailable_on_database_errors(action: str) -> Iterator[None]:
    """Database failures become `HistoryUnavailableError`; our own bugs (constraint
    violations, bad SQL) stay what they are."""
    try:
        yield
    except (IntegrityError, ProgrammingError, DataError):
        raise
    except (DBAPIError, PoolTimeoutError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise HistoryUnavailableError(
            f"the history database is unavailable ({reason}) while {action}; try again later"
        ) from exc


class Base(DeclarativeBase):
    pass


class Analysis(Base):
    __tablename__ = "analyses"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # image | video
    filename: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    prediction: Mapped[str] = mapped_column(String(16), index=True)
    confidence: Mapped[float | None] = mapped_column(Float)  # None: NO_FACE
    fake_probability: Mapped[float | None] = mapped_column(Float)
    models: Mapped[list] = mapped_column(JSON)
    model_scores: Mapped[dict] = mapped_column(JSON)  # model -> probability
    faces: Mapped[list] = mapped_column(JSON)  # per-face summary
    deciding_face: Mapped[int | None] = mapped_column(Integer, nullable=True)  # in `faces`
    details: Mapped[dict] = mapped_column(JSON)  # kind-specific extras
    duration_ms: Mapped[float] = mapped_column(Float)
    batch_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)

    @classmethod
    def of(cls, record: HistoryItem) -> Analysis:
        """The row of a record: every column is a field of `HistoryItem`, by the same name."""
        values = record.model_dump()
        return cls(
            **values
            | {
                "prediction": record.prediction.value,
                "created_at": datetime.fromisoformat(record.created_at),
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """The record as `HistoryItem`'s fields (created_at in ISO 8601, UTC)."""
        created = self.created_at
        if created.tzinfo is None:  # SQLite drops the zone; we always store UTC
            created = created.replace(tzinfo=UTC)
        return {c.key: getattr(self, c.key) for c in self.__table__.columns} | {
            "created_at": created.isoformat()
        }


def new_record(
    analysis_id: str,
    *,
    kind: Literal["image", "video"],
    filename: str,
    size_bytes: int,
    sha256: str,
    result: ImagePrediction | VideoPrediction,
    model_scores: dict[str, float],
    faces: list[dict],
    details: dict,
    deciding_face: int | None = None,
    batch_id: str | None = None,
) -> HistoryItem:
    """The history record of one analysis (a photo, a batch's file, a video, a video job):
    the verdict and scores from the core's result, made now."""
    return HistoryItem(
        id=analysis_id,
        created_at=datetime.now(UTC).isoformat(),
        kind=kind,
        filename=filename,
        size_bytes=size_bytes,
        sha256=sha256,
        prediction=result.verdict,
        confidence=result.confidence,
        fake_probability=result.fake_probability,
        models=list(result.models_used),
        model_scores=model_scores,
        faces=faces,
        deciding_face=deciding_face,
        details=details,
        duration_ms=result.processing_time_ms,
        batch_id=batch_id,
    )


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers don't block the writer; crash-safe
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_MS)}")
    cursor.close()


class HistoryStore:
    """Records analyses; one instance per process, thread-safe (a session per call)."""

    def __init__(self, url: str):
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(url, pool_pre_ping=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        with _unavailable_on_database_errors("opening it"):
            upgrade_database(self.engine)  # or HistorySchemaError: not a schema we can use
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def add(self, record: HistoryItem) -> str:
        """Insert one record (`new_record`) in its own transaction; returns its id."""
        row = Analysis.of(record)
        with (
            _unavailable_on_database_errors("recording an analysis"),
            self._sessions.begin() as session,
        ):
            session.add(row)
        return row.id

    def get(self, analysis_id: str) -> dict | None:
        with (
            _unavailable_on_database_errors("reading an analysis"),
            Session(self.engine) as session,
        ):
            record = session.get(Analysis, analysis_id)
            return record.to_dict() if record else None

    def list(
        self,
        *,
        page: int = 1,
        page_size: int = 20,
        prediction: str | None = None,
        kind: str | None = None,
        search: str | None = None,
    ) -> tuple[list[dict], int]:
        """Newest first; returns one page and the total count. `search`: a part of the file
        name (any case), or a SHA-256 or its start (4 hex digits or more)."""
        query = select(Analysis)
        if prediction:
            query = query.where(Analysis.prediction == prediction)
        if kind:
            query = query.where(Analysis.kind == kind)
        if search and (search := search.strip()):
            pattern = (
                "%"
                + search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                + "%"
            )
            match: ColumnElement[bool] = func.lower(Analysis.filename).like(pattern, escape="\\")
            if re.fullmatch(r"[0-9a-fA-F]{4,64}", search):
                match = match | Analysis.sha256.startswith(search.lower())
            query = query.where(match)
        with _unavailable_on_database_errors("listing analyses"), Session(self.engine) as session:
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = session.scalars(
                query.order_by(Analysis.created_at.desc(), Analysis.id)
                .offset((page - 1) * page_size)
                .limit(page_size)
            ).all()
            return [r.to_dict() for r in rows], int(total)

    def delete(self, analysis_id: str) -> bool:
        with (
            _unavailable_on_database_errors("deleting an analysis"),
            self._sessions.begin() as session,
        ):
            # a DELETE's result is a CursorResult, which has the row count
            deleted = cast(
                CursorResult[Any],
                session.execute(delete(Analysis).where(Analysis.id == analysis_id)),
            )
            return deleted.rowcount > 0

    # builtins.list: in this class `list` is the method above
    def delete_older_than(self, cutoff: datetime) -> builtins.list[str]:
        """Delete every analysis made before `cutoff`; returns their ids."""
        with (
            _unavailable_on_database_errors("deleting old analyses"),
            self._sessions.begin() as session,
        ):
            ids = list(session.scalars(select(Analysis.id).where(Analysis.created_at < cutoff)))
            for start in range(0, len(ids), 500):
                session.execute(delete(Analysis).where(Analysis.id.in_(ids[start : start + 500])))
            return ids

    def ping(self) -> bool:
        with _unavailable_on_database_errors("checking it"), self.engine.connect() as connection:
            connection.execute(select(1))
        return True

    def close(self) -> None:
        self.engine.dispose()
