"""Which chat app reaches a member: her chats by channel, and her own choice of one.

Proactive messages (reminders, notices, announcements) go to one chat per member, never
one per app: the one she chose under "Lainnya" while she has a reachable chat there,
else the one she used last (`models.reminders.chats`, `models.outbox.broadcasts`).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.audit import audit
from models.people.tables import ChannelIdentity, IdentityMember, Member


async def member_channels(session: AsyncSession, member_id: int) -> list[str]:
    """The channels of her own reachable chats, in a stable order."""
    rows = await session.scalars(
        select(ChannelIdentity.channel)
        .join(IdentityMember, IdentityMember.identity_id == ChannelIdentity.id)
        .where(IdentityMember.member_id == member_id, ChannelIdentity.unreachable.is_(False))
        .distinct()
    )
    return sorted(rows)


async def set_preferred_channel(
    session: AsyncSession, member: Member, channel: str | None, *, actor: str
) -> None:
    """Her choice (None: the chat she used last), written to the audit log (no ids of
    chats, only the channel's name)."""
    member.preferred_channel = channel
    await audit(
        session, actor=actor, action="member.channel", object_type="member",
        object_id=member.id, actor_member_id=member.id, detail={"channel": channel or "last"},
    )  # fmt: skip
