"""One send budget per channel, shared by direct replies and the outbox dispatcher.

Telegram takes about 30 messages a second from a bot overall, and about one a second in
one chat (a short burst is tolerated). Replies and announcements go out through the same
bot, so they share one budget instead of each keeping its own, leaving the other to guess:

- overall: evenly spaced send slots, at most `rate` a second, never banked (a quiet
  moment does not allow a burst after it); a reply waiting for a slot gets the next one,
  ahead of every announcement waiting (replies first: someone is looking at her phone);
- per chat: one direct answer may burst up to `burst` messages; after that, and for
  outbox sends, one message every `interval` seconds in that chat (a token bucket, kept
  as the time her next message may go, GCRA style).

Only the wait is decided here; the send, and what the platform answers, stay with the
caller. It lives in the process that sends: a separate `worker` has a budget of its own.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

REPLY, OUTBOX = 0, 1
# Telegram: about 30 a second overall; a little under it, so network jitter cannot
# bunch 31 into one second at the other end.
TELEGRAM_RATE = 29.0
# One direct answer may come as up to 3 messages at once (a note, the question, …).
REPLY_BURST = 3
# Telegram: about one a second in one chat; a little over a second, for the same reason.
PER_CHAT_INTERVAL = 1.05
# Forget chats whose pace is back to a full burst once there are this many.
CHAT_MEMORY = 10_000


class ChatPace:
    """Per chat: a burst of `burst` messages, then one every `interval` seconds."""

    def __init__(
        self,
        burst: int = REPLY_BURST,
        interval: float = PER_CHAT_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.burst = max(1, burst)
        self.interval = interval
        self.clock = clock
        # Chat -> when her bucket would be full again (the "theoretical arrival time").
        self._full_at: dict[int | str, float] = {}

    def reserve(self, chat: int | str) -> float:
        """Book one message to this chat; the seconds to wait before sending it."""
        now = self.clock()
        full_at = max(self._full_at.get(chat, now), now)
        wait = max(0.0, full_at - (self.burst - 1) * self.interval - now)
        self._full_at[chat] = full_at + self.interval
        if len(self._full_at) > CHAT_MEMORY:
            self._full_at = {c: t for c, t in self._full_at.items() if t > now}
        return wait


class SendBudget:
    """A channel's sends: a per-chat pace, then an overall slot, replies first.

    `rate` 0 means no overall limit (the per-chat pace still applies)."""

    def __init__(
        self,
        rate: float = TELEGRAM_RATE,
        *,
        burst: int = REPLY_BURST,
        per_chat_interval: float = PER_CHAT_INTERVAL,
    ) -> None:
        self.rate = rate
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.chats = ChatPace(burst, per_chat_interval)
        self._next = float("-inf")  # the earliest moment of the next slot
        self._queues: tuple[deque[asyncio.Future[None]], ...] = (deque(), deque())
        self._timer: asyncio.TimerHandle | None = None

    async def take(self, chat: int | str, kind: int = REPLY) -> None:
        """Wait until one message to this chat may go, then return at once to send it."""
        wait = self.chats.reserve(chat)
        if wait > 0:
            await asyncio.sleep(wait)
        if self.interval:
            await self._slot(kind)

    def waiting(self) -> int:
        """Sends waiting for an overall slot (both kinds)."""
        return sum(1 for queue in self._queues for future in queue if not future.done())

    async def _slot(self, kind: int) -> None:
        loop = asyncio.get_running_loop()
        if not any(self._queues) and loop.time() >= self._next:
            self._next = loop.time() + self.interval
            return
        future: asyncio.Future[None] = loop.create_future()
        self._queues[kind].append(future)
        self._arm(loop)
        await future  # cancelled: the future is too, and `_grant` passes over it
        # Spaced from when this send really goes on, not from when its slot was due: a
        # stalled event loop never lets two slots out together.
        self._next = max(self._next, loop.time() + self.interval)

    def _arm(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._timer is None:
            self._timer = loop.call_at(max(self._next, loop.time()), self._grant, loop)

    def _grant(self, loop: asyncio.AbstractEventLoop) -> None:
        self._timer = None
        now = loop.time()
        if now >= self._next:
            for queue in self._queues:  # replies first
                granted = False
                while queue and not granted:
                    future = queue.popleft()
                    if not future.done():
                        future.set_result(None)
                        self._next = now + self.interval
                        granted = True
                if granted:
                    break
        if any(self._queues):
            self._arm(loop)
