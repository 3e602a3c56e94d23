"""The channel-neutral delivery vocabulary: what a channel's sender offers the outbox
dispatcher, what a send can answer, and how an outbox row reads as a `Reply`.

A channel renders a row from its kind and parameters itself (as text and buttons here, or
later as a WhatsApp template), so the outbox never stores text rendered for one platform.
The result types are defined in `models.outbox.delivery` (the layer that applies them) and are
re-exported here so that channels import everything about delivery from one place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.core.i18n import FALLBACK, catalog, normalize_language, t
from handlers.core.types import Choice, Reply, action
from models.base import transaction, utcnow
from models.outbox.delivery import (
    AS_TEMPLATE,
    Blocked,
    Delivered,
    Failed,
    OptedOut,
    OutsideWindow,
    Read,
    RetryAfter,
    SendResult,
    Sent,
    StatusReport,
)
from models.outbox.tables import VOICE, OutboxMessage, QuietHours, finish_row, skip_reason
from models.people.tables import ChannelIdentity, Member

__all__ = [
    "AS_TEMPLATE",
    "Blocked",
    "Delivered",
    "Failed",
    "OptedOut",
    "OutsideWindow",
    "Read",
    "RetryAfter",
    "SendResult",
    "Sender",
    "Sent",
    "StatusReport",
    "UnknownKind",
    "render_outbox",
]

# Parameters that steer rendering rather than fill the message text.
_CONTROL_PARAMS = frozenset({"lang", "choices", "for_name", AS_TEMPLATE, VOICE})
# "🔊 Dengarkan" under a delivered message (handlers/voice): "a:vc.listen:o<row id>".
LISTEN_ACTION = "vc.listen"


class Sender(Protocol):
    """What a channel gives the dispatcher. Limits are for outbox traffic only, so direct
    replies to people writing in keep some headroom under the platform's own limit."""

    channel: str
    # Messages per second, paced evenly (no bursts).
    max_rate: float
    # Seconds between two messages to the same chat.
    per_chat_interval: float

    async def send(self, identity: ChannelIdentity, row: OutboxMessage) -> SendResult:
        """Deliver one row; platform errors come back as results, not exceptions."""
        ...


class UnknownKind(ValueError):
    """The catalog has no text for this outbox kind."""


def render_outbox(row: OutboxMessage, lang: str | None = None) -> Reply:
    """The row as text (+ buttons, + photo) in the chat's language.

    The text of kind ``k`` is catalog message ``outbox.k`` filled with the row's
    parameters; an announcement's parameter ``text`` is the admin's own words, inserted
    as typed under a short header. Buttons come from ``params["choices"]``: a list of
    ``{"id": "a:…", "key": "<catalog key>"}`` (or ``"label"`` for a literal label).
    """
    language = normalize_language(lang or row.params.get("lang"))
    values = {k: v for k, v in row.params.items() if k not in _CONTROL_PARAMS}
    key = f"outbox.{row.kind}"
    if key not in catalog(FALLBACK):
        raise UnknownKind(row.kind)
    text = t(language, key, **values)
    if row.params.get("for_name"):
        # A chat that serves several mothers: say first whom this is about.
        text = t(language, "outbox.for_member", name=row.params["for_name"]) + "\n" + text
    choices = tuple(_choice(c, language) for c in row.params.get("choices", ()))
    photo = Path(row.media_path) if row.media_path else None
    listen = Choice(action(LISTEN_ACTION, f"o{row.id}"), t(language, "voice.listen"))
    return Reply(text=text, choices=choices, photo=photo, listen=listen)


def _choice(spec: dict[str, Any], lang: str) -> Choice:
    label = t(lang, spec["key"]) if "key" in spec else str(spec["label"])
    return Choice(id=str(spec["id"]), label=label)


async def take_due(
    sessions: async_sessionmaker[AsyncSession],
    channel: str,
    external_id: str,
    *,
    quiet_hours: QuietHours | None = None,
) -> list[Reply]:
    """The due queued rows of one chat, rendered in its language and marked sent, by the
    dispatcher's rules: during quiet hours the rows that respect them (announcements)
    stay queued; rows for a blocked or opted-out chat or an erased member are skipped."""
    now = utcnow()
    stmt = (
        select(OutboxMessage, ChannelIdentity, Member.erased_at)
        .join(ChannelIdentity, ChannelIdentity.id == OutboxMessage.identity_id)
        .outerjoin(Member, Member.id == OutboxMessage.member_id)
        .where(
            OutboxMessage.channel == channel,
            ChannelIdentity.external_id == external_id,
            OutboxMessage.status == "queued",
            OutboxMessage.not_before <= now,
        )
        .order_by(OutboxMessage.priority.desc(), OutboxMessage.id)
    )
    if quiet_hours is not None and quiet_hours.active(now):
        stmt = stmt.where(OutboxMessage.respects_quiet_hours.is_(False))
    async with transaction(sessions) as session:
        replies = []
        for row, identity, erased_at in await session.execute(stmt):
            reason = skip_reason(row, identity, erased_at, now)
            if reason is not None:
                finish_row(row, "skipped", reason)
                continue
            replies.append(render_outbox(row, identity.language))
            finish_row(row, "sent", None)
            row.sent_at = now
        return replies
