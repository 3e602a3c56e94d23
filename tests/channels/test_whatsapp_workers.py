"""WhatsApp under several workers and faults, with Telegram's safeguards: a reply kept in
her inbox row goes only from the worker that still holds the row; a done mark the
database cannot take is a warning, and nothing is lost or sent twice; the database away
when her message comes: she is told once, Meta sends the body again, and it is answered
once the database is back; Meta's side failing: her reply is tried again for as long as
a kept reply would be resent after a crash.

Workers are engines and channels in the test's process over one database (see
`tests.support.whatsapp_workers`); the Graph API is the fake one."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.channels.inbox_keeper import MAX_REPLY_PAUSE
from bot.channels.whatsapp import WhatsAppChannel
from models import InboxMessage, utcnow
from tests.support.fakes.clock import FakeClock
from tests.support.fakes.graph_api import FakeGraphAPI, SentWa
from tests.support.processes import eventually
from tests.support.voice import Gate, notes_in
from tests.support.whatsapp import message_update, post, text
from tests.support.whatsapp_workers import (
    MetaAway,
    channel_on,
    database_at,
    mother_who_listens,
    proxied,
    webhook,
    worker_engine,
)

SITI, DEWI = "6281234567890", "6281298765432"
MENU = "Menu utama"
# Meta sends her message again (503): she is not asked to type it again.
BUSY = "tidak perlu dikirim ulang"


@pytest.fixture
def graph() -> FakeGraphAPI:
    return FakeGraphAPI()


def postgresql_only(app: App) -> None:
    if app.db.dialect.name != "postgresql":
        pytest.skip("the database going away is a server's (PostgreSQL); a SQLite file stays")


def saying(graph: FakeGraphAPI, chat: str, words: str) -> list[SentWa]:
    return [m for m in graph.to(chat) if words in m.text]


async def statuses(app: App) -> set[str]:
    async with app.sessions() as s:
        return set(await s.scalars(select(InboxMessage.status).distinct()))


async def lease_ran_out(app: App) -> bool:
    async with app.sessions() as s:
        held = await s.scalar(
            select(func.count()).where(
                InboxMessage.status == "answered", InboxMessage.lease_until > utcnow()
            )
        )
        answered = await s.scalar(select(func.count()).where(InboxMessage.status == "answered"))
    return held == 0 and answered == 1


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


async def test_a_kept_reply_another_worker_took_over_is_not_sent_again_by_the_first(
    app: App, graph: FakeGraphAPI
) -> None:
    """Worker A answers Siti's "menu" and, after the commit, makes its voice note (she
    chose "Selalu kirim suara"; the synthesiser is slow). Too busy to renew its hold, A
    loses her row when its lease runs out; worker B takes it over and sends her the menu.
    When A's voice note is done at last, A sends nothing: she gets the menu once."""
    await mother_who_listens(app, SITI)
    gate = Gate()
    engine_a = worker_engine(app, notes=notes_in(app, gate.backend))
    engine_a.inbox_lease = timedelta(seconds=1)
    # A's lease keeper is not started: like a worker too busy to renew its hold.
    a = channel_on(engine_a, graph.transport())
    b = channel_on(worker_engine(app), graph.transport())
    try:
        async with webhook(a) as web_a:
            body = message_update(text("menu"), user_id=None, wa_id=SITI)
            assert (await post(web_a, body)).status_code == 200
            await gate.wait_entered()  # answered and committed; her voice note is being made
            await eventually(lambda: lease_ran_out(app), what="A's hold on her row running out")
            await b.start()  # takes her row over and sends what it keeps
            await b.wait_idle()
            assert len(saying(graph, SITI, MENU)) == 1
            gate.release.set()
            await a.wait_idle()
    finally:
        gate.release.set()
        await b.stop()
        await a.stop()
    assert len(saying(graph, SITI, MENU)) == 1
    assert [m.type for m in graph.to(SITI)].count("audio") == 0  # A's voice note stayed too
    assert await statuses(app) == {"done"}


