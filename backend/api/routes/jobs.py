"""Video analysis as a background job, with progress as Server-Sent Events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile
from sse_starlette.sse import EventSourceResponse

from backend.api.deps import (
    JobsDep,
    ModelsOption,
    PredictorDep,
    SettingsDep,
    StabilityOption,
    TempSpaceDep,
    TtaOption,
    WholeImageOption,
    checked_frames,
    parse_models,
)
from backend.core.errors import APIError
from backend.core.responses import ERROR_RESPONSES, NOT_FOUND
from backend.schemas import JobCreated, JobStatus
from backend.services.uploads import clean_filename, save_upload
from backend.services.video_jobs import Job, QueueFullError, VideoJobParams, VideoJobQueue

router = APIRouter(prefix="/jobs", tags=["jobs"], responses=ERROR_RESPONSES)
POLL_S = 0.1  # a progress stream looks at its job this often (or its queue's min_poll_s)
QUEUE_RETRY_AFTER_S = 30


@router.post(
    "/video", response_model=JobCreated, status_code=202, summary="Start a video analysis job"
)
async def create_video_job(
    *,
    request: Request,
    file: Annotated[UploadFile, File(description="an MP4, MOV, AVI, MKV or WebM video")],
    frames: Annotated[int | None, Query(ge=1, description="frames to sample")] = None,
    models: ModelsOption = None,
    tta: TtaOption = False,
    whole_image: WholeImageOption = False,
    stability: StabilityOption = False,
    predictor: PredictorDep,
    settings: SettingsDep,
    jobs: JobsDep,
    temp_space: TempSpaceDep,
) -> JobCreated:
    """The upload is stored in a private temporary file that the job removes when it ends;
    the job runs on whether or not the client stays connected. At most MAX_QUEUED_JOBS jobs
    are unfinished at once and their uploads hold at most MAX_VIDEO_TEMP_BYTES: past either,
    503 (`job_queue_full`, `temp_space_full`) with Retry-After."""
    names = parse_models(models, predictor)
    count = checked_frames(frames, settings)
    if await asyncio.to_thread(lambda: jobs.full):  # refused before the upload is written
        raise await asyncio.to_thread(queue_full, jobs)
    upload = await save_upload(file, settings.MAX_VIDEO_BYTES, temp_space)
    params = VideoJobParams(
        frames=count, models=names, tta=tta, whole_image=whole_image, stability=stability
    )
    try:  # the queue owns the upload from here: it discards it if it refuses the job
        job = await asyncio.to_thread(
            jobs.submit_video, upload, clean_filename(file.filename), params
        )
    except QueueFullError:  # filled while the upload streamed in
        raise await asyncio.to_thread(queue_full, jobs) from None
    base = str(request.url_for("read_job", job_id=job.id).path)
    return JobCreated(
        job_id=job.id, status=job.status, status_url=base, events_url=f"{base}/events"
    )


def queue_full(jobs: VideoJobQueue) -> APIError:
    """503 `job_queue_full` with Retry-After: MAX_QUEUED_JOBS jobs are unfinished."""
    return APIError.retry_later(
        QueueFullError.code,
        f"{jobs.queue_depth} video jobs are queued or running, the limit "
        f"is {jobs.max_jobs}; try again later",
        QUEUE_RETRY_AFTER_S,
    )


def _job_or_404(jobs: VideoJobQueue, job_id: str) -> Job:
    job = jobs.get(job_id)
    if job is None:
        raise APIError(404, "job_not_found", f"no job {job_id} (finished jobs expire)")
    return job


@router.get(
    "/{job_id}", response_model=JobStatus, summary="A job's status and result", responses=NOT_FOUND
)
def read_job(job_id: str, jobs: JobsDep) -> JobStatus:  # a thread: may read the database
    return _job_or_404(jobs, job_id).snapshot()


@router.get(
    "/{job_id}/events",
    summary="A job's progress as Server-Sent Events",
    response_class=EventSourceResponse,
    responses={
        **NOT_FOUND,
        200: {
            "content": {"text/event-stream": {}},
            "description": "`progress` events (JobStatus without result), "
            "then one `done` or `failed` event with the "
            "full JobStatus",
        },
    },
)
async def stream_job_events(job_id: str, jobs: JobsDep, request: Request) -> EventSourceResponse:
    first = await asyncio.to_thread(_job_or_404, jobs, job_id)

    async def events() -> AsyncIterator[dict[str, str]]:
        job, seen = first, -1
        while True:
            if job.version != seen:
                seen = job.version
                status = job.snapshot()
                if job.finished:
                    yield {"event": status.status, "data": status.model_dump_json()}
                    return
                yield {"event": "progress", "data": status.model_dump_json(exclude={"result"})}
            if await request.is_disconnected():
                return  # the job goes on; only this stream ends
            await asyncio.sleep(max(POLL_S, jobs.min_poll_s))
            latest = await asyncio.to_thread(jobs.get, job_id)
            job = latest or job  # gone (expired): the last one read

    return EventSourceResponse(events(), ping=10)
