"""The dispatcher in the programs that run it: `p2wkss-bot run` (beside the Telegram
channel, sending through its bot) and `p2wkss-bot worker` (the scheduler alone, with its
own bot), each delivering a queued announcement to the fake Bot API server."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.app import App
from bot.cli import main
from bot.service import run_service
from bot.settings import ConfigError, Settings, load_settings
from bot.worker import run_worker
from models.base import transaction
from models.outbox.tables import OutboxMessage, enqueue
from tests.support.fakes.outbox import add_member
from tests.support.fakes.telegram_api import FakeTelegramServer
from tests.support.telegram_harness import TOKEN

DEWI = 6300000001


pytestmark = pytest.mark.fake_telegram(enforce_limits=True)


def settings_for(db_url: str, fake: FakeTelegramServer) -> Settings:
    # Quiet hours off (equal times), so the story does not depend on the time of day.
    return load_settings(
        database_url=db_url,
        telegram_bot_token=TOKEN,
        telegram_api_base_url=fake.base_url,
        quiet_hours_start="00:00",
        quiet_hours_end="00:00",
    )


async def queue_announcement(app: App, text: str) -> int:
    async with transaction(app.sessions) as s:
        _, identity = await add_member(s, str(DEWI))
        row = await enqueue(
            s, identity_id=identity, channel="telegram", kind="announcement",
            params={"text": text, "lang": "id"}, idempotency_key=f"test:{text}",
            respects_quiet_hours=True, respects_opt_out=True,
        )  # fmt: skip
    assert row is not None
    return row


async def delivers(
    app: App,
    fake: FakeTelegramServer,
    program: Callable[[asyncio.Event], Coroutine[Any, Any, int]],
) -> None:
    """Start the program, see the queued row arrive, stop it: exit 0, row recorded sent."""
    row = await queue_announcement(app, "Kerja bakti Minggu pagi")
    stop = asyncio.Event()
    task = asyncio.create_task(program(stop))
    try:
        await fake.wait_for(lambda _: bool(fake.sent_messages(DEWI)), timeout=15)
    finally:
        stop.set()
        assert await task == 0
    [message] = fake.sent_messages(DEWI)
    assert "Kerja bakti Minggu pagi" in (message.text or "")
    async with app.sessions() as s:
        sent = await s.scalar(select(OutboxMessage).where(OutboxMessage.id == row))
    assert sent is not None and sent.status == "sent"
    assert sent.provider_message_id == str(message.message_id)


async def test_run_sends_queued_announcements_through_the_channels_bot(
    app: App, db_url: str, fake: FakeTelegramServer
) -> None:
    settings = settings_for(db_url, fake)
    await delivers(app, fake, lambda stop: run_service(settings, webhook=False, stop=stop))
    assert fake.calls_of("getUpdates")  # the channel was polling beside the dispatcher


async def test_the_worker_sends_them_alone_and_keeps_the_token_out_of_the_log(
    app: App, db_url: str, fake: FakeTelegramServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = settings_for(db_url, fake)
    await delivers(app, fake, lambda stop: run_worker(settings, stop))
    assert not fake.calls_of("getUpdates")  # no chat updates in a worker
    assert TOKEN not in caplog.text and TOKEN.split(":")[1] not in caplog.text


def test_the_worker_command_says_sqlite_runs_it_or_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["worker", "--help"])
    assert "on SQLite run one or the other" in " ".join(capsys.readouterr().out.split())


async def test_a_refused_token_stops_the_worker_with_one_line(
    db_url: str, fake: FakeTelegramServer
) -> None:
    settings = settings_for(db_url, fake).model_copy(
        update={"telegram_bot_token": SecretStr("999:not-this-bot")}
    )
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN") as refused:
        await run_worker(settings, asyncio.Event())
    assert "not-this-bot" not in str(refused.value)
