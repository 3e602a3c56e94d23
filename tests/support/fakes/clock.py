"""Virtual time for tests: sleeps end instantly, in the order of their wake-up times.

A driver task wakes the earliest sleeper (setting the clock to its wake-up time) after
giving other tasks a moment of real time to run, so concurrent sends paced at 1/30 s
record exact virtual timestamps while the test takes milliseconds. `advance` and `set`
jump the clock by hand (a lease running out, night falling).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from datetime import datetime, timedelta


class FakeClock:
    def __init__(self, start: datetime, *, real_step: float = 0.001) -> None:
        self.start = start
        self.real_step = real_step
        self._t = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._driver: asyncio.Task[None] | None = None

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self._t)

    def monotonic(self) -> float:
        return self._t

    def advance(self, seconds: float) -> None:
        self._t += seconds
        self._wake_due()

    def set(self, when: datetime) -> None:
        """Jump forward to a wall-clock time."""
        target = (when - self.start).total_seconds()
        if target < self._t:
            raise ValueError("the fake clock only moves forward")
        self.advance(target - self._t)

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._t + seconds, next(self._seq), future))
        if self._driver is None or self._driver.done():
            self._driver = asyncio.create_task(self._drive())
        await future

    def _wake_due(self) -> None:
        while self._sleepers and self._sleepers[0][0] <= self._t:
            _, _, future = heapq.heappop(self._sleepers)
            if not future.done():
                future.set_result(None)

    async def _drive(self) -> None:
        while True:
            await asyncio.sleep(self.real_step)
            while self._sleepers and self._sleepers[0][2].done():  # cancelled sleeps
                heapq.heappop(self._sleepers)
            if not self._sleepers:
                return
            wake, _, future = heapq.heappop(self._sleepers)
            self._t = max(self._t, wake)
            future.set_result(None)
