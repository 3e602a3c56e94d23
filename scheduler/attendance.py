"""The attendance sweep: after a kegiatan ends, its admins and kader get the summary of
the daftar hadir (registered, present, walk-ins, absent), once.

Runs in the leader's sweep (`Sweeper.extra`, wired by `bot/worker.py`) and is
idempotent: each summary is claimed in reminder_log with its outbox row, so repeated
sweeps and restarts send it once; after downtime it is caught up within the look-back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from models.attendance.summary import LOOKBACK, SummarySweep, sweep_summaries
from scheduler.sweeps import Sweep, when_text_for

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AttendancePlan:
    tz: ZoneInfo
    # Kegiatan that ended at most this long ago still get their summary after downtime.
    lookback: timedelta = LOOKBACK


async def sweep_attendance(
    session: AsyncSession, now: datetime, plan: AttendancePlan
) -> SummarySweep:
    result = await sweep_summaries(session, now, when_text_for(plan.tz), plan.lookback)
    if result.written or result.no_chat:
        log.info(
            "attendance summaries kegiatan=%d written=%d no_chat=%d",
            result.kegiatan, result.written, result.no_chat,
        )  # fmt: skip
    return result


def attendance_sweeps(plan: AttendancePlan | None) -> list[tuple[str, Sweep]]:
    """The sweep to hand to `Sweeper(extra=...)`; None (switched off) gives none."""
    if plan is None:
        return []
    p = plan
    return [("attendance summary", lambda s, now: sweep_attendance(s, now, p))]
