"""The outbox dispatcher: sends queued rows through each channel's sender, within limits.

Per channel it keeps a small claimed backlog (rows leased in batches; at most a batch
waiting or in flight, so sends a channel holds back, e.g. behind direct replies sharing
its budget, do not pile up), gives each row a send slot from an even pacer (`max_rate`;
a send is also kept 1/rate behind the one before it as really sent, so a stall never
lets a burst out), keeps two sends to one chat `per_chat_interval` apart (a row whose
chat is cooling down goes back to the queue for a moment instead of holding up the
others), and runs the sends concurrently so platform
latency does not cap throughput. Each result is recorded in its own short transaction as
soon as it arrives, so a kill loses at most the answers of the sends in flight: those rows
are still `sending` and are claimed again (sent twice, never lost): at once by the next
dispatcher to take the channel (it is the only one, so their claimer is gone), else when
their lease runs out.

With several processes on PostgreSQL, only the holder of a channel's advisory lock
dispatches that channel, so a takeover is safe and the rate budget is not multiplied.
This module knows no platform: `bot/` hands it the senders.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from types import TracebackType
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from handlers.core.delivery import Blocked, Failed, RetryAfter, Sender, SendResult
from models.base import changed, transaction
from models.outbox.delivery import record_result
from models.outbox.tables import (
    BLOCKED,
    Claimed,
    OutboxMessage,
    QuietHours,
    claim_batch,
    release,
    skip,
)
from scheduler.leader import AdvisoryLocks
from scheduler.ratelimit import Clock, Pacer, SystemClock

log = logging.getLogger(__name__)

DEFAULT_QUIET_HOURS = (time(21, 0), time(6, 0))
# While rows are claimed or in flight, look for more this often (seconds).
BUSY_POLL = 0.05
# Forget per-chat send times once there are this many (stale ones only).
CHAT_MEMORY = 10_000


@dataclass
class _Lane:
    """One channel's sender and its live limits."""

    sender: Sender
    pacer: Pacer
    chat_next: dict[int, float] = field(default_factory=dict)
    # Chat -> when it was found blocked; rows claimed before that are not sent.
    blocked: dict[int, float] = field(default_factory=dict)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    waiting: int = 0  # claimed rows whose send slot has not come yet
    # Rows a former holder of this channel left `sending` were taken back (once, at first).
    took_over: bool = False

    @property
    def channel(self) -> str:
        return self.sender.channel


