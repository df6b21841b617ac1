"""Background video jobs: queued -> running -> done | failed, with progress.

Jobs run on a worker thread, independent of the request that created them, so a client may
disconnect and come back; finished jobs are forgotten after a TTL. On shutdown, running jobs
are given time to finish and anything still unfinished is marked failed, never left running.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from backend.core.errors import APIError
from backend.schemas import ErrorBody, JobStatus, VideoResponse
from backend.services.history import HistoryUnavailableError
from faceproof.errors import FaceProofError

log = logging.getLogger("backend.jobs")

Work = Callable[[Callable[[float, str], None]], VideoResponse]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass
class Job:
    id: str
    filename: str
    status: str = "queued"
    progress: float = 0.0
    stage: str = "queued"
    created_at: str = field(default_factory=_now)
    finished_at: str | None = None
    started_monotonic: float | None = None
    finished_monotonic: float | None = None
    result: VideoResponse | None = None
    error: ErrorBody | None = None
    version: int = 0          # bumped on every change; event streams watch it

    @property
    def finished(self) -> bool:
        return self.status in {"done", "failed"}

    def snapshot(self) -> JobStatus:
        return JobStatus(job_id=self.id, status=self.status, progress=round(self.progress, 4),
                         stage=self.stage, filename=self.filename, created_at=self.created_at,
                         finished_at=self.finished_at, result=self.result, error=self.error)


def error_body(exc: Exception, job_id: str) -> ErrorBody:
    """The error a failed job reports (memory and database queues alike)."""
    if isinstance(exc, (FaceProofError, HistoryUnavailableError)):
        return ErrorBody(detail=str(exc), code=exc.code)
    if isinstance(exc, APIError):  # the upload could not be kept (storage_unavailable)
        return ErrorBody(detail=exc.detail, code=exc.code)
    # a bug, but the job must still end as failed
    log.error("job %s failed", job_id, exc_info=exc)
    return ErrorBody(detail=f"internal error: {type(exc).__name__}", code="internal_error")


class QueueFullError(Exception):
    """`max_jobs` jobs are already queued or running."""

    code = "job_queue_full"


class JobManager:
    def __init__(self, executor: Executor, ttl_s: float, max_jobs: int | None = None):
        self.executor = executor
        self.ttl_s = ttl_s
        self.max_jobs = max_jobs
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._tasks: set[asyncio.Future] = set()
        self.finish_listeners: list[Callable[[Job], None]] = []  # called as each job ends

    def submit(self, filename: str, work: Work, cleanup: Callable[[], None]) -> Job:
        """Queue `work(progress)`; `cleanup` runs when it ends, however it ends. Raises
        `QueueFullError` (and runs nothing) when `max_jobs` jobs are unfinished."""
        self.expire()
        job = Job(id=uuid.uuid4().hex, filename=filename)
        with self._lock:
            if self.max_jobs is not None and self._unfinished() >= self.max_jobs:
                raise QueueFullError(f"{self.max_jobs} jobs are queued or running")
            self._jobs[job.id] = job
        future = asyncio.get_running_loop().run_in_executor(self.executor, self._run, job, work,
                                                            cleanup)
        self._tasks.add(future)
        future.add_done_callback(self._tasks.discard)
        return job

    def _update(self, job: Job, **changes) -> None:
        with self._lock:
            if job.finished:
                return  # late progress of a job shutdown already failed
            for key, value in changes.items():
                setattr(job, key, value)
            job.version += 1

    def _start(self, job: Job) -> bool:
        """Mark a queued job running; False when shutdown already failed it."""
        with self._lock:
            if job.finished:
                return False
            job.status, job.stage = "running", "starting"
            job.started_monotonic = time.monotonic()
            job.version += 1
        log.info("job %s started", job.id, extra={"job_id": job.id})
        return True

    def _run(self, job: Job, work: Work, cleanup: Callable[[], None]) -> None:
        if not self._start(job):  # still queued when the service stopped: never start it
            cleanup()
            return

        def progress(done: float, stage: str) -> None:
            self._update(job, progress=max(job.progress, min(1.0, done)), stage=stage)

        try:
            result = work(progress)
            self._finish(job, status="done", progress=1.0, stage="done", result=result)
        except Exception as exc:
            self._finish(job, status="failed", stage="failed", error=error_body(exc, job.id))
        finally:
            cleanup()

    def _finish(self, job: Job, **changes) -> None:
        """End a job, once: a finished state is final (a job failed at shutdown stays
        failed when its thread ends later)."""
        with self._lock:
            if job.finished:
                return
            for key, value in {"finished_at": _now(), "finished_monotonic": time.monotonic(),
                               **changes}.items():
                setattr(job, key, value)
            job.version += 1
        ran_ms = (None if job.started_monotonic is None else
                  round((job.finished_monotonic - job.started_monotonic) * 1000, 2))
        verdict = job.result.prediction if job.result else None
        error_code = job.error.code if job.error else None
        log.info("job %s %s: %s", job.id, job.status, verdict or error_code, extra={
            "job_id": job.id, "status": job.status, "duration_ms": ran_ms,
            "verdict": verdict, "error_code": error_code})
        for listener in self.finish_listeners:
            try:
                listener(job)
            except Exception:
                log.exception("job finish listener failed")

    def get(self, job_id: str) -> Job | None:
        self.expire()
        with self._lock:
            return self._jobs.get(job_id)

    def expire(self) -> None:
        cutoff = time.monotonic() - self.ttl_s
        with self._lock:
            for job_id in [j.id for j in self._jobs.values()
                           if j.finished_monotonic is not None and j.finished_monotonic < cutoff]:
                del self._jobs[job_id]

    def _unfinished(self) -> int:
        return sum(1 for j in self._jobs.values() if not j.finished)

    @property
    def queue_depth(self) -> int:
        """Jobs queued or running."""
        with self._lock:
            return self._unfinished()

    @property
    def full(self) -> bool:
        return self.max_jobs is not None and self.queue_depth >= self.max_jobs

    async def shutdown(self, timeout_s: float = 60.0) -> None:
        """Let running jobs finish; mark whatever did not as failed."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout_s)
        with self._lock:
            unfinished = [j for j in self._jobs.values() if not j.finished]
        for job in unfinished:
            self._finish(job, status="failed", stage="failed",
                         error=ErrorBody(detail="the service stopped before the job finished",
                                         code="service_stopped"))
