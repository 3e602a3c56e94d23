"""Stories of the kegiatan defects found when tried as mothers and admins would (issue 8):
each failed on the hand-written flows."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from handlers.core.delivery import render_outbox
from models import Kegiatan, OutboxMessage
from models.base import transaction
from models.kegiatan.queries import signup_status
from models.people.roles import grant_admin
from models.people.tables import Member
from tests.support.chat import Chat, mothers, register
from tests.support.fakes.kegiatan import kegiatan


async def admin_chat(app: App) -> Chat:
    async with transaction(app.sessions) as s:
        await grant_admin(s, "test", "admin-1", actor="test")
    return Chat(app.engine, identity="admin-1")


async def start_wizard(admin: Chat, narasumber: str = "Lewati") -> None:
    await admin.send("kelola kegiatan")
    await admin.tap_label("Buat kegiatan baru")
    for answer in ("Pelatihan", "Pelatihan menjahit", "DP3AKB Kota Serang", narasumber):
        await admin.send(answer)
    for answer in ("Balai Warga Sumberan", "lusa jam 9", "12.00"):
        await admin.send(answer)


async def outbox(app: App, kind: str) -> list[OutboxMessage]:
    async with app.sessions() as s:
        stmt = select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        return list(await s.scalars(stmt))


async def member_id(app: App, name: str) -> int:
    async with app.sessions() as s:
        found = await s.scalar(select(Member.id).where(Member.full_name == name))
        assert found is not None
        return found


async def test_admin_mengetik_kuota_1_atau_satu_itu_satu_kursi_bukan_tanpa_batas(app: App) -> None:
    admin = await admin_chat(app)
    await start_wizard(admin)
    await admin.send("1")
    await admin.send("Semua kampung")
    await admin.send("lewati")
    assert "Kuota: 1" in admin.text
    await admin.tap_label("Ubah kuota")
    await admin.send("satu")
    assert "Kuota: 1" in admin.text
    await admin.tap_label("Ubah kuota")
    await admin.send("25 orang")
    assert "Kuota: 25" in admin.text
    await admin.tap_label("Ubah kuota")
    await admin.send("tanpa batas")  # the shortcut, by its word
    assert "Kuota: Tanpa batas" in admin.text
    await admin.tap_label("Terbitkan")
    async with app.sessions() as s:
        kid = await s.scalar(select(Kegiatan.id))
    # "Ubah kuota" on the kegiatan: "1" is one seat too.
    await admin.tap(f"a:kga.edit:{kid}:kuota")
    await admin.send("1")
    assert "Kuota baru: 1" in admin.text
    await admin.send("ya")
    async with app.sessions() as s:
        assert (await s.get_one(Kegiatan, kid)).kuota == 1


async def test_dua_ibu_satu_hp_kabar_perubahan_menyebut_nama_dan_tombolnya_untuk_ibu_itu(
    app: App,
) -> None:
    admin = await admin_chat(app)
    [hp] = await mothers(app, "Siti Aminah")
    kid = await kegiatan(app, "Posyandu", kuota=None)
    await hp.tap(f"a:kg.signup:{kid}")
    await hp.tap("a:mb.new")  # a second mother on the same phone
    for answer in ("ya", "Dewi Lestari", "Sumberan", "3/5", "lewati", "simpan"):
        await hp.send(answer)
    assert "Dewi Lestari sudah terdaftar" in hp.text
    await hp.tap(f"a:kg.show:{kid}")
    await hp.tap_label("Daftar")
    assert "Ibu Dewi Lestari terdaftar di Posyandu" in hp.text  # says for whom
    siti, dewi = await member_id(app, "Siti Aminah"), await member_id(app, "Dewi Lestari")

    await admin.tap(f"a:kga.edit:{kid}:place")
    await admin.send("Balai Desa Cibening")
    await admin.send("ya")
    rows = [r for r in await outbox(app, "kegiatan_changed") if r.params.get("for_name")]
    assert len(rows) == 2 and {r.member_id for r in rows} == {siti, dewi}
    for row in rows:
        reply = render_outbox(row)
        name = "Siti Aminah" if row.member_id == siti else "Dewi Lestari"
        assert reply.text.startswith(f"👤 Untuk Ibu {name}\n")
        assert "Balai Desa Cibening" in reply.text
        assert reply.choices[0].id == f"a:kg.unsignup:{kid}:{row.member_id}"

    # Dewi is the active mother; Siti's button acts for Siti, and says so.
    [siti_row] = [r for r in rows if r.member_id == siti]
    await hp.tap(render_outbox(siti_row).choices[0].id)
    assert "Yakin Ibu Siti Aminah batal ikut Posyandu" in hp.text
    await hp.send("ya")
    assert "Pendaftaran Ibu Siti Aminah di Posyandu sudah dibatalkan" in hp.text
    async with app.sessions() as s:
        assert await signup_status(s, kid, siti) == "cancelled"
        assert await signup_status(s, kid, dewi) == "registered"

    # A button naming a mother this phone does not act for does nothing.
    other = Chat(app.engine, identity="ibu-ani")
    await register(other, name="Ani Wulandari")
    await other.tap(f"a:kg.signup:{kid}")
    await hp.tap(f"a:kg.unsignup:{kid}:{await member_id(app, 'Ani Wulandari')}")
    assert "Yakin" not in hp.text
    async with app.sessions() as s:
        assert await signup_status(s, kid, await member_id(app, "Ani Wulandari")) == "registered"


async def test_batal_di_kegiatannya_berarti_batal_ikut_dengan_pertanyaan_dulu(app: App) -> None:
    [siti] = await mothers(app, "Siti Aminah")
    kid = await kegiatan(app, "Senam sehat", kuota=None)
    await siti.tap(f"a:kg.signup:{kid}")
    await siti.tap(f"a:kg.show:{kid}")
    await siti.send("batal")
    assert "Yakin Ibu batal ikut Senam sehat" in siti.text
    await siti.send("batal")  # the escape word inside the question: nothing happens
    assert "Ibu tetap terdaftar di Senam sehat" in siti.text and "dibatalkan" not in siti.text
    await siti.send("jadwal saya")
    await siti.send("gak jadi ikut")
    assert "Yakin Ibu batal ikut Senam sehat" in siti.text
    await siti.send("ya")
    assert "sudah dibatalkan" in siti.text
    async with app.sessions() as s:
        assert await signup_status(s, kid, await member_id(app, "Siti Aminah")) == "cancelled"


async def test_batal_ikut_yang_tidak_segera_dijawab_ditanyakan_lagi(app: App) -> None:
    [siti] = await mothers(app, "Siti Aminah")
    kid = await kegiatan(app, "Senam sehat", kuota=None)
    await siti.tap(f"a:kg.signup:{kid}")
    await siti.tap(f"a:kg.unsignup:{kid}")
    old_yes = siti.choice("Ya, batal ikut").id
    await siti.send("bantuan")  # something else in between
    await siti.tap(old_yes)  # an old button: the question again, the seat stays
    async with app.sessions() as s:
        assert await signup_status(s, kid, await member_id(app, "Siti Aminah")) == "registered"


async def test_ibu_mendaftar_pelatihan_menjahit_kuota_penuh_mengetik_daftar_masuk_daftar_tunggu(
    app: App,
) -> None:
    siti, dewi = await mothers(app, "Siti Aminah", "Dewi Lestari")
    kid = await kegiatan(app, "Pelatihan menjahit", kuota=1)
    await siti.tap(f"a:kg.signup:{kid}")
    await dewi.tap(f"a:kg.show:{kid}")
    await dewi.send("daftar")
    assert "daftar tunggu nomor 1" in dewi.text and "nama lengkap" not in dewi.text


async def test_admin_ubah_waktu_melihat_cara_dibaca_dan_bisa_tidak_jadi(app: App) -> None:
    admin = await admin_chat(app)
    [siti] = await mothers(app, "Siti Aminah")
    kid = await kegiatan(app, "Posyandu", kuota=None)
    await siti.tap(f"a:kg.signup:{kid}")
    await admin.tap(f"a:kga.show:{kid}")
    assert "Menu utama" in admin.labels
    await admin.tap_label("Ubah waktu")
    await admin.send("3/12/2026 jam 10")
    assert "Kamis, 3 Desember 2026 pukul 10.00 WIB" in admin.text
    assert "Simpan dan beri kabar ke 1 peserta?" in admin.text
    assert await outbox(app, "kegiatan_changed") == []
    await admin.tap_label("Jangan diubah")
    assert "tidak diubah" in admin.text
    assert await outbox(app, "kegiatan_changed") == []


async def test_kelola_kegiatan_berhalaman_nomornya_tepat_dan_bisa_dicari(app: App) -> None:
    admin = await admin_chat(app)
    for day in range(1, 11):
        await kegiatan(app, f"Sesi {day:02d}", days=day)
    await kegiatan(app, "Pelatihan menjahit", days=12)
    await admin.send("kelola kegiatan")
    assert "(1–8 dari 11)" in admin.text
    assert "Sesi 01" in admin.labels[0] and "Menu utama" in admin.labels
    await admin.send("1")  # the first kegiatan, not "Buat kegiatan baru"
    assert "Sesi 01" in admin.text and "Status: dibuka" in admin.text
    await admin.tap_label("Kembali ke daftar")
    await admin.tap_label("Berikutnya")
    assert "(9–11 dari 11)" in admin.text and "Pelatihan menjahit" in admin.labels[2]
    await admin.send("menu")
    await admin.send("kelola kegiatan")
    await admin.send("jahit")
    assert "“jahit”" in admin.text
    assert [label for label in admin.labels if "Pelatihan menjahit" in label]
    assert not [label for label in admin.labels if "Sesi" in label]


async def test_narasumber_wati_bukan_lewati_dan_ringkasan_bisa_mengubah_semuanya(app: App) -> None:
    admin = await admin_chat(app)
    await start_wizard(admin, narasumber="Wati")
    await admin.send("20")
    await admin.send("Semua kampung")
    await admin.send("Membawa buku KIA")
    assert "Narasumber: Wati" in admin.text and "Keterangan: Membawa buku KIA" in admin.text
    for label, answer, shown in (
        ("Ubah narasumber", "Bu Wati Susanti", "Narasumber: Bu Wati Susanti"),
        ("Ubah penyelenggara", "Dinas Kesehatan", "Penyelenggara: Dinas Kesehatan"),
        ("Ubah jenis", "Penyuluhan", "Jenis: Penyuluhan"),
        ("Ubah keterangan", "Membawa kain", "Keterangan: Membawa kain"),
    ):
        await admin.tap_label(label)
        await admin.send(answer)
        assert shown in admin.text, label
    await admin.send("ya")  # yes on the summary saves (publishes)
    assert "sudah terbit" in admin.text
    async with app.sessions() as s:
        k = await s.scalar(select(Kegiatan))
        assert k is not None and (k.narasumber, k.opd) == ("Bu Wati Susanti", "Dinas Kesehatan")
        assert k.jenis == "penyuluhan" and k.description == "Membawa kain"


async def test_teks_yang_benar_kuota_tanpa_batas_dan_kabar_untuk_daftar_tunggu(app: App) -> None:
    admin = await admin_chat(app)
    siti, dewi = await mothers(app, "Siti Aminah", "Dewi Lestari")
    open_ = await kegiatan(app, "Posyandu", kuota=None)
    await siti.tap(f"a:kg.show:{open_}")
    assert "Jumlah peserta tidak dibatasi" in siti.text and "Tempat: tidak" not in siti.text
    kid = await kegiatan(app, "Kelas menjahit", kuota=1)
    await siti.tap(f"a:kg.signup:{kid}")
    await dewi.tap(f"a:kg.signup:{kid}")
    await admin.tap(f"a:kga.edit:{kid}:place")
    await admin.send("Balai Desa")
    await admin.send("ya")
    rows = {r.member_id: render_outbox(r) for r in await outbox(app, "kegiatan_changed")}
    waiting = rows[await member_id(app, "Dewi Lestari")]
    assert "Batal ikut" not in waiting.text
    assert [c.label for c in waiting.choices] == ["Keluar dari daftar tunggu"]
    seated = rows[await member_id(app, "Siti Aminah")]
    assert [c.label for c in seated.choices] == ["Batal ikut"]


async def test_file_kalender_dan_layar_admin_punya_jalan_ke_menu(app: App) -> None:
    [siti] = await mothers(app, "Siti Aminah")
    kid = await kegiatan(app, "Penyuluhan gizi", kuota=None)
    await siti.tap(f"a:kg.signup:{kid}")
    await siti.tap_label("Simpan ke kalender")
    assert siti.replies[0].document is not None and "Menu utama" in siti.labels
    await siti.send("menu")
    assert "Menu utama" in siti.text
    admin = await admin_chat(app)
    await admin.send("kelola kegiatan")
    assert "Menu utama" in admin.labels


async def test_tamu_boleh_melihat_kegiatan_sebelum_mendaftar(app: App) -> None:
    kid = await kegiatan(app, "Posyandu", kuota=None)
    other = await kegiatan(app, "Kelas Cibening", kampung=("Cibening",))
    guest = Chat(app.engine, identity="tamu")
    await guest.send("menu")
    assert "Kegiatan" in guest.labels
    await guest.send("kegiatan")
    assert any("Posyandu" in label for label in guest.labels)
    await guest.tap(f"a:kg.show:{kid}")
    assert "Posyandu" in guest.text and "perlu mendaftar" in guest.text
    assert not [c for c in guest.choices if c.id.startswith("a:kg.signup")]
    await guest.tap_label("Daftar sebagai warga")
    assert "persetujuan" in guest.text.lower() or "setuju" in guest.text.lower()
    # A mother opening another kampung's kegiatan by its id gets no Daftar button.
    [siti] = await mothers(app, "Siti Aminah")
    await siti.tap(f"a:kg.show:{other}")
    assert "untuk kampung lain" in siti.text
    assert not [c for c in siti.choices if c.id.startswith("a:kg.signup")]


async def test_hp_kecil_daftar_kegiatan_satu_baris_pendek_dan_menu_paling_banyak_lima(
    app: App,
) -> None:
    admin = await admin_chat(app)
    [siti] = await mothers(app, "Siti Aminah")
    await kegiatan(app, "Penyuluhan gizi balita dan ibu menyusui di Posyandu Melati", kuota=3)
    await siti.send("kegiatan")
    [line] = [label for label in siti.labels if "Penyuluhan" in label]
    assert len(line) <= 44 and "Balai" not in line and "WIB" not in line
    assert "Penyuluhan" not in siti.text  # no second copy above the buttons
    await siti.send("1")
    assert "Tempat: Balai Warga Sumberan" in siti.text and "Sisa tempat: 3" in siti.text
    for chat in (siti, admin):
        await chat.send("menu")
        assert len(chat.labels) <= 6 and chat.labels[-1] == "Lainnya"


async def test_sisa_tempat_dalam_bahasa_inggris_memakai_bentuk_jamak(app: App) -> None:
    [siti] = await mothers(app, "Siti Aminah")
    one = await kegiatan(app, "Yoga", kuota=1)
    three = await kegiatan(app, "Batik", kuota=3)
    await siti.tap("a:core.setlang:en")
    await siti.tap(f"a:kg.show:{one}")
    assert "1 place left." in siti.text
    await siti.tap(f"a:kg.show:{three}")
    assert "3 places left." in siti.text


async def test_admin_mengetik_kuota_sangat_besar_diminta_lagi_bukan_gagal_disimpan(
    app: App,
) -> None:
    """A slip of the keyboard ("99999999999", more than the database's integer holds) is
    refused kindly at the question, and the kuota she typed before stays."""
    admin = await admin_chat(app)
    await start_wizard(admin)
    await admin.send("1")
    await admin.send("Semua kampung")
    await admin.send("lewati")
    await admin.tap_label("Ubah kuota")
    await admin.send("99999999999")
    assert "terlalu besar" in admin.text
    await admin.send("30")
    assert "Kuota: 30" in admin.text
