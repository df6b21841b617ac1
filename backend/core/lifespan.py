"""What the service loads on start (models, face detector, history, workers) and releases on
stop. Nothing is loaded at import time."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from backend.core.executors import ContextThreadPoolExecutor
from backend.core.settings import Settings
from backend.services.heatmap_warmup import HeatmapWarmup
from backend.services.history import HistoryStore
from backend.services.job_queue import DatabaseJobQueue, JobWorker
from backend.services.jobs import JobManager, local_video_analysis
from backend.services.retention import sweep, sweep_periodically
from backend.services.temp_space import TempSpace
from backend.services.video_jobs import VideoJobQueue
from faceproof import lazy_torch
from faceproof.bundle import CONFIG_FILE, WEIGHTS_FILE, find_bundles, load_bundle
from faceproof.compiled import is_exported
from faceproof.ensemble import read_ensemble
from faceproof.errors import BundleError
from faceproof.faces import create_face_detector
from faceproof.predictor import Predictor
from faceproof.runtime import resolve_device

log = logging.getLogger("backend")
SHUTDOWN_JOB_WAIT_S = 60.0
SHUTDOWN_WARMUP_WAIT_S = 30.0


def inference_threads(settings: Settings) -> int:
    """TORCH_THREADS, or half the cores: on 2 cores one forward thread with the other core
    decoding and detecting gave 73 ms per 224 px face instead of 93 ms with two (OpenMP
    threads waking for every layer), and the same throughput (bench/, README Performance)."""
    return settings.TORCH_THREADS or max(1, (os.cpu_count() or 2) // 2)


def load_predictor(settings: Settings) -> Predictor:
    """The bundles named in MODELS (or all in MODELS_DIR). A bundle that fails to load stops
    the start with its name and reason, unless ALLOW_MISSING_MODELS is set."""
    folders = {f.name: f for f in find_bundles(settings.MODELS_DIR)}
    device = resolve_device(settings.DEVICE)
    wanted = settings.MODELS or sorted([*folders, *_configless(settings.MODELS_DIR)])
    ensemble = read_ensemble(settings.MODELS_DIR)
    # members at ensemble weight 0 start on demand (faceproof.runner_choice.OnDemandRunner)
    on_demand = (
        set()
        if ensemble is None or settings.RUN_UNWEIGHTED_MODELS
        else set(ensemble.weights) - set(ensemble.weighted_members)
    )
    bundles, problems = [], []
    for name in wanted:
        if name not in folders:
            configless = (Path(settings.MODELS_DIR) / name / WEIGHTS_FILE).is_file()
            problems.append(
                f"{name}: {CONFIG_FILE} missing beside its weights"
                if configless
                else f"{name}: no bundle folder in {settings.MODELS_DIR}"
            )
            continue
        try:
            bundle = load_bundle(folders[name], device=device, lazy=True)
            if name not in on_demand and not is_exported(bundle, settings.CACHE_DIR):
                # no compiled copy of these weights yet: build the model now, so weights that
                # do not fit stop the start here (with a warm cache nothing imports torch)
                bundle.model  # noqa: B018
            bundles.append(bundle)
        except Exception as exc:  # corrupt weights and more: name the bundle, then decide
            problems.append(f"{name}: {exc}")
    for problem in problems:
        log.error("model bundle not loaded: %s", problem)
    if problems and not settings.ALLOW_MISSING_MODELS:
        raise BundleError(
            "cannot start: "
            + "; ".join(problems)
            + " (set FACEPROOF_ALLOW_MISSING_MODELS=true to start without them)"
        )
    if not bundles:
        raise BundleError(f"cannot start: no model bundle in {settings.MODELS_DIR}")
    detector = create_face_detector(
        settings.FACE_DETECTOR,
        model_path=settings.YUNET_MODEL_PATH,
        crop_first=settings.HAAR_CROP_FIRST,
    )
    return Predictor(
        bundles,
        detector,
        max_faces=settings.MAX_FACES,
        max_pixels=settings.MAX_IMAGE_PIXELS,
        ensemble=ensemble,
        precision=settings.INFERENCE_PRECISION,
        max_batch=settings.MAX_BATCH,
        micro_batching=settings.MICRO_BATCHING,
        batch_wait_ms=settings.BATCH_WAIT_MS,
        preprocessing=settings.PREPROCESSING,
        runtime=settings.RUNTIME,
        cache_dir=settings.CACHE_DIR,
        run_unweighted=settings.RUN_UNWEIGHTED_MODELS,
    )


def _configless(models_dir: Path) -> list[str]:
    """Sub-folders holding weights but no model.json: damaged bundles, not other folders."""
    root = Path(models_dir)
    if not root.is_dir() or (root / CONFIG_FILE).is_file():
        return []
    return [
        p.name
        for p in root.iterdir()
        if (p / WEIGHTS_FILE).is_file() and not (p / CONFIG_FILE).is_file()
    ]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    # every runtime's forwards (torch's, whenever it is imported, and the compiled ones')
    lazy_torch.set_threads(inference_threads(settings))
    predictor = app.state.predictor = load_predictor(settings)
    log.info(
        "models loaded: %s",
        ", ".join(
            f"{name} ({r.device}, {r.runtime}, {r.precision})"
            for name, r in predictor.runners.items()
        ),
    )
    app.state.history = HistoryStore(settings.HISTORY_URL)
    # HISTORY_RETENTION_DAYS: the first sweep runs before the service answers, then hourly
    retention = None
    if settings.HISTORY_RETENTION_DAYS > 0:
        sweep(app.state.history, settings)
        retention = asyncio.create_task(sweep_periodically(app.state.history, settings))
    # requests are decoded, detected and preprocessed in parallel; the models run one batch at
    # a time (the micro-batcher's worker), each forward on every core; the pools' tasks log
    # with the id of the request that queued them
    app.state.inference_executor = ContextThreadPoolExecutor(
        settings.INFERENCE_WORKERS, thread_name_prefix="inference"
    )
    app.state.video_executor = ContextThreadPoolExecutor(1, thread_name_prefix="video")
    worker = None
    jobs: VideoJobQueue
    if settings.JOB_QUEUE == "database":  # jobs in the history database, seen by replicas
        database_jobs = jobs = DatabaseJobQueue(app.state.history.engine, settings)
        if settings.JOB_WORKER_IN_API:
            worker = JobWorker(database_jobs, predictor, app.state.history, settings)
            stop_worker = threading.Event()
            worker_thread = threading.Thread(
                target=worker.run, args=(stop_worker,), name="job-worker", daemon=True
            )
            worker_thread.start()
    else:
        jobs = JobManager(
            app.state.video_executor,
            settings.JOB_TTL_SECONDS,
            max_jobs=settings.MAX_QUEUED_JOBS,
            analyse=local_video_analysis(predictor, app.state.history, settings),
        )
    app.state.jobs = jobs
    app.state.temp_space = TempSpace(settings.MAX_VIDEO_TEMP_BYTES)
    if (metrics := getattr(app.state, "metrics", None)) is not None:
        metrics.watch(predictor, jobs)
    # last, so that it delays nothing before ready
    warmup = HeatmapWarmup(predictor).start() if settings.WARM_HEATMAPS else None
    try:
        yield
    finally:
        if warmup is not None:  # the model it is building, if any, is done in seconds
            await asyncio.to_thread(warmup.stop, SHUTDOWN_WARMUP_WAIT_S)
        if retention is not None:
            retention.cancel()
        await jobs.shutdown()
        if worker is not None:  # its job may end in time; if not, another worker takes it
            stop_worker.set()
            await asyncio.to_thread(worker_thread.join, SHUTDOWN_JOB_WAIT_S)
            if worker_thread.is_alive() and worker.current:
                database_jobs.release(worker.current, worker.name)
        app.state.inference_executor.shutdown(wait=True)
        app.state.video_executor.shutdown(wait=True)
        predictor.close()
        app.state.history.close()
