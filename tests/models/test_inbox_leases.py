"""The inbox under several workers, through the engine: leases and take-over, one chat's
updates in Telegram's order, and a database that cannot be reached (SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from bot.app import App
from handlers.core.engine import Engine, NotYet
from handlers.core.i18n import t
from handlers.core.types import Incoming, Kind
from models import InboxMessage, inbox, utcnow
from models.base import transaction
from models.inbox import Arrival

SITI = "7101"


def said(key: str, words: str, chat: str = SITI) -> Incoming:
    return Incoming(channel="telegram", identity=chat, message_id=key, kind=Kind.TEXT, text=words)


def arrival(seq: int, chat: str = SITI) -> Arrival:
    return Arrival(str(seq), chat, {"update_id": seq}, seq)


async def statuses(app: App) -> dict[str, tuple[str, str | None]]:
    async with app.sessions() as s:
        rows = await s.execute(
            select(InboxMessage.update_key, InboxMessage.status, InboxMessage.owner)
        )
        return {key: (status, owner) for key, status, owner in rows}


def another_worker(app: App) -> Engine:
    other = Engine(app.sessions, app.engine.config, app.engine.registry)
    other.inbox_lease = app.engine.inbox_lease
    return other


async def test_a_killed_workers_rows_go_to_a_live_one_after_the_lease_and_only_then(
    app: App,
) -> None:
    killed, live = app.engine, another_worker(app)
    await killed.accept("telegram", [arrival(1), arrival(2, chat="7102")])
    assert await live.take_over("telegram") == []  # its lease runs
    assert await killed.take_over("telegram") == []  # its own rows: in its queues already
    async with transaction(app.sessions) as s:
        await s.execute(update(InboxMessage).values(lease_until=utcnow() - timedelta(seconds=1)))
    taken = await live.take_over("telegram")
    assert [(row.key, row.status) for row in taken] == [("1", "new"), ("2", "new")]
    assert await live.take_over("telegram") == []  # each row once
    assert {owner for _status, owner in (await statuses(app)).values()} == {live.worker}
    # The live worker renews what it holds; stopping, it lets go at once.
    await live.keep_alive()
    assert await killed.take_over("telegram") == []
    await live.release()
    assert len(await killed.take_over("telegram")) == 2


async def test_her_later_update_waits_for_the_earlier_one_and_a_late_one_is_no_answer(
    app: App,
) -> None:
    engine = app.engine
    await engine.handle(said("c-0", "daftar"))  # the consent question
    await engine.accept("telegram", [arrival(12), arrival(11)])  # arrived out of order
    with pytest.raises(NotYet):
        await engine.handle(said("12", "Siti Aminah"), keep_replies=True)
    assert await statuses(app) == {
        "c-0": ("done", None), "11": ("new", engine.worker), "12": ("new", engine.worker)
    }  # fmt: skip
    [consented] = await engine.handle(said("11", "1"), keep_replies=True)
    assert "nama lengkap" in consented.text
    with pytest.raises(NotYet):  # her replies to 11 are not sent yet
        await engine.handle(said("12", "Siti Aminah"), keep_replies=True)
    await engine.done("telegram", ["11"])
    [named] = await engine.handle(said("12", "Siti Aminah"), keep_replies=True)
    assert "kampung mana" in named.text

    # An update from before the ones handled, delivered late: her screen again.
    await engine.accept("telegram", [arrival(10)])
    again = await engine.handle(said("10", "1"), keep_replies=True)
    assert "kampung mana" in again[-1].text
    [rt] = await engine.handle(said("c-1", "2"))
    assert "RT/RW" in rt.text  # her screen was still the kampung question


async def test_a_message_dropped_by_flood_control_does_not_make_her_earlier_ones_late(
    app: App,
) -> None:
    """Siti sends a burst: 21 and 22 wait in her queue, 23 is over her limit and dropped
    (its row done, never handled). 21 and 22 are then answered as usual, not taken as
    late with only her screen shown again."""
    engine = app.engine
    await engine.handle(said("c-0", "daftar"))  # the consent question
    await engine.accept("telegram", [arrival(21), arrival(22), arrival(23)])
    await engine.done("telegram", ["23"])  # dropped
    [consented] = await engine.handle(said("21", "1"), keep_replies=True)
    assert "nama lengkap" in consented.text
    await engine.done("telegram", ["21"])
    [named] = await engine.handle(said("22", "Siti Aminah"), keep_replies=True)
    assert "kampung mana" in named.text


async def test_the_database_unreachable_gets_her_told_to_try_again_and_nothing_kept(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = app.engine
    await engine.handle(said("c-0", "daftar"))
    await engine.accept("telegram", [arrival(20)])
    real_settle, real_finish = inbox.settle, inbox.finish
    down = OperationalError("SELECT 1", {}, ConnectionRefusedError("refused"))

    def refused(*args: object, **kwargs: object) -> str:  # settle runs in a sync block
        raise down

    async def unreachable(*args: object, **kwargs: object) -> str:
        raise down

    monkeypatch.setattr(inbox, "settle", refused)
    monkeypatch.setattr(inbox, "finish", unreachable)
    [busy] = await engine.handle(said("20", "1"), keep_replies=True)
    assert busy.text == t("id", "workers.busy")
    assert (await statuses(app))["20"][0] == "new"  # could not even be marked

    monkeypatch.setattr(inbox, "settle", real_settle)
    monkeypatch.setattr(inbox, "finish", real_finish)
    await engine.keep_alive()  # the database answers again: marked done, not handled
    assert (await statuses(app))["20"][0] == "done"
    [consent] = await engine.handle(said("c-1", "1"))  # she sends it again
    assert "nama lengkap" in consent.text


async def test_the_worker_that_handled_an_update_sends_its_replies_whoever_stored_it(
    app: App,
) -> None:
    """Telegram posted her update to both workers: A stored it, B handled it first. B's
    replies are B's to send, even when B is late renewing its hold; A sends nothing."""
    a, b = app.engine, another_worker(app)
    for worker in (a, b):
        worker.inbox_lease = timedelta(milliseconds=1)  # always ask the database
    await a.accept("telegram", [arrival(30)])
    assert await b.handle(said("30", "bantuan"), keep_replies=True)
    assert await a.handle(said("30", "bantuan"), keep_replies=True) == []
    assert (await statuses(app))["30"] == ("answered", b.worker)
    assert await b.still_mine("telegram", "30")
    assert not await a.still_mine("telegram", "30")
