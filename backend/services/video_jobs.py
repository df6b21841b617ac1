"""A video job and what a queue of them offers the routes, whichever queue runs it: the
in-process `JobManager` (backend/services/jobs.py, the default) or the history database's
`DatabaseJobQueue` (backend/services/job_queue.py, FACEPROOF_JOB_QUEUE=database)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol, TypedDict

from backend.core.errors import answer_of
from backend.schemas import ErrorBody, JobStatus, VideoResponse
from backend.services.uploads import SavedUpload

log = logging.getLogger("backend.jobs")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass
class Job:
    id: str
    filename: str
    status: str = "queued"
    progress: float = 0.0
    stage: str = "queued"
    created_at: str = field(default_factory=now_iso)
    finished_at: str | None = None
    started_monotonic: float | None = None
    finished_monotonic: float | None = None
    result: VideoResponse | None = None
    error: ErrorBody | None = None
    version: int = 0  # bumped on every change; event streams watch it

    @property
    def finished(self) -> bool:
        return self.status in {"done", "failed"}

    def snapshot(self) -> JobStatus:
        return JobStatus(
            job_id=self.id,
            status=self.status,
            progress=round(self.progress, 4),
            stage=self.stage,
            filename=self.filename,
            created_at=self.created_at,
            finished_at=self.finished_at,
            result=self.result,
            error=self.error,
        )


class VideoJobParams(TypedDict):
    """The analysis a job was asked for (the keyword arguments of `analyse_video`); the
    database queue stores it as JSON."""

    frames: int
    models: list[str] | None
    tta: bool
    whole_image: bool
    stability: bool


class QueueFullError(Exception):
    """`max_jobs` jobs are already queued or running."""

    code = "job_queue_full"


def error_body(exc: Exception, job_id: str) -> ErrorBody:
    """The error a failed job reports: what the same error answers on a request
    (backend/core/errors.py); a bug is logged, its internals stay in the log."""
    _, body, _ = answer_of(exc)
    if body["code"] == "internal_error":  # a bug, but the job must still end as failed
        log.error("job %s failed", job_id, exc_info=exc)
    return ErrorBody.model_validate(body)


class VideoJobQueue(Protocol):
    """What the routes and the lifespan use of a queue. Any of it may block (the database
    queue reads its table): the routes call it off the event loop."""

    finish_listeners: list[Callable[[Job], None]]  # called as each job ends

    @property
    def max_jobs(self) -> int | None:
        """Unfinished jobs at most (None: no limit)."""
        ...

    @property
    def min_poll_s(self) -> float:
        """A job's progress stream reads it again at most this often (`get` costs a database
        read in a database queue, nothing in memory)."""
        ...

    def submit_video(self, upload: SavedUpload, filename: str, params: VideoJobParams) -> Job:
        """Queue the analysis of `upload`, which is the queue's from here on: it is discarded
        when the job ends, or at once when the job is refused (`QueueFullError`, or an
        `APIError` such as 503 `temp_space_full`)."""
        ...

    def get(self, job_id: str) -> Job | None:
        """The job as it is now; None once it is unknown (expired, or never was)."""
        ...

    @property
    def queue_depth(self) -> int:
        """Jobs queued or running."""
        ...

    @property
    def full(self) -> bool: ...

    async def shutdown(self, timeout_s: float = 60.0) -> None:
        """The service is stopping: no job of this replica is left `running`."""
        ...
