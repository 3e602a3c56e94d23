"""Stories of a kader registering a mother who has no phone: spoken consent, her answers
checked kindly, the summary with "ubah", and what is stored (reached through the kader,
never linked to the kader's chat); an admin doing it for any kampung; the kader's list."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from handlers.core.types import Kind
from models import AuditEntry, Member
from models.base import transaction
from models.people.members import CONSENT_VERSION
from tests.support.chat import Chat
from tests.support.fakes.outbox import add_member, kampung_ids
from tests.support.staff import admin_chat, chat_links, make_kader, member_id


async def mothers_named(app: App, name: str) -> list[Member]:
    async with app.sessions() as s:
        return list(await s.scalars(select(Member).where(Member.full_name == name)))


async def start_registration(kader: Chat) -> None:
    await kader.send("menu")
    await kader.tap_label("Ibu binaan")
    await kader.tap_label("Daftarkan ibu tanpa HP")
    assert "Bacakan catatan ini kepada beliau" in kader.text
    assert "Kami tidak meminta NIK" in kader.text


async def register_without_phone(kader: Chat, name: str = "Siti Aminah", rtrw: str = "3/5") -> None:
    await start_registration(kader)
    for answer in ("ya", name, rtrw, "tidak ada hp", "simpan"):
        await kader.send(answer)
    assert "sudah terdaftar" in kader.text, kader.text


async def test_kader_registers_a_mother_without_a_phone_with_her_spoken_consent(app: App) -> None:
    kader = await make_kader(app, name="Ani Lestari")
    await start_registration(kader)
    await kader.send("ya")
    assert "nama lengkap ibu yang didaftarkan" in kader.text
    # Bad answers are refused kindly; nothing given so far is lost.
    await kader.send_kind(Kind.PHOTO)
    assert "dengan huruf" in kader.text
    await kader.send("Siti 2")
    assert "tidak boleh berisi angka" in kader.text
    await kader.send("ibu SITI AMINAH")
    assert "RT/RW beliau" in kader.text  # a kader's mothers live in her kampung: not asked
    await kader.send("tiga lima")
    assert "RT dan RW dengan angka" in kader.text
    await kader.send("3/5")
    assert "Nomor HP yang bisa dihubungi" in kader.text
    # A shared contact would be the kader's own number: only a typed number is taken.
    await kader.share_contact("+6281311112222", user_id=kader.identity)
    assert "ketik nomornya" in kader.text
    await kader.send("0812 99")
    assert "Tidak ada HP" in kader.labels  # still on the phone step
    await kader.send("0857-1234-5678")
    assert "Mohon periksa data ibu binaan" in kader.text
    assert "Nama: Siti Aminah" in kader.text and "RT 003/RW 005" in kader.text
    assert "Nomor HP: 0857-1234-5678" in kader.text and "Persetujuan: lisan" in kader.text
    assert "Ubah kampung" not in kader.labels  # her kampung is the kader's
    await kader.tap_label("Ubah RT/RW")
    await kader.send("4/6")
    assert "RT 004/RW 006" in kader.text and "Nama: Siti Aminah" in kader.text
    await kader.tap_label("Ubah nomor HP")
    await kader.tap_label("Tidak ada HP")
    assert "Nomor HP: (tidak ada)" in kader.text
    await kader.tap_label("Simpan")
    assert "Ibu Siti Aminah sudah terdaftar" in kader.text
    assert "kabar untuk beliau dikirim ke HP Ibu" in kader.text
    assert "Daftarkan ke kegiatan" in kader.labels

    [siti] = await mothers_named(app, "Siti Aminah")
    ani = await member_id(app, "Ani Lestari")
    async with app.sessions() as s:
        places = await kampung_ids(s)
        [entry] = await s.scalars(
            select(AuditEntry).where(AuditEntry.action == "member.register_by_kader")
        )
    assert (siti.role, siti.kampung_id, siti.rt, siti.rw) == ("ibu", places["Sumberan"], 4, 6)
    assert siti.phone_e164 is None and not siti.phone_verified
    assert siti.consent_method == "spoken" and siti.consent_at is not None
    assert siti.consent_version == CONSENT_VERSION
    assert siti.reached_via_kader_id == ani and siti.registered_by_member_id == ani
    # Not a shared phone: the kader's chat does not become hers.
    assert await chat_links(app, siti.id) == []
    assert (entry.actor, entry.actor_member_id, entry.object_id) == (
        f"member:{ani}",
        ani,
        str(siti.id),
    )
    assert "Siti" not in str(entry.detail)
    # The kader still acts as herself.
    await kader.send("menu")
    assert "Atas nama: Ani Lestari" in kader.text

    await kader.tap_label("Ibu binaan")
    assert "Siti Aminah · RT 004/RW 006 · lewat kader" in kader.labels
    assert "Ani Lestari" not in " ".join(kader.labels)  # kader are not listed as mothers


async def test_consent_declined_or_batal_midway_stores_nothing(app: App) -> None:
    kader = await make_kader(app)
    await start_registration(kader)
    await kader.send("hmm")
    assert "Jawab ya atau tidak" in kader.text  # the short reminder, not the whole note
    await kader.tap_label("Belum / tidak setuju")
    assert "tidak didaftarkan dan tidak ada data yang disimpan" in kader.text
    await start_registration(kader)
    await kader.send("ya")
    await kader.send("Siti Aminah")
    await kader.send("batal")
    assert "dibatalkan. Tidak ada data yang disimpan" in kader.text
    assert await mothers_named(app, "Siti Aminah") == []


async def test_the_same_name_in_her_kampung_is_asked_about_once(app: App) -> None:
    kader = await make_kader(app)
    await register_without_phone(kader)
    await start_registration(kader)
    for answer in ("ya", "Siti Aminah", "7/1", "lewati", "simpan"):
        await kader.send(answer)
    assert "Sudah ada ibu bernama Siti Aminah di kampung ini (RT 003/RW 005)" in kader.text
    await kader.tap_label("Bukan, batalkan")
    assert len(await mothers_named(app, "Siti Aminah")) == 1
    await start_registration(kader)
    for answer in ("ya", "Siti Aminah", "7/1", "lewati", "simpan"):
        await kader.send(answer)
    await kader.tap_label("Ya, orang lain")
    assert "sudah terdaftar" in kader.text
    assert sorted(m.rt or 0 for m in await mothers_named(app, "Siti Aminah")) == [3, 7]


async def test_an_admin_registers_a_mother_of_any_kampung_and_picks_it(app: App) -> None:
    admin = await admin_chat(app)
    await admin.send("menu")
    await admin.tap_label("Lainnya")  # an admin's main menu holds her daily work
    await admin.tap_label("Ibu binaan")
    assert "kampung mana" in admin.text
    await admin.tap_label("Semua kampung")
    await admin.tap_label("Daftarkan ibu tanpa HP")
    for answer in ("ya", "Dewi Sartika", "cibenning"):
        await admin.send(answer)
    assert "Maksud Ibu kampung Cibening" in admin.text  # a typo is asked about once
    await admin.send("ya")
    await admin.send("2/1")
    await admin.send("0812 3456 7890")
    assert "Kampung: Cibening" in admin.text and "Ubah kampung" in admin.labels
    await admin.tap_label("Simpan")
    [dewi] = await mothers_named(app, "Dewi Sartika")
    async with app.sessions() as s:
        places = await kampung_ids(s)
        [admin_id] = await s.scalars(select(Member.id).where(Member.role == "admin"))
    assert dewi.kampung_id == places["Cibening"] and dewi.phone_e164 == "+6281234567890"
    assert dewi.reached_via_kader_id == admin_id and dewi.consent_method == "spoken"


async def test_the_list_is_paged_and_found_by_name_of_her_kampung_only(app: App) -> None:
    kader = await make_kader(app)
    async with transaction(app.sessions) as s:
        places = await kampung_ids(s)
        for i in range(10):
            await add_member(s, f"tg-{i:02d}", kampung_id=places["Sumberan"], channel="telegram")
        await add_member(s, "tg-cib", kampung_id=places["Cibening"])
    await kader.send("ibu binaan")  # typed: the menu's word
    assert "Ibu binaan Sumberan (1–8 dari 10)" in kader.text
    names = [label for label in kader.labels if "·" in label]
    assert len(names) == 8 and names[0].startswith("Ibu tg-00 · - · Telegram")
    assert "Ibu tg-cib" not in " ".join(kader.labels)
    await kader.tap_label("Berikutnya")
    assert "(9–10 dari 10)" in kader.text
    await kader.tap_label("Cari nama")
    await kader.send("TG-0")
    assert 'Hasil pencarian "TG-0": 10 ibu' in kader.text
    assert "ketik nama lebih lengkap" in kader.text
    await kader.tap_label("Cari nama")
    await kader.send("cib")
    assert 'Hasil pencarian "cib": 0 ibu' in kader.text  # Cibening is not hers


async def test_kader_says_the_mother_has_no_phone_in_her_own_words(app: App) -> None:
    """Found trying the demo: "tidak punya" at the phone question was read as a number."""
    kader = await make_kader(app)
    await start_registration(kader)
    for answer in ("ya", "Enah", "2/4", "tidak punya"):
        await kader.send(answer)
    assert "Nomor HP: (tidak ada)" in kader.text, kader.text
    await kader.send("simpan")
    [enah] = await mothers_named(app, "Enah")
    assert enah.phone_e164 is None and enah.reached_via_kader_id is not None
