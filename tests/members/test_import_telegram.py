"""On Telegram, end to end (the real python-telegram-bot against the fake Bot API): an admin
sends the list as a file (getFile, download), imports it, and an imported mother links her
chat by sharing her own contact."""

from __future__ import annotations

from pathlib import Path

from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.settings import Settings
from models.base import transaction
from models.people.roles import grant_admin
from tests.support.fakes.telegram_api import FakeTelegramServer
from tests.support.kader import member_named
from tests.support.sheets import HEADER, csv_file
from tests.support.staff import chat_links
from tests.support.telegram_harness import TgUser

ADMIN, SITI = 6200000201, 6200000202


async def test_admin_imports_on_telegram_and_siti_links_by_sharing_her_contact(
    app: App,
    settings: Settings,
    fake: FakeTelegramServer,
    telegram: TelegramChannel,
    tmp_path: Path,
) -> None:
    async with transaction(app.sessions) as s:
        await grant_admin(s, "telegram", str(ADMIN), actor="test")
    admin = TgUser(fake, ADMIN, telegram)
    await admin.say("impor data", expect="Kirim file daftar KK binaan")
    assert any(m.method == "sendDocument" for m in admin.new())  # the template
    rows = [
        HEADER,
        ("Siti Aminah", "Sumberan", 3, 5, "0812-3456-7890", "Melati", "ibu"),
        ("Dewi Lestari", "Sumberan", 4, 5, "", "", "ibu"),
    ]
    data = csv_file(tmp_path / "kk.csv", rows, sep=";", encoding="cp1252").read_bytes()
    admin.mark = len(admin.messages())
    fake.inject_document(ADMIN, data, file_name="daftar kk.csv", mime_type="text/csv")
    await admin._expect("Impor 2 anggota sekarang?")
    assert "Akan ditambahkan: 2 (2 ibu, 0 kader)." in admin.text
    await admin.tap("Ya, impor", expect="Selesai: 2 anggota ditambahkan")
    assert list((settings.media_dir / "imports").iterdir()) == []

    siti = TgUser(fake, SITI, telegram)
    await siti.say("/start", expect="layanan P2WKSS")
    await siti.say("daftar", expect="setuju")
    await siti.say("ya", expect="nama")
    await siti.say("Siti Aminah", expect="kampung")
    await siti.say("Sumberan", expect="RT")
    await siti.say("3/5", expect="nomor HP")
    await siti.share_contact("+6281234567890", SITI, expect="Apakah ini Ibu?")
    await siti.tap("Ya, saya Siti Aminah", expect="Terima kasih, Ibu Siti Aminah")
    member = await member_named(app, "Siti Aminah")
    assert await chat_links(app, member.id) == [str(SITI)]
    assert member.phone_verified and member.consent_method == "chat"
