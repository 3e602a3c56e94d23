"""A crash between the commit and the send, and a restart after the resend window: the
reply she never got is not sent any more (too old), and her next message first shows her
the question she never saw, instead of taking "1" as the answer to it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from bot.app import App
from bot.channels.telegram import TelegramChannel
from handlers.core.types import Incoming, Kind
from models import InboxMessage, Member, transaction, utcnow
from tests.support.fakes.telegram_api import FakeTelegramServer
from tests.support.lookups import state_of
from tests.support.telegram_harness import TOKEN, TgUser

SITI = 6150000001


def channel_for(app: App, fake: FakeTelegramServer) -> TelegramChannel:
    return TelegramChannel(TOKEN, app.engine, base_url=fake.base_url, base_file_url=fake.file_url)


async def handled_but_never_sent(app: App, text: str) -> None:
    """What a SIGKILL between the commit and the send leaves: her state moved on, the
    replies are kept unsent. Then the restart comes later than the resend window."""
    incoming = Incoming(
        channel="telegram", identity=str(SITI), message_id="crashed-1", kind=Kind.TEXT, text=text
    )
    assert await app.engine.handle(incoming, keep_replies=True)
    too_old = utcnow() - app.engine.config.reply_resend - timedelta(minutes=1)
    async with transaction(app.sessions) as s:
        await s.execute(
            update(InboxMessage)
            .where(InboxMessage.update_key == "crashed-1")
            .values(handled_at=too_old)
        )


async def test_after_a_late_restart_her_1_gets_the_unseen_consent_question_not_a_yes(
    app: App, fake: FakeTelegramServer
) -> None:
    siti = TgUser(fake, SITI)
    before = channel_for(app, fake)
    await before.start(poll_timeout=1)
    try:
        await siti.say("/start", "Menu utama")
    finally:
        await before.stop()
    # "1" on the menu is Daftar: the consent question was stored, never sent.
    await handled_but_never_sent(app, "1")
    flow, step, _data = await state_of(app, str(SITI))
    assert flow is not None and step is not None  # she is on the consent question

    after = channel_for(app, fake)
    await after.start(poll_timeout=1)
    siti.channel = after
    try:
        await after.wait_idle()
        sent_at_restart = len(siti.messages())
        assert "Apakah Ibu setuju?" not in siti.text  # too old: not sent after the restart

        # She never saw the question; her "1" again is no consent.
        replies = await siti.say("1", "Apakah Ibu setuju?")
        assert len(siti.messages()) > sent_at_restart
        assert "nama lengkap" not in siti.text
        assert any(m.reply_markup for m in replies)  # its buttons, to tap this time

        # Now she has seen it: the next "1" is her answer.
        await siti.say("1", "nama lengkap")
        await siti.say("Siti Aminah", "kampung mana")
    finally:
        await after.stop()
    async with app.sessions() as s:
        assert await s.scalar(select(Member.id)) is None  # nothing registered on her behalf
