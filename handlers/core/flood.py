"""Flood control: a token bucket per chat. A chat may send `burst` messages at once and
`rate` a second after that; what comes faster is dropped, the first with a short note
("pelan-pelan ya, Bu"), then at most one note every NOTE_EVERY seconds: a stuck key or a
child on the phone keeps flooding, and a note each time a token came back (every half
second) would flood her in turn. Channel-neutral: adapters ask before queueing a message.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

ADMIT, NOTICE, DROP = "admit", "notice", "drop"
# Buckets are forgotten once this many chats are known and theirs are full again.
PRUNE_AT = 10_000
# A chat dropped again within this many seconds of her last note gets no other one.
NOTE_EVERY = 30.0


@dataclass
class _Bucket:
    tokens: float
    at: float
    noted_at: float | None = None


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
            return ADMIT
        if bucket.noted_at is not None and now - bucket.noted_at < NOTE_EVERY:
            return DROP
        bucket.noted_at = now
        return NOTICE

    def _prune(self, now: float) -> None:
        full = [
            chat for chat, b in self._buckets.items()
            if b.tokens + (now - b.at) * self.rate >= self.burst
        ]  # fmt: skip
        for chat in full:
            del self._buckets[chat]
