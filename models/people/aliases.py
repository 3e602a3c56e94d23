"""A chat known by two platform ids: on WhatsApp a business-scoped user id and the phone's
wa_id. A message may carry either or both; the chat is keyed by the user id when there is
one (`external_id`), with the wa_id kept beside it (`external_alias`), so a message with
only one of them still finds her.

When a message names both and they lead to two chats (she wrote once with one id, once
with the other), the two become one: the household links, the queued and sent outbox
rows and one-time code uses move over, and the conversation she used last is kept.
Resolving also stamps her last inbound time (the 24-hour window counts from it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import insert_ignore
from models.conversation import ConversationState
from models.people.members import ensure_identity
from models.people.tables import ChannelIdentity, IdentityMember


@dataclass(frozen=True)
class Resolved:
    identity_id: int
    # The key the chat is known by now (its `external_id`).
    chat: str
    # Ids that named another chat, merged into this one (their old keys).
    merged: tuple[str, ...] = ()


async def resolve_chat(
    session: AsyncSession,
    channel: str,
    user_id: str | None,
    alias: str | None,
    *,
    inbound_at: datetime | None = None,
) -> Resolved:
    """The chat these ids name (made if new; merged if they name two); her last inbound
    time moves to `inbound_at` when that is later."""
    key = user_id or alias
    if key is None:
        raise ValueError("a chat needs an id")
    ids = [i for i in (user_id, alias) if i]
    found = list(
        await session.scalars(
            select(ChannelIdentity)
            .where(
                ChannelIdentity.channel == channel,
                or_(ChannelIdentity.external_id.in_(ids), ChannelIdentity.external_alias.in_(ids)),
            )
            .order_by(ChannelIdentity.id)
            .with_for_update()
        )
    )
    merged: list[str] = []
    if not found:
        await ensure_identity(session, channel, key)
        identity = await session.scalar(
            select(ChannelIdentity).where(
                ChannelIdentity.channel == channel, ChannelIdentity.external_id == key
            )
        )
        assert identity is not None
    else:
        # The one keyed by the user id stays; any other is merged into it.
        found.sort(key=lambda i: (i.external_id != user_id, i.id))
        identity = found[0]
        for other in found[1:]:
            merged.append(other.external_id)
            await _merge(session, other, identity)
    if user_id and identity.external_id != user_id:
        identity.external_id = user_id  # keyed by the wa_id until now
    if alias and alias != identity.external_id:
        identity.external_alias = alias
    if inbound_at is not None and (
        identity.last_inbound_at is None or identity.last_inbound_at < inbound_at
    ):
        identity.last_inbound_at = inbound_at
    await session.flush()
    return Resolved(identity.id, identity.external_id, tuple(merged))


async def _merge(session: AsyncSession, old: ChannelIdentity, keep: ChannelIdentity) -> None:
    # Imported here: the outbox and the codes load models.people, not the other way round.
    from models.codes import OneTimeCode
    from models.outbox.tables import OutboxMessage

    links = await session.execute(
        select(IdentityMember.member_id, IdentityMember.created_at).where(
            IdentityMember.identity_id == old.id
        )
    )
    for member_id, created_at in links:
        await session.execute(
            insert_ignore(session, IdentityMember, ["identity_id", "member_id"]).values(
                identity_id=keep.id, member_id=member_id, created_at=created_at
            )
        )
    await session.execute(
        update(OutboxMessage).where(OutboxMessage.identity_id == old.id).values(identity_id=keep.id)
    )
    await session.execute(
        update(OneTimeCode)
        .where(OneTimeCode.used_by_identity_id == old.id)
        .values(used_by_identity_id=keep.id)
    )
    states = {
        s.identity_id: s
        for s in await session.scalars(
            select(ConversationState).where(ConversationState.identity_id.in_([old.id, keep.id]))
        )
    }
    mine, theirs = states.get(keep.id), states.get(old.id)
    if theirs is not None and (mine is None or theirs.updated_at > mine.updated_at):
        # The conversation she used last goes on.
        if mine is not None:
            await session.delete(mine)
            await session.flush()
        await session.execute(
            update(ConversationState)
            .where(ConversationState.identity_id == old.id)
            .values(identity_id=keep.id)
        )
    for when in ("last_seen_at", "last_inbound_at"):
        theirs_at, mine_at = getattr(old, when), getattr(keep, when)
        if theirs_at is not None and (mine_at is None or theirs_at > mine_at):
            setattr(keep, when, theirs_at)
    keep.language = keep.language or old.language
    keep.announcements_opted_out = keep.announcements_opted_out or old.announcements_opted_out
    keep.opted_out_at = keep.opted_out_at or old.opted_out_at
    keep.code_failures = max(keep.code_failures, old.code_failures)
    old_id = old.id
    session.expunge(old)
    await session.execute(delete(ChannelIdentity).where(ChannelIdentity.id == old_id))
