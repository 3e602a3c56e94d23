"""Faults two `p2wkss-bot run --webhook` workers on one PostgreSQL survive: a worker
killed (SIGKILL) in the middle of conversations and of an announcement; the database
unreachable for a few seconds; the Bot API timing out and answering 5xx; updates
delivered twice and out of order. The fake Bot API and the workers are real processes.

PostgreSQL only: SQLite runs one process."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import App
from models import ChannelIdentity, ConversationState, InboxMessage, OutboxMessage
from models.base import transaction
from models.outbox.broadcasts import create_broadcast
from tests.support.fakes.kegiatan import mother
from tests.support.processes import eventually, fake_process
from tests.support.tcp_proxy import TcpProxy, silent_proxy_to
from tests.support.workers import Worker, by_chat, message_update, workers

# What each message gets, by a piece of the first reply's text (a chat not registered).
SAYS = [("/start", "Halo!"), ("bantuan", "Cara memakai"), ("bahasa", "Pilih bahasa")]
ANNOUNCEMENT = "Posyandu Sumberan pindah ke Balai Warga mulai bulan depan."


def database_url(app: App) -> str:
    return app.db.url.render_as_string(hide_password=False)


def postgresql_only(app: App) -> None:
    if app.db.dialect.name != "postgresql":
        pytest.skip("several workers share PostgreSQL; SQLite runs one process")


def markers(texts: list[str]) -> list[str]:
    return [m for text in texts for _, m in SAYS if text.startswith(m)]


async def counts(app: App, column: Any, *where: Any) -> Counter[str]:
    async with app.sessions() as s:
        rows = await s.execute(select(column, func.count()).where(*where).group_by(column))
        return Counter({key: n for key, n in rows})


async def test_a_worker_killed_mid_conversation_and_mid_broadcast_is_taken_over_by_the_other(
    app: App, tmp_path: Path
) -> None:
    """Worker A holds every reply and announcement it is sending (the Bot API does not
    answer) and twelve chats' next messages, stored and acknowledged, when it is killed.
    Worker B finishes all of it: each message answered once, in order, each announcement
    sent once."""
    postgresql_only(app)
    chats = [6_700_000_001 + i for i in range(12)]
    for i in range(20):
        await mother(app, str(6_710_000_001 + i), "Sumberan")
    async with (
        fake_process(tmp_path) as fake,
        workers(database_url(app), fake, tmp_path, count=1) as group,
    ):
        [a] = group.workers
        await fake.config(hold=["sendMessage"])
        async with transaction(app.sessions) as s:
            b = await create_broadcast(
                s, text=ANNOUNCEMENT, audience={"kind": "all"}, actor="admin:test"
            )
            broadcast = b.id
        is_broadcast = OutboxMessage.broadcast_id == broadcast

        async def announcement_in_flight() -> bool:
            return (await counts(app, OutboxMessage.status, is_broadcast))["sending"] > 0

        await eventually(announcement_in_flight, what="A sending the announcement")
        await group.start_one()  # B, the second worker: not the dispatcher while A lives
        for say, _ in SAYS:
            for chat in chats:
                assert await group.post(message_update(group.next_id(), chat, say), a) == 200

        async def acknowledged_and_waiting() -> bool:
            found = await counts(app, InboxMessage.status)
            return found == {"answered": len(chats), "new": len(chats) * (len(SAYS) - 1)}

        await eventually(acknowledged_and_waiting, what="A holding replies and updates")
        recipients = sum((await counts(app, OutboxMessage.status, is_broadcast)).values())
        group.kill(a)
        killed = time.monotonic()
        await fake.config(hold=[])  # what A was sending fails: it never reached Telegram

        async def all_answered() -> bool:
            sent = by_chat(await fake.sent())
            return all(len(markers(sent.get(c, []))) >= len(SAYS) for c in chats)

        await eventually(all_answered, timeout=90, what="B answering A's chats")
        answered_after = time.monotonic() - killed

        async def announcement_sent() -> bool:
            return await counts(app, OutboxMessage.status, is_broadcast) == {"sent": recipients}

        await eventually(announcement_sent, timeout=90, what="B sending the announcement")
        sent_after = time.monotonic() - killed
        await eventually(lambda: inbox_done(app), timeout=30, what="every inbox row done")
        sent = by_chat(await fake.sent())
    print(f"takeover: chats answered {answered_after:.1f} s, announcement {sent_after:.1f} s "
          f"after the kill ({len(chats)} chats, {recipients} recipients)")  # fmt: skip
    assert all(markers(sent[c]) == [m for _, m in SAYS] for c in chats), sent
    got = Counter(c for c, texts in sent.items() for t in texts if ANNOUNCEMENT in t)
    assert sum(got.values()) == recipients and set(got.values()) == {1}


async def inbox_done(app: App) -> bool:
    return set(await counts(app, InboxMessage.status)) == {"done"}


BUSY = "sedang sibuk, coba lagi sebentar"
# A stopped worker's grace before it is killed, as in tests.support.processes.kill.
STOP_GRACE = 10.0


async def test_the_database_away_for_a_few_seconds_gets_her_told_to_try_again_and_comes_back(
    app: App, tmp_path: Path
) -> None:
    """Both workers reach PostgreSQL through a proxy that the test stops: Siti, halfway
    into registering, and four others write meanwhile. Each is told "sedang sibuk, coba
    lagi sebentar", nothing of those messages is written, and once the database is back
    the same workers answer again by themselves: Siti's "1" (sent again) moves her on
    exactly once. Then one worker is stopped (SIGTERM) while the other runs, as in a
    rolling restart: it ends by itself, not killed at the end of its grace."""
    postgresql_only(app)
    url = app.db.url
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    siti, others = 6_800_000_001, [6_800_000_002 + i for i in range(4)]
    try:
        async with fake_process(tmp_path) as fake, workers(proxied, fake, tmp_path) as group:

            async def said(chat: int, words: str, times: int = 1) -> bool:
                texts = by_chat(await fake.sent()).get(chat, [])
                return sum(words in t for t in texts) >= times

            await group.deliver(message_update(group.next_id(), siti, "daftar"))
            await eventually(lambda: said(siti, "Sebelum mendaftar"), what="the consent question")

            await proxy.stop()
            away = [message_update(group.next_id(), siti, "1")]
            away += [message_update(group.next_id(), chat, "/start") for chat in others]
            for update in away:
                await group.deliver(update)  # acknowledged: she was told

            async def everyone_told() -> bool:
                return all([await said(chat, BUSY) for chat in [siti, *others]])

            await eventually(everyone_told, what="everyone told the bot is busy")
            await proxy.start()
            back = time.monotonic()
            await group.deliver(message_update(group.next_id(), siti, "1"))
            for chat in others:
                await group.deliver(message_update(group.next_id(), chat, "/start"))

            async def everyone_answered() -> bool:
                return await said(siti, "nama lengkap") and all(
                    [await said(chat, "Halo!") for chat in others]
                )

            await eventually(everyone_answered, timeout=60, what="answers once it is back")
            recovered = time.monotonic() - back
            await eventually(lambda: inbox_done(app), timeout=30, what="every inbox row done")
            sent = by_chat(await fake.sent())
            # A rolling restart after the blip: one worker stopped while the other runs.
            first, second = group.workers
            stopping = time.monotonic()
            exit_code = await stopped_by_itself(first)
            stopped = time.monotonic() - stopping
            assert second.alive
    finally:
        await proxy.stop()
    print(f"database back: answering again {recovered:.1f} s later; "
          f"a worker stopped {stopped:.1f} s after SIGTERM")  # fmt: skip
    assert exit_code == 0  # it ended by itself, not killed at the end of its grace
    texts = sent[siti]
    assert sum("nama lengkap" in t for t in texts) == 1  # her first "1" was not kept
    assert [i for i, t in enumerate(texts) if BUSY in t] < [
        i for i, t in enumerate(texts) if "nama lengkap" in t
    ]
    for chat in others:
        assert sum(BUSY in t for t in sent[chat]) == 1
        assert sum(t.startswith("Halo!") for t in sent[chat]) == 1
    async with app.sessions() as s:
        keys = {str(u["update_id"]) for u in away}
        kept = await s.scalars(select(InboxMessage.status).where(InboxMessage.update_key.in_(keys)))
    assert set(kept) <= {"done"}  # not stored, or (cut mid-way) dropped: never handled later


async def stopped_by_itself(worker: Worker, grace: float = STOP_GRACE) -> int | None:
    """SIGTERM, then its exit code if it ends by itself within `grace`, else None (it is
    killed). Waited for in a thread: the proxy it reaches the database through runs in
    this event loop, and a worker stopping still writes through it."""
    worker.proc.send_signal(signal.SIGTERM)
    try:
        return await asyncio.to_thread(worker.proc.wait, grace)
    except subprocess.TimeoutExpired:
        worker.proc.kill()
        await asyncio.to_thread(worker.proc.wait)
        return None


async def test_her_updates_in_the_wrong_order_or_twice_are_handled_once_in_telegrams_order(
    app: App, tmp_path: Path
) -> None:
    """Telegram's order within a chat is update_id. Siti's next three answers reach the
    two workers as 3, 1, 2 while her state is locked (a slow worker still at her previous
    message): they are handled 1, 2, 3. Her answer 2 posted to both workers at once is
    handled once. An update older than one already handled ("1" from before, delivered
    late) is no answer to the screen she is on now: she is shown that screen again."""
    postgresql_only(app)
    siti = 6_900_000_001
    async with fake_process(tmp_path) as fake, workers(database_url(app), fake, tmp_path) as group:
        a, b = group.workers

        async def texts() -> list[str]:
            return by_chat(await fake.sent()).get(siti, [])

        async def said(words: str, times: int = 1) -> bool:
            return sum(words in t for t in await texts()) >= times

        await group.deliver(message_update(group.next_id(), siti, "daftar"))
        await eventually(lambda: said("Sebelum mendaftar"), what="the consent question")
        old = message_update(group.next_id() - 1_000, siti, "1")  # an update from before
        first, second, third = (
            message_update(group.next_id(), siti, text) for text in ("1", "Siti Aminah", "2")
        )
        async with app.sessions() as s, s.begin():
            # A worker busy with her previous message holds her state meanwhile.
            await s.execute(
                select(ConversationState)
                .join(ChannelIdentity, ChannelIdentity.id == ConversationState.identity_id)
                .where(ChannelIdentity.external_id == str(siti))
                .with_for_update()
            )
            assert await group.post(third, a) == 200
            assert await group.post(first, b) == 200
            assert await group.post(second, a) == 200
            assert await group.post(second, b) == 200  # twice, at both workers

            async def all_stored() -> bool:
                return (await counts(app, InboxMessage.status))["new"] == 3

            await eventually(all_stored, what="her three updates stored")
        await eventually(lambda: said("RT/RW Ibu"), what="her three answers handled")
        assert [m for t in await texts() for m in REGISTERING if m in t][1:] == REGISTERING[1:]

        assert await group.post(old, b) == 200  # late: she has moved on since
        await eventually(lambda: said("RT/RW Ibu", times=2), what="her screen shown again")
        await group.deliver(message_update(group.next_id(), siti, "RT 03 / RW 05"))
        await eventually(lambda: said("nomor HP"), what="her RT/RW taken")
        await eventually(lambda: inbox_done(app), timeout=30, what="every inbox row done")
        got = await texts()
    assert sum("nama lengkap" in t for t in got) == 1
    assert sum("kampung mana" in t for t in got) == 1
    assert ["RT/RW Ibu" in t for t in got[-3:]] == [True, True, False]


# Siti's registration, by a piece of each question, in order.
REGISTERING = ["Sebelum mendaftar", "nama lengkap", "kampung mana", "RT/RW Ibu"]


async def test_the_bot_api_timing_out_then_answering_5xx_delays_but_loses_and_doubles_nothing(
    app: App, tmp_path: Path
) -> None:
    """While six chats talk to the two workers and an announcement goes out, the Bot API
    first does not answer at all (the workers' calls time out), then answers the next 30
    sends with 502 Bad Gateway: every reply and every announcement arrives once, each
    chat's replies in her order."""
    postgresql_only(app)
    chats = [6_950_000_001 + i for i in range(6)]
    for i in range(10):
        await mother(app, str(6_960_000_001 + i), "Sumberan")
    async with fake_process(tmp_path) as fake, workers(database_url(app), fake, tmp_path) as group:
        await fake.config(hold=["sendMessage"])
        async with transaction(app.sessions) as s:
            b = await create_broadcast(
                s, text=ANNOUNCEMENT, audience={"kind": "all"}, actor="admin:test"
            )
            broadcast = b.id
        is_broadcast = OutboxMessage.broadcast_id == broadcast
        recipients = sum((await counts(app, OutboxMessage.status, is_broadcast)).values())
        talk = [[message_update(group.next_id(), c, say) for say, _ in SAYS] for c in chats]
        await asyncio.gather(*(group.send_in_order(updates) for updates in talk))

        async def timing_out() -> bool:
            return int((await fake.stats())["abandoned"]) >= 3

        await eventually(timing_out, timeout=60, what="sends timing out")
        await fake.config(hold=[], fail={"sendMessage": 30}, fail_status=502)

        async def all_answered() -> bool:
            sent = by_chat(await fake.sent())
            return all(len(markers(sent.get(c, []))) >= len(SAYS) for c in chats)

        await eventually(all_answered, timeout=120, what="every message answered")

        async def announcement_sent() -> bool:
            return await counts(app, OutboxMessage.status, is_broadcast) == {"sent": recipients}

        await eventually(announcement_sent, timeout=120, what="the announcement sent")
        await eventually(lambda: inbox_done(app), timeout=30, what="every inbox row done")
        sent = by_chat(await fake.sent())
        stats = await fake.stats()
    print(f"bot api faults: {stats['abandoned']} calls timed out, "
          f"{stats['by_method']['sendMessage'].get('502', 0)} answered 502")  # fmt: skip
    assert stats["by_method"]["sendMessage"].get("502") == 30
    assert all(markers(sent[c]) == [m for _, m in SAYS] for c in chats), sent
    got = Counter(c for c, texts in sent.items() for t in texts if ANNOUNCEMENT in t)
    assert sum(got.values()) == recipients and set(got.values()) == {1}


# Well above a stop's bound (bot.app.STOP_SECONDS + CLOSE_SECONDS), well below forever.
SILENT_STOP_DEADLINE = 25.0


async def test_a_worker_stopped_while_the_database_is_silent_ends_by_itself(
    app: App, tmp_path: Path
) -> None:
    """The database stops answering (packets dropped: connections stay open, nothing
    comes back) while Siti's message is in flight at a worker, stuck writing it to the
    inbox. The worker is stopped (SIGTERM, as in a deployment): it gives up waiting for
    the database at each step of its stop and ends by itself with exit code 0, saying in
    its log what it gave up waiting for. Her update was never acknowledged: Telegram
    sends it again to a worker that runs."""
    postgresql_only(app)
    proxy, proxied = await silent_proxy_to(app.db.url)
    siti = 6_980_000_001
    try:
        async with (
            fake_process(tmp_path) as fake,
            workers(proxied, fake, tmp_path, count=1) as group,
        ):
            [worker] = group.workers
            await group.deliver(message_update(group.next_id(), siti, "/start"))
            await eventually(lambda: inbox_done(app), timeout=30, what="her first message handled")
            proxy.go_silent()
            in_flight = asyncio.create_task(
                group.post(message_update(group.next_id(), siti, "bantuan"), worker)
            )
            await asyncio.sleep(1.0)  # her update reached the worker, which waits on the database
            assert not in_flight.done()
            stopping = time.monotonic()
            exit_code = await stopped_by_itself(worker, grace=SILENT_STOP_DEADLINE)
            stopped = time.monotonic() - stopping
            with contextlib.suppress(Exception):
                await in_flight
    finally:
        await proxy.stop()
    print(f"database silent: a worker stopped {stopped:.1f} s after SIGTERM")
    assert exit_code == 0  # by itself; None: still running at the deadline, killed
    gave_up = [
        line
        for line in (tmp_path / "run.log").read_text(errors="replace").splitlines()
        if "stop: gave up waiting for" in line
    ]
    assert any("webhook request" in line for line in gave_up), gave_up
    assert any("the database to close its connections" in line for line in gave_up), gave_up
    assert not any(str(siti) in line for line in gave_up)  # steps named, never a person
