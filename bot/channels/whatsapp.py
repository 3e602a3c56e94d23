"""WhatsApp channel on the Cloud API (pywa's async client): webhook updates in, replies out.
It only translates; every decision is made by the handlers.

Nothing acknowledged is lost: a webhook body's messages are written to the inbox before
the web app answers 200, in one transaction with what the body tells about people and
delivery (`whatsapp_store.store_body`): each sender's chat is found or made (keyed by her
business-scoped user id, else her wa_id; two chats named by one message are merged), her
last inbound time stamped (the 24-hour window), outbox rows that waited for her next
message made due, and delivery statuses applied to their outbox rows (read from the raw
body: a failed status may come without ``contacts``). Meta retries a body we did not
answer 200, and a message handled once is not handled again (the inbox key is its
``wamid``).

When the database cannot be reached, a body is not stored: the web app answers 503, so
Meta sends it again (it retries a webhook not answered 200, less and less often, for up
to 7 days) and her message is handled once the database is back; she is told "sedang
sibuk … akan kami jawab sebentar lagi" once while it is away (per worker: `BusyNotes`
until a body is stored again), not at each of Meta's retries.

Then, as on Telegram: a queue per chat handled in order (holding one of `concurrency`
handling slots while the engine works), replies kept with her state change until sent
(`recover` finishes at start what a crash left) and sent only while her inbox row is
still this worker's (`InboxKeeper.send_kept`: another worker may have taken it over),
each message tried again for the resend window while Meta is away (`ReplyTries`), sends
within the channel's budget shared with the outbox sender (replies first), and a per-chat
flood gate.

Order within a chat: WhatsApp's message ids carry no order; a message's ``timestamp``
(when Meta's server took it) does, to the second. It is the inbox row's ``seq``, so
`models.inbox.settle` keeps her order across workers as Telegram's update_id does: a
message waits while an earlier one of hers is unhandled or its replies unsent (`NotYet`,
with Telegram's patience), and one that comes after a later one was handled (Meta's retry
of a body refused while the database was away, after she wrote again) is no answer to a
screen she no longer sees: that screen comes again. Two messages in one second are not
ordered against each other (each worker takes its bodies in arrival order).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
from pywa_async.errors import WhatsAppError

from bot.channels.budget import REPLY, SendBudget
from bot.channels.chat_queues import ChatQueues
from bot.channels.inbox_keeper import BusyNotes, Clock, InboxKeeper, RealClock, ReplyTries
from bot.channels.whatsapp_api import WaApi, meaning, meta_away, recipient
from bot.channels.whatsapp_render import (
    CHANNEL,
    Outgoing,
    WaMessage,
    parse_webhook,
    render,
    to_incoming,
)
from bot.channels.whatsapp_store import store_body
from bot.channels.whatsapp_templates import Template
from handlers.core.delivery import Blocked, RetryAfter
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
from handlers.core.types import Incoming, Media, Reply, reply_from_json
from models import inbox

log = logging.getLogger(__name__)

BACKLOG = 10
STOP_WAIT = 10.0
# Meta asking to slow down is waited out this many times at most (then given up).
SEND_ATTEMPTS = 4
# A reply Meta refused for going too fast to her (131056) waits this long, then again.
PAIR_BACKOFF = 6.0
CHALLENGE_MAX = 256
RENAMED_MEMORY = 10_000


def signature_valid(body: bytes, header: str | None, app_secret: str) -> bool:
    """`X-Hub-Signature-256` is ``sha256=`` and the body's HMAC-SHA256 under the app secret,
    compared in constant time as bytes (a header of any characters is just refused)."""
    if not app_secret or header is None:
        return False
    expected = "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header.encode("latin-1", "replace"), expected.encode("ascii"))


@dataclass
class _Work:
    key: str
    chat: str
    to: dict[str, str | None]
    incoming: Incoming | None = None
    replies: list[Reply] | None = None
    # The replies are those kept in its inbox row (a crash, or another worker, left them).
    kept: bool = False
    # When it was first found waiting for an earlier message of her chat (engine.NotYet).
    waiting_since: float | None = None


class WhatsAppChannel:
    def __init__(
        self,
        engine: Engine,
        api: WaApi,
        *,
        app_secret: str,
        verify_token: str,
        registry: dict[str, Template],
        concurrency: int = 64,
        flood: FloodGate | None = None,
        backlog: int = BACKLOG,
        budget: SendBudget | None = None,
        pair_backoff: float = PAIR_BACKOFF,
        clock: Clock | None = None,
    ) -> None:
        self.engine = engine
        self.pair_backoff = pair_backoff
        self.api = api
        self.app_secret = app_secret
        self.verify_token = verify_token
        self.registry = registry
        self.flood = flood or FloodGate(0, 0)
        self.budget = budget or SendBudget(0, burst=1, per_chat_interval=0.0)
        # Webhook bodies arriving together share a transaction.
        self._writes = inbox.GroupCommit(engine.sessions)
        self.chats: ChatQueues[_Work] = ChatQueues(self._work, backlog=backlog, label=CHANNEL)
        self._slots = asyncio.Semaphore(concurrency)
        # Chats renamed or merged by a later message: their queued work goes to the new key.
        self._renamed: dict[str, str] = {}
        self.dropped = 0
        self.keeper = InboxKeeper(engine, CHANNEL)
        # Once per chat while the database is away (Meta's retries of her body come again).
        self._busy = BusyNotes(every=None)
        self.clock = clock or RealClock()

    # -- start and stop -------------------------------------------------------------------

    async def start(self) -> None:
        """Check the token and number (raises WhatsAppError or httpx.HTTPError), then
        finish what a crash left."""
        await self.api.check()
        register_downloader(CHANNEL, self.download)
        register_file_downloader(CHANNEL, self.download_file)
        await self.recover()
        # Several workers: a killed one's rows are taken over here after its lease.
        self.keeper.start(self._resume)

    async def stop(self) -> None:
        unregister_downloader(CHANNEL)
        unregister_file_downloader(CHANNEL)
        await self.keeper.stop(self.chats, STOP_WAIT)
        await self.api.close()

    async def wait_idle(self) -> None:
        await self.chats.wait_idle()

    # -- the webhook ----------------------------------------------------------------------

    def challenge(self, mode: str | None, token: str | None, challenge: str | None) -> str | None:
        """Meta's verification request: the challenge to echo, or None (403)."""
        if mode != "subscribe" or token is None or challenge is None:
            return None
        if len(challenge) > CHALLENGE_MAX or not challenge.isprintable():
            return None
        given, expected = token.encode("latin-1", "replace"), self.verify_token.encode()
        return challenge if expected and hmac.compare_digest(given, expected) else None

    def signature_valid(self, body: bytes, header: str | None) -> bool:
        return signature_valid(body, header, self.app_secret)

    async def feed_webhook(self, data: dict[str, Any]) -> None:
        """A signed webhook body: stored (and its statuses applied) before this returns,
        then its messages queued for handling. ValueError when it is no WhatsApp webhook."""
        messages, statuses = parse_webhook(data)
        ours = [m for m in messages if m.phone_number_id in (None, self.api.phone_id)]
        mine = [s for s in statuses if s.phone_number_id in (None, self.api.phone_id)]
        if not ours and not mine:
            return
        if len(self._renamed) > RENAMED_MEMORY:
            self._renamed.clear()  # only work queued in the last moments needs them
        chats: dict[str, str] = {}
        try:
            await self._writes.run(
                lambda session: store_body(
                    session,
                    ours,
                    mine,
                    registry=self.registry,
                    chats=chats,
                    renamed=self._renamed,
                    lease=self.engine.lease(),
                )
            )
        except Exception as exc:
            if unavailable(exc):
                # Not stored: the web app answers 503 and Meta sends the body again.
                log.warning("database unreachable: whatsapp body not stored (%s)",
                            exc.__class__.__name__)  # fmt: skip
                await self._tell_busy(ours)
            raise
        self._busy.back()
        for message in ours:
            chat = chats.get(message.key)
            if chat is not None:
                await self._dispatch(message.key, chat, message.stored)

    async def _tell_busy(self, messages: list[WaMessage]) -> None:
        """Each sender, once while the database is away: "sedang sibuk … akan kami jawab
        sebentar lagi" (Meta sends her message again: she need not). One try (Meta waits
        for our answer); a note that fails goes next time."""
        note = Reply(text=t(self.engine.default_language, "workers.busy_resent"))
        for message in messages:
            chat = message.chat
            if chat is None or not self._busy.due(chat):
                continue
            try:
                for piece in render(note, self.engine.default_language):
                    await self.api.send(recipient(chat, message.wa_id), piece)
            except (WhatsAppError, httpx.HTTPError, OSError) as exc:
                self._busy.forget(chat)
                log.warning("whatsapp busy note not sent (%s)", exc.__class__.__name__)

    # -- handling, per chat in order ------------------------------------------------------

    async def recover(self) -> None:
        """Updates stored but not handled are queued (once, in order per chat); replies not
        confirmed sent are sent again (unless too old)."""
        rows = await self.engine.take_over(CHANNEL, at_start=True)
        if rows:
            log.info("recovering %d unfinished whatsapp updates", len(rows))
        await self._resume(rows)

    async def _resume(self, rows: list[inbox.Unfinished]) -> None:
        """Queue inbox rows left unfinished (by a crash, or a killed worker)."""
        for row in rows:
            if row.status == inbox.ANSWERED:
                replies = [reply_from_json(r) for r in row.payload.get("replies", [])]
                if row.chat is not None:
                    to = recipient(row.chat, None)
                    work = _Work(row.key, row.chat, to, replies=replies, kept=True)
                    self._enqueue(row.chat, work, force=True)
                else:
                    await self.keeper.done(row.key)
                continue
            chat = row.payload.get("chat")
            if not isinstance(chat, str):
                await self.keeper.done(row.key)
                continue
            await self._dispatch(row.key, chat, row.payload, recovered=True)

    async def _dispatch(
        self, key: str, chat: str, stored: dict[str, Any], *, recovered: bool = False
    ) -> None:
        incoming = to_incoming(stored, chat)
        if incoming is None:  # a reaction, a notice from WhatsApp: nothing to answer
            await self.keeper.done(key)
            return
        to = recipient(chat, incoming.sender_id)
        verdict = ADMIT if recovered else self.flood.admit(chat)
        work = _Work(key, chat, to, incoming)
        if verdict == ADMIT and self._enqueue(chat, work, force=recovered):
            return
        if verdict == NOTICE:
            note = [Reply(text=t(self.engine.default_language, "flood.slow_down"))]
            if self._enqueue(chat, _Work(key, chat, to, replies=note), force=True, first=True):
                return
        self.dropped += 1
        await self.keeper.done(key)

    def _enqueue(self, chat: str, work: _Work, *, force: bool = False, first: bool = False) -> bool:
        return self.chats.add(chat, work, capped=not force and self.flood.on, first=first)

    async def _work(self, queue: str, work: _Work) -> None:
        replies = work.replies or []
        # A later message may have named her by another id meanwhile (merged or rekeyed).
        chat = self._renamed.get(work.chat, work.chat)
        if work.incoming is not None:
            incoming = replace(work.incoming, identity=chat)
            found = await self.keeper.handle_in_order(incoming, work, self._slots)
            if found is None:
                self._enqueue(queue, work, force=True)  # to the back of her queue
                return
            replies = found
            if not replies:
                return
        # Kept replies go only while the row is still this worker's; then it is marked done.
        kept = work.incoming is not None or work.kept
        await self.keeper.send_kept(
            work.key, lambda: self.send_replies(chat, work.to, replies), kept=kept
        )

    # -- sending --------------------------------------------------------------------------

    async def send_replies(
        self, chat: str, to: dict[str, str | None], replies: list[Reply]
    ) -> None:
        lang = self.engine.default_language
        for reply in replies:
            for piece in render(reply, lang):
                if not await self._send(chat, to, piece):
                    return

    async def _send(self, chat: str, to: dict[str, str | None], piece: Outgoing) -> bool:
        """Send one message, as on Telegram: Meta saying too fast (to her, or overall) is
        waited out up to `SEND_ATTEMPTS` times; Meta away (a network error, a timeout, a
        5xx) is tried again for as long as a kept reply would be resent after a crash
        (`ReplyTries`); her next messages wait meanwhile, so her replies stay in order.
        False when the chat cannot be reached or sending gave up."""
        tries = ReplyTries(self.engine.config.reply_resend, self.clock)
        waits = 0
        while True:
            try:
                await self.budget.take(chat, REPLY)
                await self.api.send(to, piece)
                return True
            except WhatsAppError as exc:
                found = meaning(exc.code)
                if isinstance(found, Blocked):
                    await self.engine.set_reachable(CHANNEL, chat, False)
                    log.info("whatsapp chat undeliverable; marked unreachable")
                    return False
                if isinstance(found, RetryAfter):
                    waits += 1
                    if waits >= SEND_ATTEMPTS:
                        log.warning("whatsapp reply failed (code %s)", exc.code)
                        return False
                    # Too fast to her (a reply goes at once otherwise), or overall.
                    wait = found.seconds if found.whole_channel else self.pair_backoff * waits
                    log.info("whatsapp asked to slow down (code %s)", exc.code)
                    await self.clock.sleep(wait)
                    continue
                if not meta_away(exc):
                    log.warning("whatsapp reply refused (code %s)", exc.code)
                    return False
                failure = f"code {exc.code}"
            except (httpx.HTTPError, TimeoutError, ConnectionError) as exc:
                failure = exc.__class__.__name__
            except OSError as exc:  # its file is gone (resent a day after a crash)
                log.warning("whatsapp reply failed: %s", exc.__class__.__name__)
                return False
            if not await tries.again():
                log.warning("whatsapp reply failed: %s", failure)
                return False
            if tries.failures == 1:
                log.info("whatsapp reply failed (%s); trying again", failure)

    # -- files she sends ------------------------------------------------------------------

    async def _fetch(self, media: Media, max_bytes: int) -> bytes:
        if media.size and media.size > max_bytes:
            raise MediaDownloadError("too_large")
        try:
            return await self.api.fetch_media(media.file_ref, max_bytes)
        except ValueError:
            raise MediaDownloadError("too_large") from None
        except (WhatsAppError, httpx.HTTPError, KeyError) as exc:
            log.warning("whatsapp media download failed: %s", exc.__class__.__name__)
            raise MediaDownloadError("failed") from None

    async def download(self, media: Media, folder: Path, *, max_bytes: int) -> Path:
        """A photo she sent, stored under a name from its content."""
        return await store_photo(await self._fetch(media, max_bytes), folder)

    async def download_file(self, media: Media, folder: Path, *, max_bytes: int) -> Path:
        """Any file she sent (a spreadsheet to import); its reader checks the kind."""
        return await store_file(await self._fetch(media, max_bytes), folder)
