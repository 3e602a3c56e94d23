"""Admins review what kader sent: per kampung, newest first; the full report with its
photos; return with a note that reaches the kader through the outbox with a button to
fix it; the kader fixes from the summary and sends again; the admin approves. "Laporan
saya" shows her each status."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from handlers.core.types import Media
from models import AuditEntry
from tests.support.chat import Chat
from tests.support.lookups import state_of
from tests.support.reports import (
    KADER,
    admin_chat,
    held_kegiatan,
    kader_chat,
    outbox,
    photo,
    report_photos,
    reports,
)


async def send_report(rina: Chat, *, women: str = "18", photos: tuple[str, ...] = ()) -> None:
    for answer in ("lapor", "penyuluhan", "1", "kemarin", "1", women, "0", "Menu gizi."):
        await rina.send(answer)
    for ref in photos:
        await rina.deliver(photo(rina, ref))
    await rina.send("selesai" if photos else "tanpa foto")
    await rina.send("tidak ada")
    await rina.send("tidak ada")
    await rina.send("kirim")
    assert "sudah dikirim" in rina.text


async def test_returned_for_a_fix_fixed_by_the_kader_then_approved(
    app: App, photos: list[Media]
) -> None:
    await held_kegiatan(app, "Penyuluhan gizi balita", days_ago=1)
    rina = await kader_chat(app)
    await send_report(rina, photos=("buram-1", "buram-2"))
    [report] = await reports(app)
    admin = await admin_chat(app)

    await admin.send("menu")
    await admin.tap_label("Periksa laporan")
    assert "1 laporan menunggu" in admin.text and admin.labels[0] == "Sumberan (1)"
    await admin.tap_label("Sumberan (1)")
    await admin.tap_label(f"#{report.id}")
    detail, first, second, _buttons = admin.replies
    for line in ("Kegiatan: Penyuluhan gizi balita", "Peserta: 18 perempuan, 0 laki-laki"):
        assert line in detail.text
    assert "Ringkasan: Menu gizi." in detail.text and "Kendala: -" in detail.text
    # The photos come as photo replies, in order.
    assert first.photo is not None and first.photo.read_bytes() == b"\xff\xd8photo-buram-1"
    assert second.photo is not None and "Foto 2/2" in second.text
    assert admin.labels[:2] == ["Setujui", "Kembalikan untuk perbaikan"]

    await admin.tap_label("Kembalikan")
    assert "Apa yang perlu diperbaiki?" in admin.text and "Foto kurang jelas" in admin.labels
    await admin.send("foto kurang jelas, tolong kirim yang terang")
    assert "dikembalikan ke kader" in admin.text
    [returned] = await reports(app)
    assert returned.status == "needs_fix"
    assert returned.review_note == "foto kurang jelas, tolong kirim yang terang"

    # The note reaches her through the outbox, with a button to fix it.
    [notice] = await outbox(app, "report_returned")
    assert notice.member_id == report.kader_member_id
    [shown] = await app.engine.take_outbox("test", KADER)
    assert "perlu perbaikan: foto kurang jelas" in shown.text
    assert [(c.id, c.label) for c in shown.choices] == [(f"a:lp.fix:{report.id}", "Perbaiki")]

    await rina.tap(f"a:lp.fix:{report.id}")
    assert "Catatan admin: foto kurang jelas" in rina.text and "Mohon periksa" in rina.text
    await rina.tap_label("Ubah foto")
    await rina.tap_label("Hapus foto")
    assert "sudah dihapus" in rina.text
    await rina.deliver(photo(rina, "terang-1"))
    await rina.tap_label("Selesai")
    assert "Foto: 1 foto" in rina.text and "Peserta: 18 perempuan" in rina.text
    await rina.tap_label("Kirim")
    [fixed] = await reports(app)
    assert fixed.id == report.id and fixed.status == "submitted" and fixed.draft is None
    [kept] = await report_photos(app, report.id)
    assert kept.path.endswith(".jpg") and kept.position == 1

    await admin.tap(f"a:lp.show:{report.id}")
    assert "Catatan admin: foto kurang jelas" in admin.text  # what was asked, for the check
    await admin.tap_label("Setujui")
    assert "disetujui" in admin.text
    [approved] = await reports(app)
    assert approved.status == "approved" and approved.reviewed_by_member_id is not None
    [shown] = await app.engine.take_outbox("test", KADER)
    assert f"Laporan #{report.id}" in shown.text and "sudah disetujui" in shown.text
    async with app.sessions() as s:
        actions = list(await s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert [a for a in actions if a.startswith("report.")] == [
        "report.submit",
        "report.return",
        "report.submit",
        "report.approve",
    ]

    await rina.send("menu")
    await rina.tap_label("Lainnya")
    await rina.tap_label("Laporan saya")
    assert rina.labels[0] == f"#{report.id} Penyuluhan gizi balita · Disetujui"


async def test_a_report_is_decided_once_when_two_admins_act(app: App) -> None:
    await held_kegiatan(app, "Penyuluhan gizi balita", days_ago=1)
    rina = await kader_chat(app)
    await send_report(rina)
    [report] = await reports(app)
    first, second = await admin_chat(app, "tg-admin-1"), await admin_chat(app, "tg-admin-2")
    await second.tap(f"a:lp.return:{report.id}")
    assert "Apa yang perlu diperbaiki?" in second.text
    await first.tap(f"a:lp.approve:{report.id}")
    assert "disetujui" in first.text
    await first.tap(f"a:lp.approve:{report.id}")
    assert "tidak sedang menunggu" in first.text
    await second.tap_label("Jumlah peserta belum sesuai")
    assert "tidak sedang menunggu" in second.text
    [decided] = await reports(app)
    assert decided.status == "approved" and decided.review_note is None
    assert len(await outbox(app, "report_approved")) == 1
    assert await outbox(app, "report_returned") == []


async def test_the_inbox_lists_each_kampung_newest_first(app: App) -> None:
    await held_kegiatan(app, "Penyuluhan gizi balita", days_ago=1)
    rina = await kader_chat(app)
    dewi = await kader_chat(app, "tg-kader-2", name="Dewi Kader", kampung="Cibening")
    await send_report(rina, women="10")
    await send_report(rina, women="11")
    await send_report(dewi, women="12")
    admin = await admin_chat(app)
    await admin.tap("a:lp.inbox")
    assert "3 laporan menunggu" in admin.text
    assert admin.labels[:2] == ["Cibening (1)", "Sumberan (2)"]
    await admin.tap_label("Sumberan (2)")
    older, newer, _cibening = await reports(app)
    assert [c.id for c in admin.choices[:2]] == [f"a:lp.show:{newer.id}", f"a:lp.show:{older.id}"]


async def test_returning_can_be_called_off_and_a_short_note_is_asked_again(app: App) -> None:
    await held_kegiatan(app, "Penyuluhan gizi balita", days_ago=1)
    rina = await kader_chat(app)
    await send_report(rina)
    [report] = await reports(app)
    admin = await admin_chat(app)
    await admin.tap(f"a:lp.return:{report.id}")
    await admin.send("ok")
    assert "terlalu pendek" in admin.text
    assert (await state_of(app, "tg-admin"))[:2] == ("lp.return", "note")
    await admin.send("batal")
    assert "tidak jadi dikembalikan" in admin.text
    [still] = await reports(app)
    assert still.status == "submitted"
