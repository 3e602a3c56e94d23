"""What a channel adapter does for the inbox besides handling: keep its hold on the rows
it stored (their lease), take over the rows of a worker that stopped renewing its own (a
killed worker; see `models.inbox`), send the replies kept in a row only while the row is
still its own and then mark it done (`InboxKeeper.send_kept`), try a reply again for as
long as the inbox would resend it (`ReplyTries`), handle her updates in her order
(`handle_in_order`), and tell a chat "sedang sibuk" when her update cannot even be stored
(the database unreachable), at most once in a while per chat (`BusyNotes`)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Protocol

from bot.channels.chat_queues import ChatQueues
from handlers.core.engine import Engine, NotYet, unavailable
from handlers.core.types import Incoming, Reply
from models.inbox import Unfinished

log = logging.getLogger(__name__)

# A chat told "sibuk" is not told again within this many seconds (her other updates in
# that time are dropped too: she knows to send them again).
BUSY_NOTE_EVERY = 10.0
# An update waiting for an earlier one of its chat is tried again after this pause (s).
NOT_YET_PAUSE = 0.05
# A reply that failed because the platform is away (a network error, a 5xx, a timeout) is
# tried again after pauses growing up to this (seconds).
MAX_REPLY_PAUSE = 10.0


async def keep_inbox(
    engine: Engine, channel: str, resume: Callable[[list[Unfinished]], Awaitable[None]]
) -> None:
    """Until cancelled, three times a lease: renew this worker's lease, then take over
    rows whose lease ran out and hand them to `resume` (queued like at a restart)."""
    every = engine.inbox_lease.total_seconds() / 3
    while True:
        await asyncio.sleep(every)
        try:
            await engine.keep_alive()
            rows = await engine.take_over(channel)
        except Exception as exc:  # the database away for a moment: next time
            log.warning("inbox lease not renewed (%s)", exc.__class__.__name__)
            continue
        if rows:
            log.info("taking over %d %s inbox rows of a stopped worker", len(rows), channel)
            await resume(rows)


class InboxKeeper:
    """A channel's `keep_inbox` task, and its part of the channel's stop: the chats' work
    still waiting is left to the inbox, what is under way may finish, and this worker's
    rows are released (handled, or sent, by another worker at once, or after a restart)."""

    def __init__(self, engine: Engine, channel: str) -> None:
        self.engine = engine
        self.channel = channel
        self._task: asyncio.Task[None] | None = None

    def start(self, resume: Callable[[list[Unfinished]], Awaitable[None]]) -> None:
        self._task = asyncio.create_task(keep_inbox(self.engine, self.channel, resume))

    async def send_kept(
        self, key: str, send: Callable[[], Awaitable[object]], *, kept: bool = True
    ) -> bool:
        """Send the replies of inbox row `key` (`send`), then mark the row done. Replies
        `kept` in the row are sent only while the row is still this worker's: one too
        busy to renew its lease may have lost it to another, which sends them then (at
        most once: never both). A done mark the database cannot take now is left to the
        next `keep_alive` (the engine keeps the key): a warning, no stack trace, and the
        replies are not sent again. False when the replies were left to another worker."""
        if kept and not await self.engine.still_mine(self.channel, key):
            log.info("replies left to the worker that took them over")
            return False
        await send()
        await self.done(key)
        return True

    async def done(self, key: str) -> None:
        """Mark one row done; when the database is unreachable, at the next `keep_alive`."""
        try:
            await self.engine.done(self.channel, [key])
        except Exception as exc:
            if not unavailable(exc):
                raise
            log.warning("%s inbox row not yet marked done: database unreachable", self.channel)

    async def handle_in_order(
        self, incoming: Incoming, waiting: Waiting, slots: asyncio.Semaphore
    ) -> list[Reply] | None:
        """Her replies to one update (kept in its row until sent), holding one of the
        handling `slots`; her earlier updates first, but not for ever (one may be stuck):
        as long as their replies may take (the resend window), a killed worker's a lease
        or two more. None while an earlier one of hers waits (here, behind this one, or
        in another worker): the caller puts this one at the back of her queue."""
        since = waiting.waiting_since
        waited = 0.0 if since is None else time.monotonic() - since
        config, lease = self.engine.config, self.engine.inbox_lease
        patience = (config.reply_resend + 2 * lease).total_seconds()
        try:
            async with slots:
                return await self.engine.handle(
                    incoming, keep_replies=True, in_order=waited < patience
                )
        except NotYet:
            if since is None:
                waiting.waiting_since = time.monotonic()
            await asyncio.sleep(NOT_YET_PAUSE)
            return None

    async def stop(self, chats: ChatQueues[Any], grace: float) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await chats.stop(grace)
        try:
            await self.engine.release()
        except Exception as exc:
            log.warning("inbox rows not released (%s)", exc.__class__.__name__)


class Waiting(Protocol):
    """A queued update: when it was first found waiting for an earlier one of her chat."""

    waiting_since: float | None


class Clock(Protocol):
    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class RealClock:
    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class ReplyTries:
    """One reply message's tries while the platform is away (a network error, a 5xx, a
    timeout): again after pauses growing up to `MAX_REPLY_PAUSE`, for as long as a kept
    reply would be resent after a crash (REPLY_RESEND_MINUTES, `window`). Her next
    messages wait meanwhile, so her replies stay in order; past the window the reply is
    given up, as a restart would drop it."""

    def __init__(self, window: timedelta, clock: Clock | None = None) -> None:
        self.clock = clock or RealClock()
        self.deadline = self.clock.monotonic() + window.total_seconds()
        self.failures = 0

    async def again(self) -> bool:
        """After a failure: pause and say True, or False when the pause would pass the
        window (give up)."""
        self.failures += 1
        pause = min(0.5 * 2 ** (self.failures - 1), MAX_REPLY_PAUSE)
        if self.clock.monotonic() + pause > self.deadline:
            return False
        await self.clock.sleep(pause)
        return True


class BusyNotes:
    """When to tell a chat the bot is busy: once per `every` seconds per chat, or with
    `every=None` once until `back` (the database answered again)."""

    def __init__(self, every: float | None = BUSY_NOTE_EVERY) -> None:
        self.every = every
        self._told: dict[str, float] = {}

    def due(self, chat: str) -> bool:
        now = time.monotonic()
        if self.every is not None:
            every = self.every
            self._told = {c: at for c, at in self._told.items() if now - at < every}
        if chat in self._told:
            return False
        self._told[chat] = now
        return True

    def forget(self, chat: str) -> None:
        """She was not told after all (the note failed): the next time, again."""
        self._told.pop(chat, None)

    def back(self) -> None:
        """The database answered: a chat is told again in the next outage."""
        self._told.clear()
