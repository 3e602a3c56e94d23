"""Faults two `p2wkss-bot run --webhook` workers on one PostgreSQL survive: a worker
killed (SIGKILL) in the middle of conversations and of an announcement; the database
unreachable for a few seconds; the Bot API timing out and answering 5xx; updates
delivered twice and out of order. The fake Bot API and the workers are real processes.

PostgreSQL only: SQLite runs one process."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import App
from models import InboxMessage, OutboxMessage
from models.base import transaction
from models.outbox.broadcasts import create_broadcast
from tests.support.fakes.kegiatan import mother
from tests.support.processes import eventually, fake_process
from tests.support.workers import by_chat, message_update, workers

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