async def test_the_database_away_when_her_row_is_marked_done_is_a_warning_and_loses_nothing(
    app: App, graph: FakeGraphAPI, caplog: pytest.LogCaptureFixture
) -> None:
    """A worker reaches PostgreSQL through a proxy. Siti's "menu" is answered and
    committed; while its voice note is made, the database goes away. Her menu and voice
    note go out all the same; marking her row done fails: a warning, no stack trace. Once
    the database is back the worker marks it at its next renewal, and a restart sends her
    nothing again."""
    postgresql_only(app)
    caplog.set_level(logging.INFO)
    await mother_who_listens(app, SITI)
    gate = Gate()
    async with proxied(app) as (proxy, url), database_at(url) as sessions:
        engine_a = worker_engine(app, notes=notes_in(app, gate.backend), sessions=sessions)
        a = channel_on(engine_a, graph.transport())
        await a.start()
        try:
            async with webhook(a) as web:
                body = message_update(text("menu"), user_id=None, wa_id=SITI)
                assert (await post(web, body)).status_code == 200
                await gate.wait_entered()
                await proxy.stop()
                gate.release.set()
                await a.wait_idle()
                assert len(saying(graph, SITI, MENU)) == 1
                assert [m.type for m in graph.to(SITI)].count("audio") == 1
                assert any("not yet marked done" in r.getMessage() for r in caplog.records)
                assert tracebacks(caplog) == []
                assert "answered" in await statuses(app)  # her row: not marked yet
                await proxy.start()
                await engine_a.keep_alive()  # what its lease keeper does every third of a lease
                assert await statuses(app) == {"done"}
        finally:
            gate.release.set()
            await a.stop()
    restarted = channel_on(worker_engine(app), graph.transport())
    await restarted.start()
    await restarted.wait_idle()
    await restarted.stop()
    assert len(saying(graph, SITI, MENU)) == 1


async def test_the_database_away_when_she_writes_she_is_told_once_and_answered_once_back(
    app: App, graph: FakeGraphAPI, caplog: pytest.LogCaptureFixture
) -> None:
    """While the database cannot be reached, Siti's message cannot be stored: the webhook
    answers 503, so Meta sends the body again (twice more meanwhile), and she is told
    "sedang sibuk … tidak perlu dikirim ulang" once; Dewi, writing then too, once as well. When
    the database is back, Meta's next try is stored and answered: each gets her menu once,
    after the note. The outage leaves no stack trace in the log."""
    postgresql_only(app)
    caplog.set_level(logging.INFO)
    async with proxied(app) as (proxy, url), database_at(url) as sessions:
        a = channel_on(worker_engine(app, sessions=sessions), graph.transport())
        await a.start()
        try:
            async with webhook(a) as web:
                await proxy.stop()
                bodies = [
                    message_update(text("menu"), user_id=None, wa_id=chat) for chat in (SITI, DEWI)
                ]
                for _ in range(3):  # Meta tries again until a body is answered 200
                    for body in bodies:
                        assert (await post(web, body)).status_code == 503
                assert [len(saying(graph, c, BUSY)) for c in (SITI, DEWI)] == [1, 1]
                assert saying(graph, SITI, MENU) == []
                await proxy.start()
                for body in bodies:
                    assert (await post(web, body)).status_code == 200
                await a.wait_idle()
        finally:
            await a.stop()
    for chat in (SITI, DEWI):
        texts = [m.text for m in graph.to(chat)]
        assert [BUSY in t for t in texts].count(True) == 1
        assert [MENU in t for t in texts].count(True) == 1
        assert next(i for i, t in enumerate(texts) if BUSY in t) < next(
            i for i, t in enumerate(texts) if MENU in t
        )
    assert await statuses(app) == {"done"}
    assert tracebacks(caplog) == []


