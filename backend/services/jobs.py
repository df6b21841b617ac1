"""Background video jobs in this process (the default queue): queued -> running -> done |
failed, with progress.

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
from concurrent.futures import Executor, Future
from typing import Any

from backend.core.settings import Settings
from backend.schemas import ErrorBody, VideoResponse
from backend.services.analyses import analyse_video
from backend.services.history import HistoryStore
from backend.services.uploads import SavedUpload
from backend.services.video_jobs import Job, QueueFullError, VideoJobParams, error_body, now_iso
from faceproof.predictor import Predictor
from faceproof.video_analysis import Progress

log = logging.getLogger("backend.jobs")

Work = Callable[[Progress], VideoResponse | None]
# what `submit_video` runs: the upload, its filename, the analysis asked, progress -> result
VideoAnalysis = Callable[[SavedUpload, str, VideoJobParams, Progress], VideoResponse]


def local_video_analysis(
    predictor: Predictor, history: HistoryStore, settings: Settings
) -> VideoAnalysis:
    """The analysis a JobManager's video jobs run: the upload analysed and recorded here."""

    def analyse(
        upload: SavedUpload, filename: str, params: VideoJobParams, progress: Progress
    ) -> VideoResponse:
        return analyse_video(
            predictor,
            history,
            settings,
            upload.path,
            filename,
            upload.size,
            upload.sha256,
            progress=progress,
            **params,
        )

    return analyse


class JobManager:
    """The `VideoJobQueue` of one process: jobs in memory, run on `executor`."""

    min_poll_s = 0.0  # its jobs change in memory: a stream may look as often as it likes

    def __init__(
        self,
        executor: Executor,
        ttl_s: float,
        max_jobs: int | None = None,
        analyse: VideoAnalysis | None = None,
    ):
        self.executor = executor
        self.ttl_s = ttl_s
        self.max_jobs = max_jobs
        self.analyse = analyse  # what `submit_video` runs (`local_video_analysis`)
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._tasks: set[Future[None]] = set()
        self.finish_listeners: list[Callable[[Job], None]] = []  # called as each job ends

    def submit_video(self, upload: SavedUpload, filename: str, params: VideoJobParams) -> Job:
        """Queue `analyse(upload, filename, params)`; the upload is discarded when the job
        ends, or at once when it is refused (`QueueFullError`)."""
        analyse = self.analyse
        if analyse is None:
            upload.discard()
            raise RuntimeError("this JobManager was made without a video analysis")
        try:
            return self.submit(
                filename,
                lambda progress: analyse(upload, filename, params, progress),
                cleanup=upload.discard,
            )
        except BaseException:
            upload.discard()
            raise

    def submit(self, filename: str, work: Work, cleanup: Callable[[], None]) -> Job:
        """Queue `work(progress)`; `cleanup` runs when it ends, however it ends. Raises
        `QueueFullError` (and runs nothing) when `max_jobs` jobs are unfinished. Safe from any
        thread."""
        self.expire()
        job = Job(id=uuid.uuid4().hex, filename=filename)
        with self._lock:
            if self.max_jobs is not None and self._unfinished() >= self.max_jobs:
                raise QueueFullError(f"{self.max_jobs} jobs are queued or running")
            self._jobs[job.id] = job
        try:
            future = self.executor.submit(self._run, job, work, cleanup)
        except BaseException:  # the executor is shut down: the job never existed
            with self._lock:
                del self._jobs[job.id]
            raise
        with self._lock:
            self._tasks.add(future)
        future.add_done_callback(self._forget_task)
        return job

    def _forget_task(self, future: Future[None]) -> None:
        with self._lock:
            self._tasks.discard(future)

    def _update(self, job: Job, **changes: Any) -> None:
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

    def _finish(self, job: Job, **changes: Any) -> None:
        """End a job, once: a finished state is final (a job failed at shutdown stays
        failed when its thread ends later)."""
        finished = time.monotonic()
        with self._lock:
            if job.finished:
                return
            for key, value in {
                "finished_at": now_iso(),
                "finished_monotonic": finished,
                **changes,
            }.items():
                setattr(job, key, value)
            job.version += 1
        ran_ms = (
            None
            if job.started_monotonic is None
            else round((finished - job.started_monotonic) * 1000, 2)
        )
        verdict = job.result.prediction if job.result else None
        error_code = job.error.code if job.error else None
        log.info(
            "job %s %s: %s",
            job.id,
            job.status,
            verdict or error_code,
            extra={
                "job_id": job.id,
                "status": job.status,
                "duration_ms": ran_ms,
                "verdict": verdict,
                "error_code": error_code,
            },
        )
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
            for job_id in [
                j.id
                for j in self._jobs.values()
                if j.finished_monotonic is not None and j.finished_monotonic < cutoff
            ]:
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
        with self._lock:
            tasks = [asyncio.wrap_future(task) for task in self._tasks]
        if tasks:
            await asyncio.wait(tasks, timeout=timeout_s)
        with self._lock:
            unfinished = [j for j in self._jobs.values() if not j.finished]
        for job in unfinished:
            self._finish(
                job,
                status="failed",
                stage="failed",
                error=ErrorBody(
                    detail="the service stopped before the job finished", code="service_stopped"
                ),
            )
