"""Marking attendance: a mother checking in with the code, a kader or admin marking the
daftar hadir by hand (present or absent), and adding a walk-in by name.

Nothing here touches a sign-up: a walk-in (not signed up, or on the waiting list) is
present without a seat, so no seat is taken and the waiting list stays as it was. A line
is written once per kegiatan and member (the unique key decides, so a double tap or two
chats at once make one line); checking in again answers with the time of the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.attendance.tables import MAX_NAME, Attendance
from models.audit import audit
from models.base import insert_ignore
from models.kegiatan.tables import Signup

Method = Literal["code", "hand"]
CheckInOutcome = Literal["present", "already"]


@dataclass(frozen=True)
class CheckIn:
    outcome: CheckInOutcome
    line: Attendance

    @property
    def walk_in(self) -> bool:
        return self.line.walk_in


async def has_seat(session: AsyncSession, kegiatan_id: int, member_id: int) -> bool:
    status = await session.scalar(
        select(Signup.status).where(
            Signup.kegiatan_id == kegiatan_id, Signup.member_id == member_id
        )
    )
    return status == "registered"


async def line_of(session: AsyncSession, kegiatan_id: int, member_id: int) -> Attendance | None:
    return await session.scalar(
        select(Attendance)
        .where(Attendance.kegiatan_id == kegiatan_id, Attendance.member_id == member_id)
        .execution_options(populate_existing=True)
    )


async def check_in(
    session: AsyncSession,
    kegiatan_id: int,
    member_id: int,
    now: datetime,
    *,
    method: Method = "code",
    by_member_id: int | None = None,
) -> CheckIn:
    """Mark her present (once). A line marked absent by hand becomes present: she is here.
    The caller has checked the window and that this chat may act for her."""
    walk_in = not await has_seat(session, kegiatan_id, member_id)
    written = await session.scalar(
        insert_ignore(session, Attendance, ["kegiatan_id", "member_id"])
        .values(
            kegiatan_id=kegiatan_id,
            member_id=member_id,
            status="present",
            walk_in=walk_in,
            method=method,
            present_at=now,
            marked_by_member_id=by_member_id,
            created_at=now,
            updated_at=now,
        )
        .returning(Attendance.id)
    )
    line = await line_of(session, kegiatan_id, member_id)
    assert line is not None
    if written is None and line.status == "present":
        return CheckIn("already", line)
    if written is None:
        _present(line, now, method, by_member_id, walk_in)
    if method == "hand" and by_member_id is not None:
        await _audit_mark(session, line, by_member_id)
    return CheckIn("present", line)


async def toggle_member(
    session: AsyncSession, kegiatan_id: int, member_id: int, now: datetime, by_member_id: int
) -> Attendance:
    """The daftar hadir by hand: present becomes absent, anything else present."""
    line = await line_of(session, kegiatan_id, member_id)
    if line is None or line.status != "present":
        # Marked present by someone else meanwhile ("already"): she stays present, as
        # this tap meant.
        result = await check_in(
            session, kegiatan_id, member_id, now, method="hand", by_member_id=by_member_id
        )
        return result.line
    _absent(line, now, by_member_id)
    await _audit_mark(session, line, by_member_id)
    return line


async def toggle_line(
    session: AsyncSession, line: Attendance, now: datetime, by_member_id: int
) -> Attendance:
    """A name-only line (no member record): present and absent in turn."""
    if line.status == "present":
        _absent(line, now, by_member_id)
    else:
        _present(line, now, "hand", by_member_id, walk_in=True)
    await _audit_mark(session, line, by_member_id)
    return line


async def add_by_name(
    session: AsyncSession,
    kegiatan_id: int,
    name: str,
    kampung_id: int | None,
    now: datetime,
    by_member_id: int,
) -> Attendance:
    """Someone with no member record (no phone) who came: a walk-in, named only here."""
    line = Attendance(
        kegiatan_id=kegiatan_id,
        member_id=None,
        name=" ".join(name.split())[:MAX_NAME],
        kampung_id=kampung_id,
        status="present",
        walk_in=True,
        method="hand",
        present_at=now,
        marked_by_member_id=by_member_id,
        created_at=now,
        updated_at=now,
    )
    session.add(line)
    await session.flush()
    await _audit_mark(session, line, by_member_id)
    return line


def _present(
    line: Attendance, now: datetime, method: Method, by_member_id: int | None, walk_in: bool
) -> None:
    line.status = "present"
    line.present_at = now
    line.method = method
    line.walk_in = walk_in
    line.marked_by_member_id = by_member_id
    line.updated_at = now


def _absent(line: Attendance, now: datetime, by_member_id: int | None) -> None:
    line.status = "absent"
    line.marked_by_member_id = by_member_id
    line.updated_at = now


async def _audit_mark(session: AsyncSession, line: Attendance, by_member_id: int) -> None:
    # Ids only: a name-only line is named by its own id, never by the name.
    await audit(
        session,
        actor=f"member:{by_member_id}",
        actor_member_id=by_member_id,
        action="attendance.mark",
        object_type="attendance",
        object_id=line.id,
        detail={"kegiatan_id": line.kegiatan_id, "member_id": line.member_id,
                "status": line.status},
    )  # fmt: skip