async def test_meta_failing_her_reply_is_tried_again_for_the_resend_window(
    app: App, graph: FakeGraphAPI
) -> None:
    """Meta's side fails (500, code 131000) the next 8 sends: her menu still reaches her,
    on the 9th try (a reply was given up after 4). Failing on and on, her reply is tried
    until the next pause would pass the resend window (REPLY_RESEND_MINUTES), then given
    up and her row done. The pauses run on a virtual clock."""
    clock = FakeClock(utcnow())
    meta = MetaAway(graph)
    a = channel_on(app.engine, meta.transport(), clock=clock)
    await a.start()
    try:
        async with webhook(a) as web:
            meta.away_for = 8
            body = message_update(text("menu"), user_id=None, wa_id=SITI)
            assert (await post(web, body)).status_code == 200
            await a.wait_idle()
            assert meta.refused == 8
            assert len(saying(graph, SITI, MENU)) == 1
            meta.away_for = 10_000
            started = clock.monotonic()
            body = message_update(text("menu"), user_id=None, wa_id=SITI)
            assert (await post(web, body)).status_code == 200
            await a.wait_idle()
    finally:
        await a.stop()
    spent = clock.monotonic() - started
    window = app.engine.config.reply_resend.total_seconds()
    assert window - MAX_REPLY_PAUSE < spent <= window
    assert len(saying(graph, SITI, MENU)) == 1
    assert await statuses(app) == {"done"}


async def test_a_message_meta_delivers_after_a_later_one_is_no_answer_to_her_new_screen(
    app: App, graph: FakeGraphAPI
) -> None:
    """Siti registers. Her "1" (Ya) to the consent question could not be stored at first
    (the database away a moment): she typed "1" again, gave her name and was asked her
    kampung. Only then does Meta's retry of her first "1" come (WhatsApp's order is the
    message's timestamp): it is no answer to the kampung question (Cibening is 1), so
    that question comes again, and the kampung she then picks is taken."""
    a = channel_on(app.engine, graph.transport())
    await a.start()
    start = time.time() - 60
    try:
        async with webhook(a) as web:

            async def says(words: str, at: float) -> str:
                before = len(graph.to(SITI))
                body = message_update(text(words), user_id=None, wa_id=SITI, at=start + at)
                assert (await post(web, body)).status_code == 200
                await a.wait_idle()
                return "\n".join(m.text for m in graph.to(SITI)[before:])

            assert "Sebelum mendaftar" in await says("daftar", 0)
            assert "nama lengkap" in await says("1", 20)  # typed again: the first is late
            assert "kampung mana" in await says("Siti Aminah", 30)
            late = await says("1", 10)  # Meta's retry of her first "1"
            assert "kampung mana" in late and "RT/RW" not in late, late
            assert "RT/RW Ibu" in await says("2", 40)
    finally:
        await a.stop()
    assert sum(m.text.startswith("RT/RW Ibu") for m in graph.to(SITI)) == 1


async def test_her_messages_at_two_workers_are_answered_in_her_order(
    app: App, graph: FakeGraphAPI
) -> None:
    """Siti (voice notes on) writes "menu" and "bantuan" to worker B, then "bahasa" to
    worker A, while B is still making the voice note of her menu. A waits for B's two
    (her order: the messages' timestamps): she gets the menu, the help and the languages
    in the order she asked."""
    await mother_who_listens(app, SITI)
    gate = Gate()
    a = channel_on(worker_engine(app), graph.transport())
    b = channel_on(worker_engine(app, notes=notes_in(app, gate.backend)), graph.transport())
    start = time.time() - 60
    said = [("menu", MENU), ("bantuan", "Cara memakai"), ("bahasa", "Pilih bahasa")]
    try:
        async with webhook(a) as web_a, webhook(b) as web_b:
            for n, ((words, _), web) in enumerate(zip(said, [web_b, web_b, web_a], strict=True)):
                body = message_update(text(words), user_id=None, wa_id=SITI, at=start + 10 * n)
                assert (await post(web, body)).status_code == 200
                if n == 0:
                    await gate.wait_entered()  # B makes the voice note of her menu
            await eventually(lambda: held_back(a), what="A holding her last message back")
            assert saying(graph, SITI, "Pilih bahasa") == []
            gate.release.set()
            await b.wait_idle()
            await a.wait_idle()
    finally:
        gate.release.set()
        await a.stop()
        await b.stop()
    got = [m.text for m in graph.to(SITI)]
    # Where each answer begins ("bantuan" ends with her menu again).
    begins = [next(i for i, t in enumerate(got) if mark in t) for _, mark in said]
    assert begins == sorted(begins), got
    assert sum("Pilih bahasa" in t for t in got) == 1


async def held_back(channel: WhatsAppChannel) -> bool:
    """The channel took up its one message more than once: it was held back at least once
    (for an earlier message of her chat) and tried again."""
    return channel.chats.handled >= 2
