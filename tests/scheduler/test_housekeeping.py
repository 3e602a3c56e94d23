"""Housekeeping: ended kegiatan become done, old inbox keys are forgotten and replies too
old to send after a crash are dropped."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.app import App
from models import InboxMessage, Kegiatan, transaction
from scheduler.housekeeping import housekeeping_once
from tests.support.fakes.kegiatan import NOW, new_kegiatan


async def test_ended_kegiatan_are_marked_done_and_old_message_ids_forgotten(app: App) -> None:
    kid = await new_kegiatan(app, "Posyandu")  # starts two days after NOW, three hours long
    async with transaction(app.sessions) as s:
        s.add(InboxMessage(channel="test", update_key="old", status="done", handled_at=NOW))
        s.add(
            InboxMessage(
                channel="test", update_key="new", status="done", handled_at=NOW + timedelta(days=9)
            )
        )
        # Not handled yet (or replies unsent): never forgotten, however old.
        s.add(InboxMessage(channel="test", update_key="waiting", status="new", payload={}))
    done = await housekeeping_once(app.sessions, NOW + timedelta(days=2, hours=3, minutes=30))
    assert done.finished == 0  # within the hour of grace
    later = await housekeeping_once(app.sessions, NOW + timedelta(days=10))
    assert later.finished == 1 and later.forgotten == 1
    async with app.sessions() as s:
        assert (await s.get_one(Kegiatan, kid)).status == "done"
        keys = await s.scalars(select(InboxMessage.update_key).order_by(InboxMessage.id))
        assert list(keys) == ["new", "waiting"]


async def test_replies_left_unsent_are_dropped_once_too_old_and_keep_only_their_key(
    app: App,
) -> None:
    async with transaction(app.sessions) as s:
        for key, age in (("fresh", 1), ("stale", 10)):
            s.add(
                InboxMessage(
                    channel="test", update_key=key, status="answered",
                    payload={"replies": [{"text": "Menu utama"}]},
                    handled_at=NOW - timedelta(minutes=age),
                )
            )  # fmt: skip
    await housekeeping_once(app.sessions, NOW, reply_resend=timedelta(minutes=5))
    async with app.sessions() as s:
        rows = (await s.execute(select(InboxMessage).order_by(InboxMessage.id))).scalars().all()
        assert [(r.update_key, r.status, r.payload is None) for r in rows] == [
            ("fresh", "answered", False), ("stale", "done", True)
        ]  # fmt: skip
