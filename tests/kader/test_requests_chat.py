"""A mother asks to be a kader; admins approve or reject in chat, from their notice or
from "Permintaan kader"; she hears the outcome through the outbox."""

from __future__ import annotations

from bot.app import App
from models.kader import approve_action, reject_action
from tests.support.chat import Chat, register
from tests.support.kader import (
    admin_chat,
    audit_rows,
    inbox_text,
    invitation,
    member_named,
    outbox,
    requests,
)


async def ask_to_be_kader(chat: Chat) -> None:
    await chat.send("lainnya")
    await chat.tap_label("Jadi kader")
    assert "ingin menjadi kader Sumberan" in chat.text
    await chat.send("ya")


async def test_permintaan_jadi_kader_disetujui_admin_dari_pemberitahuannya(
    app: App, chat: Chat
) -> None:
    admin = await admin_chat(app)
    await register(chat, name="Siti Aminah")
    await ask_to_be_kader(chat)
    assert "sudah dikirim ke admin" in chat.text
    [request] = await requests(app)
    assert request.status == "pending"

    # One pending request per member: asking again only says it is waiting.
    await chat.send("jadi kader")
    assert "sedang menunggu admin" in chat.text
    assert len(await requests(app)) == 1

    notice = await inbox_text(app, admin)
    assert "Permintaan kader baru: Ibu Siti Aminah (Sumberan)" in notice
    [row] = await outbox(app, "kader_request")
    assert [c["id"] for c in row.params["choices"]] == [
        approve_action(request.id),
        reject_action(request.id),
    ]
    await admin.tap(approve_action(request.id))
    assert "Disetujui: Ibu Siti Aminah sekarang kader Sumberan" in admin.text

    siti = await member_named(app, "Siti Aminah")
    assert siti.role == "kader"
    [decided] = await requests(app)
    admin_id = decided.decided_by_member_id
    assert decided.status == "approved" and admin_id is not None
    assert decided.decided_at is not None
    assert "Permintaan Ibu disetujui" in await inbox_text(app, chat)

    # A second tap (or another admin) finds it decided, and changes nothing.
    await admin.tap(reject_action(request.id))
    assert "sudah disetujui oleh" in admin.text
    assert (await member_named(app, "Siti Aminah")).role == "kader"

    [asked] = await audit_rows(app, "kader.request")
    [approved] = await audit_rows(app, "kader.request_approved")
    grant = (await audit_rows(app, "role.grant"))[-1]
    assert asked.actor == f"member:{siti.id}"
    assert approved.actor == f"member:{admin_id}" and grant.actor_member_id == admin_id
    assert grant.detail == {
        "role": "kader",
        "kampung_id": siti.kampung_id,
        "via": "request",
        "ref": request.id,
    }


async def test_permintaan_ditolak_dari_daftar_permintaan_kader(app: App, chat: Chat) -> None:
    admin = await admin_chat(app)
    await register(chat, name="Siti Aminah")
    neighbour = Chat(app.engine, identity="tg-2002")
    await register(neighbour, name="Nur Halimah")
    await ask_to_be_kader(chat)
    await ask_to_be_kader(neighbour)

    await admin.send("permintaan kader")
    assert "Permintaan kader yang menunggu (2)" in admin.text
    assert admin.labels[:2] == [
        "Siti Aminah (Sumberan (Kel. Warung Jaud))",
        "Nur Halimah (Sumberan (Kel. Warung Jaud))",
    ]
    await admin.send("2")
    assert "Nama: Nur Halimah" in admin.text and "RT 003/RW 005" in admin.text
    await admin.tap_label("Tolak")
    assert "Ditolak: permintaan Ibu Nur Halimah" in admin.text
    assert "Permintaan kader yang menunggu (1)" in admin.text  # and the rest, to go on
    assert (await member_named(app, "Nur Halimah")).role == "ibu"
    assert "belum bisa disetujui" in await inbox_text(app, neighbour)
    statuses = [r.status for r in await requests(app)]
    assert statuses == ["pending", "rejected"]
    assert len(await audit_rows(app, "kader.request_rejected")) == 1

    # Rejected is not forever: she may ask again later.
    await ask_to_be_kader(neighbour)
    assert "sudah dikirim ke admin" in neighbour.text


async def test_an_erased_mother_s_request_is_withdrawn_when_decided(app: App, chat: Chat) -> None:
    admin = await admin_chat(app)
    await register(chat, name="Siti Aminah")
    await ask_to_be_kader(chat)
    [request] = await requests(app)
    await chat.send("lainnya")
    await chat.tap_label("Hapus data saya")
    await chat.send("ya")
    await admin.send("permintaan kader")
    assert "Tidak ada permintaan kader yang menunggu" in admin.text
    await admin.tap(approve_action(request.id))
    assert "tidak berlaku lagi" in admin.text
    [after] = await requests(app)
    assert after.status == "withdrawn"
    assert await audit_rows(app, "role.grant") != [] and all(
        r.detail.get("role") != "kader" for r in await audit_rows(app, "role.grant")
    )


async def test_an_invitation_answers_her_waiting_request(app: App, chat: Chat) -> None:
    admin = await admin_chat(app)
    await register(chat, name="Siti Aminah")
    await ask_to_be_kader(chat)
    await chat.send(f"kode {await invitation(app, 'Siti Aminah')}")
    assert "Ibu sekarang kader" in chat.text
    [request] = await requests(app)
    assert request.status == "withdrawn" and request.decided_at is not None
    await admin.send("permintaan kader")
    assert "Tidak ada permintaan kader yang menunggu" in admin.text
