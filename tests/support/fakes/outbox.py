"""Test doubles and set-up for outbox stories: a recording sender, people and chats, and
a few steps the dispatcher stories share.

`RecordingSender` is a channel as the dispatcher sees it: it renders each row the way a
real channel would (`render_outbox`), records when it was asked (virtual time), and
answers what the test told it to (RetryAfter, Blocked, Failed…) or `Sent`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from handlers.core.delivery import SendResult, Sent, render_outbox
from handlers.core.types import Reply
from models import ChannelIdentity, IdentityMember, Location, Member
from models.base import transaction
from models.outbox.tables import OutboxMessage, enqueue
from models.people.members import ensure_identity
from scheduler.dispatcher import Dispatcher
from tests.support.fakes.clock import FakeClock

START = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # Selasa 10.00 WIB
WIB = ZoneInfo("Asia/Jakarta")


@dataclass(frozen=True)
class Call:
    at: float  # virtual monotonic seconds
    when: datetime
    identity_id: int
    row_id: int
    kind: str
    reply: Reply


@dataclass
class RecordingSender:
    clock: FakeClock
    channel: str = "telegram"
    max_rate: float = 1000.0
    per_chat_interval: float = 0.0
    latency: float = 0.0
    calls: list[Call] = field(default_factory=list)
    # Answers to give, in order, per chat (identity id); afterwards `Sent`.
    answers: dict[int, list[SendResult | Exception]] = field(default_factory=dict)
    # When set, every send waits for this event (a send "in flight" when the test kills).
    gate: asyncio.Event | None = None
    in_flight: int = 0
    most_in_flight: int = 0

    async def send(self, identity: ChannelIdentity, row: OutboxMessage) -> SendResult:
        reply = render_outbox(row, identity.language)
        self.calls.append(
            Call(self.clock.monotonic(), self.clock.now(), identity.id, row.id, row.kind, reply)
        )
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.gate is not None:
                await self.gate.wait()
            if self.latency:
                await self.clock.sleep(self.latency)
        finally:
            self.in_flight -= 1
        queue = self.answers.get(identity.id)
        answer = queue.pop(0) if queue else Sent(f"{self.channel}-{len(self.calls)}")
        if isinstance(answer, Exception):
            raise answer
        return answer

    def rows(self) -> list[int]:
        return [c.row_id for c in self.calls]

    def chats(self) -> list[int]:
        return [c.identity_id for c in self.calls]


async def kampung_ids(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(
        select(Location.name, Location.id).where(Location.level == "kampung")
    )
    return {name: id_ for name, id_ in rows}


async def add_member(
    session: AsyncSession,
    chat: str | None,
    *,
    role: str = "ibu",
    kampung_id: int | None = None,
    channel: str = "telegram",
    seen_at: datetime | None = None,
    last_active_at: datetime | None = None,
) -> tuple[int, int]:
    """A member and (unless chat is None) the chat she uses; returns (member, identity)."""
    member = Member(
        full_name=f"Ibu {chat}",
        role=role,
        kampung_id=kampung_id,
        language="id",
        last_active_at=last_active_at,
    )
    session.add(member)
    await session.flush()
    identity_id = 0
    if chat is not None:
        identity_id = await link(session, member.id, chat, channel=channel, seen_at=seen_at)
    return member.id, identity_id


async def link(
    session: AsyncSession,
    member_id: int,
    chat: str,
    *,
    channel: str = "telegram",
    seen_at: datetime | None = None,
) -> int:
    """Let a chat act for a member (a shared household phone has several)."""
    identity_id = await ensure_identity(session, channel, chat)
    if seen_at is not None:
        await session.execute(
            update(ChannelIdentity)
            .where(ChannelIdentity.id == identity_id)
            .values(last_seen_at=seen_at)
        )
    session.add(IdentityMember(identity_id=identity_id, member_id=member_id))
    await session.flush()
    return identity_id


# --- dispatcher stories ---------------------------------------------------------------------


def dispatcher(app: App, clock: FakeClock, *senders: RecordingSender, **kw: Any) -> Dispatcher:
    return Dispatcher(app.sessions, list(senders), tz=WIB, clock=clock, **kw)


async def chats(app: App, n: int, *, role: str = "ibu") -> list[int]:
    async with transaction(app.sessions) as s:
        return [(await add_member(s, f"tg-{role}-{i}", role=role))[1] for i in range(n)]


async def queue(app: App, clock: FakeClock, chat: int, key: str, **kw: Any) -> int:
    async with transaction(app.sessions) as s:
        row_id = await enqueue(
            s,
            identity_id=chat,
            channel="telegram",
            kind="announcement",
            params={"text": key},
            idempotency_key=key,
            now=clock.now(),
            **kw,
        )
    assert row_id is not None
    return row_id


async def rows(app: App) -> dict[int, OutboxMessage]:
    async with app.sessions() as s:
        return {r.id: r for r in await s.scalars(select(OutboxMessage))}


async def states(app: App) -> dict[int, tuple[str, str | None]]:
    return {i: (r.status, r.last_error) for i, r in (await rows(app)).items()}


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait (real time, in 1 ms steps) for something another task does."""
    for _ in range(int(timeout / 0.001)):
        if condition():
            return
        await asyncio.sleep(0.001)
    raise AssertionError("timed out waiting")


async def send_all(d: Dispatcher, app: App, clock: FakeClock, step: float = 0.25) -> None:
    """Dispatch, letting virtual time pass, until nothing is queued or in flight."""
    for _ in range(400):
        await d.run_once()
        if all(r.status not in ("queued", "sending") for r in (await rows(app)).values()):
            return
        clock.advance(step)
    raise AssertionError("the outbox never emptied")
