"""WhatsApp workers in the test's process, as several `p2wkss-bot run --webhook` workers
would be: each its own engine (its own name on the inbox rows it holds) and channel over
one database, reached directly or through a `TcpProxy` the test stops (the database
away); a mother's voice note made through a `Gate` (a worker busy after the commit); and
Meta's side failing for a number of sends (HTTP 500, code 131000) in front of the fake
Graph API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App
from bot.channels.whatsapp import WhatsAppChannel
from bot.channels.whatsapp_api import WaApi, make_client
from bot.channels.whatsapp_templates import DEFAULT_TEMPLATES
from bot.web import build_web_app
from handlers.core.engine import Engine
from handlers.core.feature import Registry
from handlers.features import all_features
from handlers.voice import voice_feature
from handlers.voice.notes import VoiceNotes
from models import Member, make_engine, make_sessionmaker
from models.base import transaction
from tests.support.chat import Chat, register
from tests.support.fakes.graph_api import BASE_URL, PHONE_ID, FakeGraphAPI
from tests.support.tcp_proxy import TcpProxy
from tests.support.whatsapp import APP_SECRET, TOKEN, VERIFY_TOKEN


class MetaAway:
    """The fake Graph API behind Meta's own failures: the next `away_for` message sends
    are answered 500 with error 131000 ("Something went wrong"), as Meta answers when its
    side fails; everything else goes to the fake."""

    def __init__(self, graph: FakeGraphAPI) -> None:
        self.graph = graph
        self.away_for = 0
        self.refused = 0

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.away_for > 0 and request.url.path.endswith("/messages"):
            self.away_for -= 1
            self.refused += 1
            error = {"message": "Something went wrong", "type": "OAuthException",
                     "code": 131000, "fbtrace_id": "AbCdEf"}  # fmt: skip
            return httpx.Response(500, json={"error": error})
        return self.graph.handle(request)


def channel_on(engine: Engine, transport: httpx.AsyncBaseTransport, **kw: Any) -> WhatsAppChannel:
    """A WhatsApp channel (not started) on this engine, its Graph API at `transport`."""
    client = make_client(PHONE_ID, TOKEN, api_version="23.0", base_url=BASE_URL,
                         transport=transport)  # fmt: skip
    return WhatsAppChannel(
        engine, WaApi(client, PHONE_ID), app_secret=APP_SECRET, verify_token=VERIFY_TOKEN,
        registry=dict(DEFAULT_TEMPLATES), **kw,
    )  # fmt: skip


def worker_engine(
    app: App, *, notes: VoiceNotes | None = None,
    sessions: async_sessionmaker[AsyncSession] | None = None,
) -> Engine:  # fmt: skip
    """Another worker's engine on the app's database (or on `sessions`: through a proxy),
    with these voice notes."""
    features = [f for f in all_features() if f.name != "voice"] + [voice_feature(notes)]
    return Engine(sessions or app.sessions, app.engine.config, Registry(features))


@asynccontextmanager
async def database_at(url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on the database at `url` (its connections closed afterwards)."""
    db = make_engine(url)
    try:
        yield make_sessionmaker(db)
    finally:
        await db.dispose()


@asynccontextmanager
async def webhook(channel: WhatsAppChannel) -> AsyncIterator[httpx.AsyncClient]:
    """The worker's web app, to post Meta's bodies to (no socket)."""
    db = channel.engine.sessions.kw["bind"]
    asgi = httpx.ASGITransport(app=build_web_app(db, whatsapp=channel))
    async with httpx.AsyncClient(transport=asgi, base_url="http://bot") as client:
        yield client


@asynccontextmanager
async def proxied(app: App) -> AsyncIterator[tuple[TcpProxy, str]]:
    """A proxy in front of the app's PostgreSQL, and the database URL through it."""
    url = app.db.url
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    try:
        yield (
            proxy,
            url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False),
        )
    finally:
        await proxy.stop()


async def mother_who_listens(app: App, wa_id: str) -> None:
    """A registered mother on WhatsApp who chose "Selalu kirim suara": each answer to her
    comes with its voice note, made after the commit."""
    await register(Chat(app.engine, identity=wa_id, channel="whatsapp"))
    async with transaction(app.sessions) as s:
        await s.execute(
            update(Member).where(Member.full_name == "Siti Aminah").values(voice_always=True)
        )
