"""`p2wkss-bot run` in long polling serves the web console when WEB_BASE_URL is set (the
web server used to start only for webhooks)."""

from __future__ import annotations

import asyncio
import socket

import httpx

from bot.app import App
from bot.service import run_service
from bot.settings import load_settings
from tests.support.fakes.telegram_api import FakeTelegramServer
from tests.support.telegram_harness import TOKEN


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def get_when_up(client: httpx.AsyncClient, url: str) -> httpx.Response:
    for _ in range(200):  # the server starts beside the channel; wait for it to listen
        try:
            return await client.get(url)
        except httpx.ConnectError:
            await asyncio.sleep(0.05)
    raise AssertionError("the web server did not start")


async def test_long_polling_with_web_base_url_serves_the_console(
    app: App, db_url: str, fake: FakeTelegramServer
) -> None:
    port = free_port()
    settings = load_settings(
        database_url=db_url, telegram_bot_token=TOKEN, telegram_api_base_url=fake.base_url,
        web_base_url="https://konsol.example.id", webhook_listen=f"127.0.0.1:{port}",
    )  # fmt: skip
    stop = asyncio.Event()
    service = asyncio.create_task(run_service(settings, webhook=False, stop=stop))
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            page = await get_when_up(client, "/admin/")
            assert page.status_code == 401 and "Masuk web" in page.text
            assert page.headers["x-frame-options"] == "DENY"
            assert (await client.post("/telegram", json={})).status_code == 404
    finally:
        stop.set()
        assert await service == 0
