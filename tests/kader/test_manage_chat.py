"""Admins list kader per kampung and remove the role after a fresh confirmation; mothers
and kader trying admins' kader actions, typed or with a forged button id, get nowhere."""

from __future__ import annotations

from bot.app import App
from models import utcnow
from models.base import transaction
from models.kader import approve_action, decide_request, reject_action
from models.people.tables import Member
from tests.support.chat import Chat, register
from tests.support.kader import (
    admin_chat,
    audit_rows,
    inbox_text,
    invitation,
    member_named,
    requests,
)


async def invited_kader(app: App, identity: str, name: str, kampung: str = "Sumberan") -> Chat:
    chat = Chat(app.engine, identity=identity)
    await chat.send(f"kode {await invitation(app, name, kampung)}")
    await chat.send("setuju")
    assert "Ibu sekarang kader" in chat.text
    return chat


async def test_admin_melihat_kader_per_kampung_dan_mencabut_perannya(app: App, chat: Chat) -> None:
    admin = await admin_chat(app)
    rina = await invited_kader(app, "tg-rina", "Rina Marlina")
    await invited_kader(app, "tg-dewi", "Dewi Lestari", "Cibening")
    await register(chat, name="Siti Aminah")
    await chat.send(f"kode {await invitation(app, 'Siti Aminah')}")  # a mother made kader

    await admin.send("daftar kader")
    assert "Kader per kampung (3 kader)" in admin.text
    assert "Sumberan (Kel. Warung Jaud): 2 kader" in admin.labels
    await admin.tap_label("Sumberan (Kel. Warung Jaud): 2 kader")
    assert admin.labels[:2] == ["Rina Marlina", "Siti Aminah"]
    await admin.tap_label("Rina Marlina")
    assert "Kader Sumberan" in admin.text and "Sejak:" in admin.text
    await admin.tap_label("Cabut peran kader")
    assert "Yakin mencabut peran kader Ibu Rina Marlina" in admin.text
    await admin.send("jangan")
    assert "tetap kader" in admin.text
    assert (await member_named(app, "Rina Marlina")).role == "kader"

    rina_id = (await member_named(app, "Rina Marlina")).id
    await admin.tap(f"a:kd.remove:{rina_id}")
    await admin.send("ya")
    assert "Peran kader Ibu Rina Marlina sudah dicabut" in admin.text
    # She never registered as a mother: nothing personal is kept (like a removed admin),
    # and her chat is a guest again; she is told first.
    async with app.sessions() as s:
        gone = await s.get(Member, rina_id)
    assert gone is not None and gone.erased and gone.full_name is None
    assert "peran kader Sumberan" in await inbox_text(app, rina)
    await rina.send("menu")
    assert "Daftar" in rina.labels

    # A registered mother loses only the role.
    siti = await member_named(app, "Siti Aminah")
    await admin.tap(f"a:kd.remove:{siti.id}")
    await admin.send("ya")
    after = await member_named(app, "Siti Aminah")
    assert after.role == "ibu" and not after.erased and after.rt == 3
    assert "sudah dicabut oleh admin" in await inbox_text(app, chat)

    revokes = [r for r in await audit_rows(app, "role.revoke") if r.detail["role"] == "kader"]
    assert [r.object_id for r in revokes] == [str(rina_id), str(siti.id)]
    admin_id = revokes[0].actor_member_id
    assert admin_id is not None and all(r.actor == f"member:{admin_id}" for r in revokes)

    # Removing again (an old button): nothing happens, kindly.
    await admin.tap(f"a:kd.remove:{siti.id}")
    assert "bukan kader" in admin.text


async def test_a_removal_confirmed_after_a_notice_came_in_between_is_asked_again(
    app: App, chat: Chat
) -> None:
    admin = await admin_chat(app)
    await invited_kader(app, "tg-rina", "Rina Marlina")
    rina_id = (await member_named(app, "Rina Marlina")).id
    await admin.tap(f"a:kd.remove:{rina_id}")
    await register(chat, name="Siti Aminah")
    await chat.send("jadi kader")
    await chat.send("ya")
    assert "Permintaan kader baru" in await inbox_text(app, admin)  # delivered meanwhile
    await admin.send("ya")  # yes to which? asked again, nothing removed
    assert "Yakin mencabut" in admin.text
    assert (await member_named(app, "Rina Marlina")).role == "kader"
    await admin.send("ya")
    assert "sudah dicabut" in admin.text


async def test_ibu_mencoba_tindakan_admin_diketik_atau_dengan_tombol_palsu(
    app: App, chat: Chat
) -> None:
    await admin_chat(app)
    await register(chat, name="Siti Aminah")
    neighbour = Chat(app.engine, identity="tg-2002")
    await register(neighbour, name="Nur Halimah")
    await neighbour.send("jadi kader")
    await neighbour.send("ya")
    [request] = await requests(app)
    kader = await invited_kader(app, "tg-rina", "Rina Marlina")
    rina_id = (await member_named(app, "Rina Marlina")).id

    for typed in ("undang kader", "permintaan kader", "daftar kader"):
        await chat.send(typed)
        assert "hanya untuk petugas" in chat.text or "ingin menjadi kader" in chat.text
    for forged in (
        approve_action(request.id),
        reject_action(request.id),
        f"a:kd.remove:{rina_id}",
        f"a:kd.member:{rina_id}",
        "a:kd.invite",
        "a:kd.requests",
        f"a:kd.request:{request.id}",
        "a:kd.list",
    ):
        for who in (chat, kader):
            await who.tap(forged)
            assert "hanya untuk petugas" in who.text, forged
    [still] = await requests(app)
    assert still.status == "pending" and still.decided_by_member_id is None
    assert (await member_named(app, "Rina Marlina")).role == "kader"
    assert (await member_named(app, "Nur Halimah")).role == "ibu"
    # Nor can a kader ask to be one again, or a guest.
    await kader.tap("a:kd.ask")
    assert "untuk ibu binaan, bukan untuk petugas" in kader.text
    guest = Chat(app.engine, identity="tg-guest")
    await guest.tap("a:kd.ask")
    assert "perlu mendaftar dulu" in guest.text

    # The model refuses too, whoever calls it.
    async with transaction(app.sessions) as s:
        siti = await s.get_one(Member, (await member_named(app, "Siti Aminah")).id)
        refused = await decide_request(s, request.id, siti, approve=True, now=utcnow())
    assert refused.outcome == "not_allowed"
    assert (await requests(app))[0].status == "pending"


async def test_forged_request_ids_from_an_admin_are_not_found(app: App) -> None:
    admin = await admin_chat(app)
    for forged in ("a:kd.approve:999999", "a:kd.reject:abc", "a:kd.approve:", "a:kd.request:-1"):
        await admin.tap(forged)
        assert "tidak ditemukan" in admin.text, forged
    for forged in ("a:kd.remove:999999", "a:kd.member:x"):
        await admin.tap(forged)
        assert "bukan kader" in admin.text, forged
