"""Siti taps a button on Telegram while an earlier update of her chat is still waiting
(stored, not handled yet): her tap waits its turn, going round her queue, and Telegram is
told once that the tap arrived (a callback query takes one answer; a second is refused as
"query is too old")."""

from __future__ import annotations

import asyncio

from bot.app import App
from bot.channels.telegram import TelegramChannel
from models.inbox import Arrival
from tests.support.fakes.telegram_api import FakeTelegramServer
from tests.support.telegram_harness import TgUser

SITI = 6100000021


async def test_a_tap_that_waits_for_her_earlier_update_is_answered_once(
    app: App, fake: FakeTelegramServer, telegram: TelegramChannel
) -> None:
    siti = TgUser(fake, SITI, telegram)
    await siti.say("/start", "Menu utama")
    await siti.say("Daftar", "Apakah Ibu setuju?")
    # An earlier update of hers, stored by this worker but not handled yet (still in
    # another queue of hers, say): whatever she does next waits for it.
    earlier = Arrival("earlier-1", str(SITI), {"update_id": 0}, seq=0)
    await app.engine.accept("telegram", [earlier])
    siti.mark = len(siti.messages())
    message_id, data = siti.button("Ya, setuju")
    fake.inject_callback(SITI, data, message_id)
    await fake.wait_for_calls("answerCallbackQuery", count=1)
    await asyncio.sleep(0.5)  # some ten rounds of her queue (a pause of 0.05 s each)
    assert "nama lengkap" not in siti.text  # still waiting
    await app.engine.done("telegram", ["earlier-1"])  # the earlier one is finished
    await fake.wait_for(lambda _: "nama lengkap" in siti.text)
    await telegram.wait_idle()
    assert len(fake.calls_of("answerCallbackQuery")) == 1
    assert fake.calls_of("answerCallbackQuery", status=200)
