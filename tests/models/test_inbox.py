"""The inbox: updates stored in batches before they are acknowledged, claimed once in the
transaction that handles them, replies kept until sent, and what a crash leaves."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from alembic.script import ScriptDirectory
from sqlalchemy import select, text

from bot.app import App
from handlers.core.types import Choice, Incoming, Kind, Reply, reply_from_json, reply_to_json
from models import InboxMessage, transaction, utcnow
from models.inbox import Arrival
from models.migrate import alembic_config, downgrade, upgrade


def inbox_revisions() -> tuple[str, str]:
    """The revision that makes the inbox, and the one before it."""
    script = ScriptDirectory.from_config(alembic_config())
    for rev in script.walk_revisions():
        if (rev.doc or "").startswith("inbox"):
            assert isinstance(rev.down_revision, str)
            return rev.revision, rev.down_revision
    raise AssertionError("no inbox migration")


async def rows(app: App) -> list[tuple[str, str, bool]]:
    async with app.sessions() as s:
        found = await s.execute(
            select(InboxMessage.update_key, InboxMessage.status, InboxMessage.payload)
            .order_by(InboxMessage.id)
        )  # fmt: skip
        return [(k, st, p is not None) for k, st, p in found]


def text_in(key: str, chat: str = "7001", words: str = "halo") -> Incoming:
    return Incoming(channel="telegram", identity=chat, message_id=key, kind=Kind.TEXT, text=words)


async def test_the_migration_keeps_the_handled_message_ids_as_done_rows(app: App) -> None:
    _inbox, before = inbox_revisions()
    await downgrade(app.db, before)
    async with app.db.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO processed_messages (channel, message_key, processed_at) "
                "VALUES ('telegram', '41', '2026-11-01 10:00:00')"
            )
        )
    await upgrade(app.db)
    async with app.sessions() as s:
        row = await s.scalar(select(InboxMessage))
    assert row is not None
    assert (row.channel, row.update_key, row.status, row.payload) == (
        "telegram",
        "41",
        "done",
        None,
    )


async def test_a_batch_is_stored_once_and_each_update_is_handled_once(app: App) -> None:
    engine = app.engine
    arrivals = [Arrival(str(i), "7001", {"update_id": i, "n": i}) for i in (1, 2)]
    # Two webhook requests at once share a commit; a redelivery is stored once.
    await asyncio.gather(
        engine.accept("telegram", arrivals), engine.accept("telegram", arrivals[:1])
    )
    assert await rows(app) == [("1", "new", True), ("2", "new", True)]
    unfinished = await engine.unfinished("telegram")
    assert [(u.key, u.status, u.payload) for u in unfinished] == [
        ("1", "new", {"update_id": 1, "n": 1}), ("2", "new", {"update_id": 2, "n": 2})
    ]  # fmt: skip

    replies = await engine.handle(text_in("1"), keep_replies=True)
    assert replies and await engine.handle(text_in("1"), keep_replies=True) == []
    # Handled: the update is gone, the replies are kept until the adapter says they went.
    assert await rows(app) == [("1", "answered", True), ("2", "new", True)]
    kept = (await engine.unfinished("telegram"))[0].payload["replies"]
    assert [reply_from_json(r) for r in kept] == replies
    await engine.done("telegram", ["1"])
    assert await rows(app) == [("1", "done", False), ("2", "new", True)]
    # A message that never went through the inbox (the console) gets its done row at once.
    assert await engine.handle(text_in("c-1", chat="c"))
    assert (await rows(app))[-1] == ("c-1", "done", False)


async def test_replies_older_than_the_resend_window_are_not_sent_after_a_restart(
    app: App,
) -> None:
    async with transaction(app.sessions) as s:
        for key, minutes in (("old", 30), ("fresh", 1)):
            s.add(
                InboxMessage(
                    channel="telegram", update_key=key, chat="7001", status="answered",
                    payload={"replies": [{"text": "Menu utama"}]},
                    handled_at=utcnow() - timedelta(minutes=minutes),
                )
            )  # fmt: skip
    assert app.engine.config.reply_resend == timedelta(minutes=5)
    assert [u.key for u in await app.engine.unfinished("telegram")] == ["fresh"]
    assert await rows(app) == [("old", "done", False), ("fresh", "answered", True)]


def test_a_reply_survives_its_json_form(tmp_path: object) -> None:
    reply = Reply(
        "Pilih", choices=(Choice("s:1", "Satu", ("siji",)), Choice("a:help", "Bantuan")),
        request_contact="Bagikan", document_name="x.ics", menu=True,
    )  # fmt: skip
    assert reply_from_json(reply_to_json(reply)) == reply
