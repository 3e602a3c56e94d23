"""Taking a voice note from a chat's allowance: at most one per `interval` and `cap` a
local day. Decided by one conditional UPDATE in the caller's transaction, so two
workers (or a fast double tap) cannot both take the last one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import case, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import changed, insert_ignore
from models.voice.tables import VoiceUsage

_LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


class Verdict(StrEnum):
    OK = "ok"
    TOO_SOON = "too_soon"
    DAILY_CAP = "daily_cap"


@dataclass(frozen=True)
class VoiceLimits:
    interval: timedelta = timedelta(seconds=5)
    # Voice notes a chat may get in one local day (0: none).
    daily_cap: int = 30
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Jakarta"))


async def take_voice(
    session: AsyncSession, identity_id: int, now: datetime, limits: VoiceLimits
) -> Verdict:
    """Count one voice note for this chat, or say why not (nothing is counted then)."""
    if limits.daily_cap <= 0:
        return Verdict.DAILY_CAP
    today = now.astimezone(limits.tz).date()
    await session.execute(
        insert_ignore(session, VoiceUsage, ["identity_id"]).values(
            identity_id=identity_id, day=today, count=0, last_at=_LONG_AGO
        )
    )
    taken = await session.execute(
        update(VoiceUsage)
        .where(
            VoiceUsage.identity_id == identity_id,
            VoiceUsage.last_at <= now - limits.interval,
            or_(VoiceUsage.day != today, VoiceUsage.count < limits.daily_cap),
        )
        .values(
            count=case((VoiceUsage.day == today, VoiceUsage.count + 1), else_=1),
            day=today,
            last_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if changed(taken) == 1:
        return Verdict.OK
    day, count = (
        await session.execute(
            select(VoiceUsage.day, VoiceUsage.count).where(VoiceUsage.identity_id == identity_id)
        )
    ).one()
    if day == today and count >= limits.daily_cap:
        return Verdict.DAILY_CAP
    return Verdict.TOO_SOON
