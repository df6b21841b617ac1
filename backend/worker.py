"""`python -m backend.worker`: run the database queue's video jobs (FACEPROOF_JOB_QUEUE=database)
in a process of its own, on this machine or another one that reaches the history database and
shares JOB_UPLOADS_DIR. Settings as the service's (FACEPROOF_*). SIGTERM or Ctrl-C: the job in
hand is finished first. `python -m backend.worker --healthcheck`: exit 0 when this machine's
worker showed it is alive in the last minute (the container's HEALTHCHECK).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

ALIVE_FILE = Path(tempfile.gettempdir()) / "faceproof-worker.alive"
ALIVE_MAX_AGE_S = 60.0

log = logging.getLogger("backend.worker")


def healthcheck() -> int:
    try:
        age = time.time() - ALIVE_FILE.stat().st_mtime
    except OSError:
        print(f"{ALIVE_FILE}: no worker has started", file=sys.stderr)
        return 1
    if age > ALIVE_MAX_AGE_S:
        print(f"{ALIVE_FILE}: the worker last showed it is alive {age:.0f} s ago", file=sys.stderr)
        return 1
    return 0


def main() -> int | str:
    """The exit status, or why the worker cannot start (`sys.exit` prints it, exits 1)."""
    if sys.argv[1:] == ["--healthcheck"]:
        return healthcheck()
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # read when torch loads

    from backend.core.errors import HistoryUnavailableError
    from backend.core.lifespan import inference_threads, load_predictor
    from backend.core.logs import configure_logging
    from backend.core.memory import limit_malloc_arenas
    from backend.core.migrate import HistorySchemaError
    from backend.core.settings import get_settings
    from backend.services.history import HistoryStore
    from backend.services.job_queue import DatabaseJobQueue, JobWorker
    from faceproof import lazy_torch
    from faceproof.errors import BundleError

    settings = get_settings()
    limit_malloc_arenas()
    configure_logging(settings.LOG_LEVEL, settings.LOG_FORMAT)
    if settings.JOB_QUEUE != "database":
        return (
            "cannot start: a worker runs the database queue's jobs; set "
            "FACEPROOF_JOB_QUEUE=database (the API's too) and FACEPROOF_HISTORY_URL"
        )
    try:
        history = HistoryStore(settings.HISTORY_URL)
    except (HistorySchemaError, HistoryUnavailableError) as exc:
        return f"cannot start: {exc}"
    lazy_torch.set_threads(inference_threads(settings))
    try:
        predictor = load_predictor(settings)
    except BundleError as exc:
        history.close()
        return str(exc)
    stop = threading.Event()

    def stop_after_this_job(signum, _frame) -> None:
        log.info("signal %d: stopping after the job in hand", signum)
        stop.set()

    signal.signal(signal.SIGTERM, stop_after_this_job)
    signal.signal(signal.SIGINT, stop_after_this_job)
    worker = JobWorker(
        DatabaseJobQueue(history.engine, settings),
        predictor,
        history,
        settings,
        alive=ALIVE_FILE.touch,
    )
    try:
        worker.run(stop)
    finally:
        predictor.close()
        history.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
