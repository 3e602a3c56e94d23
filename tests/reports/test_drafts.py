"""An interrupted report is never lost: she leaves for the menu, types "batal", the bot
restarts, or the flow idles out, and "Lapor" offers it again ("Lanjutkan?") where she
left it, with everything she gave, photos too."""

from __future__ import annotations

from bot.app import App, open_app
from bot.settings import Settings
from handlers.core.types import Media
from tests.support.chat import Chat
from tests.support.lookups import state_of
from tests.support.reports import (
    KADER,
    age_state,
    held_kegiatan,
    kader_chat,
    photo,
    report_photos,
    reports,
)


async def start_report(rina: Chat) -> None:
    """Up to the participants: jenis, kegiatan, day, OPD, 18 women."""
    for answer in ("lapor", "penyuluhan", "1", "kemarin", "1", "18"):
        await rina.send(answer)
    assert "peserta laki-laki" in rina.text


async def test_she_leaves_for_the_menu_and_lapor_offers_her_report_again(app: App) -> None:
    await held_kegiatan(app, "Penyuluhan gizi balita", days_ago=1)
    rina = await kader_chat(app)
    await start_report(rina)
    await rina.send("menu")
    [draft] = await reports(app)
    assert draft.status == "draft" and draft.draft is not None
    assert draft.draft["step"] == "men" and draft.draft["form"]["women"] == 18

    await rina.tap_label("Lapor")
    assert "belum selesai: Penyuluhan gizi balita" in rina.text
    assert rina.labels == ["Lanjutkan", "Buat laporan baru", "Menu utama"]
    await rina.tap_label("Lanjutkan")
    assert "peserta laki-laki" in rina.text
    await rina.send("2")
    await rina.send("Menu gizi seimbang.")
    await rina.send("tanpa foto")
    await rina.send("tidak ada")
    await rina.send("tidak ada")
    assert "Peserta: 18 perempuan, 2 laki-laki" in rina.text
    await rina.send("kirim")
    [sent] = await reports(app)
    assert sent.id == draft.id and sent.status == "submitted" and sent.draft is None


async def test_a_draft_with_photos_survives_a_restart(
    app: App, settings: Settings, photos: list[Media]
) -> None:
    await held_kegiatan(app, "Penyuluhan gizi balita", days_ago=1)
    rina = await kader_chat(app)
    await start_report(rina)
    for answer in ("0", "Belajar menu gizi."):
        await rina.send(answer)
    await rina.deliver(photo(rina, "foto-1"))
    assert "1 dari 3" in rina.text

    # The bot restarts: a new engine on the same database.
    again = await open_app(settings, auto_migrate=False)
    try:
        rina2 = Chat(again.engine, identity=KADER)
        await rina2.deliver(photo(rina2, "foto-2"))
        assert "2 dari 3" in rina2.text  # the first photo is still there
        await rina2.send("menu")
        await rina2.send("lapor")
        assert "belum selesai" in rina2.text
        await rina2.tap_label("Lanjutkan")
        assert "2 dari 3 foto tersimpan" in rina2.text
        await rina2.tap_label("Selesai")
        await rina2.send("tidak ada")
        await rina2.send("tidak ada")
        assert "Foto: 2 foto" in rina2.text and "Peserta: 18 perempuan, 0 laki-laki" in rina2.text
        await rina2.send("kirim")
    finally:
        await again.close()
    [report] = await reports(app)
    assert report.status == "submitted"
    assert len(await report_photos(app, report.id)) == 2


async def test_after_the_idle_expiry_the_report_is_offered_again(app: App) -> None:
    await held_kegiatan(app, "Penyuluhan gizi balita", days_ago=1)
    rina = await kader_chat(app)
    await start_report(rina)
    await age_state(app, KADER, hours=30)
    await rina.send("3")
    assert "sudah lama tidak dilanjutkan" in rina.text
    assert (await state_of(app, KADER))[0] is None
    await rina.send("lapor")
    await rina.tap_label("Lanjutkan")
    assert "peserta laki-laki" in rina.text
    _, _, data = await state_of(app, KADER)
    assert data["form"]["women"] == 18 and data["form"]["title"] == "Penyuluhan gizi balita"


async def test_batal_keeps_the_draft_and_a_new_report_keeps_the_old_one(app: App) -> None:
    await held_kegiatan(app, "Penyuluhan gizi balita", days_ago=1)
    rina = await kader_chat(app)
    await start_report(rina)
    await rina.send("batal")
    assert "belum dikirim" in rina.text and "tetap tersimpan" in rina.text
    await rina.send("lapor")
    await rina.tap_label("Buat laporan baru")
    assert "Jenis kegiatannya apa?" in rina.text
    await rina.send("pelatihan")
    await rina.send("menu")
    first, second = await reports(app)
    assert first.status == second.status == "draft" and first.draft and second.draft

    # Both are under "Laporan saya"; the older one can be deleted there.
    await rina.send("laporan saya")
    assert len([label for label in rina.labels if "Draf" in label]) == 2
    await rina.tap(f"a:lp.show:{first.id}")
    assert "Draf (belum dikirim)" in rina.text
    await rina.tap_label("Hapus draf")
    assert "sudah dihapus" in rina.text
    [left] = await reports(app)
    assert left.id == second.id


async def test_an_untouched_draft_is_not_offered_and_is_reused(app: App) -> None:
    rina = await kader_chat(app)
    await rina.send("lapor")
    await rina.send("menu")
    await rina.send("lapor")
    assert "Jenis kegiatannya apa?" in rina.text and "belum selesai" not in rina.text
    await rina.send("menu")
    assert len(await reports(app)) == 1
