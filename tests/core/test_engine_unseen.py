"""Replies a crash left unsent and too old to send: the chat's next message shows her
current screen again first; a word that means the same on any screen still works; a chat
whose fresher replies are still waiting to be sent is not affected."""

from __future__ import annotations

import itertools
from datetime import timedelta

from sqlalchemy import update

from bot.app import App
from handlers.core.types import Incoming, Kind, Reply
from models import InboxMessage, transaction, utcnow
from tests.support.lookups import state_of

_keys = itertools.count(1)


async def say(app: App, chat: str, text: str, *, key: str | None = None) -> list[Reply]:
    incoming = Incoming(
        channel="telegram", identity=chat, message_id=key or f"{chat}-{next(_keys)}",
        kind=Kind.TEXT, text=text,
    )  # fmt: skip
    return await app.engine.handle(incoming, keep_replies=True)


def texts(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies)


async def crash_left_unsent(app: App, *keys: str, minutes: float = 30) -> None:
    """These replies were stored but never sent, `minutes` ago; then the restart."""
    async with transaction(app.sessions) as s:
        await s.execute(
            update(InboxMessage)
            .where(InboxMessage.update_key.in_(keys))
            .values(handled_at=utcnow() - timedelta(minutes=minutes))
        )
    await app.engine.unfinished("telegram")


async def test_an_escape_word_still_works_on_a_screen_she_never_saw(app: App) -> None:
    await say(app, "501", "/start", key="s-1")
    await say(app, "501", "1", key="s-2")  # the consent question, never sent
    await crash_left_unsent(app, "s-1", "s-2")
    assert "Menu utama" in texts(await say(app, "501", "menu"))
    flow, _step, _data = await state_of(app, "501")
    assert flow is None


async def test_a_typed_answer_gets_the_question_again_then_counts(app: App) -> None:
    await say(app, "502", "/start", key="t-1")
    await say(app, "502", "1", key="t-2")
    await crash_left_unsent(app, "t-2")
    again = texts(await say(app, "502", "ya"))
    assert "Apakah Ibu setuju?" in again and "nama lengkap" not in again
    assert "nama lengkap" in texts(await say(app, "502", "ya"))


async def test_fresher_replies_waiting_to_be_sent_show_her_screen_themselves(app: App) -> None:
    await say(app, "503", "/start", key="u-1")  # old and unsent
    await say(app, "503", "1", key="u-2")  # fresh: sent after the restart
    await crash_left_unsent(app, "u-1")
    assert [u.key for u in await app.engine.unfinished("telegram")] == ["u-2"]
    # Having got the consent question, her "ya" is her answer.
    assert "nama lengkap" in texts(await say(app, "503", "ya"))


async def test_replies_sent_in_time_change_nothing(app: App) -> None:
    await say(app, "504", "/start", key="v-1")
    await say(app, "504", "1", key="v-2")
    await app.engine.done("telegram", ["v-1", "v-2"])
    await crash_left_unsent(app, "v-1", "v-2")
    assert "nama lengkap" in texts(await say(app, "504", "ya"))
