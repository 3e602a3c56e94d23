"""Stories of admin broadcasts going out: scheduled, cancelled, opted out, summarised,
and the scheduler jobs that drive them, on a real database in virtual time."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED  # type: ignore[import-untyped]
from sqlalchemy import func, select, update

from bot.app import App
from handlers.core.delivery import Blocked
from models import ChannelIdentity, Member
from models.base import transaction
from models.outbox.broadcasts import (
    Broadcast,
    broadcast_summary,
    cancel_broadcast,
    create_broadcast,
    sweep_broadcasts,
)
from models.outbox.tables import PRIORITY_NOTICE, OutboxMessage
from scheduler.jobs import build_scheduler
from tests.support.fakes.clock import FakeClock
from tests.support.fakes.outbox import (
    START,
    RecordingSender,
    chats,
    dispatcher,
    queue,
    rows,
    until,
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def sender(clock: FakeClock) -> RecordingSender:
    return RecordingSender(clock)


async def test_a_scheduled_broadcast_cancelled_before_its_time_sends_nothing(
    app: App, clock: FakeClock, sender: RecordingSender
) -> None:
    await chats(app, 2)
    async with transaction(app.sessions) as s:
        b = await create_broadcast(
            s,
            text="Lomba P2WKSS",
            audience={"kind": "all"},
            actor="admin:1",
            scheduled_at=START + timedelta(hours=1),
            now=clock.now(),
        )
    clock.advance(1800)
    async with transaction(app.sessions) as s:
        assert await cancel_broadcast(s, b.id, actor="admin:1", now=clock.now())
    clock.advance(3600)
    async with transaction(app.sessions) as s:
        assert (await sweep_broadcasts(s, clock.now())).enqueued == []
        assert not await cancel_broadcast(s, b.id, actor="admin:1")
    async with dispatcher(app, clock, sender) as d:
        assert await d.run_once() == 0
    assert sender.calls == [] and await rows(app) == {}
    async with app.sessions() as s:
        assert (await s.get_one(Broadcast, b.id)).status == "cancelled"


async def test_a_scheduled_broadcast_goes_out_at_its_time_and_the_admin_gets_a_summary(
    app: App, clock: FakeClock, sender: RecordingSender
) -> None:
    [admin_chat] = await chats(app, 1, role="admin")
    mothers = await chats(app, 3)
    sender.answers[mothers[0]] = [Blocked()]
    async with transaction(app.sessions) as s:
        admin = await s.scalar(select(Member.id).where(Member.role == "admin"))
        await s.execute(
            update(ChannelIdentity)
            .where(ChannelIdentity.id == mothers[1])
            .values(announcements_opted_out=True)
        )
        b = await create_broadcast(
            s,
            text="Besok pelatihan UP2K",
            audience={"kind": "ibu"},
            actor=f"member:{admin}",
            created_by_member_id=admin,
            scheduled_at=START + timedelta(hours=1),
            now=clock.now(),
        )
    clock.advance(3600)
    async with dispatcher(app, clock, sender) as d:
        async with transaction(app.sessions) as s:
            assert (await sweep_broadcasts(s, clock.now())).enqueued == [b.id]
        await d.run_once()
        async with transaction(app.sessions) as s:
            summary = await broadcast_summary(s, b.id)
            assert (await sweep_broadcasts(s, clock.now())).finished == [b.id]
        await d.run_once()
    assert (summary.recipients, summary.sent, summary.blocked, summary.queued) == (2, 1, 1, 0)
    assert sender.calls[-1].identity_id == admin_chat
    assert sender.calls[-1].kind == "broadcast_summary"


async def test_a_chat_that_opts_out_after_queueing_still_gets_her_reminder(
    app: App, clock: FakeClock, sender: RecordingSender
) -> None:
    [chat] = await chats(app, 1)
    async with transaction(app.sessions) as s:
        b = await create_broadcast(
            s, text="Info", audience={"kind": "all"}, actor="cli", now=clock.now()
        )
    reminder = await queue(app, clock, chat, "reminder", priority=PRIORITY_NOTICE)
    async with transaction(app.sessions) as s:  # she sends BERHENTI before it goes out
        await s.execute(
            update(ChannelIdentity)
            .where(ChannelIdentity.id == chat)
            .values(announcements_opted_out=True)
        )
    async with dispatcher(app, clock, sender) as d:
        await d.run_once()
    assert sender.rows() == [reminder]
    async with app.sessions() as s:
        assert (await broadcast_summary(s, b.id)).opted_out == 1


async def test_the_scheduler_runs_the_dispatcher_and_the_broadcast_sweep(
    app: App, clock: FakeClock, sender: RecordingSender
) -> None:
    await chats(app, 2)
    async with transaction(app.sessions) as s:
        await create_broadcast(
            s,
            text="Arisan",
            audience={"kind": "all"},
            actor="cli",
            scheduled_at=START + timedelta(minutes=1),
            now=clock.now(),
        )
    clock.advance(120)
    stop = asyncio.Event()
    ended: list[str] = []
    scheduler = build_scheduler(dispatcher(app, clock, sender), stop, clock=clock)
    scheduler.add_listener(lambda e: ended.append(e.job_id), EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    scheduler.start()
    try:
        await until(lambda: len(sender.calls) == 2)
        stop.set()
        await until(lambda: "outbox-dispatcher" in ended)
    finally:
        scheduler.shutdown(wait=False)
    async with app.sessions() as s:
        assert await s.scalar(select(func.count()).where(OutboxMessage.status == "sent")) == 2
