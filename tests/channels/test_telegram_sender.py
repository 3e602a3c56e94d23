"""Outbox rows leaving through Telegram: the real TelegramSender, python-telegram-bot's HTTP
stack and the fake Bot API server; at the end the real dispatcher drives it under the
fake's enforced flood limits."""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from telegram import Bot
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.app import App
from bot.channels.telegram_render import MAX_CAPTION
from bot.channels.telegram_sender import TelegramSender, error_result, make_bot
from handlers.core.delivery import Blocked, Failed, SendResult, Sent, render_outbox
from handlers.core.delivery import RetryAfter as RetryLater
from models import ChannelIdentity
from models.base import transaction
from models.outbox.broadcasts import create_broadcast
from models.outbox.tables import PRIORITY_NOTICE, OutboxMessage, enqueue
from scheduler.dispatcher import Dispatcher
from tests.support.fakes.clock import FakeClock
from tests.support.fakes.outbox import (
    START,
    WIB,
    RecordingSender,
    add_member,
    dispatcher,
    states,
    until,
)
from tests.support.fakes.telegram_api import FakeTelegramServer
from tests.support.telegram_harness import TOKEN

SITI = 6200000001
SHORT_CODE = re.compile(r"[a-z0-9_]+")


@pytest.fixture
async def bot(fake: FakeTelegramServer) -> AsyncIterator[Bot]:
    async with make_bot(TOKEN, base_url=fake.base_url, base_file_url=fake.file_url) as b:
        yield b


def siti(language: str | None = "id") -> ChannelIdentity:
    return ChannelIdentity(id=1, channel="telegram", external_id=str(SITI), language=language)


def announcement(text: str, *, lang: str | None = "id", photo: Path | None = None) -> OutboxMessage:
    params = {"text": text} | ({"lang": lang} if lang else {})
    return OutboxMessage(
        id=7, kind="announcement", params=params, media_path=str(photo) if photo else None
    )


async def test_an_announcement_goes_out_rendered_like_a_direct_reply(
    fake: FakeTelegramServer, bot: Bot
) -> None:
    sender = TelegramSender(bot, max_rate=25.0)
    row = announcement("Posyandu hari Sabtu pukul 08.00 di balai RW 05.")
    result = await sender.send(siti(), row)
    [message] = fake.sent_messages(SITI)
    assert message.method == "sendMessage"
    assert message.text == render_outbox(row, "id").text
    assert "Pengumuman" in (message.text or "") and "balai RW 05" in (message.text or "")
    assert result == Sent(provider_message_id=str(message.message_id))
    assert (sender.channel, sender.max_rate, sender.per_chat_interval) == ("telegram", 25.0, 1.0)


async def test_without_a_language_on_the_row_the_chat_language_is_used(
    fake: FakeTelegramServer, bot: Bot
) -> None:
    sender = TelegramSender(bot, max_rate=25.0)
    await sender.send(siti(language="en"), announcement("Meeting on Saturday", lang=None))
    assert "announcement" in (fake.sent_messages(SITI)[0].text or "")


async def test_a_photo_row_goes_with_its_caption_and_a_long_text_follows_it(
    fake: FakeTelegramServer, bot: Bot, tmp_path: Path
) -> None:
    photo = tmp_path / "posyandu.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    sender = TelegramSender(bot, max_rate=25.0, per_chat_interval=0.01)
    row = announcement("Bawa buku KIA.", photo=photo)
    result = await sender.send(siti(), row)
    [message] = fake.sent_messages(SITI)
    assert message.method == "sendPhoto" and message.text == render_outbox(row, "id").text
    assert result == Sent(str(message.message_id))

    long_row = announcement(
        "\n".join(f"Baris {i}: jadwal kegiatan." for i in range(120)), photo=photo
    )
    result = await sender.send(siti(), long_row)
    caption, rest = fake.sent_messages(SITI)[1:]
    assert caption.method == "sendPhoto" and len(caption.text or "") <= MAX_CAPTION
    assert rest.method == "sendMessage" and (rest.text or "").endswith(
        "Baris 119: jadwal kegiatan."
    )
    assert result == Sent(str(caption.message_id))  # the first message names the row


async def test_flood_wait_pauses_the_whole_channel(fake: FakeTelegramServer, bot: Bot) -> None:
    fake.fail_next("sendMessage", 429, retry_after=7)
    result = await TelegramSender(bot, max_rate=25.0).send(siti(), announcement("x"))
    assert result == RetryLater(7.0, whole_channel=True)


async def test_a_chat_that_blocked_the_bot_answers_blocked(
    fake: FakeTelegramServer, bot: Bot
) -> None:
    fake.block_chat(SITI)
    assert await TelegramSender(bot, max_rate=25.0).send(siti(), announcement("x")) == Blocked()


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (500, Failed("http_500", retryable=True)),
        (502, Failed("http_502", retryable=True)),
        (400, Failed("chat_not_found", retryable=False)),
    ],
)
async def test_server_errors_are_retryable_bad_requests_are_not(
    fake: FakeTelegramServer, bot: Bot, code: int, expected: Failed
) -> None:
    fake.fail_next("sendMessage", code)
    assert await TelegramSender(bot, max_rate=25.0).send(siti(), announcement("x")) == expected


async def test_a_slow_answer_is_a_retryable_timeout(fake: FakeTelegramServer, bot: Bot) -> None:
    fake.latency_ms = 2000
    sender = TelegramSender(bot, max_rate=25.0, request_timeout=0.2)
    assert await sender.send(siti(), announcement("x")) == Failed("timeout", retryable=True)


