"""The sweeps (kegiatan reminders, deadline reminders, the daily admin digest): one
APScheduler job every `seconds` runs them in order, each in its own transaction, with the
clock's `now`. Sweeps are idempotent, so a restart neither loses nor doubles anything.

With several processes on one PostgreSQL only the holder of the "sweeps" advisory lock
runs them (a lock of its own connection, apart from the dispatcher's); when that process
dies the server frees the lock and another takes over at its next tick. On SQLite there is
one process by design.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from handlers.core.i18n import format_date_local, format_datetime_local
from models.base import transaction
from models.deadlines.sweep import DeadlinePlan, DeadlineSweep, sweep_deadline_reminders
from models.reminders.kegiatan import KegiatanSweep, ReminderPlan, sweep_kegiatan_reminders
from scheduler.digest import DigestPlan, sweep_digest
from scheduler.leader import AdvisoryLocks

log = logging.getLogger(__name__)

SWEEP_SECONDS = 15.0
LEADER_LOCK = "sweeps"

Sweep = Callable[[AsyncSession, datetime], Awaitable[object]]


def when_text_for(tz: ZoneInfo) -> Callable[[datetime, str], str]:
    return lambda at, lang: format_datetime_local(at, lang, tz)


async def kegiatan_reminders_once(
    sessions: async_sessionmaker[AsyncSession], now: datetime, plan: ReminderPlan
) -> KegiatanSweep:
    """One kegiatan-reminder sweep in its own transaction."""
    async with transaction(sessions) as session:
        result = await sweep_kegiatan_reminders(session, now, plan, when_text_for(plan.tz))
    if result.written or result.dropped or result.superseded or result.no_chat:
        log.info(
            "kegiatan reminders written=%d dropped_after_start=%d superseded=%d no_chat=%d",
            result.written, result.dropped, result.superseded, result.no_chat,
        )  # fmt: skip
    return result


async def deadline_reminders_once(
    sessions: async_sessionmaker[AsyncSession], now: datetime, plan: DeadlinePlan
) -> DeadlineSweep:
    """One deadline-reminder sweep in its own transaction."""
    tz = plan.tz
    async with transaction(sessions) as session:
        result = await sweep_deadline_reminders(
            session, now, plan, lambda at, lang: format_date_local(at, lang, tz)
        )
    if result.written or result.dropped or result.superseded:
        log.info(
            "deadline reminders written=%d dropped_after_due=%d superseded=%d",
            result.written, result.dropped, result.superseded,
        )  # fmt: skip
    return result


async def digest_once(
    sessions: async_sessionmaker[AsyncSession], now: datetime, plan: DigestPlan
) -> int:
    """Today's admin digest, once its time has passed, in its own transaction."""
    async with transaction(sessions) as session:
        return await sweep_digest(session, now, plan)


@dataclass
class Sweeper:
    """Runs the sweeps, on the leader only."""

    sessions: async_sessionmaker[AsyncSession]
    plan: ReminderPlan
    deadlines: DeadlinePlan | None = None
    digest: DigestPlan | None = None
    extra: Sequence[tuple[str, Sweep]] = ()
    locks: AdvisoryLocks = field(init=False)

    def __post_init__(self) -> None:
        bind = self.sessions.kw.get("bind")
        if not isinstance(bind, AsyncEngine):
            raise TypeError("the sweeper needs a sessionmaker bound to an AsyncEngine")
        self.locks = AdvisoryLocks(bind)

    async def is_leader(self) -> bool:
        return await self.locks.hold(LEADER_LOCK)

    async def run_once(self, now: datetime) -> bool:
        """Run every sweep once if this process leads; False when another one does."""
        if not await self.is_leader():
            return False
        try:
            await kegiatan_reminders_once(self.sessions, now, self.plan)
        except Exception:
            log.exception("the kegiatan reminder sweep failed")
        if self.deadlines is not None:
            try:
                await deadline_reminders_once(self.sessions, now, self.deadlines)
            except Exception:
                log.exception("the deadline reminder sweep failed")
        if self.digest is not None:
            try:
                await digest_once(self.sessions, now, self.digest)
            except Exception:
                log.exception("the admin digest sweep failed")
        for name, sweep in self.extra:
            try:
                async with transaction(self.sessions) as session:
                    await sweep(session, now)
            except Exception:
                log.exception("the %s sweep failed", name)
        return True

    async def close(self) -> None:
        await self.locks.release_all()
