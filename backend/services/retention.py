"""HISTORY_RETENTION_DAYS: analyses older than N days go, with their kept uploads; swept at
start and then every hour while the service runs."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from backend.core.errors import HistoryUnavailableError
from backend.core.settings import Settings
from backend.services.history import HistoryStore
from backend.services.kept_uploads import ANALYSIS_ID, delete_kept

log = logging.getLogger("backend.retention")
SWEEP_INTERVAL_S = 3600


def sweep(history: HistoryStore, settings: Settings, *, now: datetime | None = None) -> int:
    """Delete the analyses older than the retention and their kept uploads (also kept files
    of that age whose record is already gone); returns how many analyses went. Nothing
    happens when HISTORY_RETENTION_DAYS is 0."""
    if settings.HISTORY_RETENTION_DAYS <= 0:
        return 0
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(days=settings.HISTORY_RETENTION_DAYS)
    ids = history.delete_older_than(cutoff)
    for analysis_id in ids:
        delete_kept(settings, analysis_id)
    folder = settings.UPLOADS_DIR
    if folder.is_dir():  # orphans: a file outlives its record only by accident; same age rule
        for path in folder.iterdir():
            try:
                if (
                    ANALYSIS_ID.fullmatch(path.stem)
                    and path.is_file()
                    and path.stat().st_mtime < cutoff.timestamp()
                ):
                    path.unlink(missing_ok=True)
            except OSError as exc:
                log.warning("could not remove the old upload %s: %s", path.name, exc)
    if ids:
        log.info(
            "retention: deleted %d analyses older than %d days",
            len(ids),
            settings.HISTORY_RETENTION_DAYS,
        )
    return len(ids)


async def sweep_periodically(
    history: HistoryStore, settings: Settings, interval_s: float = SWEEP_INTERVAL_S
) -> None:
    """Sweep every `interval_s` seconds (the start's sweep is the lifespan's), until
    cancelled; a database that is unavailable for one sweep is tried again at the next."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            await asyncio.to_thread(sweep, history, settings)
        except HistoryUnavailableError as exc:
            log.warning("retention sweep skipped: %s", exc)
        except Exception:  # never let the sweeper die silently; the next one tries again
            log.exception("retention sweep failed")
