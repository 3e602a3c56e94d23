"""Reading kegiatan for the chat: what is coming up for her kampung, her own schedule,
who takes part (also the broadcast audience "participants of a kegiatan"), clashes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.kegiatan.signups import waitlist_position
from models.kegiatan.tables import ACTIVE_SIGNUP, Kegiatan, KegiatanTarget, Signup
from models.location import Location
from models.people.tables import Member

# Kegiatan that still count on a member's calendar.
LIVE = ("open", "closed")


@dataclass(frozen=True)
class Page:
    items: list[Kegiatan]
    total: int
    offset: int
    limit: int

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.items) < self.total


@dataclass(frozen=True)
class ScheduleEntry:
    kegiatan: Kegiatan
    status: str  # registered | waiting
    position: int | None  # on the waiting list


@dataclass(frozen=True)
class Participant:
    member_id: int
    status: str  # registered | waiting
    queued_at: datetime


def for_kampung(kampung_id: int | None) -> ColumnElement[bool]:
    """A kegiatan with no sasaran (all kampung) or with this kampung as sasaran."""
    for_all = ~exists().where(KegiatanTarget.kegiatan_id == Kegiatan.id)
    if kampung_id is None:
        return for_all
    named = exists().where(
        KegiatanTarget.kegiatan_id == Kegiatan.id, KegiatanTarget.kampung_id == kampung_id
    )
    return or_(for_all, named)


async def upcoming_for_member(
    session: AsyncSession, member: Member | None, now: datetime, offset: int = 0, limit: int = 5
) -> Page:
    """Open kegiatan for her kampung (or all kampung) not yet ended, soonest first. A guest
    (None: not registered, no kampung yet) sees those of every kampung."""
    where: tuple[ColumnElement[bool], ...] = (Kegiatan.status == "open", Kegiatan.ends_at > now)
    if member is not None:
        where = (*where, for_kampung(member.kampung_id))
    return await _page(session, where, offset, limit)


async def list_kegiatan(
    session: AsyncSession,
    now: datetime,
    offset: int = 0,
    limit: int = 5,
    statuses: Sequence[str] = ("draft", "open", "closed"),
    title: str | None = None,
) -> Page:
    """For admins: kegiatan in these statuses not yet ended, every kampung, soonest first;
    with `title`, only those whose judul contains it (any case)."""
    where: tuple[ColumnElement[bool], ...] = (
        Kegiatan.status.in_(statuses),
        Kegiatan.ends_at > now,
    )
    if title:
        where = (*where, func.lower(Kegiatan.judul).contains(title.lower(), autoescape=True))
    return await _page(session, where, offset, limit)


async def _page(
    session: AsyncSession, where: Sequence[ColumnElement[bool]], offset: int, limit: int
) -> Page:
    total = await session.scalar(select(func.count()).select_from(Kegiatan).where(*where))
    items = await session.scalars(
        select(Kegiatan)
        .where(*where)
        .order_by(Kegiatan.starts_at, Kegiatan.id)
        .offset(max(0, offset))
        .limit(max(1, limit))
    )
    return Page(list(items), int(total or 0), max(0, offset), max(1, limit))


async def my_schedule(session: AsyncSession, member_id: int, now: datetime) -> list[ScheduleEntry]:
    """What she signed up for (seat or waiting list) that has not ended, soonest first.

    A cancelled kegiatan stays on the list until its time has passed, so she can see that
    it was called off (`entry.kegiatan.status == "cancelled"`)."""
    rows = await session.execute(
        select(Kegiatan, Signup.status)
        .join(Signup, Signup.kegiatan_id == Kegiatan.id)
        .where(
            Signup.member_id == member_id,
            Signup.status.in_(ACTIVE_SIGNUP),
            Kegiatan.status.in_((*LIVE, "cancelled")),
            Kegiatan.ends_at > now,
        )
        .order_by(Kegiatan.starts_at, Kegiatan.id)
    )
    entries: list[ScheduleEntry] = []
    for kegiatan, status in list(rows):
        position = None
        if status == "waiting":
            position = await waitlist_position(session, kegiatan.id, member_id)
        entries.append(ScheduleEntry(kegiatan, status, position))
    return entries


async def signup_status(session: AsyncSession, kegiatan_id: int, member_id: int) -> str | None:
    """registered | waiting | cancelled, or None if she never signed up."""
    return await session.scalar(
        select(Signup.status).where(
            Signup.kegiatan_id == kegiatan_id, Signup.member_id == member_id
        )
    )


async def overlapping(session: AsyncSession, member_id: int, kegiatan: Kegiatan) -> list[Kegiatan]:
    """Her other kegiatan (with a seat) whose time overlaps this one: a warning, not a block."""
    rows = await session.scalars(
        select(Kegiatan)
        .join(Signup, Signup.kegiatan_id == Kegiatan.id)
        .where(
            Signup.member_id == member_id,
            Signup.status == "registered",
            Kegiatan.id != kegiatan.id,
            Kegiatan.status.in_(LIVE),
            Kegiatan.starts_at < kegiatan.ends_at,
            Kegiatan.ends_at > kegiatan.starts_at,
        )
        .order_by(Kegiatan.starts_at, Kegiatan.id)
    )
    return list(rows)


async def participants(
    session: AsyncSession, kegiatan_id: int, *, include_waiting: bool = False
) -> list[Participant]:
    """Who takes part, seats first then the waiting list, each in the order they joined.
    Erased members are left out."""
    statuses = ACTIVE_SIGNUP if include_waiting else ("registered",)
    rows = await session.execute(
        select(Signup.member_id, Signup.status, Signup.queued_at)
        .join(Member, Member.id == Signup.member_id)
        .where(
            Signup.kegiatan_id == kegiatan_id,
            Signup.status.in_(statuses),
            Member.erased_at.is_(None),
        )
        .order_by(Signup.status, Signup.queued_at, Signup.id)  # "registered" < "waiting"
    )
    return [Participant(m, s, q) for m, s, q in rows]


async def sasaran(session: AsyncSession, kegiatan_id: int) -> list[Location]:
    """The kampung a kegiatan is for, by name; empty means every kampung."""
    rows = await session.scalars(
        select(Location)
        .join(KegiatanTarget, KegiatanTarget.kampung_id == Location.id)
        .where(KegiatanTarget.kegiatan_id == kegiatan_id)
        .order_by(Location.name)
    )
    return list(rows.unique())
