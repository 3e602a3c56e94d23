"""Erasure that really erases (UU PDP): after "Hapus data saya" (or her kader's "Hapus data
ibu ini") nothing links the anonymous row that stays (for the counts) to her.

In the caller's transaction:

- her member row loses name, RT/RW, Dasa Wisma, phone and choices (`erase_member`);
- the outbox rows about her are unlinked (no member) and lose their parameters (the texts,
  her name in them), a media file and the platform's message id; queued ones are skipped;
  rows about others whose texts name her (a kader's notice) lose their texts too, once sent,
  and so do announcements that went out naming her;
- the chats that served her alone are deleted (her Telegram or WhatsApp id goes with them;
  their outbox rows stay, anonymous); a household phone serving another member stays.
  Nothing is sent to a deleted chat: no member is reached through it any more, and should
  she write again she is a new chat that has to register first;
- the inbox of a deleted chat is emptied (the rows of handled updates go; the update being
  handled now loses its chat, and its row goes after the commit: `forget_update`), and
  replies still stored that name her are dropped;
- other chats' screens that show her name are forgotten (their next message starts afresh);
- the audit log no longer names her chat: entries she made or that are about her name a
  member row only (`member:<id>`: hers, anonymous now, or the kader who acted), so the
  register entry cannot be tied to a chat.

After the commit the caller deletes the voice notes (`models.voice.store.prune`: a voice
note is named by a hash of its text, so which ones named her cannot be told; they are a
cache, made again when asked) and, on SQLite, checkpoints the WAL (`checkpoint_wal`) so
the old versions of the pages that held her data leave the -wal file; `secure_delete` (set
on every SQLite connection) has zeroed them in the database file itself.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, case, cast, delete, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from models.audit import AuditEntry
from models.base import changed
from models.conversation import ConversationState
from models.inbox import ANSWERED, DONE, NEW, InboxMessage
from models.outbox.broadcasts import Broadcast
from models.outbox.tables import ERASED, PENDING, OutboxMessage, skip_queued
from models.people.members import erase_member
from models.people.rules import format_phone
from models.people.tables import ChannelIdentity, IdentityMember, Member

log = logging.getLogger(__name__)


@dataclass
class Forgotten:
    """What an erasure removed besides her member row (ids only, for tests and logs)."""

    deleted_chats: list[int] = field(default_factory=list)
    kept_chats: list[int] = field(default_factory=list)
    outbox_rows: int = 0


def needles(member: Member) -> list[str]:
    """The strings that name her: her name (as typed and as JSON escapes it) and her phone
    (E.164, its national digits, and as shown: 0812-3456-7890 without the 0)."""
    found: set[str] = set()
    name = (member.full_name or "").strip()
    if len(name) >= 3:
        found.add(name)
        found.add(json.dumps(name)[1:-1])
    phone = member.phone_e164 or ""
    if phone:
        found.add(phone)
        if phone.startswith("+62"):
            found.add(phone[3:])
        shown = format_phone(phone)
        if shown and shown != "-":
            found.add(shown.lstrip("0"))
    return sorted(s for s in found if s)


def _naming(column: InstrumentedAttribute[Any], words: list[str]) -> ColumnElement[bool]:
    """The JSON column's text contains one of the words (any case)."""
    as_text = cast(column, String)
    escaped = [w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for w in words]
    return or_(*(as_text.ilike(f"%{w}%", escape="\\") for w in escaped))


def _anonymous_actor(member_id: int) -> ColumnElement[str]:
    """`member:<id>` of whoever acted (a kader who registered her stays named), else hers."""
    acted = AuditEntry.actor_member_id
    return case(
        (acted.is_not(None), literal("member:") + cast(acted, String)),
        else_=literal(f"member:{member_id}"),
    )


