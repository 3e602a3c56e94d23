"""Two `p2wkss-bot run --webhook` workers on one PostgreSQL, behind a load generator that
posts to them as a load balancer would (in turn, now and then at random), against the
fake Bot API. Forty mothers of Sumberan tap "Daftar" on a kegiatan with 5 seats at the
same moment, some taps arriving twice (at both workers); eight new mothers register by
typing, each message posted to whichever worker, while an announcement goes to everyone.

PostgreSQL only: SQLite runs one process."""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import App
from models import InboxMessage, Kegiatan, Member, OutboxMessage
from models.base import transaction
from models.kegiatan.tables import Signup
from models.outbox.broadcasts import create_broadcast
from tests.support.fakes.kegiatan import kegiatan, mother
from tests.support.processes import eventually, fake_process
from tests.support.workers import Workers, by_chat, callback_update, message_update, workers

MOTHERS = [6_500_000_001 + i for i in range(40)]
NEWCOMERS = [6_600_000_001 + i for i in range(8)]
SEATS = 5
ANNOUNCEMENT = "Lomba P2WKSS Kecamatan Kasemen: semua kader dan ibu binaan diundang ke Balai Warga."
# What each of a newcomer's typed messages gets, by a piece of the reply, in order.
REGISTRATION = [
    ("daftar", "Sebelum mendaftar"),
    ("1", "nama lengkap"),
    (None, "kampung mana"),  # her name
    ("2", "RT/RW"),
    ("RT 03 / RW 05", "nomor HP"),
    (None, "periksa data"),  # her phone
    ("1", "sudah terdaftar"),
]


NAMES = [
    "Siti Aminah", "Dewi Lestari", "Ani Wulandari", "Rina Marlina", "Yanti Susanti",
    "Euis Komalasari", "Neneng Hasanah", "Iis Suryani",
]  # fmt: skip


def newcomer_name(chat: int) -> str:
    return NAMES[NEWCOMERS.index(chat)]


def newcomer_phone(chat: int) -> str:
    return f"0812-3456-{7000 + chat % 100}"


def registration(group: Workers, chat: int) -> list[dict[str, Any]]:
    texts = [say or "" for say, _ in REGISTRATION]
    texts[2], texts[5] = newcomer_name(chat), newcomer_phone(chat)
    return [message_update(group.next_id(), chat, text) for text in texts]


def registration_markers(texts: list[str]) -> list[str]:
    """The registration replies she got, in the order they were sent (each by the first
    marker in it: the consent text names RT/RW too)."""
    markers = [m for _, m in REGISTRATION]
    return [
        next(m for m in markers if m in text) for text in texts if any(m in text for m in markers)
    ]


def signup_answers(texts: list[str]) -> list[str]:
    return [t for t in texts if "Ibu terdaftar" in t or "daftar tunggu nomor" in t]


async def outbox_statuses(app: App, broadcast_id: int) -> Counter[str]:
    async with app.sessions() as s:
        rows = await s.execute(
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.broadcast_id == broadcast_id)
            .group_by(OutboxMessage.status)
        )
        return Counter({status: n for status, n in rows})


async def inbox_statuses(app: App) -> Counter[str]:
    async with app.sessions() as s:
        rows = await s.execute(
            select(InboxMessage.status, func.count()).group_by(InboxMessage.status)
        )
        return Counter({status: n for status, n in rows})


