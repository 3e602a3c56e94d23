"""`p2wkss-bot run` and `worker` with WhatsApp: alone or beside Telegram, each delivering a
queued announcement through its channel, and a token Meta refuses stopping start-up."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from bot.app import App
from bot.service import run_service
from bot.settings import ConfigError, Settings, load_settings
from bot.worker import run_worker
from models import ChannelIdentity, utcnow
from models.base import transaction
from models.outbox.tables import enqueue
from tests.support.fakes.graph_api import BASE_URL, PHONE_ID, FakeGraphAPI
from tests.support.fakes.outbox import add_member
from tests.support.fakes.telegram_api import FakeTelegramServer
from tests.support.telegram_harness import TOKEN as TELEGRAM_TOKEN
from tests.support.whatsapp import APP_SECRET, TOKEN, VERIFY_TOKEN, message_update, sign, text

SITI, DEWI = "6281234567890", 6300000002


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def settings_for(db_url: str, telegram: FakeTelegramServer | None = None) -> Settings:
    extra: dict[str, Any] = {}
    if telegram is not None:
        extra = {"telegram_bot_token": TELEGRAM_TOKEN, "telegram_api_base_url": telegram.base_url}
    return load_settings(
        database_url=db_url, quiet_hours_start="00:00", quiet_hours_end="00:00",
        webhook_listen=f"127.0.0.1:{free_port()}", whatsapp_phone_number_id=PHONE_ID,
        whatsapp_access_token=TOKEN, whatsapp_app_secret=APP_SECRET,
        whatsapp_verify_token=VERIFY_TOKEN, whatsapp_api_base_url=BASE_URL, **extra,
    )  # fmt: skip


async def announce(app: App, channel: str, chat: str, text: str) -> None:
    async with transaction(app.sessions) as s:
        _, identity = await add_member(s, chat, channel=channel)
        await s.execute(
            update(ChannelIdentity)
            .where(ChannelIdentity.id == identity)
            .values(last_inbound_at=utcnow() - timedelta(hours=1))
        )
        await enqueue(
            s, identity_id=identity, channel=channel, kind="announcement",
            params={"text": text, "lang": "id"}, idempotency_key=f"test:{channel}:{text}",
            respects_opt_out=True,
        )  # fmt: skip


async def until(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


async def delivered(
    program: Callable[[asyncio.Event], Coroutine[Any, Any, int]], condition: Callable[[], bool]
) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(program(stop))
    try:
        await until(lambda: condition() or task.done())
        assert condition(), task.result()
    finally:
        stop.set()
        assert await task == 0


async def test_run_with_whatsapp_alone_delivers_an_announcement(
    app: App, db_url: str, graph: FakeGraphAPI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await announce(app, "whatsapp", SITI, "Kerja bakti Minggu pagi")
    settings = settings_for(db_url)
    await delivered(
        lambda stop: run_service(
            settings, webhook=False, stop=stop, whatsapp_transport=graph.transport()
        ),
        lambda: any("Kerja bakti" in m.text for m in graph.to(SITI)),
    )
    assert TOKEN not in caplog.text and APP_SECRET not in caplog.text
    assert SITI not in caplog.text


async def test_run_with_telegram_and_whatsapp_delivers_on_both(
    app: App, db_url: str, graph: FakeGraphAPI, fake: FakeTelegramServer
) -> None:
    await announce(app, "whatsapp", SITI, "Kerja bakti Minggu pagi")
    await announce(app, "telegram", str(DEWI), "Posyandu Senin")
    settings = settings_for(db_url, fake)
    await delivered(
        lambda stop: run_service(
            settings, webhook=False, stop=stop, whatsapp_transport=graph.transport()
        ),
        lambda: bool(graph.to(SITI)) and bool(fake.sent_messages(DEWI)),
    )


async def test_the_worker_delivers_through_whatsapp_alone(
    app: App, db_url: str, graph: FakeGraphAPI
) -> None:
    await announce(app, "whatsapp", SITI, "Kerja bakti Minggu pagi")
    settings = settings_for(db_url)
    await delivered(
        lambda stop: run_worker(settings, stop, whatsapp_transport=graph.transport()),
        lambda: bool(graph.to(SITI)),
    )


async def test_a_token_meta_refuses_stops_start_up_with_one_line(
    db_url: str, graph: FakeGraphAPI
) -> None:
    graph.refuse_token = True
    for program in (run_service, run_worker):
        with pytest.raises(ConfigError, match="WHATSAPP_ACCESS_TOKEN") as refused:
            if program is run_service:
                await run_service(
                    settings_for(db_url), webhook=False, stop=asyncio.Event(),
                    whatsapp_transport=graph.transport(),
                )  # fmt: skip
            else:
                await run_worker(
                    settings_for(db_url), asyncio.Event(), whatsapp_transport=graph.transport()
                )
        assert TOKEN not in str(refused.value) and "\n" not in str(refused.value)


async def test_run_serves_the_webhook_and_answers_her(db_url: str, graph: FakeGraphAPI) -> None:
    settings = settings_for(db_url)
    body = json.dumps(message_update(text("halo"), user_id=None, wa_id=SITI)).encode()
    headers = {"X-Hub-Signature-256": sign(body), "Content-Type": "application/json"}

    async def answered(stop: asyncio.Event) -> int:
        service = asyncio.create_task(
            run_service(settings, webhook=False, stop=stop, whatsapp_transport=graph.transport())
        )
        async with httpx.AsyncClient(base_url=f"http://{settings.webhook_listen}") as client:
            while True:
                try:
                    response = await client.post("/whatsapp", content=body, headers=headers)
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.02)  # the server is still starting
            assert response.status_code == 200
        return await service

    await delivered(answered, lambda: any("Menu utama" in m.text for m in graph.to(SITI)))
