"""The webhook endpoint of `p2wkss-bot run --webhook` against what the internet may send:
odd secret headers, bodies that are no Telegram update, bodies that never end, paths
written to forge a log line. A real uvicorn server, the real Telegram channel behind it,
and raw sockets where an HTTP client would tidy the request up."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.web import MAX_BODY, build_web_app, make_server
from tests.support.fakes.telegram_api import FakeTelegramServer
from tests.support.telegram_harness import TOKEN, story_budget

# The web layer does not depend on the database: SQLite is enough.
pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

SITI = 6500000001
SECRET = "s3cret-Token"
RIGHT = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


@dataclass
class Webhook:
    port: int
    channel: TelegramChannel

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def raw(self, head: str, body: list[bytes] | None = None, timeout: float = 5) -> str:
        """Send the request head (and body pieces) as bytes on a socket of its own; the
        status line of the answer, which must come within `timeout` seconds."""
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        try:
            writer.write(head.replace("\n", "\r\n").encode("latin-1") + b"\r\n")
            for piece in body or []:
                writer.write(piece)
                await writer.drain()
            async with asyncio.timeout(timeout):
                return (await reader.readline()).decode("latin-1").strip()
        finally:
            writer.close()


@pytest.fixture
async def webhook(app: App, fake: FakeTelegramServer) -> AsyncIterator[Webhook]:
    channel = TelegramChannel(
        TOKEN,
        app.engine,
        base_url=fake.base_url,
        base_file_url=fake.file_url,
        polling=False,
        budget=story_budget(),
    )
    await channel.start()
    web = build_web_app(app.db, telegram=channel.feed_webhook, telegram_secret=SECRET)
    server = make_server(web, "127.0.0.1:0")
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        yield Webhook(server.servers[0].sockets[0].getsockname()[1], channel)
    finally:
        server.should_exit = True
        await task
        await channel.stop()


async def still_answers(webhook: Webhook, fake: FakeTelegramServer) -> None:
    """After whatever came before, a real update is taken and answered."""
    update = fake.inject_message(SITI, "/start")
    async with httpx.AsyncClient(base_url=webhook.url) as client:
        assert (await client.post("/telegram", json=update, headers=RIGHT)).status_code == 200
    await fake.wait_for(lambda _: bool(fake.sent_messages(SITI)))
    assert "Menu utama" in (fake.sent_messages(SITI)[-1].text or "")


async def test_a_secret_header_that_is_not_ascii_is_refused_not_an_error(
    webhook: Webhook, fake: FakeTelegramServer
) -> None:
    update = fake.inject_message(SITI, "/start")
    async with httpx.AsyncClient(base_url=webhook.url) as client:
        for value in ("rahasia-é".encode(), "s3cret-Tökén".encode("latin-1"), b"\xff" * 12):
            headers = {b"X-Telegram-Bot-Api-Secret-Token": value}
            response = await client.post("/telegram", json=update, headers=headers)
            assert response.status_code == 403, value
    assert not fake.sent_messages(SITI)
    await still_answers(webhook, fake)


@pytest.mark.parametrize(
    "body",
    [
        b"{}",
        b'{"update_id": "satu"}',
        b'{"update_id": true}',
        b'{"update_id": 7, "message": "halo"}',
        b'{"update_id": 7, "message": {"text": "halo"}}',
        b'{"update_id": 7, "callback_query": []}',
        b"[]",
        b"nope",
        b"\xff\xfe{}",
        b"[" * 50_000 + b"]" * 50_000,  # valid JSON, nested too deep for Python's parser
    ],
    ids=lambda b: b[:24].decode("latin-1"),
)
async def test_a_body_that_is_no_telegram_update_gets_400(
    webhook: Webhook, fake: FakeTelegramServer, body: bytes
) -> None:
    headers = {**RIGHT, "Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=webhook.url) as client:
        response = await client.post("/telegram", content=body, headers=headers)
    assert response.status_code == 400
    await still_answers(webhook, fake)


async def test_a_body_declared_too_large_is_refused_before_it_is_sent(
    webhook: Webhook, fake: FakeTelegramServer
) -> None:
    # Only the head goes out: the 413 must come from the Content-Length alone.
    for secret in (SECRET, "guess"):
        status = await webhook.raw(
            "POST /telegram HTTP/1.1\nHost: bot\nContent-Type: application/json\n"
            f"X-Telegram-Bot-Api-Secret-Token: {secret}\nContent-Length: {MAX_BODY + 1}\n"
        )
        assert status.startswith("HTTP/1.1 413 " if secret == SECRET else "HTTP/1.1 403 ")
    await still_answers(webhook, fake)


async def test_a_chunked_body_is_cut_off_once_it_passes_the_limit(
    webhook: Webhook, fake: FakeTelegramServer
) -> None:
    piece = b"x" * 65536
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    pieces = MAX_BODY // len(piece) + 1  # just past the limit, and never the last chunk
    status = await webhook.raw(
        "POST /telegram HTTP/1.1\nHost: bot\nContent-Type: application/json\n"
        f"X-Telegram-Bot-Api-Secret-Token: {SECRET}\nTransfer-Encoding: chunked\n",
        [chunk] * pieces,
    )
    assert status.startswith("HTTP/1.1 413 ")
    await still_answers(webhook, fake)


async def test_control_characters_in_a_path_cannot_forge_an_access_log_line(
    webhook: Webhook, fake: FakeTelegramServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="p2wkss.web")
    forged = "%0D%0A2024-01-01 00:00:00,000 INFO p2wkss.web: POST /telegram 200 1ms%1B[2J%E2%80%A8"
    async with httpx.AsyncClient(base_url=webhook.url) as client:
        assert (await client.get(f"/healthz{forged}")).status_code == 404
        assert (await client.get("/healthz\\x0a")).status_code == 404
    lines = [r.getMessage() for r in caplog.records if r.name == "p2wkss.web"]
    assert len(lines) == 2
    forged_line, backslash_line = lines
    assert (
        forged_line.startswith("GET /healthz\\r\\n2024-01-01")
        and "\\x1b[2J\\u2028 404" in forged_line
    )
    # A backslash typed in the path is doubled, so the log's escapes are all its own.
    assert backslash_line.startswith("GET /healthz\\\\x0a 404")
    for line in lines:
        assert line.isprintable()
