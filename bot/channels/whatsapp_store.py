"""What a WhatsApp webhook body tells, written in the transaction that stores it (before
Meta gets its 200): each sender's chat found or made (`models.people.aliases`), her last
inbound time, outbox rows that waited for her next message made due, the messages as inbox
rows (in her order by their ``timestamp``, to the second), and delivery statuses applied
to their outbox rows (read from the raw body, since a failed status may come without
``contacts``)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.whatsapp_api import meaning
from bot.channels.whatsapp_render import CHANNEL, WaMessage, WaStatus, to_incoming
from bot.channels.whatsapp_templates import Template
from handlers.core.delivery import Blocked, Delivered, Read, StatusReport
from models import inbox, utcnow
from models.outbox.delivery import apply_status_callback, release_waiting
from models.outbox.tables import OutboxMessage, mark_unreachable
from models.people.aliases import resolve_chat
from models.people.tables import ChannelIdentity

log = logging.getLogger(__name__)


async def store_body(
    session: AsyncSession,
    messages: list[WaMessage],
    statuses: list[WaStatus],
    *,
    registry: dict[str, Template],
    chats: dict[str, str],
    renamed: dict[str, str],
    lease: inbox.Lease | None = None,
) -> None:
    """Fills `chats` (message key -> the chat's key now) and `renamed` (an old key of a
    chat -> its key now, for work already queued under the old one)."""
    now = utcnow()
    arrivals: list[inbox.Arrival] = []
    identities: list[int] = []
    for message in messages:
        if message.chat is None:
            log.warning("a whatsapp message names no sender; ignored")
            continue
        found = await resolve_chat(
            session, CHANNEL, message.user_id, message.wa_id, inbound_at=min(message.at, now)
        )
        for old in (*found.merged, message.wa_id):
            if old and old != found.chat:
                renamed[old] = found.chat
        chats[message.key] = found.chat
        identities.append(found.identity_id)
        # Her order (`models.inbox.settle`): when Meta's server took the message, to the
        # second (never ahead of our clock: a row "from the future" would make her next
        # messages look late). Two in one second are not ordered against each other. What
        # needs no answer (a reaction) is done at once, out of her queue: no place in it,
        # or the messages still waiting there would look late.
        payload = {**message.stored, "chat": found.chat}
        answered = to_incoming(payload, found.chat) is not None
        seq = int(min(message.at, now).timestamp()) if answered else None
        arrivals.append(inbox.Arrival(message.key, found.chat, payload, seq))
    await release_waiting(session, identities, now)
    await inbox.store(session, CHANNEL, arrivals, lease)
    for status in statuses:
        await _apply_status(session, status, registry, now)


async def _apply_status(
    session: AsyncSession, status: WaStatus, registry: dict[str, Template], now: datetime
) -> None:
    report: StatusReport
    if status.status == "delivered":
        report = Delivered()
    elif status.status == "read":
        report = Read()
    elif status.status == "failed":
        kind = await session.scalar(
            select(OutboxMessage.kind).where(
                OutboxMessage.channel == CHANNEL,
                OutboxMessage.provider_message_id == status.message_id,
            )
        )
        report = meaning(status.error_code, has_template=kind in registry)
        log.info("whatsapp reported a failed delivery (code %s)", status.error_code)
        if kind is None:
            await _failed_reply(session, status, report, now)
            return
    else:
        return  # sent, played, deleted: nothing to record
    await apply_status_callback(session, CHANNEL, status.message_id, report, now=now)


async def _failed_reply(
    session: AsyncSession, status: WaStatus, report: StatusReport, now: datetime
) -> None:
    """A direct reply failed: only an undeliverable chat matters (it blocked us)."""
    ids = [i for i in (status.user_id, status.wa_id) if i]
    if not isinstance(report, Blocked) or not ids:
        return
    identity_id = await session.scalar(
        select(ChannelIdentity.id).where(
            ChannelIdentity.channel == CHANNEL,
            or_(ChannelIdentity.external_id.in_(ids), ChannelIdentity.external_alias.in_(ids)),
        )
    )
    if identity_id is not None:
        await mark_unreachable(session, identity_id, now)
