"""A mother's "Tetap ikut" answer to a reminder, and who confirmed, for the admin."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import insert_ignore
from models.kegiatan.tables import Kegiatan, Signup
from models.people.tables import Member
from models.reminders.tables import KegiatanConfirmation


async def confirm_attendance(
    session: AsyncSession, kegiatan: Kegiatan, member_id: int, now: datetime
) -> bool:
    """Record that she will come at the kegiatan's current time; False when she holds no
    seat (cancelled meanwhile, or still on the waiting list)."""
    status = await session.scalar(
        select(Signup.status).where(
            Signup.kegiatan_id == kegiatan.id, Signup.member_id == member_id
        )
    )
    if status != "registered":
        return False
    row = await session.get(KegiatanConfirmation, (kegiatan.id, member_id))
    if row is None:
        await session.execute(
            insert_ignore(session, KegiatanConfirmation, ["kegiatan_id", "member_id"]).values(
                kegiatan_id=kegiatan.id,
                member_id=member_id,
                starts_at=kegiatan.starts_at,
                confirmed_at=now,
            )
        )
    elif row.starts_at != kegiatan.starts_at:
        row.starts_at, row.confirmed_at = kegiatan.starts_at, now
    return True


async def confirmed_names(session: AsyncSession, kegiatan: Kegiatan) -> list[str]:
    """Names of the registered members who confirmed for the kegiatan's current time."""
    c = KegiatanConfirmation
    names = await session.scalars(
        select(Member.full_name)
        .join(c, c.member_id == Member.id)
        .join(Signup, (Signup.kegiatan_id == c.kegiatan_id) & (Signup.member_id == c.member_id))
        .where(
            c.kegiatan_id == kegiatan.id,
            c.starts_at == kegiatan.starts_at,
            Signup.status == "registered",
            Member.erased_at.is_(None),
        )
        .order_by(c.confirmed_at, Member.id)
    )
    return [n or "-" for n in names]