async def forget_member(
    session: AsyncSession,
    member: Member,
    *,
    actor: str | None = None,
    current_identity: ChannelIdentity | None = None,
    current_update_key: str | None = None,
) -> Forgotten:
    """Erase her as described above. `current_identity` and `current_update_key`: the chat
    and the update being handled now (its inbox row is settled after this, by the engine);
    the chat's own conversation state is saved by the engine too, so it is left alone here."""
    forgotten = Forgotten()
    words = needles(member)
    identities = list(
        await session.scalars(
            select(ChannelIdentity)
            .join(IdentityMember, IdentityMember.identity_id == ChannelIdentity.id)
            .where(IdentityMember.member_id == member.id)
        )
    )
    actors = [f"{i.channel}-identity:{i.id}" for i in identities]
    if current_identity is not None:
        actors.append(f"{current_identity.channel}-identity:{current_identity.id}")

    # The outbox: nothing more goes out about her; what went out no longer says who.
    await skip_queued(session, ERASED, member_id=member.id)
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.member_id == member.id)
        .values(member_id=None, params={}, media_path=None, provider_message_id=None)
        .execution_options(synchronize_session=False)
    )
    forgotten.outbox_rows = changed(result)
    if words:
        # Sent to someone else but naming her (a notice to her kader): the text goes. A row
        # still to be sent to another person is left to go (the retention period takes it).
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status.not_in(PENDING), _naming(OutboxMessage.params, words))
            .values(params={}, media_path=None)
            .execution_options(synchronize_session=False)
        )
        # An announcement that went out naming her (its text is the admin's): the text goes.
        await session.execute(
            update(Broadcast)
            .where(Broadcast.status.in_(("sent", "cancelled")), _naming(Broadcast.text, words))
            .values(text="")
            .execution_options(synchronize_session=False)
        )

    # The audit log: what she did, or what was done about her, names her anonymous row only.
    mine = or_(
        AuditEntry.actor_member_id == member.id,
        (AuditEntry.object_type == "member") & (AuditEntry.object_id == str(member.id)),
    )
    if actors:
        await session.execute(
            update(AuditEntry)
            .where(AuditEntry.actor.in_(actors), mine)
            .values(actor=_anonymous_actor(member.id))
            .execution_options(synchronize_session=False)
        )

    await erase_member(session, member, actor=actor)
    member.voice_always = False
    member.preferred_channel = None
    member.last_active_at = None

    # Her chats: deleted when they serve nobody else now.
    for identity in identities:
        others = await session.scalar(
            select(IdentityMember.member_id).where(IdentityMember.identity_id == identity.id)
        )
        if others is not None:
            forgotten.kept_chats.append(identity.id)
            continue
        await _empty_inbox(session, identity, current_update_key)
        forgotten.deleted_chats.append(identity.id)
        await session.delete(identity)
    await session.flush()

    if words:
        # Replies stored to be sent (after a crash) that name her are not sent any more.
        await session.execute(
            update(InboxMessage)
            .where(InboxMessage.status == ANSWERED, _naming(InboxMessage.payload, words))
            .values(status=DONE, payload=None)
            .execution_options(synchronize_session=False)
        )
        # Other chats' screens that show her (a kader's list): forgotten. The chat being
        # handled now is saved by the engine after this, from its own state.
        states = select(ConversationState.identity_id).where(
            or_(_naming(ConversationState.data, words), _naming(ConversationState.offered, words))
        )
        if current_identity is not None:
            states = states.where(ConversationState.identity_id != current_identity.id)
        stale = list(await session.scalars(states))
        if stale:
            await session.execute(
                update(ConversationState)
                .where(ConversationState.identity_id.in_(stale))
                .values(flow=None, step=None, data={}, offered={})
                .execution_options(synchronize_session=False)
            )
    return forgotten


async def _empty_inbox(
    session: AsyncSession, identity: ChannelIdentity, current_key: str | None
) -> None:
    """A deleted chat's inbox rows go (handled updates keep only their keys and chat, to
    catch a redelivery; after an erasure the chat is forgotten instead). Updates not yet
    handled stay, to be handled as from a new chat; the one handled now loses its chat."""
    chats = [identity.external_id] + ([identity.external_alias] if identity.external_alias else [])
    m = InboxMessage
    mine = (m.channel == identity.channel) & m.chat.in_(chats)
    await session.execute(
        delete(m).where(mine, m.status != NEW).execution_options(synchronize_session=False)
    )
    if current_key is not None:
        await session.execute(
            update(m)
            .where(m.channel == identity.channel, m.update_key == current_key)
            .values(chat=None)
            .execution_options(synchronize_session=False)
        )


async def forget_update(engine: AsyncEngine, channel: str, key: str) -> None:
    """After the commit, when her chat was deleted: the inbox row of the update that erased
    her goes too (its key may hold her number: a WhatsApp message id encodes it). Its
    replies are then not sent again after a crash (a goodbye only)."""
    async with AsyncSession(engine) as session, session.begin():
        m = InboxMessage
        await session.execute(
            delete(m).where(m.channel == channel, m.update_key == key, m.status != NEW)
        )


async def checkpoint_wal(engine: AsyncEngine) -> bool:
    """On SQLite, copy the WAL into the database and truncate it to nothing, so the old
    page versions (which held what was erased) are gone from the -wal file. Waits for
    readers and writers (the busy timeout). True when the WAL is empty now (always on
    PostgreSQL, which has no such file of ours)."""
    if engine.dialect.name != "sqlite":
        return True
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        cursor = await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        row = await cursor.fetchone()
        await cursor.close()
    busy = bool(row and row[0])
    if busy:
        log.warning("WAL checkpoint after an erasure was blocked; the next one completes it")
    return not busy
