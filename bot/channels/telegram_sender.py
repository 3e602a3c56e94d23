"""Telegram as an outbox sender: the dispatcher hands it one row, it answers what happened.

A row is rendered exactly like a direct reply (`render_outbox`, then `telegram_render.render`),
so captions, splitting and keyboards match what a mother sees when she writes in herself.
Every platform error comes back as a `SendResult`; reasons are short codes (``timeout``,
``http_502``, ``chat_not_found``…), never Telegram's message text or anything personal.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, timedelta
from http import HTTPStatus

from telegram import Bot, Message
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.channels.budget import OUTBOX, SendBudget

# Importing the channel also opts PTB into timedelta periods (PTB_TIMEDELTA), as there.
from bot.channels.telegram import QUIET_LOGGERS, http_request
from bot.channels.telegram_render import CHANNEL, Outgoing, render
from handlers.core.delivery import (
    Blocked,
    Failed,
    SendResult,
    Sent,
    UnknownKind,
    render_outbox,
)
from handlers.core.delivery import RetryAfter as RetryLater
from handlers.core.types import Reply
from handlers.voice.notes import VoiceNotes, screen_of
from models.outbox.tables import VOICE, OutboxMessage
from models.people.tables import ChannelIdentity

log = logging.getLogger(__name__)

# Outbox traffic keeps two sends to one chat this far apart (Telegram: about 1 msg/s).
PER_CHAT_INTERVAL = 1.0
# Seconds one Bot API call may take before it counts as a (retryable) timeout. Well under
# the dispatcher's lease (60 s), so a slow call is answered before its row can be claimed
# again and sent twice.
REQUEST_TIMEOUT = 15.0
# How long a row may wait for a slot of a budget shared with replies (people writing in
# take every slot): then it goes back to the queue and the channel pauses a moment,
# well before its lease could run out and it be claimed again.
BUDGET_WAIT = 10.0
BUDGET_BACKOFF = 1.0
# The worker's own Bot: enough pooled connections for every send in flight (at 30/s and
# 1 s of latency about 30); PTB's default pool of one would serialise them.
CONNECTION_POOL = 64
# A row's voice note ("Selalu kirim suara") may take this long to make, well within the
# lease; longer, and the row goes as text only.
VOICE_TIMEOUT = 20.0

# BadRequest descriptions we recognise, as the short code kept in the row's last_error.
_BAD_REQUEST_CODES = (
    ("chat not found", "chat_not_found"),
    ("user not found", "chat_not_found"),
    ("message is too long", "too_long"),
    ("can't parse entities", "bad_entities"),
    ("wrong file identifier", "bad_media"),
    ("photo_invalid", "bad_media"),
    ("image_process_failed", "bad_media"),
    ("wrong type of the web page content", "bad_media"),
    ("there is no photo", "bad_media"),
    ("message text is empty", "empty_text"),
    ("button_data_invalid", "bad_buttons"),
    ("reply markup", "bad_buttons"),
)
_STATUS_BY_PHRASE = {status.phrase.casefold(): status.value for status in HTTPStatus}


def make_bot(token: str, *, base_url: str, base_file_url: str) -> Bot:
    """A Bot for a process that sends outbox rows without running the channel (the worker)."""
    for name in QUIET_LOGGERS:  # httpx would log URLs holding the token
        logging.getLogger(name).setLevel(logging.WARNING)
    request = http_request(CONNECTION_POOL)
    return Bot(token, base_url=base_url, base_file_url=base_file_url, request=request)


class TelegramSender:
    """`handlers.core.delivery.Sender` for Telegram, on a python-telegram-bot `Bot`."""

    channel = CHANNEL

    def __init__(
        self,
        bot: Bot,
        *,
        max_rate: float,
        per_chat_interval: float = PER_CHAT_INTERVAL,
        default_language: str | None = None,
        request_timeout: float = REQUEST_TIMEOUT,
        budget: SendBudget | None = None,
        budget_wait: float = BUDGET_WAIT,
        voice: VoiceNotes | None = None,
    ) -> None:
        self.bot = bot
        # The channel's budget when the process also answers chats; the dispatcher's
        # own pace (max_rate, per_chat_interval) applies in any case.
        self.budget = budget
        self.budget_wait = budget_wait
        self.max_rate = max_rate
        self.per_chat_interval = per_chat_interval
        self.default_language = default_language
        self.request_timeout = request_timeout
        # Makes the voice note of a row marked for one (none without it).
        self.voice = voice

    async def send(self, identity: ChannelIdentity, row: OutboxMessage) -> SendResult:
        lang = row.params.get("lang") or identity.language or self.default_language
        try:
            reply = render_outbox(row, lang)
            pieces = render(reply)
        except UnknownKind:
            return Failed("unknown_kind")
        try:
            chat_id = int(identity.external_id)
        except ValueError:
            return Failed("bad_chat_id")
        first: str | None = None
        for n, piece in enumerate(pieces):
            if n:
                # A long text after a photo is a second message to the same chat: keep it
                # a per-chat interval behind the first. Should it fail, the row is sent
                # again from its first piece: a duplicate rather than a half message.
                await asyncio.sleep(self.per_chat_interval)
            media = piece.photo or piece.document
            try:
                content = await asyncio.to_thread(media.read_bytes) if media else None
            except OSError:
                return Failed("media_missing")
            if self.budget is not None:
                try:
                    async with asyncio.timeout(self.budget_wait):
                        await self.budget.take(chat_id, OUTBOX)
                except TimeoutError:
                    return RetryLater(BUDGET_BACKOFF, whole_channel=True)
            try:
                # A hard cap over PTB's connect, write, read and pool timeouts together.
                async with asyncio.timeout(self.request_timeout):
                    message = await self._call(chat_id, piece, content)
            except TimeoutError:
                return Failed("timeout", retryable=True)
            except TelegramError as exc:
                result = error_result(exc)
                log.info("telegram send of row %d: %s", row.id, _describe(result))
                return result
            first = first or str(message.message_id)
        assert first is not None  # render() gives at least one piece
        if row.params.get(VOICE) and self.voice is not None:
            await self._send_voice(chat_id, row, reply, lang or "id")
        return Sent(provider_message_id=first)

    async def _send_voice(self, chat_id: int, row: OutboxMessage, reply: Reply, lang: str) -> None:
        """The row's voice note after its text ("Selalu kirim suara"). The text went: a
        voice that fails is only logged, the row stays sent."""
        assert self.voice is not None
        try:
            async with asyncio.timeout(VOICE_TIMEOUT):
                files = await self.voice.make([screen_of(reply)], lang, date.today())
        except Exception as exc:  # no voice (stuck, failed, nothing to say): the text went
            log.info("telegram voice of row %d not made: %s", row.id, exc.__class__.__name__)
            return
        for file in files:
            await asyncio.sleep(self.per_chat_interval)
            try:
                content = await asyncio.to_thread(file.path.read_bytes)
                if self.budget is not None:
                    async with asyncio.timeout(self.budget_wait):
                        await self.budget.take(chat_id, OUTBOX)
                async with asyncio.timeout(self.request_timeout):
                    await self.bot.send_voice(chat_id, content)
            except (OSError, TimeoutError, TelegramError) as exc:
                log.info("telegram voice of row %d not sent: %s", row.id, exc.__class__.__name__)
                return

    async def _call(self, chat_id: int, piece: Outgoing, content: bytes | None) -> Message:
        if content is None:
            return await self.bot.send_message(chat_id, piece.text, reply_markup=piece.markup)
        if piece.photo is not None:
            return await self.bot.send_photo(
                chat_id, content, caption=piece.text or None, reply_markup=piece.markup
            )
        return await self.bot.send_document(
            chat_id,
            content,
            filename=piece.document_name,
            caption=piece.text or None,
            reply_markup=piece.markup,
        )


def error_result(exc: TelegramError) -> SendResult:
    """Map a python-telegram-bot error to a delivery result with a short reason code."""
    if isinstance(exc, RetryAfter):
        # Telegram's flood wait applies to the bot as a whole, not to one chat.
        return RetryLater(_seconds(exc.retry_after), whole_channel=True)
    if isinstance(exc, Forbidden):  # blocked, kicked, or the account was deactivated
        return Blocked()
    if isinstance(exc, BadRequest):  # a NetworkError subclass in PTB: test it first
        return Failed(_bad_request_code(exc.message), retryable=False)
    if isinstance(exc, TimedOut):
        return Failed("timeout", retryable=True)
    if isinstance(exc, NetworkError):
        return Failed(_network_code(exc.message), retryable=True)
    if isinstance(exc, ChatMigrated):
        return Failed("chat_migrated", retryable=False)
    if isinstance(exc, InvalidToken):
        # A configuration problem, not the row's: retried (with backoff) so a token fixed
        # soon loses nothing.
        log.error("telegram refused the bot token; check TELEGRAM_BOT_TOKEN")
        return Failed("unauthorized", retryable=True)
    return Failed("telegram_error", retryable=True)


def _describe(result: SendResult) -> str:
    return f"failed:{result.reason}" if isinstance(result, Failed) else type(result).__name__


def _seconds(value: float | timedelta) -> float:
    # PTB 22 gives retry_after as int seconds, or as a timedelta with PTB_TIMEDELTA set.
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _bad_request_code(message: str) -> str:
    text = message.casefold()
    return next((code for phrase, code in _BAD_REQUEST_CODES if phrase in text), "bad_request")


def _network_code(message: str) -> str:
    """``http_<status>`` for a server error, else ``network`` (connection trouble)."""
    # PTB words an HTTP error as Telegram's description, or "<phrase> (<code>)" without one.
    text = message.strip().casefold()
    if text.endswith(")") and "(" in text:
        code = text[text.rfind("(") + 1 : -1]
        if code.isdigit():
            return f"http_{code}"
    status = _STATUS_BY_PHRASE.get(text)
    return f"http_{status}" if status is not None else "network"
