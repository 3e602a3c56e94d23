"""WhatsApp as an outbox sender: the dispatcher hands it one row, it answers what happened.

Inside her 24-hour window (her last message, `ChannelIdentity.last_inbound_at`, less a
margin for the time a send takes) a row goes as a normal message, rendered exactly like a
direct reply. Outside it, or when Meta refuses it as outside (131047), or when a status
webhook said so earlier (the row's ``as_template``), it goes as the approved template of
its kind (`whatsapp_templates`), with quick-reply buttons carrying the row's choices; a
kind without one waits for her next message (`OutsideWindow(wait=…)`: her message makes
the row due at once). Meta's errors become delivery results (`whatsapp_api.meaning`).

Pace: the dispatcher keeps two proactive messages to one chat at least
`PER_CHAT_INTERVAL` apart (Meta's pair rate limit is about one each 6 s) and the channel to
`WHATSAPP_SEND_RATE`; in `run` the budget is shared with direct replies, replies first.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from functools import partial

import httpx
from pywa_async.errors import WhatsAppError

from bot.channels.budget import OUTBOX, SendBudget
from bot.channels.whatsapp_api import (
    REENGAGEMENT,
    WAIT_FOR_HER,
    WaApi,
    error_result,
    recipient,
)
from bot.channels.whatsapp_render import CHANNEL, Outgoing, render
from bot.channels.whatsapp_templates import Template, fill
from handlers.core.delivery import (
    AS_TEMPLATE,
    Failed,
    OutsideWindow,
    SendResult,
    Sent,
    UnknownKind,
    render_outbox,
)
from handlers.core.delivery import RetryAfter as RetryLater
from handlers.core.i18n import normalize_language, t
from handlers.core.types import Reply
from handlers.voice.notes import VoiceNotes, screen_of
from models import utcnow
from models.outbox.tables import VOICE, OutboxMessage
from models.people.tables import ChannelIdentity

log = logging.getLogger(__name__)

PER_CHAT_INTERVAL = 6.0
WINDOW = timedelta(hours=24)
# A free-form message is sent only this far inside the window (a send takes a moment;
# one refused anyway goes again as its template).
WINDOW_MARGIN = timedelta(minutes=5)
REQUEST_TIMEOUT = 15.0
BUDGET_WAIT = 10.0
BUDGET_BACKOFF = 1.0
# A row's voice note ("Selalu kirim suara") may take this long to make, well within the
# lease; longer, and the row goes as text only.
VOICE_TIMEOUT = 20.0


def in_window(last_inbound_at: datetime | None, now: datetime) -> bool:
    return last_inbound_at is not None and now < last_inbound_at + WINDOW - WINDOW_MARGIN


class WhatsAppSender:
    """`handlers.core.delivery.Sender` for WhatsApp, on the channel's `WaApi`."""

    channel = CHANNEL

    def __init__(
        self,
        api: WaApi,
        *,
        max_rate: float,
        registry: dict[str, Template],
        default_language: str | None = None,
        per_chat_interval: float = PER_CHAT_INTERVAL,
        request_timeout: float = REQUEST_TIMEOUT,
        budget: SendBudget | None = None,
        budget_wait: float = BUDGET_WAIT,
        piece_gap: float = 1.0,
        voice: VoiceNotes | None = None,
    ) -> None:
        self.api = api
        # Makes the voice note of a row marked for one (none without it).
        self.voice = voice
        self.piece_gap = piece_gap
        self.max_rate = max_rate
        self.registry = registry
        self.default_language = default_language
        self.per_chat_interval = per_chat_interval
        self.request_timeout = request_timeout
        self.budget = budget
        self.budget_wait = budget_wait

    async def send(self, identity: ChannelIdentity, row: OutboxMessage) -> SendResult:
        lang = normalize_language(
            row.params.get("lang") or identity.language or self.default_language
        )
        to = recipient(identity.external_id, identity.external_alias)
        if in_window(identity.last_inbound_at, utcnow()) and not row.params.get(AS_TEMPLATE):
            try:
                reply = render_outbox(row, lang)
                pieces = render(reply, lang)
            except UnknownKind:
                return Failed("unknown_kind")
            first: str | None = None
            for n, piece in enumerate(pieces):
                if n:  # a text after a photo: a second message to her, a moment later
                    await asyncio.sleep(self.piece_gap)
                result = await self._call(identity.external_id, partial(self.api.send, to, piece))
                if isinstance(result, WhatsAppError) and result.code == REENGAGEMENT and n == 0:
                    break  # her window closed after all: the template instead
                if not isinstance(result, str):
                    return self._result(row, result)
                first = first or result
            else:
                assert first is not None
                if row.params.get(VOICE) and self.voice is not None:
                    await self._send_voice(identity, row, to, reply, lang)
                return Sent(first)
        # Outside her window only a template goes: no voice note with it.
        return await self._send_template(identity, row, to)

    async def _send_voice(
        self, identity: ChannelIdentity, row: OutboxMessage, to: dict[str, str | None],
        reply: Reply, lang: str,
    ) -> None:  # fmt: skip
        """The row's voice note after its text, as audio ("Selalu kirim suara"). The text
        went: a voice that fails is only logged, the row stays sent."""
        assert self.voice is not None
        try:
            async with asyncio.timeout(VOICE_TIMEOUT):
                files = await self.voice.make([screen_of(reply)], lang, date.today())
        except Exception as exc:  # no voice (stuck, failed, nothing to say): the text went
            log.info("whatsapp voice of row %d not made: %s", row.id, exc.__class__.__name__)
            return
        for file in files:
            await asyncio.sleep(self.piece_gap)
            audio = Outgoing("audio", {}, file.path)
            result = await self._call(identity.external_id, partial(self.api.send, to, audio))
            if not isinstance(result, str):
                log.info("whatsapp voice of row %d not sent: %s", row.id, type(result).__name__)
                return

    async def _send_template(
        self, identity: ChannelIdentity, row: OutboxMessage, to: dict[str, str | None]
    ) -> SendResult:
        template = self.registry.get(row.kind)
        if template is None:
            return OutsideWindow(wait=WAIT_FOR_HER)
        # The template's own language, whatever the chat's: its text is fixed at Meta.
        tl = normalize_language(template.language)
        name = row.params.get("for_name")
        whom = t(tl, "wa.tpl_for_named", name=name) if name else t(tl, "wa.tpl_for_self")
        named = t(tl, "outbox.for_member", name=name) if name else None
        values = fill(template, row.params, whom, named)
        choices = [str(c["id"]) for c in row.params.get("choices", ())]
        payloads = [
            choices[i] if i < len(choices) else label for i, label in enumerate(template.buttons)
        ]
        result = await self._call(
            identity.external_id, lambda: self.api.send_template(to, template, values, payloads)
        )
        return Sent(result) if isinstance(result, str) else self._result(row, result)

    async def _call(
        self, chat: str, call: Callable[[], Awaitable[str]]
    ) -> str | Exception | RetryLater:
        """One Graph API call within the budget and the time limit: its message id, the
        error it raised, or a RetryAfter when the shared budget had no slot in time."""
        if self.budget is not None:
            try:
                async with asyncio.timeout(self.budget_wait):
                    await self.budget.take(chat, OUTBOX)
            except TimeoutError:
                return RetryLater(BUDGET_BACKOFF, whole_channel=True)
        try:
            async with asyncio.timeout(self.request_timeout):
                return await call()
        except (WhatsAppError, httpx.HTTPError, TimeoutError, OSError, KeyError) as exc:
            return exc

    def _result(self, row: OutboxMessage, failure: Exception | RetryLater) -> SendResult:
        if isinstance(failure, RetryLater):
            return failure
        if isinstance(failure, OSError) and not isinstance(failure, TimeoutError):
            return Failed("media_missing")  # the photo's file is gone
        if isinstance(failure, KeyError):
            return Failed("bad_answer", retryable=True)
        result = error_result(failure)
        code = failure.code if isinstance(failure, WhatsAppError) else None
        log.info("whatsapp send of row %d: %s (code %s)", row.id, type(result).__name__, code)
        return result
