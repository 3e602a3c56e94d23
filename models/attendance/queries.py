"""Reading attendance: the daftar hadir of a kegiatan (registered, waiting and walk-ins,
each with whether she came), the counts of a kegiatan, the kegiatan a kader or admin
takes attendance for, and the kegiatan that ended in a span (the digest)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.attendance.rules import TAKES_ATTENDANCE
from models.attendance.tables import Attendance
from models.kegiatan.queries import for_kampung
from models.kegiatan.tables import ACTIVE_SIGNUP, Kegiatan, Signup
from models.people.tables import Member

# The kegiatan a kader sees under "Daftar hadir": from a week back to a day ahead.
LOOK_BACK = timedelta(days=7)
LOOK_AHEAD = timedelta(days=1)


@dataclass(frozen=True)
class Line:
    """One person on the daftar hadir."""

    name: str
    member_id: int | None  # None: added by name only
    line_id: int | None  # her attendance line, if any
    signup: str | None  # registered | waiting | None (walk-in)
    present: bool
    present_at: datetime | None

    @property
    def walk_in(self) -> bool:
        return self.present and self.signup != "registered"


@dataclass(frozen=True)
class Tally:
    registered: int
    present: int
    walk_ins: int

    @property
    def present_registered(self) -> int:
        """Present with a seat (walk-ins not counted)."""
        return self.present - self.walk_ins

    @property
    def absent(self) -> int:
        """Registered and not present."""
        return self.registered - self.present_registered


async def daftar_hadir(
    session: AsyncSession, kegiatan_id: int, kampung_id: int | None = None
) -> list[Line]:
    """Seats first, then the waiting list (each in the order they joined), then walk-ins
    in the order they were added; with `kampung_id`, only the people of that kampung."""
    a = Attendance
    joined = and_(a.kegiatan_id == Signup.kegiatan_id, a.member_id == Signup.member_id)
    where: list[ColumnElement[bool]] = [
        Signup.kegiatan_id == kegiatan_id,
        Signup.status.in_(ACTIVE_SIGNUP),
        Member.erased_at.is_(None),
    ]
    if kampung_id is not None:
        where.append(Member.kampung_id == kampung_id)
    rows = await session.execute(
        select(Member.id, Member.full_name, Signup.status, a.id, a.status, a.present_at)
        .join(Member, Member.id == Signup.member_id)
        .outerjoin(a, joined)
        .where(*where)
        .order_by(Signup.status, Signup.queued_at, Signup.id)  # "registered" < "waiting"
    )
    lines = [
        Line(name or "-", mid, aid, status, astatus == "present", at)
        for mid, name, status, aid, astatus, at in rows
    ]
    seated = {line.member_id for line in lines}
    walk = await session.execute(
        select(a, Member.full_name, Member.kampung_id, Member.erased_at)
        .outerjoin(Member, Member.id == a.member_id)
        .where(a.kegiatan_id == kegiatan_id)
        .order_by(a.created_at, a.id)
    )
    for line, name, member_kampung, erased_at in walk:
        if line.member_id is not None and (line.member_id in seated or erased_at is not None):
            continue  # on the list above, or erased since (still counted, not listed)
        if kampung_id is not None:
            kampung = member_kampung if line.member_id is not None else line.kampung_id
            if kampung != kampung_id:
                continue
        shown = line.name if line.member_id is None else name
        present = line.status == "present"
        lines.append(Line(shown or "-", line.member_id, line.id, None, present, line.present_at))
    return lines


def tally_of(lines: list[Line]) -> Tally:
    return Tally(
        registered=sum(line.signup == "registered" for line in lines),
        present=sum(line.present for line in lines),
        walk_ins=sum(line.walk_in for line in lines),
    )


async def tally(session: AsyncSession, kegiatan_id: int) -> Tally:
    """The whole kegiatan's counts (erased members' rows included: counts stay right)."""
    registered = await session.scalar(
        select(func.count())
        .select_from(Signup)
        .where(Signup.kegiatan_id == kegiatan_id, Signup.status == "registered")
    )
    a = Attendance
    seated = and_(
        Signup.kegiatan_id == a.kegiatan_id,
        Signup.member_id == a.member_id,
        Signup.status == "registered",
    )
    present, with_seat = (
        await session.execute(
            select(func.count(a.id), func.count(Signup.id))
            .select_from(a)
            .outerjoin(Signup, seated)
            .where(a.kegiatan_id == kegiatan_id, a.status == "present")
        )
    ).one()
    return Tally(int(registered or 0), int(present or 0), int(present or 0) - int(with_seat or 0))


async def for_attendance(
    session: AsyncSession, kampung_id: int | None, now: datetime, *, limit: int = 8
) -> list[Kegiatan]:
    """Kegiatan a kader (of this kampung; None: an admin, all) takes attendance for:
    started within a week or starting within a day, not cancelled; latest first."""
    where: list[ColumnElement[bool]] = [
        Kegiatan.status.in_(TAKES_ATTENDANCE),
        Kegiatan.starts_at <= now + LOOK_AHEAD,
        Kegiatan.ends_at >= now - LOOK_BACK,
    ]
    if kampung_id is not None:
        where.append(for_kampung(kampung_id))
    found = await session.scalars(
        select(Kegiatan).where(*where).order_by(Kegiatan.starts_at.desc(), Kegiatan.id).limit(limit)
    )
    return list(found)


async def ended_between(session: AsyncSession, since: datetime, until: datetime) -> list[Kegiatan]:
    """Kegiatan (not cancelled) that ended in [since, until), in the order they started."""
    found = await session.scalars(
        select(Kegiatan)
        .where(
            Kegiatan.status.in_(TAKES_ATTENDANCE),
            Kegiatan.ends_at >= since,
            Kegiatan.ends_at < until,
        )
        .order_by(Kegiatan.starts_at, Kegiatan.id)
    )
    return list(found)
