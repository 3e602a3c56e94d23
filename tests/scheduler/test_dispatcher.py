"""Stories of the outbox dispatcher on a real database, in virtual time.

The sender is a recording stand-in told what to answer; the clock is virtual, so pacing
and pauses are checked from recorded send times, never from wall-clock timing.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from datetime import datetime, timedelta

import pytest

from bot.app import App
from handlers.core.delivery import Blocked, Failed, OutsideWindow, RetryAfter
from models import ChannelIdentity, Member
from models.base import transaction
from models.outbox.broadcasts import create_broadcast
from models.outbox.tables import PRIORITY_NOTICE, PRIORITY_URGENT, claim_batch
from models.people.members import erase_member
from tests.support.fakes.clock import FakeClock
from tests.support.fakes.outbox import (
    START,
    WIB,
    RecordingSender,
    add_member,
    chats,
    dispatcher,
    queue,
    rows,
    send_all,
    states,
    until,
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def sender(clock: FakeClock) -> RecordingSender:
    return RecordingSender(clock)


async def test_a_broadcast_reaches_every_chat_exactly_once(app: App, clock: FakeClock) -> None:
    sender = RecordingSender(clock)
    targets = await chats(app, 3)
    async with transaction(app.sessions) as s:
        await create_broadcast(
            s, text="Posyandu Sabtu", audience={"kind": "all"}, actor="cli", now=clock.now()
        )
    async with dispatcher(app, clock, sender) as d:
        assert await d.run_once() == 3
        assert await d.run_once() == 0
    assert sorted(sender.chats()) == targets
    assert all(c.reply.text.endswith("Posyandu Sabtu") for c in sender.calls)
    settled = (await rows(app)).values()
    assert {(r.status, r.attempts) for r in settled} == {("sent", 1)}
    assert all(r.provider_message_id for r in settled)
    assert all(r.sent_at and START <= r.sent_at < START + timedelta(seconds=1) for r in settled)


async def test_higher_priority_goes_first(
    app: App, clock: FakeClock, sender: RecordingSender
) -> None:
    a, b, c = await chats(app, 3)
    news = await queue(app, clock, a, "news")
    reminder = await queue(app, clock, b, "reminder", priority=PRIORITY_NOTICE)
    moved = await queue(app, clock, c, "kegiatan-moved", priority=PRIORITY_URGENT)
    async with dispatcher(app, clock, sender) as d:
        await d.run_once()
    assert sender.rows() == [moved, reminder, news]


async def test_a_crash_between_claim_and_send_leads_to_exactly_one_resend(
    app: App, clock: FakeClock, sender: RecordingSender
) -> None:
    [chat] = await chats(app, 1)
    row = await queue(app, clock, chat, "kumpul")
    async with transaction(app.sessions) as s:  # a dispatcher claims it, then dies
        assert len(await claim_batch(s, "telegram", clock.now(), 10, 60)) == 1
    async with dispatcher(app, clock, sender, lease_seconds=60) as d:
        # It holds the channel, so the row's claimer is gone: taken back at once (issue 9),
        # not after the 60 s lease.
        assert await d.run_once() == 1
        assert await d.run_once() == 0
        clock.advance(61)
        assert await d.run_once() == 0
    assert sender.rows() == [row]
    assert ((await rows(app))[row].status, (await rows(app))[row].attempts) == ("sent", 2)


async def test_a_dispatcher_killed_mid_send_loses_nothing(app: App, clock: FakeClock) -> None:
    targets = await chats(app, 3)
    for chat in targets:
        await queue(app, clock, chat, f"msg-{chat}")
    stuck = RecordingSender(clock, gate=asyncio.Event())  # answers never come back
    first = dispatcher(app, clock, stuck, lease_seconds=60)
    run = asyncio.create_task(first.run(asyncio.Event()))
    await until(lambda: len(stuck.calls) == 3)
    run.cancel()  # SIGKILL, as far as the database can tell
    with contextlib.suppress(asyncio.CancelledError):
        await run
    assert {s for s, _ in (await states(app)).values()} == {"sending"}
    again = RecordingSender(clock)
    async with dispatcher(app, clock, again, lease_seconds=60) as d:
        await d.run_once()  # no waiting out the lease
    assert sorted(again.chats()) == targets  # each once more: sent twice at worst, never lost
    assert {s for s, _ in (await states(app)).values()} == {"sent"}


async def test_retry_after_pauses_the_channel_then_resumes_without_counting_a_failure(
    app: App, clock: FakeClock, sender: RecordingSender
) -> None:
    a, b, c = await chats(app, 3)
    sender.answers[a] = [RetryAfter(5.0)]
    for chat in (a, b, c):
        await queue(app, clock, chat, f"to-{chat}")
    async with dispatcher(app, clock, sender) as d:
        await d.run_once()
        clock.set(START + timedelta(seconds=4.9))
        assert await d.run_once() == 0  # the whole channel waits, not only that chat
        clock.set(START + timedelta(seconds=5))
        await d.run_once()
    assert [(c.identity_id, round(c.at, 3)) for c in sender.calls] == [
        (a, 0.0),
        (a, 5.0),
        (b, 5.001),
        (c, 5.002),
    ]
    assert {(r.status, r.attempts) for r in (await rows(app)).values()} == {("sent", 1)}


async def test_retry_after_for_one_chat_holds_only_that_chat(
    app: App, clock: FakeClock, sender: RecordingSender
) -> None:
    a, b = await chats(app, 2)
    sender.answers[a] = [RetryAfter(3.0, whole_channel=False)]
    held = await queue(app, clock, a, "a")
    await queue(app, clock, b, "b")
    async with dispatcher(app, clock, sender) as d:
        await send_all(d, app, clock)
    times = {(call.row_id, call.identity_id): call.at for call in sender.calls}
    assert times[(held + 1, b)] < 0.01
    assert sender.rows().count(held) == 2 and sender.calls[-1].at >= 3.0


async def test_a_chat_that_blocked_the_bot_is_marked_unreachable_and_its_queue_skipped(
    app: App, clock: FakeClock, sender: RecordingSender
) -> None:
    gone, fine = await chats(app, 2)
    sender.answers[gone] = [Blocked()]
    first = await queue(app, clock, gone, "one")
    rest = [await queue(app, clock, gone, k) for k in ("two", "three")]
    later = await queue(app, clock, gone, "later", not_before=START + timedelta(hours=1))
    ok = await queue(app, clock, fine, "fine")
    async with dispatcher(app, clock, sender) as d:
        await d.run_once()
    assert sender.rows() == [first, ok]  # nothing more was tried on the blocked chat
    result = await states(app)
    assert result[first] == ("failed", "blocked") and result[ok] == ("sent", None)
    assert all(result[r] == ("skipped", "blocked") for r in [*rest, later])
    async with app.sessions() as s:
        identity = await s.get_one(ChannelIdentity, gone)
    assert identity.unreachable and identity.unreachable_at == START


async def test_a_transient_failure_is_retried_with_backoff_then_fails_with_the_reason(
    app: App, clock: FakeClock, sender: RecordingSender
) -> None:
    [chat] = await chats(app, 1)
    sender.answers[chat] = [Failed("http_502", retryable=True)] * 3
    row = await queue(app, clock, chat, "x")
    async with dispatcher(app, clock, sender, max_attempts=3, backoff=(2.0, 60.0)) as d:
        await send_all(d, app, clock, step=0.5)
    assert [call.at for call in sender.calls] == [0.0, 2.0, 6.0]
    settled = (await rows(app))[row]
    assert (settled.status, settled.attempts, settled.last_error) == ("failed", 3, "http_502")


async def test_outside_window_and_permanent_errors_fail_at_once_a_crash_is_retried(
    app: App, clock: FakeClock, sender: RecordingSender
) -> None:
    a, b, c = await chats(app, 3)
    sender.answers |= {a: [OutsideWindow()], b: [Failed("bad_request")], c: [ValueError()]}
    ra, rb, rc = [await queue(app, clock, chat, f"k{chat}") for chat in (a, b, c)]
    async with dispatcher(app, clock, sender) as d:
        await d.run_once()
    result = await states(app)
    assert result[ra] == ("failed", "outside_window") and result[rb] == ("failed", "bad_request")
    assert result[rc] == ("queued", "error:ValueError")


async def test_two_messages_to_one_chat_are_kept_apart_without_holding_up_others(
    app: App, clock: FakeClock
) -> None:
    sender = RecordingSender(clock, per_chat_interval=1.0)
    busy, other = await chats(app, 2)
    mine = [await queue(app, clock, busy, f"m{i}") for i in range(3)]
    theirs = await queue(app, clock, other, "o")
    async with dispatcher(app, clock, sender) as d:
        await send_all(d, app, clock, step=0.1)
    times = [call.at for call in sender.calls if call.identity_id == busy]
    assert [call.row_id for call in sender.calls if call.identity_id == busy] == mine
    assert all(later - earlier >= 1.0 for earlier, later in itertools.pairwise(times))
    assert next(c.at for c in sender.calls if c.row_id == theirs) < 0.01
    assert {r.attempts for r in (await rows(app)).values()} == {1}  # waiting is no attempt


async def test_the_pace_stays_under_the_limit_and_latency_does_not_cap_it(
    app: App, clock: FakeClock
) -> None:
    sender = RecordingSender(clock, max_rate=29.5, latency=0.1)
    for chat in await chats(app, 90):
        await queue(app, clock, chat, f"k{chat}")
    async with dispatcher(app, clock, sender, batch_size=100) as d:
        await d.run_once()
    times = sorted(call.at for call in sender.calls)
    assert len(times) == 90
    # An enforcing server counts the last second: never more than 30 in any such window.
    assert max(sum(1 for t in times if start <= t < start + 1.0) for start in times) <= 30
    rate = (len(times) - 1) / (times[-1] - times[0])
    assert 29.0 <= rate <= 29.5 + 1e-6  # one at a time at 100 ms would manage 10/s
    assert sender.most_in_flight >= 3


async def test_quiet_hours_hold_announcements_but_not_reminders(
    app: App, clock: FakeClock, sender: RecordingSender
) -> None:
    [chat] = await chats(app, 1)
    clock.set(datetime(2026, 12, 1, 22, 0, tzinfo=WIB))
    news = await queue(app, clock, chat, "news", respects_quiet_hours=True)
    reminder = await queue(app, clock, chat, "reminder", priority=PRIORITY_NOTICE)
    async with dispatcher(app, clock, sender) as d:
        await d.run_once()
        clock.set(datetime(2026, 12, 2, 5, 59, tzinfo=WIB))
        await d.run_once()
        assert sender.rows() == [reminder]
        clock.set(datetime(2026, 12, 2, 6, 0, tzinfo=WIB))
        await d.run_once()
    assert sender.rows() == [reminder, news]
    assert sender.calls[-1].when == datetime(2026, 12, 2, 6, 0, tzinfo=WIB)


async def test_nothing_goes_out_about_a_member_who_was_erased(
    app: App, clock: FakeClock, sender: RecordingSender
) -> None:
    async with transaction(app.sessions) as s:
        member, chat = await add_member(s, "tg-erase")
    row = await queue(app, clock, chat, "reminder", member_id=member)
    async with transaction(app.sessions) as s:
        await erase_member(s, await s.get_one(Member, member))
    async with dispatcher(app, clock, sender) as d:
        await d.run_once()
    assert sender.calls == [] and (await states(app))[row] == ("skipped", "erased")


async def test_only_one_dispatcher_per_channel_on_postgresql(app: App, clock: FakeClock) -> None:
    if app.db.dialect.name != "postgresql":
        pytest.skip("SQLite runs one process; there is no lock to take")
    a, b = await chats(app, 2)
    first, second = RecordingSender(clock), RecordingSender(clock)
    await queue(app, clock, a, "a")
    one, two = dispatcher(app, clock, first), dispatcher(app, clock, second)
    try:
        assert await one.run_once() == 1
        await queue(app, clock, b, "b")
        assert await two.run_once() == 0  # the channel is taken
        await one.close()  # that worker stops (or dies: its session ends, same effect)
        assert await two.run_once() == 1
    finally:
        await one.close()
        await two.close()
    assert (len(first.calls), len(second.calls)) == (1, 1)


async def test_the_run_loop_sends_until_stopped_and_finishes_what_is_in_flight(
    app: App, clock: FakeClock
) -> None:
    sender = RecordingSender(clock, latency=0.1)
    for chat in await chats(app, 5):
        await queue(app, clock, chat, f"k{chat}")
    stop = asyncio.Event()
    run = asyncio.create_task(dispatcher(app, clock, sender).run(stop))
    await until(lambda: len(sender.calls) == 5)
    stop.set()
    await run
    assert {s for s, _ in (await states(app)).values()} == {"sent"}