async def test_two_workers_under_load_lose_nothing_double_nothing_and_keep_each_chat_in_order(
    app: App, tmp_path: Path
) -> None:
    if app.db.dialect.name != "postgresql":
        pytest.skip("several workers share PostgreSQL; SQLite runs one process")
    kid = await kegiatan(app, "Penyuluhan gizi balita", kuota=SEATS)
    members = [await mother(app, str(chat), "Sumberan") for chat in MOTHERS]
    async with transaction(app.sessions) as s:
        broadcast = await create_broadcast(
            s, text=ANNOUNCEMENT, audience={"kind": "all"}, actor="admin:test"
        )
        broadcast_id = broadcast.id
    recipients = sum((await outbox_statuses(app, broadcast_id)).values())
    assert recipients >= len(MOTHERS)

    async with fake_process(tmp_path) as fake, workers(app_url(app), fake, tmp_path) as group:
        taps = [callback_update(group.next_id(), chat, f"a:signup:{kid}") for chat in MOTHERS]
        twice = taps[::5]  # these reach both workers (Telegram sent them again)
        typed = [registration(group, chat) for chat in NEWCOMERS]
        began = time.monotonic()
        await asyncio.gather(
            *(group.deliver(tap) for tap in taps),
            *(group.post(tap, worker) for tap in twice for worker in group.workers),
            *(group.send_in_order(updates) for updates in typed),
        )

        async def everyone_answered() -> bool:
            sent = by_chat(await fake.sent())
            return all(signup_answers(sent.get(c, [])) for c in MOTHERS) and all(
                len(registration_markers(sent.get(c, []))) >= len(REGISTRATION) for c in NEWCOMERS
            )

        await eventually(everyone_answered, timeout=120, what="every mother answered")
        answered_in = time.monotonic() - began

        async def all_sent() -> bool:
            return await outbox_statuses(app, broadcast_id) == {"sent": recipients}

        await eventually(all_sent, timeout=120, what="the announcement sent to everyone")
        sent_in = time.monotonic() - began

        async def inbox_done() -> bool:
            found = await inbox_statuses(app)
            return set(found) == {"done"}

        await eventually(inbox_done, timeout=60, what="every inbox row done")
        sent = by_chat(await fake.sent())
        stats = await fake.stats()

    updates = len(taps) + sum(len(u) for u in typed)
    print(f"load: {updates} updates (+{2 * len(twice)} posted again) from "
          f"{len(MOTHERS) + len(NEWCOMERS)} chats, answered in {answered_in:.1f} s; "
          f"{recipients} announcements all sent by {sent_in:.1f} s")  # fmt: skip
    # Each tap answered once (the doubled ones too); 5 seats, the rest a waiting list.
    answers = [signup_answers(sent[c]) for c in MOTHERS]
    assert all(len(a) == 1 for a in answers), [
        (c, a) for c, a in zip(MOTHERS, answers, strict=True) if len(a) != 1
    ]
    seated = [a[0] for a in answers if "Ibu terdaftar" in a[0]]
    waiting = sorted(
        int(m.group(1)) for a in answers if (m := re.search(r"daftar tunggu nomor (\d+)", a[0]))
    )
    assert len(seated) == SEATS
    assert waiting == list(range(1, len(MOTHERS) - SEATS + 1))
    async with app.sessions() as s:
        signups = list(await s.scalars(select(Signup).where(Signup.kegiatan_id == kid)))
        seats_taken = await s.scalar(select(Kegiatan.registered_count).where(Kegiatan.id == kid))
    assert seats_taken == SEATS  # the quota, never more
    assert sorted(x.member_id for x in signups) == sorted(m for m, _ in members)
    assert Counter(x.status for x in signups) == {
        "registered": SEATS, "waiting": len(MOTHERS) - SEATS
    }  # fmt: skip

    # Every outbox row went once: each recipient has the announcement exactly once.
    got = Counter(chat for chat, texts in sent.items() for t in texts if ANNOUNCEMENT in t)
    assert set(got.values()) == {1} and sum(got.values()) == recipients

    # Each newcomer's messages were handled one at a time, in her order, across workers.
    for chat in NEWCOMERS:
        assert registration_markers(sent[chat]) == [m for _, m in REGISTRATION], [
            t[:40] for t in sent[chat]
        ]
    async with app.sessions() as s:
        names = set(await s.scalars(select(Member.full_name).where(Member.role == "ibu")))
    assert {newcomer_name(c) for c in NEWCOMERS} <= names
    assert stats["by_method"]["setWebhook"] == {"200": 2}


def app_url(app: App) -> str:
    return app.db.url.render_as_string(hide_password=False)
