""" "Selalu kirim suara": a member's choice to get every message also as a voice note, set
by her (or her household's chat) or by her kader, and kept in the audit log."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from models.audit import audit
from models.people.members import acting_member, kader_serves
from models.people.tables import Member


async def voice_settable(session: AsyncSession, identity_id: int, viewer: Member | None,
                         member_id: int) -> Member | None:  # fmt: skip
    """The member whose setting this chat may change: herself or her household (her own
    chat), a mother reached through this kader, or a mother this kader registered and
    still serves; None for anyone else (a forged or old id)."""
    member = await acting_member(session, identity_id, member_id)
    if member is not None:
        return member
    found = await session.get(Member, member_id) if member_id else None
    if (
        found is None
        or found.erased
        or viewer is None
        or found.registered_by_member_id != viewer.id
        or not kader_serves(viewer, found)
    ):
        return None
    return found


async def set_voice_always(session: AsyncSession, member: Member, on: bool, *, actor: str,
                           actor_member_id: int | None) -> None:  # fmt: skip
    member.voice_always = on
    await audit(
        session, actor=actor, action="member.voice", object_type="member",
        object_id=member.id, actor_member_id=actor_member_id, detail={"always": on},
    )  # fmt: skip
