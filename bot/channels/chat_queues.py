"""Per-chat work queues for a channel adapter: each chat's messages handled one after the
other, in arrival order, by a task of its own, so a chat waiting on its turn (or on a
platform's RetryAfter) holds no slot another chat needs. A chat's backlog is capped while
flood control is on; `wait_idle` lets shutdown and tests wait for quiet."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

W = TypeVar("W")


class ChatQueues(Generic[W]):
    def __init__(self, run: Callable[[str, W], Awaitable[None]], *, backlog: int, label: str):
        self._run = run
        self.backlog = backlog
        self._label = label
        self._queues: dict[str, deque[W]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._busy = 0
        self.handled = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def add(self, chat: str, work: W, *, capped: bool, first: bool = False) -> bool:
        """Queue work for the chat (`first`: ahead of her backlog); False when `capped` and
        her backlog is full."""
        queue = self._queues.setdefault(chat, deque())
        if capped and len(queue) >= self.backlog:
            return False
        if first:
            queue.appendleft(work)
        else:
            queue.append(work)
        self.begin()
        if chat not in self._workers:
            self._workers[chat] = asyncio.create_task(self._drain(chat, queue))
        return True

    def begin(self) -> None:
        """Work under way outside a queue (counted for `wait_idle`)."""
        self._busy += 1
        self._idle.clear()

    def end(self) -> None:
        self.handled += 1
        self._busy -= 1
        if self._busy == 0:
            self._idle.set()

    async def wait_idle(self) -> None:
        await self._idle.wait()

    async def stop(self, grace: float) -> None:
        """Drop what waits (the inbox keeps it for a restart) and let what is under way
        finish, up to `grace` seconds (a task cancelled inside a transaction can leave a SQLite
        connection holding the write lock)."""
        for queue in self._queues.values():
            while queue:
                queue.pop()
                self.end()
        workers = list(self._workers.values())
        if workers:
            _done, late = await asyncio.wait(workers, timeout=grace)
            for worker in late:
                worker.cancel()
            await asyncio.gather(*late, return_exceptions=True)

    async def _drain(self, chat: str, queue: deque[W]) -> None:
        try:
            while queue:
                work = queue.popleft()
                try:
                    await self._run(chat, work)
                except Exception:
                    log.exception("%s update failed", self._label)
                finally:
                    self.end()
        finally:
            del self._workers[chat]
            if not queue:
                self._queues.pop(chat, None)
