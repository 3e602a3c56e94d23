"""Granting and revoking roles, and the chat reachability flags.

Roles are granted by someone with the right to (an admin, the CLI, ADMIN_TELEGRAM_IDS),
never claimed in chat; every change is written to the audit log.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.audit import audit
from models.base import utcnow
from models.people.members import ensure_identity, household
from models.people.tables import ChannelIdentity, IdentityMember, Member


async def grant_admin(session: AsyncSession, channel: str, external_id: str, actor: str) -> bool:
    """Make the chat's member an admin (creating a staff member if the chat has none).

    Returns False when she already was one."""
    identity_id = await ensure_identity(session, channel, external_id)
    members = await household(session, identity_id)
    if any(m.role == "admin" for m in members):
        return False
    if members:
        member = members[0]
        member.role = "admin"
    else:
        member = Member(role="admin", language="id")
        session.add(member)
        await session.flush()
        session.add(IdentityMember(identity_id=identity_id, member_id=member.id))
    await audit(
        session, actor=actor, action="role.grant", object_type="member", object_id=member.id,
        detail={"role": "admin"},
    )  # fmt: skip
    return True


async def revoke_admin(session: AsyncSession, channel: str, external_id: str, actor: str) -> bool:
    identity = await session.scalar(
        select(ChannelIdentity).where(
            ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id
        )
    )
    if identity is None:
        return False
    admins = [m for m in await household(session, identity.id) if m.role == "admin"]
    for member in admins:
        if member.full_name is None and member.consent_at is None:
            # A staff account that never registered as a mother: nothing personal to keep.
            member.erased_at = utcnow()
            await session.delete(await session.get_one(IdentityMember, (identity.id, member.id)))
        member.role = "ibu"
        await audit(
            session, actor=actor, action="role.revoke", object_type="member",
            object_id=member.id, detail={"role": "admin"},
        )  # fmt: skip
    return bool(admins)


async def staff_chats(session: AsyncSession, channel: str) -> dict[str, str]:
    """external chat id -> highest role, for chats acting for a kader or an admin."""
    rows = await session.execute(
        select(ChannelIdentity.external_id, Member.role)
        .join(IdentityMember, IdentityMember.identity_id == ChannelIdentity.id)
        .join(Member, Member.id == IdentityMember.member_id)
        .where(
            ChannelIdentity.channel == channel,
            Member.role.in_(("kader", "admin")),
            Member.erased_at.is_(None),
        )
    )
    chats: dict[str, str] = {}
    for external_id, role in rows:
        if chats.get(external_id) != "admin":
            chats[external_id] = role
    return chats


async def set_reachable(
    session: AsyncSession, channel: str, external_id: str, reachable: bool
) -> None:
    """A chat blocked the bot (or came back); a chat, not a person, is unreachable.

    Blocking withdraws what is queued for the chat, as a blocked send does."""
    # Imported here, not at the top: the outbox imports models.people when loaded, so
    # models.people does not import it back; packages load kegiatan -> outbox -> people.
    from models.outbox.tables import mark_unreachable

    identity_id = await ensure_identity(session, channel, external_id)
    if not reachable:
        await mark_unreachable(session, identity_id, utcnow())
        return
    identity = await session.get_one(ChannelIdentity, identity_id)
    identity.unreachable = False
    identity.unreachable_at = None
