"""The limits per chat: one voice note per few seconds, a number a day (counted in the
database, for every worker), and a new day starts again."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import datetime, timedelta
from pathlib import Path

from bot.app import App, open_app
from bot.settings import load_settings
from handlers.core.types import Incoming, Kind, Reply
from models import utcnow
from tests.support.chat import Chat, register
from tests.support.voice import engine_with

_ids = itertools.count(1)


async def dengar(chat: Chat, at: datetime) -> list[Reply]:
    return await chat.deliver(
        Incoming(channel=chat.channel, identity=chat.identity, message_id=f"v{next(_ids)}",
                 kind=Kind.TEXT, text="dengar", received_at=at)
    )  # fmt: skip


def heard(replies: list[Reply]) -> bool:
    return any(r.voice is not None for r in replies)


async def test_one_voice_note_per_five_seconds_and_a_cap_a_day(app: App) -> None:
    config = dataclasses.replace(
        app.engine.config, voice_min_interval=timedelta(seconds=5), voice_daily_cap=3
    )
    chat = Chat(engine_with(app, config=config), identity="tg-limits")
    await register(chat)
    # 10.00 local time tomorrow: the same local day throughout.
    tz = config.tz
    morning = (utcnow().astimezone(tz) + timedelta(days=1)).replace(hour=10, minute=0)
    assert heard(await dengar(chat, morning))
    too_soon = await dengar(chat, morning + timedelta(seconds=2))
    assert not heard(too_soon) and "Sebentar" in too_soon[0].text
    assert heard(await dengar(chat, morning + timedelta(seconds=7)))
    assert heard(await dengar(chat, morning + timedelta(seconds=14)))
    capped = await dengar(chat, morning + timedelta(minutes=5))
    assert not heard(capped) and "sudah habis" in capped[0].text
    # Another chat has its own allowance.
    other = Chat(engine_with(app, config=config), identity="tg-limits-2")
    await register(other, name="Dewi Lestari", phone="0812-1111-2222")
    assert heard(await dengar(other, morning + timedelta(minutes=6)))
    # The next local day starts again.
    assert heard(await dengar(chat, morning + timedelta(days=1)))


async def test_a_cap_of_zero_sends_no_voice_notes(app: App) -> None:
    config = dataclasses.replace(app.engine.config, voice_daily_cap=0)
    chat = Chat(engine_with(app, config=config), identity="tg-nocap")
    await register(chat)
    replies = await chat.send("dengar")
    assert not heard(replies) and "sudah habis" in replies[0].text


async def test_always_voice_respects_the_limits_quietly(app: App) -> None:
    config = dataclasses.replace(
        app.engine.config, voice_min_interval=timedelta(seconds=5), voice_daily_cap=50
    )
    chat = Chat(engine_with(app, config=config), identity="tg-always")
    await register(chat)
    await chat.send("lainnya")
    await chat.send("selalu kirim suara")
    await chat.tap_label("Nyalakan")
    morning = (utcnow().astimezone(config.tz) + timedelta(days=1)).replace(hour=9, minute=0)

    async def say(text: str, at: datetime) -> list[Reply]:
        return await chat.deliver(
            Incoming(channel=chat.channel, identity=chat.identity, message_id=f"a{next(_ids)}",
                     kind=Kind.TEXT, text=text, received_at=at)
        )  # fmt: skip

    first = await say("menu", morning)
    assert heard(first) and first[-1].voice is not None  # the voice after the text
    quick = await say("menu", morning + timedelta(seconds=1))
    # Too soon for another voice note: the text alone, and no word about it.
    assert not heard(quick) and "Menu utama" in quick[-1].text and "Sebentar" not in quick[0].text


async def test_the_limits_come_from_the_settings(db_url: str, tmp_path: Path) -> None:
    settings = load_settings(
        database_url=db_url, media_dir=tmp_path / "media", voice_min_interval_seconds=2,
        voice_daily_cap=7,
    )  # fmt: skip
    app = await open_app(settings, auto_migrate=False)
    try:
        config = app.engine.config
        assert (config.voice_min_interval, config.voice_daily_cap) == (timedelta(seconds=2), 7)
    finally:
        await app.close()
