"""An imported mother links her own chat, giving her consent there as at registration: on
Telegram by sharing her own contact (a shared household phone: she says which record is
hers), on any channel by typing the one-time code her kader or an admin made."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select

from bot.app import App
from models import AuditEntry, IdentityMember, Member, OneTimeCode, utcnow
from models.base import transaction
from models.member_import import apply_plan, create_link_code, plan_import
from models.sheets import read_rows
from tests.support.chat import Chat, register
from tests.support.kader import admin_chat, member_named
from tests.support.sheets import HEADER, csv_file
from tests.support.staff import chat_links, make_kader

CODE = re.compile(r"kode ([A-Z2-9]{8})\b")
SHARED = "+6281234567890"


async def imported(app: App, tmp_path: Path) -> None:
    """The kelurahan's list: Siti and Dewi share a household phone; Wati is of Cibening."""
    rows = [
        HEADER,
        ("Siti Aminah", "Sumberan", 3, 5, "0812-3456-7890", "Melati", "ibu"),
        ("Dewi Lestari", "Sumberan", 3, 5, "0812 3456 7890", "Melati", "ibu"),
        ("Wati Susanti", "Cibening", 1, 2, "0813-5555-6666", "Mawar", "ibu"),
    ]
    async with transaction(app.sessions) as s:
        plan = await plan_import(s, read_rows(csv_file(tmp_path / "kk.csv", rows)))
        await apply_plan(s, plan, now=utcnow())


async def member_count(app: App) -> int:
    async with app.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(Member)) or 0)


async def starts_registration(chat: Chat, name: str = "Siti Aminah") -> None:
    for text in ("/start", "daftar", "ya", name, "Sumberan", "3/5"):
        await chat.send(text)
    assert "nomor HP" in chat.text


async def test_ibu_yang_diimpor_menyambungkan_telegramnya_dengan_membagikan_kontak(
    app: App, tmp_path: Path
) -> None:
    await imported(app, tmp_path)
    before = await member_count(app)
    phone = Chat(app.engine, identity="6200000101", channel="telegram")
    await starts_registration(phone)
    await phone.share_contact("+62 812-3456-7890", user_id="6200000101")  # her own account
    assert "ada di daftar KK binaan dari kelurahan" in phone.text
    assert "Dewi Lestari, RT 003/RW 005, Sumberan" in phone.text
    assert "Siti Aminah, RT 003/RW 005, Sumberan" in phone.text
    assert phone.labels == [
        "Ya, saya Dewi Lestari, RT 003/RW 005, Sumberan",
        "Ya, saya Siti Aminah, RT 003/RW 005, Sumberan",
        "Bukan, daftar baru",
    ]
    await phone.tap_label("Ya, saya Siti Aminah")
    assert "Terima kasih, Ibu Siti Aminah" in phone.text and "tersambung" in phone.text
    assert await member_count(app) == before  # linked, not a second Siti
    siti = await member_named(app, "Siti Aminah")
    assert siti.consent_at is not None and siti.consent_method == "chat"
    assert siti.phone_verified and siti.phone_e164 == SHARED
    assert await chat_links(app, siti.id) == ["6200000101"]
    async with app.sessions() as s:
        [entry] = await s.scalars(select(AuditEntry).where(AuditEntry.action == "member.link"))
    assert entry.object_id == str(siti.id) and entry.detail["via"] == "contact"

    # The same household phone: Dewi registers too ("Daftar ibu lain") and is offered
    # only her own record now.
    await phone.send("menu")
    await phone.tap_label("Lainnya")
    await phone.tap_label("Daftarkan ibu lain")
    await phone.tap_label("Ibu lain di rumah ini")
    for text in ("ya", "Dewi Lestari", "Sumberan", "3/5"):
        await phone.send(text)
    await phone.share_contact(SHARED, user_id="6200000101")
    assert phone.labels == ["Ya, saya Dewi Lestari, RT 003/RW 005, Sumberan", "Bukan, daftar baru"]
    await phone.send("1")
    assert "Terima kasih, Ibu Dewi Lestari" in phone.text
    dewi = await member_named(app, "Dewi Lestari")
    assert await chat_links(app, dewi.id) == ["6200000101"]
    assert await member_count(app) == before


async def test_a_contact_not_her_own_or_a_typed_number_links_nothing(
    app: App, tmp_path: Path
) -> None:
    await imported(app, tmp_path)
    before = await member_count(app)
    other = Chat(app.engine, identity="6200000102", channel="telegram")
    await starts_registration(other)
    await other.share_contact(SHARED, user_id="6200000999")  # someone else's contact
    assert "bukan milik akun ini" in other.text
    assert "daftar KK binaan" not in other.text
    await other.send("0812-3456-7890")  # typed: anyone can type a number
    assert "daftar KK binaan" not in other.text
    await other.send("simpan")
    assert await member_count(app) == before + 1  # a new member, not linked to Siti's record
    assert await chat_links(app, (await member_named(app, "Dewi Lestari")).id) == []


