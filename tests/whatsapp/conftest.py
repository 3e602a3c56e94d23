"""The WhatsApp channel on a real database, its Graph API faked with `httpx.MockTransport`
and its webhook app driven through `httpx.ASGITransport`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.app import App
from bot.channels.whatsapp import WhatsAppChannel
from bot.web import build_web_app
from tests.support.fakes.graph_api import FakeGraphAPI
from tests.support.whatsapp import new_channel


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
