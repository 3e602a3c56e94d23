"""Each kegiatan's check-in code: made when a kader or admin first looks at the kegiatan,
rotated on request, and found again from what a mother typed.

A new code is tried inside a savepoint: the unique constraint decides, so two kegiatan
given the same random code at the same instant cannot both keep it (the loser draws
again), on SQLite as on PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models.attendance.rules import new_code
from models.attendance.tables import CheckinCode
from models.audit import audit
from models.kegiatan.tables import Kegiatan

TRIES = 8


class NoFreeCode(RuntimeError):
    """Eight random codes in a row were taken: never expected with millions free."""


async def code_of(
    session: AsyncSession, kegiatan_id: int, now: datetime, by_member_id: int | None = None
) -> str:
    """The kegiatan's code, made now if it has none yet."""
    found = await session.get(CheckinCode, kegiatan_id)
    if found is not None:
        return found.code
    return await _store(session, kegiatan_id, now, by_member_id, rotate=False)


async def rotate_code(
    session: AsyncSession, kegiatan_id: int, now: datetime, by_member_id: int | None
) -> str:
    """A new code for the kegiatan; the old one stops working at once."""
    code = await _store(session, kegiatan_id, now, by_member_id, rotate=True)
    await audit(
        session,
        actor=f"member:{by_member_id}" if by_member_id else "system",
        actor_member_id=by_member_id,
        action="attendance.code_rotated",
        object_type="kegiatan",
        object_id=kegiatan_id,
    )
    return code


async def kegiatan_of_code(session: AsyncSession, code: str) -> Kegiatan | None:
    """The kegiatan a (cleaned) code belongs to, whatever its state."""
    return await session.scalar(
        select(Kegiatan)
        .join(CheckinCode, CheckinCode.kegiatan_id == Kegiatan.id)
        .where(CheckinCode.code == code)
    )


async def _store(
    session: AsyncSession, kegiatan_id: int, now: datetime, by: int | None, *, rotate: bool
) -> str:
    for _ in range(TRIES):
        code = new_code()
        try:
            async with session.begin_nested():
                row = await session.get(CheckinCode, kegiatan_id, populate_existing=True)
                if row is None:
                    session.add(
                        CheckinCode(
                            kegiatan_id=kegiatan_id,
                            code=code,
                            created_at=now,
                            created_by_member_id=by,
                        )
                    )
                elif rotate:
                    row.code, row.created_at, row.created_by_member_id = code, now, by
                else:
                    return row.code  # made by someone else meanwhile
        except IntegrityError:
            continue  # that code is taken (or the row appeared meanwhile): draw again
        return code
    raise NoFreeCode(f"no free check-in code after {TRIES} tries")
