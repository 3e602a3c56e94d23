"""The web console in tests: the /admin app over httpx's ASGI transport (https, so the
Secure cookie comes back), staff and mothers set up through the chat, login links made
as the chat and the CLI make them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from bot.app import App
from bot.settings import Settings
from bot.web import build_web_app
from bot.web_console import build_console
from handlers.core.types import Media
from tests.support.reports import photo_downloader


@pytest.fixture
def photos() -> Iterator[list[Media]]:
    with photo_downloader() as asked:
        yield asked


@pytest.fixture
async def web(app: App, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    console = build_console(app.sessions, media_dir=settings.media_dir, timezone="Asia/Jakarta")
    asgi = build_web_app(app.db, console=console)
    transport = httpx.ASGITransport(app=asgi)
    async with httpx.AsyncClient(transport=transport, base_url="https://bot.test") as client:
        yield client