async def test_bukan_saya_goes_on_with_a_new_registration(app: App, tmp_path: Path) -> None:
    await imported(app, tmp_path)
    before = await member_count(app)
    phone = Chat(app.engine, identity="6200000103", channel="telegram")
    await starts_registration(phone, name="Nur Hayati")
    await phone.share_contact(SHARED, user_id="6200000103")
    await phone.tap_label("Bukan, daftar baru")
    assert "Nama: Nur Hayati" in phone.text
    await phone.send("simpan")
    assert "Nur Hayati sudah terdaftar" in phone.text
    assert await member_count(app) == before + 1


async def test_kader_membuat_kode_dan_ibu_mengetiknya_di_hp_nya(app: App, tmp_path: Path) -> None:
    await imported(app, tmp_path)
    kader = await make_kader(app)  # Ani Lestari, kader of Sumberan
    await kader.tap("a:bn.list")
    assert "Siti Aminah · RT 003/RW 005 · belum tersambung" in kader.labels
    await kader.tap_label("Siti Aminah")
    assert "Dari daftar kelurahan, belum tersambung" in kader.text
    await kader.tap_label("Buat kode untuk HP-nya")
    assert "Kode untuk Ibu Siti Aminah sudah dibuat" in kader.text
    [code] = CODE.findall(kader.text)

    # A staff chat cannot take it: the code is for her own phone (and is not spent).
    await kader.send(f"kode {code}")
    assert "untuk HP ibu itu sendiri" in kader.text

    siti = Chat(app.engine, identity="wa-siti")  # any channel
    await siti.send(f"Kode: {code.lower()}")
    assert "Siti Aminah, RT 003/RW 005, Sumberan" in siti.text
    assert "Kami tidak meminta NIK" in siti.text  # the privacy note, as at registration
    await siti.send("tidak")
    assert "tidak ada yang disambungkan" in siti.text
    async with app.sessions() as s:
        row = await s.scalar(select(OneTimeCode).where(OneTimeCode.code == code))
    assert row is not None and row.used_at is None  # declining spends nothing

    await siti.send(f"kode {code}")
    await siti.tap_label("Ya, setuju")
    assert "Terima kasih, Ibu Siti Aminah" in siti.text
    member = await member_named(app, "Siti Aminah")
    assert member.consent_method == "chat" and not member.phone_verified
    assert await chat_links(app, member.id) == ["wa-siti"]
    await siti.send("menu")
    assert "Atas nama: Siti Aminah" in siti.text  # the chat acts for her from now on

    someone = Chat(app.engine, identity="wa-other")
    await someone.send(f"kode {code}")
    assert "sudah dipakai" in someone.text
    async with app.sessions() as s:
        links = await s.scalar(
            select(func.count())
            .select_from(IdentityMember)
            .where(IdentityMember.member_id == member.id)
        )
    assert links == 1


async def test_a_kader_makes_codes_only_for_her_own_kampung(app: App, tmp_path: Path) -> None:
    await imported(app, tmp_path)
    wati = await member_named(app, "Wati Susanti")  # Cibening
    kader = await make_kader(app)  # Sumberan
    await kader.tap(f"a:bn.code:{wati.id}")  # a forged button
    assert "bukan warga kampung Ibu" in kader.text and CODE.search(kader.text) is None
    mother = Chat(app.engine, identity="tg-ibu-lain")
    await register(mother, name="Fitri Handayani")
    await mother.tap(f"a:bn.code:{wati.id}")
    assert "hanya untuk petugas" in mother.text and CODE.search(mother.text) is None
    admin = await admin_chat(app)
    await admin.tap(f"a:bn.code:{wati.id}")
    assert "Kode untuk Ibu Wati Susanti sudah dibuat" in admin.text
    async with app.sessions() as s:
        made = list(
            await s.scalars(select(OneTimeCode).where(OneTimeCode.purpose == "member_link"))
        )
    assert [c.target["member_id"] for c in made] == [wati.id]


async def test_a_new_code_replaces_the_unused_one(app: App, tmp_path: Path) -> None:
    await imported(app, tmp_path)
    wati = await member_named(app, "Wati Susanti")
    async with transaction(app.sessions) as s:
        old = (await create_link_code(s, wati, now=utcnow())).code
        new = (await create_link_code(s, wati, now=utcnow())).code
    chat = Chat(app.engine, identity="tg-wati")
    await chat.send(f"kode {old}")
    assert "sudah diganti dengan kode baru" in chat.text
    await chat.send(f"kode {new}")
    await chat.send("setuju")
    assert "Terima kasih, Ibu Wati Susanti" in chat.text
