"""Voice notes on WhatsApp (fake Graph API): "dengar" gives an OGG/Opus audio message; a
row marked for voice goes inside her 24-hour window with its audio after the text, and
outside it as its template alone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import update

from bot.app import App
from bot.channels.whatsapp import WhatsAppChannel
from bot.channels.whatsapp_api import WaApi, make_client
from bot.channels.whatsapp_sender import WhatsAppSender
from bot.channels.whatsapp_templates import DEFAULT_TEMPLATES
from bot.web import build_web_app
from models import ChannelIdentity, utcnow
from models.base import transaction
from models.outbox.tables import enqueue
from scheduler.dispatcher import Dispatcher
from tests.support.chat import Chat, register
from tests.support.fakes.graph_api import BASE_URL, PHONE_ID, FakeGraphAPI
from tests.support.fakes.outbox import add_member
from tests.support.voice import notes_in
from tests.support.whatsapp import TOKEN, WaUser, new_channel

SITI_ID, SITI_WA = "ID.100200300", "6281234567890"
WIB = ZoneInfo("Asia/Jakarta")
REMINDER = {
    "judul": "Posyandu Melati", "when": "Kamis, 3 Desember 2026 pukul 09.00 WIB",
    "tempat": "Balai Warga Sumberan", "lang": "id", "voice": True,
    "choices": [{"id": "a:kg.keep:7:1", "key": "reminders.btn_keep"},
                {"id": "a:kg.unsignup:7:1", "key": "kegiatan.btn_unsignup"}],
}  # fmt: skip


@pytest.fixture
def graph() -> FakeGraphAPI:
    return FakeGraphAPI()


@pytest.fixture
async def whatsapp(app: App, graph: FakeGraphAPI) -> AsyncIterator[WhatsAppChannel]:
    channel = new_channel(app.engine, graph)
    await channel.start()
    try:
        yield channel
    finally:
        await channel.stop()


@pytest.fixture
async def web(app: App, whatsapp: WhatsAppChannel) -> AsyncIterator[httpx.AsyncClient]:
    asgi = httpx.ASGITransport(app=build_web_app(app.db, whatsapp=whatsapp))
    async with httpx.AsyncClient(transport=asgi, base_url="http://bot") as client:
        yield client


def ogg_uploaded(graph: FakeGraphAPI, media_id: str) -> bool:
    body = graph.uploads[media_id]  # the multipart upload: the file and its type
    return b"OggS" in body and b"OpusHead" in body and b"audio/ogg" in body


async def test_siti_on_whatsapp_types_dengar_and_gets_an_audio_message(
    app: App, graph: FakeGraphAPI, whatsapp: WhatsAppChannel, web: httpx.AsyncClient
) -> None:
    await register(Chat(app.engine, identity=SITI_ID, channel="whatsapp"))
    siti = WaUser(web, graph, whatsapp, user_id=SITI_ID, wa_id=SITI_WA)
    await siti.say("menu", "Menu utama")
    [audio] = await siti.send({"type": "text", "text": {"body": "dengar"}})
    assert audio.type == "audio" and set(audio.content) == {"id"}
    assert ogg_uploaded(graph, audio.content["id"])


def sender_for(graph: FakeGraphAPI, app: App) -> WhatsAppSender:
    client = make_client(PHONE_ID, TOKEN, api_version="23.0", base_url=BASE_URL,
                         transport=graph.transport())  # fmt: skip
    return WhatsAppSender(
        WaApi(client, PHONE_ID), max_rate=70, registry=dict(DEFAULT_TEMPLATES), piece_gap=0,
        voice=notes_in(app),
    )  # fmt: skip


async def reminder_to(app: App, *, wrote_hours_ago: float) -> None:
    async with transaction(app.sessions) as s:
        _, identity_id = await add_member(s, SITI_WA, channel="whatsapp")
        at = utcnow() - timedelta(hours=wrote_hours_ago)
        await s.execute(
            update(ChannelIdentity).where(ChannelIdentity.id == identity_id)
            .values(last_inbound_at=at)
        )  # fmt: skip
        params: dict[str, Any] = dict(REMINDER)
        await enqueue(
            s, identity_id=identity_id, channel="whatsapp", kind="kegiatan_reminder",
            params=params, idempotency_key="r1",
        )  # fmt: skip


async def dispatch(app: App, sender: WhatsAppSender) -> None:
    async with Dispatcher(app.sessions, [sender], tz=WIB, quiet_hours=None) as dispatcher:
        await dispatcher.run_once()


async def test_inside_her_window_the_reminder_comes_then_its_audio(
    app: App, graph: FakeGraphAPI
) -> None:
    await reminder_to(app, wrote_hours_ago=2)
    await dispatch(app, sender_for(graph, app))
    reminder, audio = graph.to(SITI_WA)
    assert reminder.type == "interactive" and "Posyandu Melati" in reminder.text
    assert audio.type == "audio" and ogg_uploaded(graph, audio.content["id"])


async def test_outside_her_window_only_the_template_goes(app: App, graph: FakeGraphAPI) -> None:
    await reminder_to(app, wrote_hours_ago=30)
    await dispatch(app, sender_for(graph, app))
    [template] = graph.to(SITI_WA)
    assert template.type == "template" and not graph.uploads
