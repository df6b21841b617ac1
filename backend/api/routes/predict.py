"""Image and video analysis: one image, a batch, a video (synchronously)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterable
from dataclasses import dataclass
from typing import Annotated

import numpy as np
from fastapi import APIRouter, Depends, File, Query, Request, UploadFile

from backend.api.deps import (
    ExplainOption,
    HistoryDep,
    InferenceExecutorDep,
    ModelsOption,
    PredictorDep,
    SettingsDep,
    StabilityOption,
    TempSpaceDep,
    TtaOption,
    VideoExecutorDep,
    WholeImageOption,
    checked_frames,
    parse_models,
)
from backend.core.errors import APIError, HistoryUnavailableError, answer_of
from backend.core.memory import release_free_memory
from backend.core.request_info import set_verdict
from backend.core.responses import ERROR_RESPONSES
from backend.schemas import (
    BatchItemError,
    BatchResponse,
    BatchSummary,
    ErrorBody,
    PhotoDone,
    PhotoEvent,
    PhotoFailed,
    PhotoProgress,
    PredictionResponse,
    VideoResponse,
)
from backend.services.analyses import analyse_image, analyse_video, decode_photo
from backend.services.uploads import clean_filename, read_upload, save_upload
from faceproof.errors import FaceProofError

router = APIRouter(prefix="/predict", tags=["predict"], responses=ERROR_RESPONSES)


@router.post("", response_model=PredictionResponse, summary="Analyse one image")
async def predict_image(
    *,
    file: Annotated[UploadFile, File(description="a JPEG, PNG, WebP or BMP image")],
    models: ModelsOption = None,
    tta: TtaOption = False,
    whole_image: WholeImageOption = False,
    explain: ExplainOption = False,
    stability: StabilityOption = False,
    request: Request,
    predictor: PredictorDep,
    history: HistoryDep,
    settings: SettingsDep,
    executor: InferenceExecutorDep,
) -> PredictionResponse:
    """Find every face, score it with each model, and give the verdict of the most
    suspicious face (the whole image when no face is found, and the response says so)."""
    names = parse_models(models, predictor)
    data = await read_upload(file, settings.MAX_IMAGE_BYTES)
    result = await asyncio.get_running_loop().run_in_executor(
        executor,
        lambda: analyse_image(
            predictor,
            history,
            settings,
            data,
            clean_filename(file.filename),
            models=names,
            tta=tta,
            explain=explain,
            whole_image=whole_image,
            stability=stability,
        ),
    )
    set_verdict(request, result.prediction)  # for the access log and metrics
    return result


@dataclass
class CheckedPhoto:
    """An upload read and decoded: what a streamed analysis starts from."""

    data: bytes
    filename: str
    image: np.ndarray


async def checked_photo(
    *,
    file: Annotated[UploadFile, File(description="a JPEG, PNG, WebP or BMP image")],
    settings: SettingsDep,
    executor: InferenceExecutorDep,
) -> CheckedPhoto:
    """Read and decode the upload before any event is sent: an empty, too large or undecodable
    file is a plain 4xx JSON answer, as from `POST /api/predict`."""
    data = await read_upload(file, settings.MAX_IMAGE_BYTES)
    image = await asyncio.get_running_loop().run_in_executor(executor, decode_photo, settings, data)
    return CheckedPhoto(data=data, filename=clean_filename(file.filename), image=image)


def checked_models(*, models: ModelsOption = None, predictor: PredictorDep) -> list[str] | None:
    """The models asked, checked before any event is sent (`unknown_model` is a plain 400)."""
    return parse_models(models, predictor)


@router.post("/stream", summary="Analyse one image, reporting each stage")
async def stream_image_analysis(
    *,
    photo: Annotated[CheckedPhoto, Depends(checked_photo)],
    names: Annotated[list[str] | None, Depends(checked_models)],
    tta: TtaOption = False,
    whole_image: WholeImageOption = False,
    explain: ExplainOption = False,
    stability: StabilityOption = False,
    request: Request,
    predictor: PredictorDep,
    history: HistoryDep,
    settings: SettingsDep,
    executor: InferenceExecutorDep,
) -> AsyncIterable[PhotoEvent]:
    """`POST /api/predict` as JSON Lines: a `progress` event as each stage starts (faces
    found, scoring, each face's heatmap, recorded), then one `done` event whose `result` is
    the body `POST /api/predict` answers, or one `failed` event with the status and error it
    would have answered. A file or an option that is refused is refused before any event,
    with the same 4xx JSON answer."""
    loop = asyncio.get_running_loop()
    steps: asyncio.Queue[PhotoProgress | None] = asyncio.Queue()

    def report(step: PhotoProgress) -> None:  # on the worker's thread
        loop.call_soon_threadsafe(steps.put_nowait, step)

    # the worker's steps and then its end reach the loop in the order they happened
    work = loop.run_in_executor(
        executor,
        lambda: analyse_image(
            predictor,
            history,
            settings,
            photo.data,
            photo.filename,
            models=names,
            tta=tta,
            explain=explain,
            whole_image=whole_image,
            stability=stability,
            image=photo.image,
            progress=report,
        ),
    )
    work.add_done_callback(lambda _: steps.put_nowait(None))
    while (step := await steps.get()) is not None:
        yield step
    try:
        result = work.result()
    except Exception as exc:  # the answer the plain endpoint would have given, as an event
        status, body, _ = answer_of(exc)
        yield PhotoFailed(status=status, error=ErrorBody.model_validate(body))
        return
    set_verdict(request, result.prediction)  # for the access log and metrics
    yield PhotoDone(result=result)


@router.post("/batch", response_model=BatchResponse, summary="Analyse many images")
async def predict_batch(
    *,
    files: Annotated[list[UploadFile], File(description="images, analysed in upload order")],
    models: ModelsOption = None,
    tta: TtaOption = False,
    whole_image: WholeImageOption = False,
    stability: StabilityOption = False,
    request: Request,
    predictor: PredictorDep,
    history: HistoryDep,
    settings: SettingsDep,
    executor: InferenceExecutorDep,
) -> BatchResponse:
    """One bad file never fails the batch: it is listed in `errors` with its reason. That
    includes a file that could not be recorded (`history_unavailable`, `storage_unavailable`):
    every file in `results` is recorded once, no file in `errors` is, so a client retries
    exactly the files listed in `errors`."""
    if len(files) > settings.MAX_BATCH_FILES:
        raise APIError(
            400,
            "too_many_files",
            f"{len(files)} files sent; the limit is {settings.MAX_BATCH_FILES} per batch",
        )
    names = parse_models(models, predictor)
    start = time.perf_counter()
    batch_id = str(uuid.uuid4())
    loop = asyncio.get_running_loop()
    in_memory = asyncio.Semaphore(settings.INFERENCE_WORKERS)  # files read but not analysed

    async def analyse(index: int, file: UploadFile) -> PredictionResponse | BatchItemError:
        filename = clean_filename(file.filename)
        try:
            async with in_memory:
                data = await read_upload(file, settings.MAX_IMAGE_BYTES)
                return await loop.run_in_executor(
                    executor,
                    lambda: analyse_image(
                        predictor,
                        history,
                        settings,
                        data,
                        filename,
                        models=names,
                        tta=tta,
                        explain=False,
                        batch_id=batch_id,
                        whole_image=whole_image,
                        stability=stability,
                    ),
                )
        except APIError as exc:
            return BatchItemError(index=index, filename=filename, code=exc.code, detail=exc.detail)
        except (FaceProofError, HistoryUnavailableError) as exc:
            # the history failing for one file fails that file alone: it is not recorded
            # (nor its upload kept), so retrying the listed errors duplicates nothing
            return BatchItemError(index=index, filename=filename, code=exc.code, detail=str(exc))

    # files in parallel, as many as there are inference workers (so at most that many are held
    # in memory): the micro-batcher runs their faces through each model together; results
    # keep the upload order
    outcomes = await asyncio.gather(*(analyse(i, f) for i, f in enumerate(files)))
    results = [o for o in outcomes if not isinstance(o, BatchItemError)]
    errors = [o for o in outcomes if isinstance(o, BatchItemError)]
    await loop.run_in_executor(executor, release_free_memory)  # the files' decoded pixels
    counts = {
        v: sum(1 for r in results if r.prediction == v)
        for v in ("REAL", "FAKE", "UNCERTAIN", "NO_FACE")
    }
    set_verdict(request, counts)  # for the access log and metrics
    summary = BatchSummary(
        total=len(files),
        real=counts["REAL"],
        fake=counts["FAKE"],
        uncertain=counts["UNCERTAIN"],
        no_face=counts["NO_FACE"],
        failed=len(errors),
        processing_time_ms=round((time.perf_counter() - start) * 1000, 2),
    )
    return BatchResponse(summary=summary, results=results, errors=errors)


@router.post("/video", response_model=VideoResponse, summary="Analyse a video (synchronous)")
async def predict_video(
    *,
    file: Annotated[UploadFile, File(description="an MP4, MOV, AVI, MKV or WebM video")],
    frames: Annotated[int | None, Query(ge=1, description="frames to sample")] = None,
    models: ModelsOption = None,
    tta: TtaOption = False,
    whole_image: WholeImageOption = False,
    stability: StabilityOption = False,
    request: Request,
    predictor: PredictorDep,
    history: HistoryDep,
    settings: SettingsDep,
    executor: VideoExecutorDep,
    temp_space: TempSpaceDep,
) -> VideoResponse:
    """Sample frames evenly, score their faces in batches, aggregate; for long videos use
    `POST /api/jobs/video`, which reports progress."""
    names = parse_models(models, predictor)
    count = checked_frames(frames, settings)
    upload = await save_upload(file, settings.MAX_VIDEO_BYTES, temp_space)
    try:
        result = await asyncio.get_running_loop().run_in_executor(
            executor,
            lambda: analyse_video(
                predictor,
                history,
                settings,
                upload.path,
                clean_filename(file.filename),
                upload.size,
                upload.sha256,
                frames=count,
                models=names,
                tta=tta,
                whole_image=whole_image,
                stability=stability,
            ),
        )
    finally:
        upload.discard()
    set_verdict(request, result.prediction)  # for the access log and metrics
    return result
