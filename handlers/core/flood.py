"""Flood control: a token bucket per chat. A chat may send `burst` messages at once and
`rate` a second after that; what comes faster is dropped, the first of each burst with a
short note ("pelan-pelan ya, Bu"). Channel-neutral: adapters ask before queueing a message.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

ADMIT, NOTICE, DROP = "admit", "notice", "drop"
# Buckets are forgotten once this many chats are known and theirs are full again.
PRUNE_AT = 10_000


@dataclass
class _Bucket:
    tokens: float
    at: float
    noticed: bool = False


class FloodGate:
    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}

    @property
    def on(self) -> bool:
        return self.rate > 0

    def admit(self, chat: str) -> str:
        """ADMIT, NOTICE (dropped; tell her once) or DROP (dropped quietly)."""
        if not self.on:
            return ADMIT
        now = self.clock()
        bucket = self._buckets.get(chat)
        if bucket is None:
            if len(self._buckets) >= PRUNE_AT:
                self._prune(now)
            bucket = self._buckets[chat] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            bucket.noticed = False
            return ADMIT
        if bucket.noticed:
            return DROP
        bucket.noticed = True
        return NOTICE

    def _prune(self, now: float) -> None:
        full = [
            chat for chat, b in self._buckets.items()
            if b.tokens + (now - b.at) * self.rate >= self.burst
        ]  # fmt: skip
        for chat in full:
            del self._buckets[chat]
