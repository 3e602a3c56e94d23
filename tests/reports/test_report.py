"""Kader Rina reports what happened in her kampung: the quick way by tapping the offered
defaults (with two photos), a kegiatan not in the list, a day long ago, changing answers
on the summary, and an admin reporting for a kampung of his choice."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.app import App
from bot.settings import Settings
from handlers.core.types import Media
from models import AuditEntry, utcnow
from tests.support.lookups import state_of
from tests.support.reports import (
    KADER,
    admin_chat,
    held_kegiatan,
    kader_chat,
    photo,
    report_photos,
    reports,
)

WIB = ZoneInfo("Asia/Jakarta")


def local_today() -> date:
    return utcnow().astimezone(WIB).date()


async def test_rina_reports_a_penyuluhan_with_two_photos_in_fourteen_messages(
    app: App, settings: Settings, photos: list[Media]
) -> None:
    await held_kegiatan(app, "Penyuluhan gizi balita", days_ago=3, kampung=("Sumberan",))
    rina = await kader_chat(app)
    await rina.send("menu")
    assert rina.labels[0] == "Lapor"

    sent = 0

    async def step(action: object) -> None:
        nonlocal sent
        sent += 1
        if isinstance(action, str):
            await rina.tap_label(action)
        else:
            await rina.deliver(action)  # type: ignore[arg-type]

    await step("Lapor")
    assert "Jenis kegiatannya apa?" in rina.text
    await step("Penyuluhan")
    [kegiatan, other] = rina.labels
    assert kegiatan.startswith("Penyuluhan gizi balita (") and other == "Lainnya"
    await step("Penyuluhan gizi balita")
    # The kegiatan's own day is offered first, then today and yesterday.
    assert rina.labels[1:] == ["Hari ini", "Kemarin"]
    await step(rina.labels[0])
    # Its OPD first, then the others known.
    assert rina.labels[0] == "Dinas Kesehatan Kota Serang" and "DP3AKB" in rina.labels
    await step("Dinas Kesehatan Kota Serang")
    assert "peserta perempuan" in rina.text
    sent += 1
    await rina.send("18")
    assert rina.labels == ["0 (tidak ada)"]
    await step("0 (tidak ada)")
    sent += 1
    await rina.send("Ibu-ibu belajar menyusun menu gizi seimbang untuk balita.")
    assert "Kirim foto" in rina.text and rina.labels == ["Tanpa foto"]
    await step(photo(rina, "foto-1"))
    assert "1 dari 3 foto tersimpan" in rina.text
    await step(photo(rina, "foto-2"))
    assert "2 dari 3 foto tersimpan" in rina.text and rina.labels == ["Selesai", "Hapus foto"]
    await step("Selesai")
    assert "kendala" in rina.text
    await step("Tidak ada")
    assert "tindak lanjut" in rina.text
    await step("Tidak ada")
    summary = rina.text
    for line in (
        "Jenis: Penyuluhan",
        "Kegiatan: Penyuluhan gizi balita",
        "OPD: Dinas Kesehatan Kota Serang",
        "Peserta: 18 perempuan, 0 laki-laki",
        "Foto: 2 foto",
    ):
        assert line in summary, line
    assert rina.labels[0] == "Kirim" and "Ubah foto" in rina.labels
    await step("Kirim")
    assert "Laporan #" in rina.text and "menunggu diperiksa" in rina.text
    # The typical report: 14 messages, of them 3 typed (two numbers and the summary).
    assert sent == 14

    [report] = await reports(app)
    assert report.status == "submitted" and report.draft is None
    assert (report.title, report.opd, report.women, report.men) == (
        "Penyuluhan gizi balita",
        "Dinas Kesehatan Kota Serang",
        18,
        0,
    )
    assert report.held_on == (utcnow() - timedelta(days=3)).astimezone(WIB).date()
    assert report.kegiatan_id is not None and report.submitted_at is not None
    stored = await report_photos(app, report.id)
    assert [p.position for p in stored] == [1, 2]
    for p, ref in zip(stored, ("foto-1", "foto-2"), strict=True):
        # Kept under MEDIA_DIR/reports, the path relative to MEDIA_DIR.
        assert p.path.startswith("reports/")
        assert (settings.media_dir / p.path).read_bytes() == b"\xff\xd8photo-" + ref.encode()
    assert [m.file_ref for m in photos] == ["foto-1", "foto-2"]
    async with app.sessions() as s:
        [entry] = await s.scalars(select(AuditEntry).where(AuditEntry.action == "report.submit"))
    assert entry.object_id == str(report.id) and entry.detail == {"photos": 2}
    assert (await state_of(app, KADER))[0] is None


async def test_a_kegiatan_not_in_the_list_a_typed_day_and_a_typed_opd(app: App) -> None:
    rina = await kader_chat(app)
    await rina.send("lapor")
    await rina.send("pelatihan")
    # No pelatihan took place lately in Sumberan: the title is asked straight away.
    assert "judul kegiatannya" in rina.text
    await rina.send("Pelatihan membuat kue kering")
    await rina.send("Senin")
    await rina.send("Lainnya")
    assert "Ketik nama OPD" in rina.text
    await rina.send("Dinas Koperasi dan UKM")
    await rina.send("dua puluh lima")
    await rina.send("3")
    await rina.send("Praktik membuat nastar dan kastengel.")
    await rina.send("tanpa foto")
    await rina.send("Oven kurang")
    await rina.send("Minta bantuan oven dari desa")
    text = rina.text
    assert (
        "Kegiatan: Pelatihan membuat kue kering" in text and "OPD: Dinas Koperasi dan UKM" in text
    )
    assert "Peserta: 25 perempuan, 3 laki-laki" in text and "Foto: -" in text
    assert "Kendala: Oven kurang" in text
    await rina.send("kirim")
    [report] = await reports(app)
    assert report.status == "submitted" and report.kegiatan_id is None
    # "Senin" is the last Monday before today.
    today, held = local_today(), report.held_on
    assert held is not None and held.weekday() == 0 and 1 <= (today - held).days <= 7
    assert (
        report.kendala == "Oven kurang" and report.tindak_lanjut == "Minta bantuan oven dari desa"
    )


async def test_an_opd_typed_on_the_menu_and_a_day_long_ago_asked_once_more(app: App) -> None:
    rina = await kader_chat(app)
    await rina.send("lapor")
    await rina.send("sosialisasi")
    await rina.send("Sosialisasi PHBS")
    old = local_today() - timedelta(days=75)
    await rina.send(f"{old.day}/{old.month}/{old.year}")
    assert "lebih dari 60 hari" in rina.text and rina.labels == ["Ya, benar", "Ubah tanggal"]
    await rina.tap_label("Ubah tanggal")
    assert "Kapan kegiatannya" in rina.text
    await rina.send(f"{old.day}/{old.month}/{old.year}")
    await rina.send("ya")
    assert "OPD" in rina.text
    await rina.send("Kecamatan Kasemen")  # typed on the menu itself
    assert "peserta perempuan" in rina.text
    _, _, data = await state_of(app, KADER)
    assert data["form"]["opd"] == "Kecamatan Kasemen" and data["form"]["held_on"] == old.isoformat()


async def test_changes_on_the_summary_ask_only_what_the_change_needs(
    app: App, photos: list[Media]
) -> None:
    await held_kegiatan(app, "Penyuluhan gizi balita", days_ago=3)
    await held_kegiatan(app, "Pelayanan posyandu", days_ago=1, jenis="pelayanan", opd="Puskesmas")
    rina = await kader_chat(app)
    for answer in ("lapor", "penyuluhan", "1", "2", "1", "20", "0", "Menu gizi.", "tanpa foto"):
        await rina.send(answer)
    await rina.send("tidak ada")
    await rina.send("tidak ada")
    assert "Mohon periksa" in rina.text
    # Another jenis: its kegiatan menu is asked, then straight back to the summary.
    await rina.tap_label("Ubah jenis")
    await rina.tap_label("Pelayanan")
    assert "Kegiatan yang mana" in rina.text and "Pelayanan posyandu" in rina.labels[0]
    await rina.send("1")
    assert "Mohon periksa" in rina.text and "Kegiatan: Pelayanan posyandu" in rina.text
    assert "Peserta: 20 perempuan" in rina.text  # nothing else lost
    # Photos added from the summary.
    await rina.tap_label("Ubah foto")
    await rina.deliver(photo(rina, "foto-9"))
    await rina.tap_label("Selesai")
    assert "Foto: 1 foto" in rina.text
    await rina.tap_label("Ubah peserta laki-laki")
    await rina.send("4")
    assert "Peserta: 20 perempuan, 4 laki-laki" in rina.text
    await rina.tap_label("Kirim")
    [report] = await reports(app)
    assert (report.jenis, report.title, report.men) == ("pelayanan", "Pelayanan posyandu", 4)
    assert len(await report_photos(app, report.id)) == 1


async def test_an_admin_reports_for_the_kampung_he_chooses(app: App) -> None:
    admin = await admin_chat(app)
    await admin.send("menu")
    await admin.tap_label("Lainnya")
    await admin.tap_label("Lapor")
    assert "kampung mana" in admin.text
    await admin.tap_label("Cibening")
    for answer in ("pembinaan", "Pembinaan kader PKK", "kemarin", "DP3AKB", "12", "0", "Rapat."):
        await admin.send(answer)
    await admin.send("tanpa foto")
    await admin.send("tidak ada")
    await admin.send("tidak ada")
    assert "Kampung: Cibening" in admin.text
    await admin.send("kirim")
    [report] = await reports(app)
    assert report.status == "submitted" and report.kampung_id is not None
    assert report.held_on == local_today() - timedelta(days=1)


async def test_photos_are_kept_as_files_named_from_their_content(
    app: App, settings: Settings, photos: list[Media]
) -> None:
    rina = await kader_chat(app)
    for answer in ("lapor", "pelatihan", "Pelatihan jahit", "hari ini", "Dinas Sosial"):
        await rina.send(answer)
    for answer in ("10", "0", "Belajar menjahit."):
        await rina.send(answer)
    await rina.deliver(photo(rina, "same"))
    await rina.deliver(photo(rina, "same"))
    assert "sudah terkirim tadi" in rina.text and "1 dari 3" in rina.text
    _, _, data = await state_of(app, KADER)
    [path] = data["form"]["photos"]
    assert Path(settings.media_dir / path).is_file() and path.endswith(".jpg")
