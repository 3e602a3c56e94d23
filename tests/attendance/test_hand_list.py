"""Stories of the daftar hadir by hand: the kader of the kampung sees the code and the
list (seats, waiting list, her mothers without a phone), marks present and absent, adds
walk-ins by name; an admin does so for any kampung; a kader of another kampung and a
mother are refused, typed or with forged ids; rotating the code."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.app import App
from models import AuditEntry
from models.base import utcnow
from tests.support.attendance import (
    code,
    code_in,
    counts,
    kegiatan_soon,
    lines,
    mother_without_phone,
)
from tests.support.chat import Chat, mothers
from tests.support.fakes.kegiatan import join, mother
from tests.support.staff import admin_chat, make_kader, member_id

STAFF_ONLY = "hanya untuk petugas"  # common.not_allowed
OTHER_KAMPUNG = "bukan untuk kampung Ibu"  # attendance.other_kampung


async def kader_with_yati(app: App) -> tuple[Chat, int]:
    """Kader Ani of Sumberan, who registered Yati (no phone, reached through her)."""
    kader = await make_kader(app)
    return kader, await mother_without_phone(app, "Ani Lestari", "Yati Rohayati")


async def test_the_kader_marks_her_kampungs_daftar_hadir(app: App) -> None:
    kid = await kegiatan_soon(app, "Posyandu balita", kuota=2)
    siti, dewi, _wati = await mothers(app, "Siti Aminah", "Dewi Lestari", "Wati Suryani")
    kader, yati = await kader_with_yati(app)
    await siti.tap(f"a:kg.signup:{kid}")
    await kader.tap(f"a:kg.signup:{kid}:{yati}")
    await dewi.tap(f"a:kg.signup:{kid}")  # full: waiting list

    await kader.tap(f"a:kg.show:{kid}")
    assert code_in(kader.text) == await code(app, kid)
    assert {"Daftar hadir", "Ganti kode hadir"} <= set(kader.labels)
    await kader.tap_label("Daftar hadir")
    assert "Daftar hadir: Posyandu balita" in kader.text
    assert "Terdaftar 2 · hadir 0 (datang langsung 0) · tidak hadir 2" in kader.text
    assert kader.labels[:3] == [
        "⬜ Siti Aminah · terdaftar",
        "⬜ Yati Rohayati · terdaftar",
        "⬜ Dewi Lestari · daftar tunggu",
    ]
    await kader.tap_label("Siti Aminah")
    assert "✅ Siti Aminah: hadir" in kader.text
    assert kader.labels[0] == "✅ Siti Aminah · terdaftar"
    await kader.tap_label("Siti Aminah")  # a mistake: tapped again, she is absent
    assert "⬜ Siti Aminah: tidak hadir" in kader.text
    await kader.send("1")  # typed: the first name on the list
    assert kader.labels[0] == "✅ Siti Aminah · terdaftar"
    await kader.tap_label("Yati Rohayati")
    assert kader.labels[1] == "✅ Yati Rohayati · terdaftar"

    # A registered mother who did not sign up, found by name: a walk-in.
    await kader.tap_label("Tambah yang datang langsung")
    assert "Siapa nama ibu yang datang langsung?" in kader.text
    await kader.send("wati")
    assert "Wati Suryani · RT 003/RW 005" in kader.labels
    await kader.tap_label("Wati Suryani")
    assert "✅ Wati Suryani dicatat hadir, datang langsung" in kader.text
    # Someone with no phone and not registered: her name only.
    await kader.tap_label("Tambah yang datang langsung")
    await kader.send("Bu Ijah")
    assert kader.labels[0] == "Catat nama saja: Ijah"
    await kader.tap_label("Catat nama saja")
    assert "✅ Ijah dicatat hadir" in kader.text
    assert "✅ Wati Suryani · datang langsung" in kader.labels
    assert "✅ Ijah · datang langsung" in kader.labels
    assert "Terdaftar 2 · hadir 4 (datang langsung 2) · tidak hadir 0" in kader.text

    ani = await member_id(app, "Ani Lestari")
    found = await lines(app, kid)
    assert {line.method for line in found} == {"hand"}
    assert {line.marked_by_member_id for line in found} == {ani}
    assert [line.name for line in found if line.member_id is None] == ["Ijah"]
    # The name-only line toggles too.
    await kader.tap_label("Ijah")
    assert "⬜ Ijah: tidak hadir" in kader.text
    tally = await counts(app, kid)
    assert (tally.registered, tally.present, tally.walk_ins, tally.absent) == (2, 3, 1, 0)
    async with app.sessions() as s:
        marks = list(
            await s.scalars(select(AuditEntry).where(AuditEntry.action == "attendance.mark"))
        )
    assert len(marks) == 7 and {m.actor_member_id for m in marks} == {ani}
    assert all("Ijah" not in str(m.detail) for m in marks)  # ids only in the audit log


async def test_a_kader_of_another_kampung_is_refused_typed_and_forged(app: App) -> None:
    kid = await kegiatan_soon(app, "Posyandu balita", kampung=("Sumberan",))
    [siti] = await mothers(app, "Siti Aminah")
    await siti.tap(f"a:kg.signup:{kid}")
    siti_id = await member_id(app, "Siti Aminah")
    ani = await make_kader(app)
    await ani.tap(f"a:hd.list:{kid}:0")
    await ani.tap_label("Tambah yang datang langsung")
    await ani.send("Bu Ijah")
    await ani.tap_label("Catat nama saja")
    [ijah] = [line.id for line in await lines(app, kid) if line.member_id is None]

    wati = await make_kader(app, identity="tg-wati", name="Wati Sumarni", kampung="Cibening")
    await wati.send("daftar hadir")
    assert "Posyandu balita" not in wati.text + " ".join(wati.labels)
    await wati.tap(f"a:kg.show:{kid}")
    assert "Kode hadir" not in wati.text and "Daftar hadir" not in wati.labels
    for forged in (
        f"a:hd.list:{kid}:0",
        f"a:hd.mark:{kid}:{siti_id}:0",
        f"a:hd.markn:{kid}:{ijah}:0",
        f"a:hd.add:{kid}",
        f"a:hd.rotate:{kid}",
    ):
        await wati.tap(forged)
        assert OTHER_KAMPUNG in wati.text, forged
        assert "Siti" not in wati.text + " ".join(wati.labels), forged
    assert [line.member_id for line in await lines(app, kid)] == [None]

    # A kegiatan for every kampung: she sees and marks only her own kampung's people.
    both = await kegiatan_soon(app, "Senam sehat", kampung=())
    await siti.tap(f"a:kg.signup:{both}")
    await wati.tap(f"a:hd.list:{both}:0")
    assert "Siti" not in " ".join(wati.labels)
    await wati.tap(f"a:hd.mark:{both}:{siti_id}:0")
    assert "bukan warga kampung Ibu" in wati.text
    await wati.tap(f"a:hd.markn:{both}:{ijah}:0")  # a line of another kegiatan
    assert "bukan warga kampung Ibu" in wati.text
    assert await lines(app, both) == []


async def test_a_mother_is_refused_the_hand_list_and_never_sees_the_code(app: App) -> None:
    kid = await kegiatan_soon(app, "Posyandu balita")
    siti, dewi = await mothers(app, "Siti Aminah", "Dewi Lestari")
    await dewi.tap(f"a:kg.signup:{kid}")
    dewi_id = await member_id(app, "Dewi Lestari")
    secret = await code(app, kid)
    await siti.tap(f"a:kg.show:{kid}")
    assert secret not in siti.text and "Daftar hadir" not in siti.labels
    await siti.send("daftar hadir")
    assert STAFF_ONLY in siti.text
    for forged in (
        "a:hd.today",
        f"a:hd.list:{kid}:0",
        f"a:hd.mark:{kid}:{dewi_id}:0",
        f"a:hd.add:{kid}",
        f"a:hd.rotate:{kid}",
    ):
        await siti.tap(forged)
        assert STAFF_ONLY in siti.text, forged
        assert "Dewi" not in siti.text + " ".join(siti.labels), forged
    assert await lines(app, kid) == []
    assert await code(app, kid) == secret  # not rotated


async def test_an_admin_takes_attendance_for_any_kampung_and_rotates_the_code(
    app: App,
) -> None:
    kid = await kegiatan_soon(app, "Kelas gizi", kampung=("Cibening",))
    [siti] = await mothers(app, "Siti Aminah")
    admin = await admin_chat(app)
    await admin.tap(f"a:kga.show:{kid}")
    old = code_in(admin.text)
    await admin.tap_label("Ganti kode hadir")
    new = code_in(admin.text)
    assert new != old and f"Kode hadir baru untuk Kelas gizi: {new}" in admin.text
    await siti.send(f"hadir {old}")
    assert "tidak cocok" in siti.text
    await siti.send(f"hadir {new}")
    assert "tercatat hadir di Kelas gizi" in siti.text and "datang langsung" in siti.text
    await admin.tap(f"a:hd.list:{kid}:0")
    assert "✅ Siti Aminah · datang langsung" in admin.labels
    assert "Kembali ke kegiatan" in admin.labels
    await admin.send("daftar hadir")
    assert "Kelas gizi" in " ".join(admin.labels)


async def test_before_the_window_the_list_shows_but_nobody_is_marked(app: App) -> None:
    kid = await kegiatan_soon(app, "Kelas memasak", starts_in=timedelta(hours=5))
    [siti] = await mothers(app, "Siti Aminah")
    await siti.tap(f"a:kg.signup:{kid}")
    kader = await make_kader(app)
    await kader.tap(f"a:hd.list:{kid}:0")
    assert "Kehadiran bisa dicatat mulai" in kader.text
    assert "Tambah yang datang langsung" not in kader.labels
    await kader.tap_label("Siti Aminah")
    assert "Kehadiran bisa dicatat mulai" in kader.text
    assert await lines(app, kid) == []


async def test_the_list_is_paged_and_marking_keeps_the_page(app: App) -> None:
    kid = await kegiatan_soon(app, "Posyandu balita", kuota=20)
    for i in range(10):
        member, _chat = await mother(app, f"m{i:02d}")
        await join(app, kid, member, now=utcnow())
    kader = await make_kader(app)
    await kader.tap(f"a:hd.list:{kid}:0")
    names = [label for label in kader.labels if label.startswith("⬜")]
    assert len(names) == 8 and names[0] == "⬜ Ibu m00 · terdaftar"
    await kader.tap_label("Berikutnya")
    assert [label for label in kader.labels if label.startswith("⬜")] == [
        "⬜ Ibu m08 · terdaftar",
        "⬜ Ibu m09 · terdaftar",
    ]
    await kader.tap_label("Ibu m09")
    assert "✅ Ibu m09 · terdaftar" in kader.labels  # still on the second page
    assert "Sebelumnya" in " ".join(kader.labels)
