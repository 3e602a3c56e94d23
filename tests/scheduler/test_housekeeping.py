"""Housekeeping: ended kegiatan become done, old message ids are forgotten."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.app import App
from models import Kegiatan, ProcessedMessage, transaction
from scheduler.housekeeping import housekeeping_once
from tests.support.fakes.kegiatan import NOW, new_kegiatan


async def test_ended_kegiatan_are_marked_done_and_old_message_ids_forgotten(app: App) -> None:
    kid = await new_kegiatan(app, "Posyandu")  # starts two days after NOW, three hours long
    async with transaction(app.sessions) as s:
        s.add(ProcessedMessage(channel="test", message_key="old", processed_at=NOW))
        s.add(
            ProcessedMessage(
                channel="test", message_key="new", processed_at=NOW + timedelta(days=9)
            )
        )
    done = await housekeeping_once(app.sessions, NOW + timedelta(days=2, hours=3, minutes=30))
    assert done.finished == 0  # within the hour of grace
    later = await housekeeping_once(app.sessions, NOW + timedelta(days=10))
    assert later.finished == 1 and later.forgotten == 1
    async with app.sessions() as s:
        assert (await s.get_one(Kegiatan, kid)).status == "done"
        assert list(await s.scalars(select(ProcessedMessage.message_key))) == ["new"]
