"""Siti taps "Dengarkan" while this worker is late renewing its hold on its inbox rows (a
busy machine: the voice thread, a slow database). The voice note is made after the commit
and kept in no row: the row of her request is done at once, held by the worker that
handled it, and no other worker can take a done row over. So the voice note is this
worker's to send, late renewal or not: she gets it, once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.app import App
from bot.channels.telegram import TelegramChannel
from handlers.core.engine import Engine
from handlers.core.types import Incoming, Kind
from models import InboxMessage
from models.inbox import Arrival
from tests.support.chat import Chat, register
from tests.support.fakes.telegram_api import FakeTelegramServer
from tests.support.telegram_harness import TgUser

SITI = 6400000031


async def test_siti_taps_dengarkan_while_the_lease_renewal_is_late_and_hears_it_once(
    app: App, fake: FakeTelegramServer, telegram: TelegramChannel
) -> None:
    await register(Chat(app.engine, identity=str(SITI), channel="telegram"))
    siti = TgUser(fake, SITI, telegram)
    await siti.say("lainnya", "Pilihan lainnya")
    # Its last renewal is always too old: whether a row is still its own is asked of the
    # database (as when the worker was too busy to renew within half a lease).
    app.engine.inbox_lease = timedelta(milliseconds=1)
    await siti.tap("Dengarkan", expect="")
    await fake.wait_for(lambda _: any(m.method == "sendVoice" for m in siti.new()))
    await telegram.wait_idle()
    assert [m.method for m in siti.new()] == ["sendVoice"]
    async with app.sessions() as s:
        rows = list(await s.scalars(select(InboxMessage).where(InboxMessage.chat == str(SITI))))
    assert rows and all(r.status == "done" and r.owner is None for r in rows)


async def test_a_done_row_is_the_handling_workers_alone_to_send(app: App) -> None:
    """The guarantee the voice note rests on: another worker can neither take over nor
    send for a row settled done by this one; this one may, however late its renewal."""
    a = app.engine
    b = Engine(app.sessions, a.config, a.registry)
    for worker in (a, b):
        worker.inbox_lease = timedelta(milliseconds=1)  # always ask the database
    chat = Chat(a, identity="7301", channel="telegram")
    await register(chat)
    await a.accept("telegram", [Arrival("9001", "7301", {"update_id": 9001}, 9001)])
    dengar = Incoming(
        channel="telegram", identity="7301", message_id="9001", kind=Kind.TEXT, text="dengar"
    )
    replies = await a.handle(dengar, keep_replies=True)
    assert [r for r in replies if r.voice is not None]  # made after the commit
    assert await b.take_over("telegram") == []
    assert not await b.still_mine("telegram", "9001")
    assert await a.still_mine("telegram", "9001")
    await a.done("telegram", ["9001"])
    assert not await a.still_mine("telegram", "9001")  # sent and marked: nothing more
