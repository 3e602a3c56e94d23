"""An admin plans kegiatan in chat: the wizard, publishing, changes and cancellation."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.app import App
from models import Kegiatan, OutboxMessage
from models.base import transaction
from models.people.roles import grant_admin
from tests.support.chat import Chat, mothers
from tests.support.fakes.kegiatan import kegiatan


async def admin_chat(app: App) -> Chat:
    async with transaction(app.sessions) as s:
        await grant_admin(s, "test", "admin-1", actor="test")
    return Chat(app.engine, identity="admin-1")


async def wizard(admin: Chat, *, kuota: str = "2", start: str = "lusa jam 9") -> None:
    await admin.send("kelola kegiatan")
    await admin.tap_label("Buat kegiatan baru")
    await admin.send("Pelatihan")
    await admin.send("Pelatihan menjahit")
    await admin.send("DP3AKB Kota Serang")
    await admin.send("Lewati")
    await admin.send("Balai Warga Sumberan")
    await admin.send(start)
    await admin.send("12.00")
    await admin.send(kuota)
    await admin.send("Semua kampung")
    await admin.send("lewati")


async def test_admin_creates_and_publishes_a_pelatihan_and_mothers_see_it(app: App) -> None:
    admin = await admin_chat(app)
    [siti] = await mothers(app, "Siti Aminah")
    await wizard(admin)
    assert "Periksa kegiatan baru" in admin.text
    assert "Jenis: Pelatihan" in admin.text and "pukul 09.00 WIB" in admin.text
    assert "pukul 12.00 WIB" in admin.text and "Kuota: 2" in admin.text
    await admin.tap_label("Ubah judul")
    await admin.send("Pelatihan menjahit dasar")
    assert "Judul: Pelatihan menjahit dasar" in admin.text
    await admin.tap_label("Terbitkan")
    assert "sudah terbit" in admin.text
    await siti.send("kegiatan")
    assert any("Pelatihan menjahit dasar" in label for label in siti.labels)


async def test_a_draft_stays_hidden_until_published(app: App) -> None:
    admin = await admin_chat(app)
    [siti] = await mothers(app, "Siti Aminah")
    await wizard(admin)
    await admin.tap_label("Simpan sebagai draf")
    await siti.send("kegiatan")
    assert "Belum ada kegiatan" in siti.text
    async with app.sessions() as s:
        kid = await s.scalar(select(Kegiatan.id))
    await admin.tap(f"a:kgm_pub:{kid}")
    await siti.send("kegiatan")
    assert any("Pelatihan menjahit" in label for label in siti.labels)


async def test_bad_dates_times_and_quotas_get_a_question_back(app: App) -> None:
    admin = await admin_chat(app)
    await admin.send("kelola")
    await admin.tap_label("Buat kegiatan baru")
    for answer in ("Pelatihan", "Menjahit", "DP3AKB", "Lewati", "Balai Warga"):
        await admin.send(answer)
    cases = [
        ("kemarin jam 9", "sudah lewat"),
        ("31 Februari jam 9", "tidak ada di kalender"),
        ("jam 9", "harinya juga"),
        ("kapan-kapan", "tidak bisa saya baca"),
    ]
    for typed, expected in cases:
        await admin.send(typed)
        assert expected in admin.text, typed
    await admin.send("lusa jam 10")
    await admin.send("08.00")
    assert "sesudah waktu mulai" in admin.text
    await admin.send("12.00")
    for typed, expected in [
        ("0", "1 atau lebih"),
        ("-3", "1 atau lebih"),
        ("banyak", "dengan angka"),
    ]:
        await admin.send(typed)
        assert expected in admin.text, typed
    await admin.send("dua puluh")
    await admin.send("Semua kampung")
    await admin.send("Lewati")
    assert "Kuota: 20" in admin.text


async def test_changing_the_time_tells_every_registered_and_waiting_mother(app: App) -> None:
    admin = await admin_chat(app)
    siti, dewi = await mothers(app, "Siti Aminah", "Dewi Lestari")
    kid = await kegiatan(app, "Posyandu", kuota=1)
    await siti.tap(f"a:signup:{kid}")
    await dewi.tap(f"a:signup:{kid}")
    await admin.tap(f"a:kgm:{kid}")
    assert "Terdaftar: 1 dari 1" in admin.text
    await admin.tap_label("Ubah waktu")
    await admin.send("31 Februari jam 9")
    assert "tidak ada di kalender" in admin.text
    await admin.send("lusa jam 13.00")
    assert "pukul 13.00 WIB" in admin.text and "2 peserta" in admin.text  # asked first
    await admin.send("ya")
    assert "2 peserta diberi kabar" in admin.text
    async with app.sessions() as s:
        rows = list(
            await s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "kegiatan_changed"))
        )
    assert len(rows) == 2 and all("13.00 WIB" in r.params["when"] for r in rows)

    await admin.tap(f"a:kgm_cancel:{kid}")
    await admin.send("ya")
    assert "dibatalkan. 2 orang diberi kabar" in admin.text
    await siti.tap(f"a:signup:{kid}")
    assert "dibatalkan" in siti.text


async def test_a_mother_cannot_use_admin_buttons_even_forged(app: App) -> None:
    [siti] = await mothers(app, "Siti Aminah")
    kid = await kegiatan(app, "Posyandu")
    for forged in (
        "a:kgm_new",
        f"a:kgm_cancel:{kid}",
        f"a:kgm_edit:{kid}:time",
        f"a:kgm_pub:{kid}",
        "a:kgm_list",
    ):
        await siti.tap(forged)
        assert "hanya untuk petugas" in siti.text, forged
    await siti.send("kelola kegiatan")
    assert "Kelola" not in " ".join(siti.labels)
    async with app.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Kegiatan)) == 1
        k = await s.get_one(Kegiatan, kid)
        assert k.status == "open"


async def test_a_staff_account_sees_staff_tools_not_a_mothers_own_data(app: App) -> None:
    admin = await admin_chat(app)
    await admin.send("menu")
    assert "Atas nama" not in admin.text
    # Admins plan under "Kelola kegiatan"; the mothers' browse list is not in their menu.
    assert "Kelola kegiatan" in admin.labels and "Kegiatan" not in admin.labels
    for personal in ("Jadwal saya", "Ubah data saya", "Hapus data saya", "Daftarkan ibu lain"):
        assert personal not in admin.labels
    await admin.tap("a:edit")
    assert "perlu mendaftar dulu" in admin.text
    await admin.tap("a:erase")
    assert "perlu mendaftar dulu" in admin.text
