"""The APScheduler jobs: the outbox dispatcher loop, the broadcast sweep and housekeeping.

`p2wkss-bot run` and `p2wkss-bot worker` build this scheduler and start it; setting the
stop event and shutting the scheduler down ends the dispatcher after its sends in flight.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.base import transaction
from models.outbox.broadcasts import SweepResult, sweep_broadcasts
from scheduler.dispatcher import Dispatcher
from scheduler.housekeeping import HOUSEKEEPING_SECONDS, housekeeping_once
from scheduler.ratelimit import Clock, SystemClock
from scheduler.sweeps import SWEEP_SECONDS, Sweeper

log = logging.getLogger(__name__)

BROADCAST_SWEEP_SECONDS = 15.0


async def sweep_broadcasts_once(
    sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> SweepResult:
    """Enqueue due scheduled broadcasts and close finished ones, in one transaction."""
    async with transaction(sessions) as session:
        result = await sweep_broadcasts(session, clock.now())
    if result.enqueued or result.finished:
        log.info("broadcasts enqueued=%s finished=%s", result.enqueued, result.finished)
    return result


def build_scheduler(
    dispatcher: Dispatcher,
    stop: asyncio.Event,
    *,
    sweep_seconds: float = BROADCAST_SWEEP_SECONDS,
    clock: Clock | None = None,
    sweeper: Sweeper | None = None,
    reminder_seconds: float = SWEEP_SECONDS,
    media_dir: Path | None = None,
    retention: timedelta | None = None,
) -> AsyncIOScheduler:
    """A scheduler running the dispatcher loop (one long job), the broadcast sweep and,
    given a sweeper, the reminder sweeps (on the leader only)."""
    clock = clock or SystemClock()
    scheduler = AsyncIOScheduler(timezone=UTC)
    # No trigger: the job starts once, at start-up, and runs until `stop` is set.
    scheduler.add_job(dispatcher.run, args=[stop], id="outbox-dispatcher", misfire_grace_time=None)
    scheduler.add_job(
        sweep_broadcasts_once,
        "interval",
        seconds=sweep_seconds,
        args=[dispatcher.sessions, clock],
        id="broadcast-sweep",
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),  # APScheduler runs on real time
    )
    scheduler.add_job(
        _housekeeping,
        "interval",
        seconds=HOUSEKEEPING_SECONDS,
        args=[dispatcher.sessions, clock, media_dir, retention],
        id="housekeeping",
        max_instances=1,
        coalesce=True,
    )
    if sweeper is not None:
        scheduler.add_job(
            _sweep,
            "interval",
            seconds=reminder_seconds,
            args=[sweeper, clock],
            id="reminder-sweeps",
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(UTC),
        )
    return scheduler


async def _sweep(sweeper: Sweeper, clock: Clock) -> None:
    await sweeper.run_once(clock.now())


async def _housekeeping(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    media_dir: Path | None = None,
    retention: timedelta | None = None,
) -> None:
    extra = {"retention": retention} if retention is not None else {}
    await housekeeping_once(sessions, clock.now(), media_dir=media_dir, **extra)
