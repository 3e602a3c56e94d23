"""'Masuk web' typed again and again: at most five links an hour for a member and for a
chat (a chat may serve several members, a member may have two chats). When the limit is
hit she is told kindly when she may ask again and until when her last link still works;
an hour later she gets links again."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.app import App
from handlers.core.engine import Engine
from handlers.core.i18n import format_time_local
from models import Member
from models.base import transaction
from models.codes import OneTimeCode
from models.web_login import LINKS_PER_HOUR, PURPOSE, link_limit, new_login_code
from tests.support.fakes.outbox import add_member, kampung_ids
from tests.support.reports import admin_chat

BASE = "https://konsol.example.id"
JAKARTA = ZoneInfo("Asia/Jakarta")


def with_console(app: App) -> Engine:
    return Engine(app.sessions, dataclasses.replace(app.engine.config, web_base_url=BASE))


async def links(app: App) -> list[OneTimeCode]:
    async with app.sessions() as s:
        q = select(OneTimeCode).where(OneTimeCode.purpose == PURPOSE)
        return list(await s.scalars(q.order_by(OneTimeCode.id)))


async def test_the_sixth_link_within_an_hour_is_refused_kindly(app: App) -> None:
    admin = await admin_chat(app)
    admin.engine = with_console(app)
    for _ in range(LINKS_PER_HOUR):
        await admin.send("Masuk web")
        assert BASE in admin.text
    await admin.send("Masuk web")
    made = await links(app)
    assert len(made) == LINKS_PER_HOUR and BASE not in admin.text
    again = format_time_local(made[0].created_at + timedelta(hours=1), "id", JAKARTA)
    until = format_time_local(made[-1].expires_at, "id", JAKARTA)
    assert "terlalu banyak tautan masuk dalam satu jam" in admin.text
    assert f"bisa diminta lagi mulai pukul {again}" in admin.text
    assert f"Tautan terakhir masih bisa dipakai sampai pukul {until}" in admin.text

    # An hour later (the links' times moved back), she gets a link again.
    async with transaction(app.sessions) as s:
        for code in await s.scalars(select(OneTimeCode)):
            code.created_at -= timedelta(minutes=61)
    await admin.send("Masuk web")
    assert BASE in admin.text and len(await links(app)) == LINKS_PER_HOUR + 1


async def test_the_limit_holds_for_the_chat_whoever_it_serves(app: App) -> None:
    now = datetime.now(UTC)
    async with transaction(app.sessions) as s:
        places = await kampung_ids(s)
        rina, shared = await add_member(s, "rina", role="kader", kampung_id=places["Sumberan"])
        dewi, own = await add_member(s, "dewi", role="kader", kampung_id=places["Sumberan"])
        first = await s.get(Member, rina)
        assert first is not None
        for _ in range(LINKS_PER_HOUR):
            assert await new_login_code(s, first, now, identity_id=shared)
        refused = await link_limit(s, dewi, shared, now)
        assert refused.next_at is not None and refused.live_until is None  # Dewi had none
        assert (await link_limit(s, dewi, own, now)).allowed
        # Rina in another chat of hers: still her five links this hour.
        assert not (await link_limit(s, rina, own, now)).allowed
        assert (await link_limit(s, rina, shared, now + timedelta(minutes=61))).allowed
