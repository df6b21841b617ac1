"""Video jobs on the history database (FACEPROOF_JOB_QUEUE=database), shared by replicas.

One row per job in `video_jobs` (revision 0003): state, progress, result and error live there,
so `GET /api/jobs/{id}` and its event stream answer from any replica. The upload waits in
JOB_UPLOADS_DIR, a folder every replica and worker shares. A worker (`python -m backend.worker`,
or the API's own when JOB_WORKER_IN_API) claims the oldest queued job, on PostgreSQL with
`SELECT ... FOR UPDATE SKIP LOCKED` (SQLite serialises writers), and holds it by a lease it
renews every third of JOB_LEASE_SECONDS. A worker that dies stops renewing: once its lease has
run out the job is queued again, or, after JOB_MAX_ATTEMPTS attempts, failed with
`worker_lost`; it is never left `running`. Every change of a claimed job is fenced by the
worker's id, so a worker that lost its lease cannot overwrite the job's new owner, and a
finished state is final.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    Integer,
    String,
    and_,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from backend.core.errors import APIError
from backend.core.settings import Settings
from backend.schemas import ErrorBody, VideoResponse
from backend.services.analyses import analyse_video
from backend.services.history import Base, HistoryStore
from backend.services.temp_space import RETRY_AFTER_S
from backend.services.uploads import SavedUpload
from backend.services.video_jobs import (
    Job,
    QueueFullError,
    VideoJobParams,
    error_body,
    now_iso,
)

log = logging.getLogger("backend.jobs")
UNFINISHED = ("queued", "running")
REAP_EVERY_S = 1.0  # an API looks for lost workers and expired jobs at most this often
PROGRESS_EVERY_S = 0.2  # progress is written at most this often (a new stage at once)


class VideoJob(Base):
    __tablename__ = "video_jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    stage: Mapped[str] = mapped_column(String(64))
    progress: Mapped[float] = mapped_column(Float)
    filename: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[str] = mapped_column(String(40))
    finished_at: Mapped[str | None] = mapped_column(String(40))
    finished_ts: Mapped[float | None] = mapped_column(Float)  # epoch s, for JOB_TTL_SECONDS
    upload_path: Mapped[str] = mapped_column(String(1024))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    params: Mapped[dict] = mapped_column(JSON)  # frames, models, tta, ...
    attempts: Mapped[int] = mapped_column(Integer)
    worker: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[float | None] = mapped_column(Float)  # epoch s
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[dict | None] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer)  # bumped on every change

    def to_job(self) -> Job:
        return Job(
            id=self.id,
            filename=self.filename,
            status=self.status,
            progress=self.progress,
            stage=self.stage,
            created_at=self.created_at,
            finished_at=self.finished_at,
            version=self.version,
            result=VideoResponse.model_validate(self.result) if self.result else None,
            error=ErrorBody.model_validate(self.error) if self.error else None,
        )


class DatabaseJobQueue:
    """The `VideoJobQueue` over the `video_jobs` table of the history database."""

    min_poll_s = 0.25  # each progress stream reads its job's row at most this often

    def __init__(self, engine: Engine, settings: Settings):
        self.engine = engine
        self.settings = settings
        self.max_jobs = settings.MAX_QUEUED_JOBS
        self.uploads = Path(settings.JOB_UPLOADS_DIR)
        self.uploads.mkdir(parents=True, exist_ok=True)
        self.finish_listeners: list[Callable[[Job], None]] = []
        self._reaped = 0.0
        self._lock = threading.Lock()  # SQLite: one writer of this process at a time

    # ------------------------------------------------------------------ the API's side
    def submit_video(self, upload: SavedUpload, filename: str, params: VideoJobParams) -> Job:
        """Move the upload into JOB_UPLOADS_DIR and queue it. Raises `QueueFullError` when
        MAX_QUEUED_JOBS jobs are unfinished, 503 `temp_space_full` when the waiting uploads
        would hold more than MAX_VIDEO_TEMP_BYTES (both counted across all replicas); the
        upload is discarded then."""
        job_id = uuid.uuid4().hex
        target = self.uploads / f"{job_id}{upload.path.suffix}"
        try:
            shutil.move(upload.path, target)
            with (
                self._lock,
                Session(self.engine, expire_on_commit=False) as session,
                session.begin(),
            ):
                if self.engine.dialect.name == "postgresql":  # one submitter at a time
                    session.execute(select(func.pg_advisory_xact_lock(0x4650514A)))
                count, held = session.execute(
                    select(func.count(), func.coalesce(func.sum(VideoJob.size_bytes), 0)).where(
                        VideoJob.status.in_(UNFINISHED)
                    )
                ).one()
                if count >= self.max_jobs:
                    raise QueueFullError(f"{self.max_jobs} jobs are queued or running")
                if held + upload.size > self.settings.MAX_VIDEO_TEMP_BYTES:
                    raise APIError.retry_later(
                        "temp_space_full",
                        f"the queue holds {held:,} bytes of uploads "
                        "waiting for analysis, its limit is "
                        f"{self.settings.MAX_VIDEO_TEMP_BYTES:,}; try again later",
                        RETRY_AFTER_S,
                    )
                row = VideoJob(
                    id=job_id,
                    status="queued",
                    stage="queued",
                    progress=0.0,
                    filename=filename,
                    created_at=now_iso(),
                    upload_path=str(target),
                    size_bytes=upload.size,
                    params={**params, "size": upload.size, "sha256": upload.sha256},
                    attempts=0,
                    version=0,
                )
                session.add(row)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        finally:
            upload.discard()  # its temporary file is gone (moved) and its space given back
        return row.to_job()

    def get(self, job_id: str) -> Job | None:
        self.maybe_reap()
        with Session(self.engine) as session:
            row = session.get(VideoJob, job_id)
            return row.to_job() if row else None

    @property
    def queue_depth(self) -> int:
        self.maybe_reap()
        with Session(self.engine) as session:
            return session.scalar(select(func.count()).where(VideoJob.status.in_(UNFINISHED))) or 0

    @property
    def full(self) -> bool:
        return self.queue_depth >= self.max_jobs

    async def shutdown(self, timeout_s: float = 60.0) -> None:
        """Nothing of the queue's own to stop: its jobs outlive this replica."""

    # ------------------------------------------------------------------ upkeep
    def maybe_reap(self) -> None:
        if time.monotonic() - self._reaped >= REAP_EVERY_S:
            self._reaped = time.monotonic()
            self.reap()

    def reap(self) -> None:
        """Jobs whose worker's lease ran out: queued again, or failed `worker_lost` after
        JOB_MAX_ATTEMPTS; finished jobs past JOB_TTL_SECONDS: deleted. Uploads of the jobs
        that end here are removed."""
        now = time.time()
        lost = and_(VideoJob.status == "running", VideoJob.lease_until < now)
        error = ErrorBody(
            code="worker_lost",
            detail=(
                f"the worker running the job stopped answering, {self.settings.JOB_MAX_ATTEMPTS} "
                "time(s); the job is not tried again"
            ),
        ).model_dump()
        with self._lock, Session(self.engine) as session, session.begin():
            failed = session.scalars(
                update(VideoJob)
                .where(lost, VideoJob.attempts >= self.settings.JOB_MAX_ATTEMPTS)
                .values(
                    status="failed",
                    stage="failed",
                    error=error,
                    worker=None,
                    lease_until=None,
                    finished_at=now_iso(),
                    finished_ts=now,
                    version=VideoJob.version + 1,
                )
                .returning(VideoJob.upload_path)
            ).all()
            # an UPDATE's result is a CursorResult, which has the row count
            requeued = cast(
                CursorResult[Any],
                session.execute(
                    update(VideoJob)
                    .where(lost)
                    .values(
                        status="queued",
                        stage="queued (its worker was lost)",
                        worker=None,
                        lease_until=None,
                        version=VideoJob.version + 1,
                    )
                ),
            ).rowcount
            expired = session.scalars(
                delete(VideoJob)
                .where(VideoJob.finished_ts < now - self.settings.JOB_TTL_SECONDS)
                .returning(VideoJob.upload_path)
            ).all()
        for path in [*failed, *expired]:
            Path(path).unlink(missing_ok=True)
        if failed or requeued:
            log.warning("lost workers: %d job(s) queued again, %d failed", requeued, len(failed))

    # ------------------------------------------------------------------ the worker's side
    def claim(self, worker: str) -> VideoJob | None:
        """The oldest queued job, now this worker's (running, attempts + 1, leased)."""
        self.reap()
        with self._lock, Session(self.engine, expire_on_commit=False) as session, session.begin():
            row = session.scalars(
                select(VideoJob)
                .where(VideoJob.status == "queued")
                .order_by(VideoJob.created_at, VideoJob.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if row is None:
                return None
            row.status, row.stage, row.worker = "running", "starting", worker
            row.attempts += 1
            row.lease_until = time.time() + self.settings.JOB_LEASE_SECONDS
            row.version += 1
        return row

    def _owned(self, job_id: str, worker: str):
        return update(VideoJob).where(
            VideoJob.id == job_id, VideoJob.worker == worker, VideoJob.status == "running"
        )

    def renew(self, job_id: str, worker: str, **changes) -> bool:
        """Extend the lease (and write `changes`); False when the job is no longer ours."""
        values = {"lease_until": time.time() + self.settings.JOB_LEASE_SECONDS, **changes}
        if changes:
            values["version"] = VideoJob.version + 1
        with self._lock, self.engine.begin() as connection:
            return connection.execute(self._owned(job_id, worker).values(**values)).rowcount > 0

    def finish(self, job_id: str, worker: str, **changes) -> bool:
        """End a job this worker still holds; False (nothing written) when it does not."""
        with self._lock, self.engine.begin() as connection:
            return (
                connection.execute(
                    self._owned(job_id, worker).values(
                        worker=None,
                        lease_until=None,
                        finished_at=now_iso(),
                        finished_ts=time.time(),
                        version=VideoJob.version + 1,
                        **changes,
                    )
                ).rowcount
                > 0
            )

    def release(self, job_id: str, worker: str) -> bool:
        """Give a job back to the queue unfinished (its worker is stopping); this attempt
        does not count."""
        with self._lock, self.engine.begin() as connection:
            return (
                connection.execute(
                    self._owned(job_id, worker).values(
                        status="queued",
                        stage="queued",
                        worker=None,
                        lease_until=None,
                        attempts=VideoJob.attempts - 1,
                        version=VideoJob.version + 1,
                    )
                ).rowcount
                > 0
            )


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class JobWorker:
    """Runs the queue's jobs one at a time: `run(stop)` until `stop` is set."""

    def __init__(
        self,
        queue: DatabaseJobQueue,
        predictor,
        history: HistoryStore,
        settings: Settings,
        name: str | None = None,
        idle_s: float = 0.2,
        alive: Callable[[], None] | None = None,
    ):
        self.queue, self.predictor, self.history, self.settings = (
            queue,
            predictor,
            history,
            settings,
        )
        self.name = name or worker_name()
        self.idle_s = idle_s
        self.alive = alive or (lambda: None)
        self.current: str | None = None

    def run(self, stop: threading.Event) -> None:
        log.info("job worker %s started", self.name)
        while not stop.is_set():
            self.alive()
            try:
                ran = self.run_one()
            except Exception:  # the database is down: try again, do not die
                log.exception("job worker %s: cannot reach the queue", self.name)
                ran = False
            if not ran:
                stop.wait(self.idle_s)
        log.info("job worker %s stopped", self.name)

    def run_one(self) -> bool:
        """Claim and run one job; False when none was queued."""
        row = self.queue.claim(self.name)
        if row is None:
            return False
        self.current = row.id
        log.info(
            "job %s started (attempt %d) by %s",
            row.id,
            row.attempts,
            self.name,
            extra={"job_id": row.id},
        )
        held = threading.Event()
        held.set()
        done = threading.Event()
        written_at, written_progress = 0.0, 0.0
        written_stage: str | None = None

        def heartbeat() -> None:
            while not done.wait(self.settings.JOB_LEASE_SECONDS / 3):
                self.alive()
                try:
                    if not self.queue.renew(row.id, self.name):
                        held.clear()  # another worker has it now: write nothing more
                except Exception:
                    log.exception("job %s: lease not renewed", row.id)

        def progress(fraction: float, stage: str) -> None:
            nonlocal written_at, written_stage, written_progress
            fraction = max(written_progress, min(1.0, fraction))
            now = time.monotonic()
            if held.is_set() and (stage != written_stage or now - written_at >= PROGRESS_EVERY_S):
                written_at, written_stage, written_progress = now, stage, fraction
                if not self.queue.renew(row.id, self.name, progress=fraction, stage=stage):
                    held.clear()

        beat = threading.Thread(target=heartbeat, name=f"lease-{row.id[:8]}", daemon=True)
        beat.start()
        params = row.params
        error_code: str | None = None
        try:
            result = analyse_video(
                self.predictor,
                self.history,
                self.settings,
                Path(row.upload_path),
                row.filename,
                params["size"],
                params["sha256"],
                frames=params["frames"],
                models=params["models"],
                tta=params["tta"],
                whole_image=params["whole_image"],
                stability=params.get("stability", False),
                progress=progress,
            )
            outcome = {
                "status": "done",
                "stage": "done",
                "progress": 1.0,
                "result": result.model_dump(mode="json"),
            }
        except Exception as exc:
            error = error_body(exc, row.id)
            outcome = {"status": "failed", "stage": "failed", "error": error.model_dump()}
            error_code = error.code
        finally:
            done.set()
            beat.join()
            self.current = None
        if self.queue.finish(row.id, self.name, **outcome):
            Path(row.upload_path).unlink(missing_ok=True)
            job = self.queue.get(row.id)
            log.info(
                "job %s %s",
                row.id,
                outcome["status"],
                extra={"job_id": row.id, "status": outcome["status"], "error_code": error_code},
            )
            if job is not None:  # None: deleted since (reaped past JOB_TTL_SECONDS)
                for listener in self.queue.finish_listeners:
                    try:
                        listener(job)
                    except Exception:
                        log.exception("job finish listener failed")
        else:
            log.warning(
                "job %s: its lease was lost before it ended; its outcome is dropped", row.id
            )
        return True
