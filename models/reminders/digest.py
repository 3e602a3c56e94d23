"""The daily admin digest: what happened since yesterday's and what is coming, as counts
and short lists the chat layer words. Each part is a function of (session, window) in
`DIGEST_PARTS`, so later features (pending reports, attendance) add theirs to the list.

A digest is written once per admin per local date (`ReminderLog` source "digest", kind
"daily", keyed by the date), once its local time has passed that day: a restart at 07:00
neither skips nor repeats it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.attendance.queries import ended_between, tally
from models.deadlines.rules import due_dates
from models.deadlines.tables import Deadline
from models.kegiatan.tables import Kegiatan, Signup
from models.location import Location
from models.outbox.tables import OutboxMessage
from models.people.tables import Member
from models.reports.tables import Report

SOURCE: Final = "digest"
KIND: Final = "daily"
LIST_LIMIT = 5


@dataclass(frozen=True)
class DigestWindow:
    since: datetime  # yesterday's digest time
    now: datetime
    today: date  # local
    tz: ZoneInfo


@dataclass(frozen=True)
class DigestLine:
    """One line: a catalog key ("digest.<name>") and its values; `items` are listed
    under it (kegiatan titles with their time, deadlines with their date)."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)
    items: tuple[tuple[str, datetime | date], ...] = ()


Part = Callable[[AsyncSession, DigestWindow], Awaitable[list[DigestLine]]]


async def new_registrations(session: AsyncSession, w: DigestWindow) -> list[DigestLine]:
    count = await session.scalar(
        select(func.count())
        .select_from(Member)
        .where(Member.role == "ibu", Member.consent_at >= w.since, Member.consent_at < w.now)
    )
    return [DigestLine("digest.registrations", {"count": int(count or 0)})]


async def signups(session: AsyncSession, w: DigestWindow) -> list[DigestLine]:
    rows = dict(
        (
            await session.execute(
                select(Signup.status, func.count())
                .where(Signup.queued_at >= w.since, Signup.queued_at < w.now)
                .group_by(Signup.status)
            )
        ).all()
    )
    waiting = await session.scalar(
        select(func.count())
        .select_from(Signup)
        .join(Kegiatan, Kegiatan.id == Signup.kegiatan_id)
        .where(
            Signup.status == "waiting",
            Kegiatan.status.in_(("open", "closed")),
            Kegiatan.starts_at > w.now,
        )
    )
    return [
        DigestLine(
            "digest.signups",
            {
                "registered": int(rows.get("registered", 0)),
                "waiting": int(rows.get("waiting", 0)),
                "cancelled": int(rows.get("cancelled", 0)),
                "waiting_total": int(waiting or 0),
            },
        )
    ]


async def attendance(session: AsyncSession, w: DigestWindow) -> list[DigestLine]:
    """Kegiatan that ended since yesterday's digest: who came with a seat of how many
    registered, and the walk-ins; no line when none ended."""
    ended = await ended_between(session, w.since, w.now)
    if not ended:
        return []
    lines = [DigestLine("digest.attendance", {"count": len(ended)})]
    for k in ended[:LIST_LIMIT]:
        counts = await tally(session, k.id)
        values = {"judul": k.judul, "present": counts.present_registered,
                  "registered": counts.registered, "walk_ins": counts.walk_ins}  # fmt: skip
        lines.append(DigestLine("digest.attendance_kegiatan", values))
    return lines


async def coming_kegiatan(session: AsyncSession, w: DigestWindow) -> list[DigestLine]:
    found = list(
        await session.scalars(
            select(Kegiatan)
            .where(
                Kegiatan.status.in_(("open", "closed")),
                Kegiatan.starts_at > w.now,
                Kegiatan.starts_at <= w.now + timedelta(days=7),
            )
            .order_by(Kegiatan.starts_at, Kegiatan.id)
        )
    )
    items = tuple(
        (f"{k.judul} ({k.registered_count}{'/' + str(k.kuota) if k.kuota else ''})", k.starts_at)
        for k in found[:LIST_LIMIT]
    )
    return [DigestLine("digest.kegiatan", {"count": len(found)}, items)]


async def coming_deadlines(session: AsyncSession, w: DigestWindow) -> list[DigestLine]:
    end = w.today + timedelta(days=14)
    coming: list[tuple[str, date]] = []
    for d in await session.scalars(select(Deadline).order_by(Deadline.id)):
        coming.extend((d.title, day) for day in due_dates(d.due_on, d.monthly_day, w.today, end))
    coming.sort(key=lambda item: item[1])
    return [DigestLine("digest.deadlines", {"count": len(coming)}, tuple(coming[:LIST_LIMIT]))]


async def failed_deliveries(session: AsyncSession, w: DigestWindow) -> list[DigestLine]:
    count = await session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.status == "failed",
            OutboxMessage.created_at >= w.since,
            OutboxMessage.created_at < w.now,
        )
    )
    return [DigestLine("digest.failed", {"count": int(count or 0)})]


async def reports_waiting(session: AsyncSession, w: DigestWindow) -> list[DigestLine]:
    """Kader reports submitted and waiting for review, per kampung; no line when none."""
    rows = (
        await session.execute(
            select(Location.id, Location.name, func.count())
            .select_from(Report)
            .outerjoin(Location, Location.id == Report.kampung_id)
            .where(Report.status == "submitted")
            .group_by(Location.id, Location.name)
            .order_by(Location.name, Location.id)
        )
    ).all()
    if not rows:
        return []
    total = sum(int(n) for _, _, n in rows)
    places = ", ".join(f"{name or '-'} {int(n)}" for _, name, n in rows)
    return [DigestLine("digest.reports_waiting", {"count": total, "places": places})]


# Later features append their parts here.
DIGEST_PARTS: list[Part] = [
    new_registrations,
    signups,
    attendance,
    coming_kegiatan,
    coming_deadlines,
    reports_waiting,
    failed_deliveries,
]


async def digest_lines(session: AsyncSession, window: DigestWindow) -> list[DigestLine]:
    lines: list[DigestLine] = []
    for part in DIGEST_PARTS:
        lines.extend(await part(session, window))
    return lines


async def admins(session: AsyncSession) -> list[int]:
    found = await session.scalars(
        select(Member.id)
        .where(Member.role == "admin", Member.erased_at.is_(None))
        .order_by(Member.id)
    )
    return list(found)