class Dispatcher:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        senders: list[Sender],
        *,
        tz: ZoneInfo,
        quiet_hours: tuple[time, time] | None = DEFAULT_QUIET_HOURS,
        batch_size: int = 50,
        lease_seconds: float = 60.0,
        max_attempts: int = 5,
        backoff: tuple[float, float] = (2.0, 600.0),
        poll_seconds: float = 1.0,
        clock: Clock | None = None,
    ) -> None:
        self.sessions = sessions
        self.clock: Clock = clock or SystemClock()
        self.quiet = QuietHours(quiet_hours[0], quiet_hours[1], tz) if quiet_hours else None
        self.batch_size = batch_size
        self.lease_seconds = lease_seconds
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.poll_seconds = poll_seconds
        self.lanes = [_Lane(s, Pacer(s.max_rate, self.clock)) for s in senders]
        if len({lane.channel for lane in self.lanes}) != len(self.lanes):
            raise ValueError("one sender per channel")
        self.locks = AdvisoryLocks(_engine_of(sessions))
        # For the health check: is the loop running, and when did a claim last answer
        # (with rows or none; on PostgreSQL only while this process holds a channel).
        self.running = False
        self.last_claim_at: datetime | None = None

    async def __aenter__(self) -> Dispatcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        await self.locks.release_all()

    async def run_once(self) -> int:
        """Claim one batch per channel, send it and record the results; returns rows claimed."""
        claimed = 0
        for lane in self.lanes:
            if not lane.pacer.paused() and await self.locks.hold(f"outbox:{lane.channel}"):
                claimed += await self._fill(lane, self.batch_size)
        await self._drain()
        return claimed

    async def run(self, stop: asyncio.Event) -> None:
        """Dispatch until `stop` is set, then finish the sends in flight.

        Cancelling the task (or killing the process) abandons the sends in flight; their
        rows stay `sending` and are taken up again after the lease.
        """
        self.running = True
        try:
            while not stop.is_set():
                claimed = 0
                for lane in self.lanes:
                    # Top the backlog up before it runs dry, so the pace never stalls.
                    if lane.waiting >= max(1, self.batch_size // 2) or lane.pacer.paused():
                        continue
                    try:
                        if await self.locks.hold(f"outbox:{lane.channel}"):
                            claimed += await self._fill(lane, self.batch_size - len(lane.tasks))
                    except Exception:
                        log.exception("claiming outbox rows failed on %s", lane.channel)
                busy = claimed > 0 or any(lane.tasks for lane in self.lanes)
                await self._pause(stop, BUSY_POLL if busy else self.poll_seconds)
            await self._drain()
        except asyncio.CancelledError:
            for lane in self.lanes:
                for task in lane.tasks:
                    task.cancel()
            raise
        finally:
            self.running = False
            await self.close()

    async def _pause(self, stop: asyncio.Event, seconds: float) -> None:
        stopped = asyncio.create_task(stop.wait())
        slept = asyncio.create_task(self.clock.sleep(seconds))
        try:
            await asyncio.wait({stopped, slept}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (stopped, slept):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _drain(self) -> None:
        tasks = [task for lane in self.lanes for task in lane.tasks]
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _take_over(self, lane: _Lane) -> None:
        """Having just taken the channel (SQLite: the only dispatcher; PostgreSQL: its
        advisory lock), take back at once the rows a former holder left `sending`,
        instead of waiting out their lease: whoever claimed them is gone."""
        now = self.clock.now()
        m = OutboxMessage
        async with transaction(self.sessions) as session:
            result = await session.execute(
                update(m)
                .where(m.channel == lane.channel, m.status == "sending", m.lease_until > now)
                .values(lease_until=now)
            )
        lane.took_over = True
        taken = changed(result)
        if taken:
            log.info("took back %d rows left sending on %s", taken, lane.channel)

    async def _fill(self, lane: _Lane, limit: int) -> int:
        """Claim up to `limit` rows and start a paced send task for each."""
        if not lane.took_over:
            await self._take_over(lane)
        # Never hold more than half a lease's worth of sends: a row still waiting for its
        # slot when the lease runs out would be claimed again and sent twice.
        limit = min(limit, int(lane.sender.max_rate * self.lease_seconds / 2) - lane.waiting)
        if limit <= 0:
            return 0
        now = self.clock.now()
        async with transaction(self.sessions) as session:
            claims = await claim_batch(
                session,
                lane.channel,
                now,
                limit,
                self.lease_seconds,
                quiet_hours=self.quiet,
                max_attempts=self.max_attempts,
            )
        self.last_claim_at = now
        deferred: list[tuple[int, float]] = []
        mono = self.clock.monotonic()
        for claim in claims:
            chat = claim.identity.id
            ready = lane.chat_next.get(chat, mono)
            if ready > lane.pacer.next_slot():
                deferred.append((claim.row.id, ready - mono))
                continue
            slot = lane.pacer.reserve()
            lane.chat_next[chat] = slot + lane.sender.per_chat_interval
            lane.waiting += 1
            task = asyncio.create_task(self._deliver(lane, claim, slot, claimed_at=mono))
            lane.tasks.add(task)
            task.add_done_callback(lane.tasks.discard)
        if deferred:
            async with transaction(self.sessions) as session:
                for row_id, wait in deferred:
                    await release(session, row_id, now + timedelta(seconds=wait))
        self._forget_old_chats(lane)
        if claims:
            log.debug("claimed %d on %s (%d deferred)", len(claims), lane.channel, len(deferred))
        return len(claims)

    async def _deliver(self, lane: _Lane, claim: Claimed, slot: float, claimed_at: float) -> None:
        try:
            await self.clock.sleep(slot - self.clock.monotonic())
        finally:
            lane.waiting -= 1
        chat, row_id = claim.identity.id, claim.row.id
        if not lane.pacer.paused():
            # Space it from the send before it as really sent (see `Pacer.admit`).
            delay = lane.pacer.admit()
            if delay > 0:
                await self.clock.sleep(delay)
        if lane.pacer.paused():
            # The platform paused the channel while this row waited for its slot: give it
            # back until the pause ends rather than hold it (and its lease) here.
            wait = lane.pacer.paused_until - self.clock.monotonic()
            until = self.clock.now() + timedelta(seconds=wait)
            await self._store(lambda s: release(s, row_id, until))
            return
        if lane.blocked.get(chat, float("-inf")) >= claimed_at:
            await self._store(lambda s: skip(s, row_id, BLOCKED))
            return
        # Its chat's next message keeps its distance from when this one really goes.
        sent_at = self.clock.monotonic()
        lane.chat_next[chat] = max(
            lane.chat_next.get(chat, sent_at), sent_at + lane.sender.per_chat_interval
        )
        try:
            result: SendResult = await lane.sender.send(claim.identity, claim.row)
        except Exception as exc:
            # A sender should answer with a result; an exception is treated as transient.
            name = type(exc).__name__
            log.warning("send raised %s on %s (row %d)", name, lane.channel, row_id)
            result = Failed(f"error:{name}", retryable=True)
        self._react(lane, chat, result)
        now = self.clock.now()
        await self._store(
            lambda s: record_result(
                s,
                claim.row.id,
                result,
                now=now,
                max_attempts=self.max_attempts,
                backoff=self.backoff,
            )
        )

    def _react(self, lane: _Lane, chat: int, result: SendResult) -> None:
        """Adjust the live limits at once; the database learns the same in `_store`."""
        mono = self.clock.monotonic()
        if isinstance(result, RetryAfter):
            if result.whole_channel:
                lane.pacer.pause(result.seconds)
                log.warning("%s asked to pause %.1fs", lane.channel, result.seconds)
            else:
                until = mono + result.seconds
                lane.chat_next[chat] = max(lane.chat_next.get(chat, until), until)
        elif isinstance(result, Blocked):
            lane.blocked[chat] = mono

    async def _store(self, write: Callable[[AsyncSession], Awaitable[object]]) -> None:
        try:
            async with transaction(self.sessions) as session:
                await write(session)
        except Exception:
            # The row stays `sending`; after its lease it is claimed and sent again.
            log.exception("could not record a delivery result")

    def _forget_old_chats(self, lane: _Lane) -> None:
        mono = self.clock.monotonic()
        if len(lane.chat_next) > CHAT_MEMORY:
            lane.chat_next = {c: t for c, t in lane.chat_next.items() if t > mono}
        if len(lane.blocked) > CHAT_MEMORY:
            horizon = mono - 2 * self.lease_seconds  # older rows were claimed again since
            lane.blocked = {c: t for c, t in lane.blocked.items() if t > horizon}


def _engine_of(sessions: async_sessionmaker[AsyncSession]) -> AsyncEngine:
    bind = sessions.kw.get("bind")
    if not isinstance(bind, AsyncEngine):
        raise TypeError("the dispatcher needs a sessionmaker bound to an AsyncEngine")
    return bind
