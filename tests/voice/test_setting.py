"""Stories of "Selalu kirim suara": a mother turns it on under "Lainnya" and her answers and
reminders come with their voice note (on Telegram too); her kader turns it on for a mother
without a phone; nobody else can."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
import soundfile  # type: ignore[import-untyped]
from sqlalchemy import select
from telegram import Bot

from bot.app import App
from bot.channels.telegram_sender import TelegramSender, make_bot
from handlers.core.delivery import Sent
from models import AuditEntry, ChannelIdentity, Kegiatan, OutboxMessage, make_sessionmaker
from models.reminders.kegiatan import DAY_BEFORE, ReminderPlan
from scheduler.sweeps import kegiatan_reminders_once
from tests.support.chat import Chat, register
from tests.support.fakes.kegiatan import kegiatan
from tests.support.fakes.telegram_api import FakeTelegramServer
from tests.support.staff import make_kader, member_id
from tests.support.telegram_harness import TOKEN
from tests.support.voice import engine_with, member_named, notes_in

PLAN = ReminderPlan(tz=ZoneInfo("Asia/Jakarta"), day_before_at=time(7, 0), hours_before=0)
SITI_TG = 6300000001


async def turn_on(chat: Chat) -> None:
    await chat.send("lainnya")
    await chat.tap_label("Selalu kirim suara")
    assert "Sekarang: mati." in chat.text
    await chat.tap_label("Nyalakan")
    assert "setiap pesan juga dikirim sebagai suara" in chat.text


async def reminder_rows(app: App) -> dict[int | None, OutboxMessage]:
    async with app.sessions() as s:
        rows = await s.scalars(
            select(OutboxMessage).where(OutboxMessage.kind.like("kegiatan_reminder%"))
        )
        return {r.member_id: r for r in rows}


async def remind(app: App, kid: int) -> None:
    async with app.sessions() as s:
        start = (await s.get_one(Kegiatan, kid)).starts_at
    await kegiatan_reminders_once(app.sessions, PLAN.due_at(DAY_BEFORE, start), PLAN)


async def test_siti_turns_it_on_and_her_answers_come_with_a_voice_note(app: App) -> None:
    config = dataclasses.replace(app.engine.config, voice_min_interval=timedelta(0))
    chat = Chat(engine_with(app, config=config), identity="tg-siti")
    await register(chat)
    assert all(r.voice is None for r in await chat.send("menu"))
    await turn_on(chat)
    replies = await chat.send("menu")
    assert [r.voice is not None for r in replies] == [False, True]  # the text, then its voice
    assert "Menu utama" in replies[0].text
    assert (await member_named(app, "Siti Aminah")).voice_always
    await chat.send("lainnya")
    await chat.tap_label("Selalu kirim suara")
    assert "Sekarang: nyala." in chat.text
    await chat.tap_label("Matikan")
    assert "tulisan saja" in chat.text
    assert all(r.voice is None for r in await chat.send("menu"))
    async with app.sessions() as s:
        audits = list(
            await s.scalars(select(AuditEntry).where(AuditEntry.action == "member.voice"))
        )
    assert [a.detail for a in audits] == [{"always": True}, {"always": False}]


async def test_her_reminders_go_with_their_voice_note(app: App) -> None:
    kid = await kegiatan(app, "Posyandu balita", kuota=5)
    siti, dewi = Chat(app.engine, identity="tg-siti"), Chat(app.engine, identity="tg-dewi")
    await register(siti, name="Siti Aminah")
    await register(dewi, name="Dewi Lestari", phone="0812-9999-1111")
    await turn_on(siti)
    for chat in (siti, dewi):
        await chat.tap(f"a:kg.signup:{kid}")
    await remind(app, kid)
    rows = await reminder_rows(app)
    siti_id, dewi_id = await member_id(app, "Siti Aminah"), await member_id(app, "Dewi Lestari")
    assert rows[siti_id].params.get("voice") is True
    assert "voice" not in rows[dewi_id].params


@pytest.fixture
async def bot(fake: FakeTelegramServer) -> AsyncIterator[Bot]:
    async with make_bot(TOKEN, base_url=fake.base_url, base_file_url=fake.file_url) as b:
        yield b


async def test_on_telegram_the_reminder_comes_then_its_voice_note(
    app: App, fake: FakeTelegramServer, bot: Bot
) -> None:
    kid = await kegiatan(app, "Posyandu balita", kuota=5)
    siti = Chat(app.engine, identity=str(SITI_TG), channel="telegram")
    await register(siti)
    await turn_on(siti)
    await siti.tap(f"a:kg.signup:{kid}")
    await remind(app, kid)
    [row] = (await reminder_rows(app)).values()
    async with make_sessionmaker(app.db).begin() as s:
        identity = await s.get_one(ChannelIdentity, row.identity_id)
    sender = TelegramSender(bot, max_rate=30, per_chat_interval=0, voice=notes_in(app))
    assert isinstance(await sender.send(identity, row), Sent)
    text, voice = fake.sent_messages(SITI_TG)[-2:]
    assert (text.method, voice.method) == ("sendMessage", "sendVoice")
    assert text.text is not None and "Pengingat: Posyandu balita" in text.text
    # Under the reminder: its own buttons, then "Dengarkan" on a row of its own.
    rows = (text.reply_markup or {})["inline_keyboard"]
    assert [b["text"] for b in rows[-1]] == ["🔊 Dengarkan"]
    assert rows[-1][0]["callback_data"] == f"a:vc.listen:o{row.id}"
    stored = fake.messages[(SITI_TG, voice.message_id)]["voice"]
    audio = fake.files[stored["file_id"]].content
    path = app.engine.config.media_dir / "check.ogg"
    path.write_bytes(audio)
    info = soundfile.info(str(path))
    assert (info.format, info.subtype, info.channels) == ("OGG", "OPUS", 1)
    assert info.duration > 5


async def test_a_row_not_marked_for_voice_goes_as_text_only(
    app: App, fake: FakeTelegramServer, bot: Bot
) -> None:
    kid = await kegiatan(app, "Posyandu balita", kuota=5)
    siti = Chat(app.engine, identity=str(SITI_TG), channel="telegram")
    await register(siti)
    await siti.tap(f"a:kg.signup:{kid}")
    await remind(app, kid)
    [row] = (await reminder_rows(app)).values()
    async with make_sessionmaker(app.db).begin() as s:
        identity = await s.get_one(ChannelIdentity, row.identity_id)
    before = len(fake.sent_messages(SITI_TG))
    sender = TelegramSender(bot, max_rate=30, per_chat_interval=0, voice=notes_in(app))
    assert isinstance(await sender.send(identity, row), Sent)
    assert [m.method for m in fake.sent_messages(SITI_TG)[before:]] == ["sendMessage"]


async def kader_with_siti(app: App) -> tuple[Chat, int]:
    """Kader Ani of Sumberan, who registered Siti Aminah (no phone)."""
    kader = await make_kader(app)
    await kader.send("ibu binaan")
    await kader.tap_label("Daftarkan ibu tanpa HP")
    for answer in ("ya", "Siti Aminah", "3/5", "tidak ada hp", "simpan"):
        await kader.send(answer)
    return kader, await member_id(app, "Siti Aminah")


async def test_her_kader_turns_it_on_for_a_mother_without_a_phone(app: App) -> None:
    kid = await kegiatan(app, "Posyandu balita", kuota=5)
    kader, siti = await kader_with_siti(app)
    await kader.tap(f"a:bn.show:{siti}")
    await kader.tap_label("Selalu kirim suara")
    assert "pesan untuk Ibu Siti Aminah mulai sekarang juga dikirim sebagai suara" in kader.text
    assert "Matikan suara" in kader.labels  # back on her screen
    assert (await member_named(app, "Siti Aminah")).voice_always
    assert not (await member_named(app, "Ani Lestari")).voice_always
    # Her reminder comes to the kader's chat, naming her, with its voice note.
    await kader.tap(f"a:kg.signup:{kid}:{siti}")
    await remind(app, kid)
    rows = await reminder_rows(app)
    assert rows[siti].params.get("voice") is True


async def test_nobody_else_can_change_her_setting(app: App) -> None:
    _kader, siti = await kader_with_siti(app)
    dewi = Chat(app.engine, identity="tg-dewi")
    await register(dewi, name="Dewi Lestari", phone="0812-9999-1111")
    await dewi.tap(f"a:vc.always:{siti}:1")  # a forged button
    assert "pilihan itu tidak dikenal" in dewi.text
    other_kader = await make_kader(app, identity="tg-kader-2", name="Rina Wati", kampung="Cibening")
    await other_kader.tap(f"a:vc.always:{siti}:1:b")
    assert "pilihan itu tidak dikenal" in other_kader.text
    assert not (await member_named(app, "Siti Aminah")).voice_always
