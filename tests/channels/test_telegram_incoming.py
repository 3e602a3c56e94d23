"""What the Telegram adapter lets through from a message: text and captions without NUL or
other control characters (PostgreSQL's text and JSONB refuse NUL), through the real
python-telegram-bot against the fake Bot API, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select
from telegram import Update

from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.channels.telegram_render import clean_text, to_incoming
from handlers.core.types import Kind
from models import Member, transaction
from models.outbox.tables import OutboxMessage
from models.people.roles import grant_admin
from tests.support.fakes.telegram_api import FakeTelegramServer
from tests.support.telegram_harness import TgUser

SITI, ADMIN = 6400000001, 6400000009
# What a broken keyboard, a copy from a terminal or a hostile client can put in a message.
DIRT = "\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x85\x9b"


async def test_a_name_typed_with_control_characters_is_kept_without_them(
    app: App, fake: FakeTelegramServer, telegram: TelegramChannel
) -> None:
    siti = TgUser(fake, SITI, telegram)
    await siti.say("/start", "Menu utama")
    await siti.say("Daftar", "Apakah Ibu setuju?")
    await siti.tap("Ya, setuju", "nama lengkap")
    await siti.say(f"Siti{DIRT} Aminah\x00", "kampung mana")
    await siti.tap("Sumberan", "RT/RW")
    await siti.say("3/5", "nomor HP")
    await siti.share_contact("6281234567890", owner=SITI, expect="Mohon periksa")
    await siti.tap("Simpan", "sudah terdaftar")
    async with app.sessions() as s:
        names = list(await s.scalars(select(Member.full_name)))
    assert "Siti Aminah" in names


async def test_an_announcement_typed_with_nul_and_escapes_goes_out_clean(
    app: App, fake: FakeTelegramServer, telegram: TelegramChannel
) -> None:
    async with transaction(app.sessions) as s:
        await grant_admin(s, "telegram", str(ADMIN), actor="test")
    admin = TgUser(fake, ADMIN, telegram)
    await admin.say("menu", "Menu utama")
    await admin.say("Kirim pengumuman", "Tulis isi pengumuman")
    typed = f"Besok posyandu\x00 di balai{DIRT} warga.\r\nBawa buku KIA.\tTerima kasih."
    clean = "Besok posyandu di balai warga.\nBawa buku KIA.\tTerima kasih."
    # On PostgreSQL a NUL in the flow's stored answer (JSONB) used to fail the message.
    await admin.say(typed, "foto")
    await admin.tap("Tanpa foto", "untuk siapa")
    await admin.tap("Semua anggota", "Penerima")
    assert clean in admin.text
    await admin.tap("Kirim sekarang", "Pengumuman #1")  # sent now, or after quiet hours
    async with app.sessions() as s:
        texts = {row.params["text"] for row in await s.scalars(select(OutboxMessage))}
    assert texts == {clean}
    sent = "\n".join(m.text or "" for m in fake.sent_messages(ADMIN))
    assert not any(ch in sent for ch in DIRT)


def test_captions_file_names_and_taps_are_cleaned_too() -> None:
    chat = {"id": SITI, "type": "private", "first_name": "Siti"}
    user = {"id": SITI, "is_bot": False, "first_name": "Siti"}
    document = {"file_id": "f1", "file_unique_id": "u1", "file_name": "laporan\x00.pdf"}
    message = {"message_id": 1, "date": 0, "chat": chat, "from": user}
    update = Update.de_json(
        {"update_id": 1, "message": {**message, "document": document, "caption": "foto\x00\x1b"}},
        None,
    )
    incoming = to_incoming(update)
    assert incoming is not None and incoming.kind is Kind.DOCUMENT
    assert incoming.text == "foto"
    assert incoming.media is not None and incoming.media.filename == "laporan.pdf"
    tap = {"id": "q1", "from": user, "chat_instance": "c", "data": "a:help\x00",
           "message": {**message, "text": "x"}}  # fmt: skip
    incoming = to_incoming(Update.de_json({"update_id": 2, "callback_query": tap}, None))
    assert incoming is not None and incoming.choice == "a:help"
    # Newlines and tabs stay; CR LF and a lone CR become a newline; emoji with joiners stay.
    assert clean_text("a\r\nb\rc\td\u200de 👩‍👧") == "a\nb\nc\td\u200de 👩‍👧"
