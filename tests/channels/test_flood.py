"""Flood control on Telegram: one chat sending far too fast is cut down to her burst with
one note, and another chat's answer time stays near normal, also while the Bot API makes
the flooder's replies wait (429 RetryAfter at 1 msg/s per chat)."""

from __future__ import annotations

import statistics
import time

import pytest

from bot.app import App
from bot.channels.telegram import TelegramChannel
from handlers.core.flood import ADMIT, DROP, NOTE_EVERY, NOTICE, FloodGate
from tests.support.fakes.telegram_api import FakeTelegramServer
from tests.support.telegram_harness import TOKEN

ANI, BUDI = 6400000001, 6400000002
FLOOD = 300


def test_the_bucket_admits_a_burst_then_its_rate_with_a_note_at_most_every_30_s() -> None:
    now = [0.0]
    gate = FloodGate(2, 3, clock=lambda: now[0])
    assert [gate.admit("a") for _ in range(5)] == [ADMIT, ADMIT, ADMIT, NOTICE, DROP]
    assert gate.admit("b") == ADMIT  # another chat has her own bucket
    now[0] += 0.5  # one token back: one more gets through, the rest quietly dropped
    assert [gate.admit("a") for _ in range(3)] == [ADMIT, DROP, DROP]
    now[0] += NOTE_EVERY  # flooding again later: told again, once
    assert [gate.admit("a") for _ in range(5)] == [ADMIT, ADMIT, ADMIT, NOTICE, DROP]
    assert all(FloodGate(0, 3).admit("a") == ADMIT for _ in range(100))  # 0: off


async def answer_time(fake: FakeTelegramServer, chat_id: int) -> float:
    before = len(fake.sent_messages(chat_id))
    started = time.monotonic()
    fake.inject_message(chat_id, "menu")
    await fake.wait_for(lambda _: len(fake.sent_messages(chat_id)) > before, timeout=20)
    return time.monotonic() - started


@pytest.mark.fake_telegram(enforce_limits=True)
async def test_a_flooding_chat_does_not_slow_down_another(
    app: App, fake: FakeTelegramServer, capsys: pytest.CaptureFixture[str]
) -> None:
    channel = TelegramChannel(
        TOKEN, app.engine, base_url=fake.base_url, base_file_url=fake.file_url,
        flood=FloodGate(2, 10),
    )  # fmt: skip
    await channel.start(poll_timeout=1)
    try:
        normal = []
        for _ in range(3):
            normal.append(await answer_time(fake, BUDI))
            await fake.pause(1.1)  # within Telegram's 1 msg/s per chat
        for _ in range(FLOOD):
            fake.inject_message(ANI, "halo")
        await fake.wait_for(lambda _: channel.dropped > 0, timeout=10)
        flooded = await answer_time(fake, BUDI)
        typical = statistics.median(normal)
        with capsys.disabled():
            print(
                f"\nflood: Budi's answer {flooded * 1000:.0f} ms while Ani floods "
                f"(normally {typical * 1000:.0f} ms); Ani: {FLOOD} sent, "
                f"{channel.dropped} dropped, {fake.http_429_count} HTTP 429"
            )
        # Generous on purpose (no flaky timing): before, Budi waited about 28 s.
        assert flooded < 5.0

        def notes() -> int:
            return sum("Pelan-pelan" in (m.text or "") for m in fake.sent_messages(ANI))

        await fake.wait_for(lambda _: notes() > 0, timeout=10)  # ahead of her backlog
        assert notes() == 1
        # At most her burst and its backlog get handled; the rest is dropped.
        assert channel.dropped >= FLOOD - 10 - 10 - 1
    finally:
        await channel.stop()