async def test_an_unreachable_server_is_a_retryable_network_failure(
    fake: FakeTelegramServer, bot: Bot
) -> None:
    await fake.stop()
    result = await TelegramSender(bot, max_rate=25.0).send(siti(), announcement("x"))
    assert result == Failed("network", retryable=True)


async def test_a_missing_photo_file_fails_for_good(bot: Bot, tmp_path: Path) -> None:
    row = announcement("x", photo=tmp_path / "gone.jpg")
    assert await TelegramSender(bot, max_rate=25.0).send(siti(), row) == Failed("media_missing")


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (RetryAfter(timedelta(seconds=3)), RetryLater(3.0, whole_channel=True)),
        (RetryAfter(4), RetryLater(4.0, whole_channel=True)),
        (Forbidden("Forbidden: user is deactivated"), Blocked()),
        (BadRequest("Bad Request: message is too long"), Failed("too_long")),
        (BadRequest("Bad Request: can't parse entities: Siti 0812…"), Failed("bad_entities")),
        (BadRequest("Bad Request: something new about Siti"), Failed("bad_request")),
        (TimedOut(), Failed("timeout", retryable=True)),
        (NetworkError("Bad Gateway"), Failed("http_502", retryable=True)),
        (NetworkError("Service Unavailable (503)"), Failed("http_503", retryable=True)),
        (NetworkError("httpx.ConnectError: [Errno 111]"), Failed("network", retryable=True)),
        (ChatMigrated(-1001234), Failed("chat_migrated")),
        (InvalidToken(), Failed("unauthorized", retryable=True)),
        (TelegramError("who knows"), Failed("telegram_error", retryable=True)),
    ],
)
def test_every_error_becomes_a_result_with_a_short_code(
    error: TelegramError, expected: SendResult
) -> None:
    result = error_result(error)
    assert result == expected
    if isinstance(result, Failed):
        assert SHORT_CODE.fullmatch(result.reason)  # never Telegram's words or personal data


# --- the dispatcher and the sender together, under enforced limits --------------------------


async def test_a_broadcast_reaches_each_chat_once_under_the_limits_and_a_blocked_chat_drops_out(
    app: App,
) -> None:
    chat_ids = [SITI + i for i in range(40)]
    gone = chat_ids[7]
    async with transaction(app.sessions) as s:
        identities = {c: (await add_member(s, str(c)))[1] for c in chat_ids}
        await create_broadcast(s, text="Posyandu Sabtu", audience={"kind": "all"}, actor="cli")
        # A personal notice to a chat that also gets the announcement: 1 s apart, no 429.
        await enqueue(
            s, identity_id=identities[SITI], channel="telegram", kind="announcement",
            params={"text": "Jadwal berubah", "lang": "id"}, idempotency_key="notice-1",
            priority=PRIORITY_NOTICE,
        )  # fmt: skip
    async with FakeTelegramServer(token=TOKEN, enforce_limits=True) as fake:
        fake.block_chat(gone)
        async with make_bot(TOKEN, base_url=fake.base_url, base_file_url=fake.file_url) as bot:
            sender = TelegramSender(bot, max_rate=25.0)  # the default TELEGRAM_SEND_RATE
            dispatcher = Dispatcher(app.sessions, [sender], tz=WIB, quiet_hours=None)
            stop = asyncio.Event()
            run = asyncio.create_task(dispatcher.run(stop))
            try:
                await settled(app, timeout=20)
            finally:
                stop.set()
                await run
    assert fake.http_429_count == 0
    received = {c: len(fake.sent_messages(c)) for c in chat_ids}
    assert received == {c: 2 if c == SITI else 0 if c == gone else 1 for c in chat_ids}
    first, second = fake.sent_messages(SITI)
    assert "Jadwal berubah" in (first.text or "") and "Posyandu Sabtu" in (second.text or "")
    result = await states(app)
    assert sorted(result.values()).count(("sent", None)) == 40
    assert ("failed", "blocked") in result.values()
    async with app.sessions() as s:
        blocked = await s.scalar(
            select(ChannelIdentity.unreachable).where(ChannelIdentity.external_id == str(gone))
        )
    assert blocked is True


async def settled(app: App, timeout: float) -> None:
    """Wait until no outbox row is queued or being sent."""
    async with asyncio.timeout(timeout):
        while any(s in ("queued", "sending") for s, _ in (await states(app)).values()):
            await asyncio.sleep(0.05)


async def test_sends_woken_together_after_a_stall_still_leave_one_interval_apart(
    app: App,
) -> None:
    """What the enforcing server showed: after a pause of the dispatcher's own process,
    sends whose slots had passed must not go out in a burst (a second later the on-time
    sends would then make one second hold more than the limit)."""
    clock = FakeClock(START)
    sender = RecordingSender(clock, max_rate=10.0)
    async with transaction(app.sessions) as s:
        for i in range(8):
            _, chat = await add_member(s, str(SITI + i))
            await enqueue(
                s, identity_id=chat, channel="telegram", kind="announcement",
                params={"text": f"k{i}"}, idempotency_key=f"k{i}", now=clock.now(),
            )  # fmt: skip
    async with dispatcher(app, clock, sender) as d:
        run = asyncio.create_task(d.run_once())
        await until(lambda: len(sender.calls) == 1)
        clock.advance(0.5)  # the process stalled: five slots passed at once
        await run
    times = [call.at for call in sender.calls]
    assert len(times) == 8
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.1 - 1e-9
