"""Becoming a kader by invitation: an admin invites in chat, she opens the link or types
"kode …"; expired, used and revoked codes each get a kind word and a way forward."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.app import App
from handlers.core.engine import Engine
from models import utcnow
from models.base import transaction
from models.kader import revoke_invite
from tests.support.chat import Chat, register
from tests.support.kader import (
    CODE_IN_TEXT,
    admin_chat,
    audit_rows,
    code_row,
    invitation,
    kampung_id,
    member_named,
)


async def test_admin_mengundang_dan_tamu_membuka_tautan_lalu_menjadi_kader(app: App) -> None:
    admin = await admin_chat(app)
    await admin.send("undang kader")
    assert "nama lengkap calon kader" in admin.text
    await admin.send("12345")  # not a name: asked again, nothing lost
    assert "tidak boleh berisi angka" in admin.text
    await admin.send("rina marlina")
    assert "Kader untuk kampung mana" in admin.text
    await admin.send("sumbran")  # a typo, read as the one kampung it clearly means
    assert "Nama: Rina Marlina" in admin.text and "Kampung: Sumberan" in admin.text
    assert "7 hari, sekali pakai" in admin.text
    await admin.send("buat")
    assert "Undangan untuk Ibu Rina Marlina" in admin.text
    [code] = CODE_IN_TEXT.findall(admin.text)
    assert "t.me" not in admin.text  # no TELEGRAM_BOT_USERNAME: the typed code only
    assert "Berlaku sampai" in admin.text

    rina = Chat(app.engine, identity="tg-rina")
    await rina.send(f"/start {code}")
    assert "Selamat datang, Ibu Rina Marlina" in rina.text and "kader Kampung Sumberan" in rina.text
    assert "Apakah Ibu setuju?" in rina.text
    assert (await code_row(app, code)).used_at is None  # nothing spent before she agrees
    await rina.tap_label("Setuju")
    assert "Ibu sekarang kader Sumberan" in rina.text
    member = await member_named(app, "Rina Marlina")
    assert member.role == "kader" and member.kampung_id == await kampung_id(app, "Sumberan")
    # A staff member like an admin made on the command line: her agreement to the kader
    # privacy note is in the audit log; she is not registered as a mother.
    assert member.consent_at is None and member.rt is None
    [agreed] = await audit_rows(app, "kader.privacy_accept")
    assert agreed.object_id == str(member.id) and agreed.detail["version"]
    used = await code_row(app, code)
    assert used.used_at is not None and used.used_by_identity_id is not None

    [made] = await audit_rows(app, "kader.invite")
    admin_grant, grant = await audit_rows(app, "role.grant")
    admin_id = int(admin_grant.object_id or 0)
    assert made.actor_member_id == admin_id and grant.actor == f"member:{admin_id}"
    assert grant.actor_member_id == admin_id and grant.at is not None
    assert grant.object_id == str(member.id)
    assert grant.detail["role"] == "kader" and grant.detail["via"] == "invite"

    # Her link opened again: told kindly, not counted as a wrong code.
    await rina.send(f"/start {code}")
    assert "sudah Ibu pakai" in rina.text


async def test_the_invitation_carries_the_link_when_the_bot_username_is_known(app: App) -> None:
    engine = Engine(app.sessions, replace(app.engine.config, bot_username="@p2wkss_bot"))
    admin = await admin_chat(app)
    admin.engine = engine
    await admin.send("undang kader")
    await admin.send("Dewi Lestari")
    await admin.send("2")  # the second kampung on the list
    await admin.send("ya")
    [code] = CODE_IN_TEXT.findall(admin.text)
    assert f"https://t.me/p2wkss_bot?start={code}" in admin.text
    assert f"kode {code}" in admin.text


async def test_ibu_terdaftar_mengetik_kode_huruf_kecil_dan_langsung_menjadi_kader(
    app: App, chat: Chat
) -> None:
    await register(chat, name="Siti Aminah")  # lives in Sumberan
    code = await invitation(app, "Siti Aminah", "Cibening")
    await chat.send(f"Kode {code.lower()}")
    assert "Ibu sekarang kader Cibening" in chat.text
    assert "Apakah Ibu setuju" not in chat.text  # she agreed when she registered
    siti = await member_named(app, "Siti Aminah")
    assert siti.role == "kader" and siti.kampung_id == await kampung_id(app, "Cibening")
    assert siti.rt == 3  # her own data is kept


async def test_declining_the_privacy_note_stores_nothing_and_keeps_the_invitation(
    app: App,
) -> None:
    code = await invitation(app, "Rina Marlina")
    rina = Chat(app.engine, identity="tg-rina")
    await rina.send(f"kode {code}")
    await rina.send("tidak")
    assert "tidak ada data yang disimpan" in rina.text
    assert (await code_row(app, code)).used_at is None
    await rina.send(f"kode {code}")
    await rina.send("setuju")
    assert "Ibu sekarang kader Sumberan" in rina.text


async def test_undangan_kedaluwarsa_terpakai_dan_dibatalkan_masing_masing_dijelaskan(
    app: App,
) -> None:
    old = await invitation(app, "Ani", now=utcnow() - timedelta(days=8))
    used = await invitation(app, "Budi Astuti")
    revoked = await invitation(app, "Cici Paramida")
    first = Chat(app.engine, identity="tg-first")
    await first.send(f"/start {used}")
    await first.send("setuju")
    async with transaction(app.sessions) as s:
        await revoke_invite(s, revoked, now=utcnow())

    late = Chat(app.engine, identity="tg-late")
    await late.send(f"/start {old}")
    assert "sudah kedaluwarsa" in late.text and "Jadi kader" in late.text
    await late.send(f"kode {used}")
    assert "sudah dipakai" in late.text and "undangan baru" in late.text
    await late.send(f"kode {revoked}")
    assert "sudah dibatalkan oleh admin" in late.text
    await late.send("kode TIDAKADA")
    assert "tidak dikenal" in late.text
    assert "Pilih menu" in late.text or late.choices  # and the menu to go on with
    assert (await code_row(app, revoked)).used_at is None


async def test_an_admin_opening_an_invitation_stays_admin_and_the_code_stays_unused(
    app: App,
) -> None:
    admin = await admin_chat(app)
    code = await invitation(app)
    await admin.send(f"kode {code}")
    assert "Ibu sudah admin" in admin.text
    assert (await code_row(app, code)).used_at is None


async def test_a_kader_of_another_kampung_is_moved_by_a_new_invitation(app: App) -> None:
    rina = Chat(app.engine, identity="tg-rina")
    await rina.send(f"kode {await invitation(app, 'Rina Marlina', 'Sumberan')}")
    await rina.send("setuju")
    same = await invitation(app, "Rina Marlina", "Sumberan")
    await rina.send(f"kode {same}")
    assert "sudah menjadi kader" in rina.text
    assert (await code_row(app, same)).used_at is None
    await rina.send(f"kode {await invitation(app, 'Rina Marlina', 'Cibening')}")
    assert "sekarang kader Cibening" in rina.text
    grants = await audit_rows(app, "role.grant")
    assert grants[-1].detail["previous_kampung_id"] == await kampung_id(app, "Sumberan")
