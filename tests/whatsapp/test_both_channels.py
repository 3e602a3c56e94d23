"""A mother on Telegram and WhatsApp: proactive messages go to one chat, the one she used
last, unless she chose an app under "Lainnya"."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select

from bot.app import App
from bot.channels.whatsapp import WhatsAppChannel
from models import Member, utcnow
from models.base import transaction
from models.outbox.broadcasts import audience_recipients, member_chat
from models.reminders.chats import member_chats
from tests.support.fakes.graph_api import FakeGraphAPI
from tests.support.fakes.outbox import add_member, link
from tests.support.whatsapp import WaUser, button_reply

SITI_WA, SITI_TG = "6281234567890", "6100000001"


async def siti(
    app: App, *, telegram_hours_ago: float, whatsapp_hours_ago: float, n: int = 0
) -> int:
    now = utcnow()
    async with transaction(app.sessions) as s:
        member_id, _ = await add_member(
            s, SITI_TG + str(n or ""), channel="telegram",
            seen_at=now - timedelta(hours=telegram_hours_ago),
        )  # fmt: skip
        await link(s, member_id, SITI_WA + str(n or ""), channel="whatsapp",
                   seen_at=now - timedelta(hours=whatsapp_hours_ago))  # fmt: skip
        member = await s.get_one(Member, member_id)
        member.consent_at, member.full_name = now, "Siti Aminah"
    return member_id


async def where_it_goes(app: App, member_id: int) -> tuple[str, str, list[str]]:
    """(reminders' chat, a personal notice's chat, an announcement's chats) by channel."""
    async with app.sessions() as s:
        reminder = (await member_chats(s, [member_id]))[member_id].channel
        notice = await member_chat(s, member_id)
        announcement = await audience_recipients(s, {"kind": "all"})
    assert notice is not None
    return reminder, notice.channel, [r.channel for r in announcement]


async def test_messages_go_to_the_chat_she_used_last_once(app: App) -> None:
    member_id = await siti(app, telegram_hours_ago=48, whatsapp_hours_ago=1)
    assert await where_it_goes(app, member_id) == ("whatsapp", "whatsapp", ["whatsapp"])
    other = await siti(app, telegram_hours_ago=1, whatsapp_hours_ago=48, n=2)
    assert await where_it_goes(app, other) == ("telegram", "telegram", ["whatsapp", "telegram"])


async def test_she_chooses_the_app_under_more_and_can_go_back_to_the_last_used(
    app: App, web: httpx.AsyncClient, graph: FakeGraphAPI, whatsapp: WhatsAppChannel
) -> None:
    member_id = await siti(app, telegram_hours_ago=48, whatsapp_hours_ago=48)
    her = WaUser(web, graph, whatsapp, user_id=None, wa_id=SITI_WA)
    await her.say("menu", "Menu utama")  # WhatsApp is now the chat she used last
    await her.tap("Lainnya", "")
    await her.tap("WhatsApp / Telegram", "terakhir Ibu pakai")
    await her.tap("Telegram", "dikirim ke Telegram")
    assert await where_it_goes(app, member_id) == ("telegram", "telegram", ["telegram"])
    await her.say("menu", "Menu utama")
    await her.tap("Lainnya", "")
    await her.tap("WhatsApp / Telegram", "selalu ke Telegram")
    await her.say("1", "terakhir Ibu pakai")  # typed: "Terakhir dipakai"
    assert await where_it_goes(app, member_id) == ("whatsapp", "whatsapp", ["whatsapp"])


async def test_a_forged_button_changes_nobody_elses_choice(
    app: App, web: httpx.AsyncClient, graph: FakeGraphAPI, whatsapp: WhatsAppChannel
) -> None:
    other = await siti(app, telegram_hours_ago=1, whatsapp_hours_ago=48)
    async with transaction(app.sessions) as s:
        await add_member(s, "6289900001111", channel="whatsapp")
    mallory = WaUser(web, graph, whatsapp, user_id=None, wa_id="6289900001111")
    await mallory.send(button_reply(f"a:ch.set:{other}:whatsapp", "WhatsApp"))
    assert "tidak dikenal" in mallory.text
    async with app.sessions() as s:
        chosen = await s.scalar(select(Member.preferred_channel).where(Member.id == other))
    assert chosen is None
