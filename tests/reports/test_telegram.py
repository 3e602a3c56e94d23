"""A kader reports from Telegram: the real python-telegram-bot stack against the fake Bot
API, two photos fetched from it (getFile, download) into MEDIA_DIR, a sticker refused,
and the admin reviewing on Telegram gets the photos back as photos."""

from __future__ import annotations

from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.settings import Settings
from models.base import transaction
from models.people.roles import grant_admin
from tests.support.fakes.outbox import add_member, kampung_ids
from tests.support.fakes.telegram_api import FakeTelegramServer
from tests.support.fakes.telegram_updates import FAKE_JPEG
from tests.support.reports import held_kegiatan, report_photos, reports
from tests.support.telegram_harness import TgUser

RINA, BUDI = 6200000001, 6200000002


async def sends_photo(user: TgUser, content: bytes, expect: str) -> None:
    user.mark = len(user.messages())
    user.fake.inject_photo(user.chat_id, content)
    await user.fake.wait_for(lambda _: any(expect in (m.text or "") for m in user.new()))
    assert user.channel is not None
    await user.channel.wait_idle()


async def sends_sticker(user: TgUser, expect: str) -> None:
    user.mark = len(user.messages())
    user.fake.inject_sticker(user.chat_id)
    await user.fake.wait_for(lambda _: any(expect in (m.text or "") for m in user.new()))


async def test_rina_reports_from_telegram_with_two_photos_and_budi_sees_them(
    app: App,
    settings: Settings,
    fake: FakeTelegramServer,
    telegram: TelegramChannel,
) -> None:
    await held_kegiatan(app, "Penyuluhan gizi balita", days_ago=2)
    async with transaction(app.sessions) as s:
        places = await kampung_ids(s)
        await add_member(
            s, str(RINA), role="kader", kampung_id=places["Sumberan"], channel="telegram"
        )
        await grant_admin(s, "telegram", str(BUDI), actor="test")
    rina = TgUser(fake, RINA, telegram)

    await rina.say("Lapor", "Jenis kegiatannya apa?")
    await rina.tap("Penyuluhan", "Kegiatan yang mana?")
    await rina.tap("Penyuluhan gizi balita", "Kapan kegiatannya?")
    await rina.tap("Kemarin", "OPD")
    await rina.tap("Dinas Kesehatan Kota Serang", "peserta perempuan")
    await rina.say("21", "peserta laki-laki")
    await rina.tap("0 (tidak ada)", "ringkasan")
    await rina.say("Ibu-ibu belajar menu gizi seimbang.", "Kirim foto")
    await sends_photo(rina, FAKE_JPEG + b"-satu", "1 dari 3 foto tersimpan")
    await sends_sticker(rina, "Itu bukan foto")
    await sends_photo(rina, FAKE_JPEG + b"-dua", "2 dari 3 foto tersimpan")
    await rina.tap("Selesai", "kendala")
    await rina.tap("Tidak ada", "tindak lanjut")
    await rina.tap("Tidak ada", "Mohon periksa")
    assert "Foto: 2 foto" in rina.text and "Peserta: 21 perempuan, 0 laki-laki" in rina.text
    await rina.tap("Kirim", "sudah dikirim")

    [report] = await reports(app)
    assert report.status == "submitted" and report.women == 21
    stored = await report_photos(app, report.id)
    contents = [(settings.media_dir / p.path).read_bytes() for p in stored]
    assert contents == [FAKE_JPEG + b"-satu", FAKE_JPEG + b"-dua"]
    assert len(fake.calls_of("getFile", 200)) == 2

    budi = TgUser(fake, BUDI, telegram)
    await budi.say("periksa laporan", "1 laporan menunggu")
    await budi.tap("Sumberan (1)", "Laporan menunggu di Sumberan")
    await budi.tap(f"#{report.id}", "Pilih:")
    sent = fake.calls_of("sendPhoto", 200)
    assert [c.params["photo"].content for c in sent] == contents
    assert "Foto 1/2" in sent[0].params["caption"]
    await budi.tap("Setujui", "disetujui")
    [approved] = await reports(app)
    assert approved.status == "approved"
