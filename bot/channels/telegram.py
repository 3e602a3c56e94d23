"""Telegram channel on python-telegram-bot 22: long polling or webhook updates in,
replies out. It only translates; every decision is made by the handlers.

Updates from different chats run concurrently (PTB's concurrent updates); the engine's
per-chat lock keeps one chat's updates in arrival order. PTB's handler only puts an update
in its chat's queue; a task per chat handles them in order (holding one of `concurrency`
handling slots while the engine works) and sends the replies holding no slot, so a chat
that floods, or waits out a RetryAfter, delays only itself. Replies go out within the
channel's send budget (`budget.SendBudget`), shared with the outbox sender of the same
process and ahead of it; one answer may come as up to 3 messages at once. A per-chat token bucket
(`FloodGate`) drops what comes too fast, with a note at most every 30 s, and caps her backlog.

Nothing acknowledged is lost: every update is stored in the inbox before Telegram is told
it arrived (polling: before the next getUpdates confirms the batch, see `InboxBot`;
webhook: before the request is answered), the replies are kept with her state change until
sent, and `recover` finishes at start what a crash left.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import httpx
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    LinkPreviewOptions,
    Update,
)
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import Application, ApplicationBuilder, ContextTypes, ExtBot, TypeHandler
from telegram.request import HTTPXRequest

from bot.channels.budget import REPLY, SendBudget
from bot.channels.chat_queues import ChatQueues
from bot.channels.inbox_keeper import BusyNotes, InboxKeeper, ReplyTries
from bot.channels.telegram_render import CHANNEL, Outgoing, render, storable, to_incoming
from bot.logsetup import redact
from bot.settings import ConfigError, Settings
from handlers.core.engine import Engine, unavailable
from handlers.core.flood import ADMIT, NOTICE, FloodGate
from handlers.core.i18n import t
from handlers.core.media import (
    MediaDownloadError,
    register_downloader,
    register_file_downloader,
    store_file,
    store_photo,
    unregister_downloader,
    unregister_file_downloader,
)
from handlers.core.types import STEP_PREFIX, Incoming, Media, Reply, reply_from_json
from models.inbox import ANSWERED, Arrival, Unfinished

log = logging.getLogger(__name__)

# PTB 22 announces that periods such as RetryAfter.retry_after become timedeltas; opt in now
# (we read both forms) instead of a deprecation warning on every flood wait.
os.environ.setdefault("PTB_TIMEDELTA", "1")
# PTB logs whole updates (names, phone numbers) and httpx logs URLs holding the bot token,
# both below WARNING: keep them there whatever the root level is.
QUIET_LOGGERS = ("telegram", "httpx", "httpcore", "hpack")

ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
SEND_ATTEMPTS = 4
# Messages of one chat waiting their turn, at most (with flood control on); more are dropped.
BACKLOG = 10
# At stop, how long the chats' work under way may take to finish (seconds).
STOP_WAIT = 10.0
MAX_RETRY_AFTER = 120.0
# How often the per-chat command menus follow role changes made in chat (a kader's
# invitation redeemed, a kader removed) or by another process.
COMMANDS_EVERY = 60.0
# A reply with Reply.no_preview (a one-time login link): no preview, which would open it.
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

COMMANDS = {
    "ibu": ["start", "menu", "bantuan", "bahasa", "batal"],
    "kader": ["start", "menu", "bantuan", "bahasa", "batal"],
    "admin": ["start", "menu", "bantuan", "bahasa", "batal"],
}


# Idle connections kept open to the Bot API at most. httpx looks at every idle connection
# (a poll of its socket) for each request: the hundreds a burst leaves behind cost more
# than the rest of sending a message, while Telegram's 30 a second need a few dozen.
KEEPALIVE = 64


def http_request(connections: int) -> HTTPXRequest:
    """python-telegram-bot's HTTP client with at most `connections` at once, and at most
    `KEEPALIVE` of them kept open when idle (PTB keeps every one it ever opened)."""
    limits = httpx.Limits(
        max_connections=connections, max_keepalive_connections=min(connections, KEEPALIVE)
    )
    return HTTPXRequest(connection_pool_size=connections, httpx_kwargs={"limits": limits})


def _seconds(value: float | timedelta) -> float:
    # PTB 22 gives retry_after as int seconds or as a timedelta (PTB_TIMEDELTA).
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def deep_link(username: str, code: str) -> str:
    return f"https://t.me/{username}?start={code}"


def arrival(update: Update, data: dict[str, Any]) -> Arrival:
    chat = update.effective_chat
    return Arrival(
        str(update.update_id), str(chat.id) if chat else None, storable(data), update.update_id
    )


@dataclass
class _Work:
    """One item of a chat's queue: an update to handle, or replies to send (kept ones
    after a crash, or the flood note)."""

    key: str
    update: Update | None = None
    incoming: Incoming | None = None
    replies: list[Reply] | None = None
    # When it was first found waiting for an earlier update of her chat (engine.NotYet).
    waiting_since: float | None = None
    # The replies are those kept in its inbox row (a crash left them unsent).
    kept: bool = False
    # Its tapped button's callback query was answered (Telegram takes one answer: not
    # again each time it comes round after waiting for an earlier update of her chat).
    answered: bool = False


class InboxBot(ExtBot[None]):
    """The bot of a polling channel: each batch getUpdates returns is stored in the inbox
    (one transaction) before the updater sees it, so before the next getUpdates moves the
    offset past it and Telegram forgets it. Should storing fail, the updater drops the
    batch unconfirmed and fetches it again."""

    def __init__(self, *args: Any, on_updates: Any, **kwargs: Any) -> None:
        self._on_updates = on_updates  # set before ExtBot freezes its attributes
        # The last getUpdates answer as Telegram sent it, by update_id: stored as it came
        # (no to_dict of every update parsed, a few percent of a message's CPU).
        self._raw: dict[Any, dict[str, Any]] = {}
        super().__init__(*args, **kwargs)

    async def _post(self, endpoint: str, *args: Any, **kwargs: Any) -> Any:
        result = await super()._post(endpoint, *args, **kwargs)
        if endpoint == "getUpdates" and isinstance(result, list):
            self._raw.clear()
            self._raw.update((u.get("update_id"), u) for u in result if isinstance(u, dict))
        return result

    async def send_text(
        self, chat_id: int, text: str, markup: Any = None, *, no_preview: bool = False
    ) -> None:
        """sendMessage without reading Telegram's answer back into a `Message` (some 180
        attributes set, a tenth of a reply's CPU): nothing reads the message sent. Errors
        come as `send_message` raises them (the same request stack)."""
        data: dict[str, Any] = {"chat_id": chat_id, "text": text, "reply_markup": markup}
        if no_preview:
            data["link_preview_options"] = NO_PREVIEW
        await self._post("sendMessage", data)

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        updates = await super().get_updates(*args, **kwargs)
        if updates:
            raw = dict(self._raw)
            self._raw.clear()
            await self._on_updates([(u, raw.get(u.update_id) or u.to_dict()) for u in updates])
        return updates


class TelegramChannel:
    def __init__(
        self,
        token: str,
        engine: Engine,
        *,
        base_url: str,
        base_file_url: str,
        polling: bool = True,
        concurrency: int = 64,
        flood: FloodGate | None = None,
        backlog: int = BACKLOG,
        budget: SendBudget | None = None,
    ) -> None:
        for name in QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
        self.engine = engine
        self.polling = polling
        self.concurrency = concurrency
        bot = InboxBot(
            token, base_url=base_url, base_file_url=base_file_url,
            request=http_request(256),
            get_updates_request=HTTPXRequest(connection_pool_size=1),
            on_updates=self._store_polled,
        )  # fmt: skip
        builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
            ApplicationBuilder().bot(bot).concurrent_updates(concurrency)
        )
        if not polling:
            builder = builder.updater(None)
        self.application: Application[Any, Any, Any, Any, Any, Any] = builder.build()
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.username: str | None = None
        # Per chat, the work waiting its turn (the backlog) and the task doing it.
        self.chats: ChatQueues[_Work] = ChatQueues(self._work, backlog=backlog, label=CHANNEL)
        self._slots = asyncio.Semaphore(concurrency)
        self.flood = flood or FloodGate(0, 0)
        # Shared with the outbox sender of this process (see `bot.service`).
        self.budget = budget or SendBudget()
        self.dropped = 0
        self.keeper = InboxKeeper(engine, CHANNEL)
        self._busy = BusyNotes()
        self._menus: dict[str, str] = {}  # chat -> the staff role whose menu it was given
        self._menus_task: asyncio.Task[None] | None = None

    @property
    def bot(self) -> Bot:
        bot: Bot = self.application.bot
        return bot

    @property
    def _bot(self) -> InboxBot:
        return cast(InboxBot, self.application.bot)

    async def _fetch(self, media: Media, max_bytes: int) -> bytes:
        """A file she sent, at most `max_bytes` (Bot API getFile: at most 20 MB)."""
        if media.size and media.size > max_bytes:
            raise MediaDownloadError("too_large")
        try:
            tg_file = await self.bot.get_file(media.file_ref)
            if tg_file.file_size and tg_file.file_size > max_bytes:
                raise MediaDownloadError("too_large")
            data = bytes(await tg_file.download_as_bytearray())
        except TelegramError as exc:
            log.warning("file download failed: %s", exc.__class__.__name__)
            raise MediaDownloadError("failed") from None
        if len(data) > max_bytes:
            raise MediaDownloadError("too_large")
        return data

    async def download(self, media: Media, folder: Path, *, max_bytes: int) -> Path:
        """Store a photo she sent (for an announcement) under a name from its content."""
        return await store_photo(await self._fetch(media, max_bytes), folder)

    async def download_file(self, media: Media, folder: Path, *, max_bytes: int) -> Path:
        """Store any file she sent (a spreadsheet to import); its reader checks the kind."""
        return await store_file(await self._fetch(media, max_bytes), folder)

    async def start(self, *, poll_timeout: int = 30) -> None:
        """Check the token (getMe), set the command menus and start taking updates. On
        failure everything started is stopped again and the error raised (see
        `start_refused` for saying it in one line)."""
        register_downloader(CHANNEL, self.download)
        register_file_downloader(CHANNEL, self.download_file)
        try:
            await self.application.initialize()
            self.username = self.bot.username
            await self.refresh_commands()
            self._menus_task = asyncio.create_task(self._follow_roles())
            await self.application.start()
            await self.recover()
            self.keeper.start(self._resume)
            if self.polling and self.application.updater is not None:
                await self.application.updater.start_polling(
                    poll_interval=0.0, timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES
                )
        except BaseException:
            await self.stop()
            # A failed initialize leaves the bot's connection pools open, and the
            # application's shutdown skips what it did not finish initialising.
            await self.bot.shutdown()
            raise

    async def stop(self) -> None:
        if self._menus_task is not None:
            self._menus_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._menus_task
            self._menus_task = None
        unregister_downloader(CHANNEL)
        unregister_file_downloader(CHANNEL)
        await self.keeper.stop(self.chats, STOP_WAIT)
        if self.application.updater is not None and self.application.updater.running:
            await self.application.updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

    async def set_webhook(self, url: str, secret: str) -> None:
        await self.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

    async def feed_webhook(self, data: dict[str, Any]) -> None:
        """An update posted to our webhook (its secret already checked); ValueError when
        it is not one python-telegram-bot can read (the web app answers 400)."""
        update_id = data.get("update_id")
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            raise ValueError("not a Telegram update: no update_id")
        try:
            update = Update.de_json(data, self.bot)
        except Exception:  # PTB raises KeyError, TypeError, … on a malformed object
            raise ValueError("not a Telegram update") from None
        # Stored before the web app answers 200 (requests arriving together share a commit).
        try:
            await self.engine.accept(CHANNEL, [arrival(update, data)])
        except Exception as exc:
            chat = update.effective_chat
            if not unavailable(exc) or chat is None:
                raise  # 500: Telegram sends it again later
            # The database cannot be reached: she is told to send it again, and the
            # update is dropped (a failed note raises: 500, Telegram sends it again).
            log.warning("database unreachable: update not stored (%s)", exc.__class__.__name__)
            if self._busy.due(str(chat.id)):
                busy = t(self.engine.default_language, "workers.busy")
                await self.bot.send_message(chat.id, busy)
            return
        await self.application.update_queue.put(update)

    async def _store_polled(self, updates: list[tuple[Update, dict[str, Any]]]) -> None:
        await self.engine.accept(CHANNEL, [arrival(u, data) for u, data in updates])

    async def refresh_commands(self) -> None:
        """Command menus per role: the default for everyone, per-chat ones for staff."""
        try:
            await self._set_commands(BotCommandScopeDefault(), "ibu")
        except TelegramError as exc:
            log.warning("could not set the command menus: %s", exc.__class__.__name__)
            return
        self._menus = {}
        await self.sync_commands()

    async def sync_commands(self) -> None:
        """Give chats whose role changed since the last look their menu: a new kader or
        admin hers, a former one the mothers' default again."""
        try:
            chats = await self.engine.staff_chats(CHANNEL)
            for chat_id, role in chats.items():
                if self._menus.get(chat_id) != role:
                    await self._set_commands(BotCommandScopeChat(int(chat_id)), role)
                    self._menus[chat_id] = role
            for chat_id in [c for c in self._menus if c not in chats]:
                await self.bot.delete_my_commands(scope=BotCommandScopeChat(int(chat_id)))
                del self._menus[chat_id]
        except TelegramError as exc:
            log.warning("could not set the command menus: %s", exc.__class__.__name__)

    async def _follow_roles(self) -> None:
        while True:
            await asyncio.sleep(COMMANDS_EVERY)
            try:
                await self.sync_commands()
            except Exception as exc:  # the database away for a moment: try again next time
                log.warning("command menus not synced (%s)", exc.__class__.__name__)

    async def _set_commands(self, scope: Any, role: str) -> None:
        for lang in ("id", "en"):
            commands = [BotCommand(c, t(lang, f"command.{c}")) for c in COMMANDS[role]]
            await self.bot.set_my_commands(
                commands, scope=scope, language_code=None if lang == "id" else lang
            )

    async def recover(self) -> None:
        """Finish what a crash left, ahead of any new update: updates stored but not
        handled are queued for handling (once, in order per chat), replies not confirmed
        sent are queued for sending (unless too old)."""
        rows = await self.engine.take_over(CHANNEL, at_start=True)
        if rows:
            log.info("recovering %d unfinished telegram updates", len(rows))
        await self._resume(rows)

    async def _resume(self, rows: list[Unfinished]) -> None:
        """Queue inbox rows left unfinished (by a crash, or a killed worker): replies to
        send, updates to handle."""
        for row in rows:
            if row.status == ANSWERED:
                replies = [reply_from_json(r) for r in row.payload.get("replies", [])]
                if row.chat is not None:
                    work = _Work(row.key, replies=replies, kept=True)
                    self._enqueue(row.chat, work, force=True)
                    continue
                await self.keeper.done(row.key)
                continue
            try:
                update = Update.de_json(row.payload, self.bot)
            except Exception:
                log.warning("a stored telegram update could not be read; skipped")
                await self.keeper.done(row.key)
                continue
            await self._dispatch(update, recovered=True)

    async def wait_idle(self) -> None:
        await self.chats.wait_idle()

    @property
    def updates_handled(self) -> int:
        return self.chats.handled

    async def _on_update(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """PTB's handler only sorts the update into its chat's queue and returns, so no
        update slot waits for a chat's earlier messages or for a RetryAfter."""
        try:
            await self._dispatch(update)
        except Exception:
            log.exception("telegram update %s failed", update.update_id)

    async def _dispatch(self, update: Update, *, recovered: bool = False) -> None:
        key = str(update.update_id)
        member_change = update.my_chat_member
        incoming = None if member_change is not None else to_incoming(update)
        if incoming is None:
            self.chats.begin()
            try:
                if member_change is not None:
                    status = member_change.new_chat_member.status
                    reachable = status not in ("kicked", "left")
                    chat_id = str(member_change.chat.id)
                    await self.engine.set_reachable(CHANNEL, chat_id, reachable)
                await self.keeper.done(key)
            finally:
                self.chats.end()
            return
        chat = incoming.identity
        verdict = ADMIT if recovered else self.flood.admit(chat)
        work = _Work(key, update, incoming)
        if verdict == ADMIT and self._enqueue(chat, work, force=recovered):
            return
        # Over her rate, or her backlog is full: dropped; the first of a burst gets a note.
        if verdict == NOTICE:
            note = [Reply(text=t(self.engine.default_language, "flood.slow_down"))]
            # Ahead of her backlog: she should learn it now, not after it.
            if self._enqueue(chat, _Work(key, replies=note), force=True, first=True):
                return
        self.dropped += 1
        await self.keeper.done(key)

    def _enqueue(self, chat: str, work: _Work, *, force: bool = False, first: bool = False) -> bool:
        return self.chats.add(chat, work, capped=not force and self.flood.on, first=first)

    async def _work(self, chat: str, work: _Work) -> None:
        """One chat's work: handle (holding one of the handling slots), then send (holding
        none: a RetryAfter only delays this chat), then mark done."""
        chat_id = int(chat)
        replies = work.replies or []
        if work.update is not None and work.incoming is not None:
            query = work.update.callback_query
            if query is not None and not work.answered:
                work.answered = True
                await self._quietly(query.answer())
            found = await self.keeper.handle_in_order(work.incoming, work, self._slots)
            if found is None:
                self._enqueue(chat, work, force=True)  # to the back of her queue
                return
            replies = found
            if not replies:  # a redelivered update, or nothing to say: the row is done
                return
            step_answer = (work.incoming.choice or "").startswith(STEP_PREFIX)
            if query is not None and query.message is not None and step_answer:
                # A step answer is taken once: remove its buttons so a second tap cannot act.
                await self._quietly(query.edit_message_reply_markup(reply_markup=None))
        # Kept replies go only while the row is still this worker's; then (sent, or given
        # up: a blocked chat, a refused message) the row is marked done (marks share commits).
        kept = work.update is not None or work.kept
        await self.keeper.send_kept(
            work.key, lambda: self.send_replies(chat_id, replies), kept=kept
        )

    async def _quietly(self, call: Any) -> None:
        try:
            await call
        except BadRequest as exc:  # e.g. an old query, or markup already removed
            log.info("telegram ignored a request: %s", exc.__class__.__name__)
        except TelegramError as exc:
            log.warning("telegram request failed: %s", exc.__class__.__name__)

    async def send_replies(self, chat_id: int, replies: list[Reply]) -> None:
        for reply in replies:
            for piece in render(reply):
                if not await self._send(chat_id, piece):
                    return

    async def _call(self, chat_id: int, piece: Outgoing) -> None:
        if piece.photo is not None:
            await self.bot.send_photo(
                chat_id, piece.photo.read_bytes(), caption=piece.text or None,
                reply_markup=piece.markup,
            )  # fmt: skip
        elif piece.document is not None:
            await self.bot.send_document(
                chat_id, piece.document.read_bytes(), filename=piece.document_name,
                caption=piece.text or None, reply_markup=piece.markup,
            )  # fmt: skip
        elif piece.voice is not None:
            if piece.voice.exists():  # gone only when resent a day after a crash
                await self.bot.send_voice(
                    chat_id, piece.voice.read_bytes(), caption=piece.text or None,
                    reply_markup=piece.markup,
                )  # fmt: skip
        else:
            bot = self._bot
            await bot.send_text(chat_id, piece.text, piece.markup, no_preview=piece.no_preview)

    async def _send(self, chat_id: int, piece: Outgoing) -> bool:
        """Send one message, honouring RetryAfter (a few times) and retrying network
        errors, 5xx and timeouts (a Bot API outage) with growing pauses for as long as
        a kept reply would be resent after a crash (REPLY_RESEND_MINUTES); her next
        messages wait meanwhile, so her replies stay in order. False when the chat
        cannot be reached (blocked) or sending gave up."""
        tries = ReplyTries(self.engine.config.reply_resend)
        waits = 0
        while True:
            try:
                # Waits in this chat's task, holding no handling slot: ahead of outbox sends.
                await self.budget.take(chat_id, REPLY)
                await self._call(chat_id, piece)
                return True
            except RetryAfter as exc:
                waits += 1
                if waits >= SEND_ATTEMPTS:
                    log.warning("telegram reply failed: %s", exc.__class__.__name__)
                    return False
                wait = min(_seconds(exc.retry_after), MAX_RETRY_AFTER)
                log.info("telegram asked to wait %.1f s before replying", wait)
                await asyncio.sleep(wait)
            except Forbidden:
                await self.engine.set_reachable(CHANNEL, str(chat_id), False)
                log.info("telegram chat blocked the bot; marked unreachable")
                return False
            except NetworkError as exc:  # includes TimedOut; BadRequest is not retried
                if isinstance(exc, BadRequest) or not await tries.again():
                    log.warning("telegram reply failed: %s", exc.__class__.__name__)
                    return False
                if tries.failures == 1:
                    log.info("telegram reply failed (%s); trying again", exc.__class__.__name__)


def start_refused(exc: TelegramError, token: str) -> ConfigError:
    """A Telegram error at start as one line, like a bad setting. Never PTB's text for a
    refused token or a network error (it quotes the token or the URL holding it); a
    refusal's reason from Telegram is kept, with the token cut out should it appear."""
    if isinstance(exc, InvalidToken):
        return ConfigError("TELEGRAM_BOT_TOKEN: refused by Telegram")
    if isinstance(exc, NetworkError) and not isinstance(exc, BadRequest):
        return ConfigError(
            f"cannot reach the Telegram Bot API ({exc.__class__.__name__}); "
            "check the network and TELEGRAM_API_BASE_URL"
        )
    reason = " ".join(redact(exc.message, [token]).split())[:200]
    return ConfigError(f"Telegram refused to start the bot ({exc.__class__.__name__}: {reason})")


async def push_commands(settings: Settings, chat_id: int, role: str) -> None:
    """Refresh one chat's command menu after a role change made outside the running bot."""
    assert settings.telegram_bot_token is not None
    bot = Bot(
        settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.telegram_file_url,
    )
    try:
        async with bot:
            scope = BotCommandScopeChat(chat_id)
            if role == "ibu":
                await bot.delete_my_commands(scope=scope)
            else:
                for lang in ("id", "en"):
                    commands = [BotCommand(c, t(lang, f"command.{c}")) for c in COMMANDS[role]]
                    await bot.set_my_commands(
                        commands, scope=scope, language_code=None if lang == "id" else lang
                    )
    except TelegramError as exc:
        log.warning("command menu not refreshed (%s); it is set at the next start",
                    exc.__class__.__name__)  # fmt: skip
