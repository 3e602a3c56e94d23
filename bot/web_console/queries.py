"""What the console's pages read, scoped: an admin sees every kampung, a kader her own
(`kampung` None means all)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Kegiatan, KegiatanTarget, Member, OutboxMessage, Report, Signup
from models.deadlines.rules import due_dates
from models.deadlines.tables import Deadline
from models.location import Location


def id_number(text: str) -> int | None:
    """An id or a count from an address or a form: 1 to 9 ASCII digits, else None ("²"
    is a digit to str.isdigit but not to int; a longer number is no row's id and would
    overflow the database's integer)."""
    return int(text) if re.fullmatch(r"[0-9]{1,9}", text) else None


@dataclass(frozen=True)
class Upcoming:
    kegiatan: Kegiatan
    taken: int
    waiting: int


async def members_per_kampung(
    session: AsyncSession, kampung: int | None
) -> list[tuple[str, str, int]]:
    """(kampung name or "-", role, members) of members not erased."""
    q = (
        select(Location.name, Member.role, func.count(Member.id))
        .select_from(Member)
        .outerjoin(Location, Location.id == Member.kampung_id)
        .where(Member.erased_at.is_(None))
        .group_by(Location.name, Member.role)
        .order_by(Location.name, Member.role)
    )
    if kampung is not None:
        q = q.where(Member.kampung_id == kampung)
    return [(str(n or "-"), str(r), int(c)) for n, r, c in await session.execute(q)]


async def upcoming_kegiatan(
    session: AsyncSession, kampung: int | None, now: datetime, limit: int = 10
) -> list[Upcoming]:
    q = (
        select(Kegiatan)
        .where(Kegiatan.status == "open", Kegiatan.starts_at >= now)
        .order_by(Kegiatan.starts_at, Kegiatan.id)
        .limit(limit)
    )
    if kampung is not None:
        q = q.where(
            Kegiatan.id.in_(
                select(KegiatanTarget.kegiatan_id).where(KegiatanTarget.kampung_id == kampung)
            )
            | ~Kegiatan.id.in_(select(KegiatanTarget.kegiatan_id))  # open to every kampung
        )
    found = list(await session.scalars(q))
    waiting: dict[int, int] = {}
    if found:
        rows = await session.execute(
            select(Signup.kegiatan_id, func.count(Signup.id))
            .where(Signup.kegiatan_id.in_([k.id for k in found]), Signup.status == "waiting")
            .group_by(Signup.kegiatan_id)
        )
        waiting = {int(k): int(c) for k, c in rows}
    return [Upcoming(k, k.registered_count, waiting.get(k.id, 0)) for k in found]


async def waiting_reports(
    session: AsyncSession, kampung: int | None, limit: int = 50
) -> list[Report]:
    """Reports waiting for review, newest first."""
    q = (
        select(Report)
        .where(Report.status == "submitted")
        .order_by(Report.submitted_at.desc(), Report.id.desc())
        .limit(limit)
    )
    if kampung is not None:
        q = q.where(Report.kampung_id == kampung)
    return list(await session.scalars(q))


async def count_waiting_reports(session: AsyncSession, kampung: int | None) -> int:
    """All reports waiting for review (the list shows the newest 50)."""
    q = select(func.count(Report.id)).where(Report.status == "submitted")
    if kampung is not None:
        q = q.where(Report.kampung_id == kampung)
    return int(await session.scalar(q) or 0)


async def deadlines_within(
    session: AsyncSession, today: date, days: int = 30
) -> list[tuple[date, str]]:
    end = today + timedelta(days=days)
    out: list[tuple[date, str]] = []
    for d in await session.scalars(select(Deadline)):
        out += [(day, d.title) for day in due_dates(d.due_on, d.monthly_day, today, end)]
    return sorted(out)


async def failed_deliveries(session: AsyncSession, now: datetime, days: int = 7) -> int:
    found = await session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.status == "failed",
            OutboxMessage.created_at >= now - timedelta(days=days),
        )
    )
    return int(found or 0)


async def kampung_names(session: AsyncSession) -> dict[int, str]:
    rows = await session.execute(
        select(Location.id, Location.name).where(Location.level == "kampung")
    )
    return {int(i): str(n) for i, n in rows}
