"""Stories of mothers registering through the core, on a real database."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import App, open_app
from bot.settings import Settings
from handlers.core.types import Incoming, Kind
from models import AuditEntry, IdentityMember, Member, make_sessionmaker
from models.people.members import CONSENT_VERSION
from tests.support.chat import Chat, register


async def members(db: AsyncEngine) -> list[Member]:
    async with make_sessionmaker(db).begin() as s:
        return list((await s.scalars(select(Member).order_by(Member.id))).unique())


async def test_ibu_registers_by_tapping_buttons_in_bahasa_indonesia(app: App, chat: Chat) -> None:
    await chat.send("/start")
    assert "Menu utama" in chat.text
    await chat.tap_label("Daftar")
    assert "NIK" in chat.text and "setuju" in chat.text
    await chat.tap_label("Ya, setuju")
    assert "nama lengkap" in chat.text
    await chat.send("  Siti Nur'aini  ")
    assert "kampung mana" in chat.text
    assert chat.labels == ["Cibening (Kel. Bendung)", "Sumberan (Kel. Warung Jaud)"]
    await chat.tap_label("Sumberan")
    await chat.send("RT 03 / RW 05")
    assert "nomor HP" in chat.text
    await chat.send("+62 812-3456-7890")
    assert "Nama: Siti Nur'aini" in chat.text
    assert "Sumberan (Kel. Warung Jaud)" in chat.text
    assert "RT 003/RW 005" in chat.text
    assert "0812-3456-7890" in chat.text
    await chat.tap_label("Simpan")
    assert "Siti Nur'aini sudah terdaftar" in chat.text

    [m] = await members(app.db)
    assert m.full_name == "Siti Nur'aini"
    assert (m.rt, m.rw, m.phone_e164, m.role) == (3, 5, "+6281234567890", "ibu")
    assert m.kampung is not None and m.kampung.name == "Sumberan"
    assert m.consent_version == CONSENT_VERSION and m.consent_at is not None
    assert m.language == "id" and not m.phone_verified


async def test_mother_registers_in_english_by_typing_numbers(app: App, chat: Chat) -> None:
    await chat.send("/start")
    await chat.send("bahasa")
    await chat.send("2")
    assert "now English" in chat.text
    assert "Main menu" in chat.text
    await chat.send("1")
    assert "Do you agree?" in chat.text
    await chat.send("1")
    await chat.send("Dewi Lestari")
    await chat.send("1")
    await chat.send("7/2")
    await chat.send("081298765432")
    assert "Please check your data" in chat.text
    await chat.send("1")
    assert "Dewi Lestari is now registered" in chat.text
    [m] = await members(app.db)
    assert m.language == "en" and m.kampung is not None and m.kampung.name == "Cibening"


async def test_ibu_fixes_her_name_on_the_summary_before_saving(app: App, chat: Chat) -> None:
    await register(chat, name="Siti Aminh", phone="081234567890")
    # register() ended with "simpan"; start over with a new chat to test the summary edit
    other = Chat(chat.engine, identity="tg-2002")
    await other.send("daftar")
    await other.send("ya")
    await other.send("Ani Wulandari")
    await other.send("2")
    await other.send("1/1")
    await other.send("Tidak punya HP sendiri")
    assert "(tidak ada)" in other.text
    await other.tap_label("Ubah nama")
    await other.send("Ani Wulandari Putri")
    assert "Nama: Ani Wulandari Putri" in other.text and "RT 001/RW 001" in other.text
    await other.send("simpan")
    names = sorted(m.full_name or "" for m in await members(app.db))
    assert names == ["Ani Wulandari Putri", "Siti Aminh"]


async def test_a_restart_mid_registration_goes_on_at_the_same_step(
    settings: Settings,
) -> None:
    first = await open_app(settings, auto_migrate=True)
    chat = Chat(first.engine, identity="tg-3003")
    await chat.send("daftar")
    await chat.send("ya")
    await chat.send("Rina Marlina")
    await chat.send("1")
    await first.close()

    # New engine, new process state, same database.
    second = await open_app(settings, auto_migrate=True)
    try:
        chat = Chat(second.engine, identity="tg-3003")
        await chat.send("4/6")
        assert "nomor HP" in chat.text
        await chat.send("081311112222")
        assert "Nama: Rina Marlina" in chat.text and "Cibening" in chat.text
        await chat.send("1")
        assert "Rina Marlina sudah terdaftar" in chat.text
    finally:
        await second.close()


async def test_the_same_message_delivered_twice_is_handled_once(app: App, chat: Chat) -> None:
    await chat.send("daftar")
    await chat.send("ya")
    msg = Incoming(
        channel="test", identity="tg-1001", message_id="dup-1", kind=Kind.TEXT, text="Siti Aminah"
    )
    first = await chat.deliver(msg)
    assert "kampung mana" in first[0].text
    again = await chat.deliver(msg)
    assert again == []
    await chat.send("1")
    assert "RT/RW" in chat.text  # still one step further, not two


async def test_two_mothers_share_one_phone_and_switch(app: App, chat: Chat) -> None:
    await register(chat, name="Siti Aminah")
    await chat.send("daftarkan ibu lain")
    assert "Untuk siapa" in chat.text
    assert chat.labels == ["Siti Aminah (sudah terdaftar)", "Ibu lain di rumah ini"]
    await chat.tap_label("Ibu lain")
    await chat.send("ya")
    await chat.send("Nur Halimah")
    await chat.send("1")
    await chat.send("2/2")
    await chat.send("Tidak punya HP sendiri")
    await chat.send("simpan")
    assert "Nur Halimah sudah terdaftar" in chat.text
    assert "Atas nama: Nur Halimah" in chat.text
    assert "Ganti ibu" in chat.labels

    await chat.tap_label("Ganti ibu")
    assert chat.labels == ["Siti Aminah", "Nur Halimah"]
    await chat.tap_label("Siti Aminah")
    assert "Sekarang atas nama: Siti Aminah" in chat.text
    await chat.send("ubah data")
    assert "Nama: Siti Aminah" in chat.text

    async with make_sessionmaker(app.db).begin() as s:
        links = await s.scalar(select(func.count()).select_from(IdentityMember))
    assert links == 2


async def test_ibu_edits_her_data_later(app: App, chat: Chat) -> None:
    await register(chat)
    await chat.send("ubah data")
    await chat.tap_label("Ubah RT/RW")
    await chat.send("9/9")
    assert "RT 009/RW 009" in chat.text
    await chat.send("simpan")
    assert "diperbarui" in chat.text
    [m] = await members(app.db)
    assert (m.rt, m.rw) == (9, 9)


async def test_erasure_removes_her_personal_data_and_keeps_an_anonymous_count(
    app: App, chat: Chat
) -> None:
    await register(chat, name="Siti Aminah", phone="081234567890")
    await chat.send("hapus data saya")
    assert "tidak bisa dikembalikan" in chat.text
    await chat.send("mungkin")
    assert "ya atau tidak" in chat.text and "tidak bisa dikembalikan" in chat.text
    await chat.send("tidak")
    assert "tidak dihapus" in chat.text
    await chat.send("hapus data saya")
    await chat.send("ya")
    assert "sudah dihapus" in chat.text
    assert chat.labels[0] == "Daftar"  # she is a guest again

    [m] = await members(app.db)
    assert m.full_name is None and m.phone_e164 is None and m.rt is None and m.rw is None
    assert m.erased_at is not None
    assert m.kampung_id is not None and m.role == "ibu"  # anonymous counts still work
    async with make_sessionmaker(app.db).begin() as s:
        assert await s.scalar(select(func.count()).select_from(IdentityMember)) == 0
        actions = list(await s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["member.register", "member.erase"]


async def test_no_name_or_phone_reaches_the_logs(
    app: App, chat: Chat, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await register(chat, name="Kartini Wulandari", phone="081277778888")
    await chat.send("ubah data")
    await chat.tap("s:nonsense")
    await chat.tap("a:use:999")
    logged = caplog.text
    assert "Kartini" not in logged and "Wulandari" not in logged
    assert "81277778888" not in logged and "0812-7777-8888" not in logged


async def test_an_old_untuk_siapa_button_for_an_erased_mother_gets_nowhere(
    app: App, chat: Chat
) -> None:
    from models.people.members import erase_member

    await register(chat, name="Siti Aminah")
    await chat.send("daftarkan ibu lain")
    await chat.tap_label("Ibu lain")
    for answer in ("ya", "Nur Halimah", "1", "2/2", "Tidak punya HP sendiri", "simpan"):
        await chat.send(answer)
    await chat.send("daftarkan ibu lain")
    nur = chat.choice("Nur Halimah").id
    async with make_sessionmaker(app.db).begin() as s:
        found = await s.scalar(select(Member).where(Member.full_name == "Nur Halimah"))
        assert found is not None
        await erase_member(s, found)
    await chat.tap(nur)
    assert "tidak dikenal" in chat.text  # the whom screen is buttons naming each mother
    assert "Nur Halimah" not in " ".join(chat.labels)
