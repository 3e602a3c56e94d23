"""Time and pace for the dispatcher: an injectable clock and a smooth send pacer.

Platforms enforce their limits over a sliding window (Telegram: about 30 messages in any
one second). A bucket that lets a burst through after a quiet spell can break such a
window even when the average is fine, so the pacer spaces sends evenly, 1/rate apart,
and never banks unused time: at 29.5/s no second ever holds more than 30 sends.

Evenly planned is not enough: if this process stalls for a moment (a garbage collection,
a slow query), every send whose slot passed meanwhile would go at once, and the sends a
second later, on time, would make that second too full. So each send is also admitted
against the time the previous one really went (`admit`), never less than 1/rate after it.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, UTC-aware (for database timestamps)."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never jumps (for pacing)."""
        ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class Pacer:
    """Hands out send slots at most `rate` per second, evenly spaced.

    `reserve()` is synchronous, so concurrent tasks in one event loop never get the same
    slot; each then sleeps until its slot, and at its slot asks `admit()` how much longer
    to wait so that it goes at least 1/rate after the send before it really went. A pause
    (the platform said "retry after") moves every later slot past the pause.
    """

    def __init__(self, rate: float, clock: Clock) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self.clock = clock
        self._next = float("-inf")
        self._admitted = float("-inf")  # when the latest send was let through
        self.paused_until = float("-inf")

    def next_slot(self) -> float:
        return max(self.clock.monotonic(), self._next, self.paused_until)

    def reserve(self) -> float:
        slot = self.next_slot()
        self._next = slot + self.interval
        return slot

    def admit(self) -> float:
        """A send whose planned slot has come: seconds it must still wait (0 if none).

        Synchronous like `reserve`, so sends woken together after a stall leave one by one,
        1/rate apart, instead of in a burst; later slots move back by what was lost.
        """
        now = self.clock.monotonic()
        at = max(now, self._admitted + self.interval, self.paused_until)
        self._admitted = at
        self._next = max(self._next, at + self.interval)
        return at - now

    def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, self.clock.monotonic() + seconds)

    def paused(self) -> bool:
        return self.paused_until > self.clock.monotonic()
