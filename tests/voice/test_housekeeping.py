"""The housekeeping sweep deletes voice notes a day after they were made: a text may name
a person, so none is kept longer (an erasure then finds nothing of her there)."""

from __future__ import annotations

import os
from datetime import timedelta

from bot.app import App
from models import utcnow
from scheduler.housekeeping import housekeeping_once
from tests.support.chat import Chat, register


async def test_voice_notes_a_day_old_are_deleted_by_housekeeping(app: App, chat: Chat) -> None:
    await register(chat, name="Siti Aminah")
    [old] = await chat.send("dengar")
    later = Chat(app.engine, identity="tg-2")
    await register(later, name="Dewi Lestari", phone="0812-9999-1111")
    [new] = await later.send("dengar")
    assert old.voice is not None and new.voice is not None and old.voice != new.voice
    made = (utcnow() - timedelta(hours=25)).timestamp()
    os.utime(old.voice, (made, made))
    media = app.engine.config.media_dir
    await housekeeping_once(app.sessions, utcnow())  # no media folder given: nothing deleted
    assert old.voice.exists()
    await housekeeping_once(app.sessions, utcnow(), media_dir=media)
    assert not old.voice.exists() and new.voice.exists()
