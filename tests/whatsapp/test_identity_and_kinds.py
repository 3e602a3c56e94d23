"""Who a WhatsApp message is from: her business-scoped user id, else her wa_id, and one
chat when a later message shows both; and what each kind of message becomes (voice notes
and stickers get a kind word, photos and files are fetched through the media API)."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy import select

from bot.app import App
from bot.channels.whatsapp import WhatsAppChannel
from handlers.core.media import downloader_for, file_downloader_for
from handlers.core.types import Media
from models import ChannelIdentity, IdentityMember, Member, utcnow
from models.base import transaction
from models.kegiatan.tables import Signup
from models.people.roles import grant_admin
from tests.support.fakes.graph_api import FakeGraphAPI
from tests.support.fakes.kegiatan import join, kegiatan
from tests.support.fakes.outbox import add_member
from tests.support.lookups import state_of
from tests.support.whatsapp import WaUser, image, message_update, text

WA, UID = "6285711112222", "ID.4242424242"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200


async def chats(app: App) -> list[ChannelIdentity]:
    async with app.sessions() as s:
        found = await s.scalars(
            select(ChannelIdentity).where(ChannelIdentity.channel == "whatsapp")
        )
        return list(found)


async def test_an_update_without_a_user_id_is_handled_and_a_later_one_with_both_keeps_her_chat(
    app: App, web: httpx.AsyncClient, graph: FakeGraphAPI, whatsapp: WhatsAppChannel
) -> None:
    # pywa 4.5 would drop this one (its contact has no user_id): it is answered.
    old_style = WaUser(web, graph, whatsapp, user_id=None, wa_id=WA)
    await old_style.say("daftar", "setuju")
    await old_style.say("1", "nama lengkap")
    [chat] = await chats(app)
    assert (chat.external_id, chat.external_alias) == (WA, None)
    both = WaUser(web, graph, whatsapp, user_id=UID, wa_id=WA)
    await both.say("Siti Rahma", "kampung mana")  # the same conversation goes on
    [chat] = await chats(app)
    assert (chat.external_id, chat.external_alias) == (UID, WA)
    only_uid = WaUser(web, graph, whatsapp, user_id=UID, wa_id=None)
    await only_uid.say("1", "RT/RW")
    assert (await state_of(app, UID))[:2] == ("mb.register", "rtrw")
    assert len(await chats(app)) == 1


async def test_two_chats_named_by_one_message_become_one_and_her_sign_up_stays(
    app: App, web: httpx.AsyncClient, graph: FakeGraphAPI, whatsapp: WhatsAppChannel
) -> None:
    async with transaction(app.sessions) as s:
        member_id, first_chat = await add_member(s, UID, channel="whatsapp")
        (await s.get_one(Member, member_id)).consent_at = utcnow()
    kegiatan_id = await kegiatan(app, "Posyandu Melati")
    await join(app, kegiatan_id, member_id)
    # Another update names only her phone: a chat of its own, for now.
    await WaUser(web, graph, whatsapp, user_id=None, wa_id=WA).say("halo", "Menu utama")
    assert len(await chats(app)) == 2
    both = WaUser(web, graph, whatsapp, user_id=UID, wa_id=WA)
    *_, menu = await both.say("menu", "Menu utama")
    assert "Jadwal saya" in [title for _, title in menu.choices()]  # she is herself again
    [chat] = await chats(app)
    assert (chat.id, chat.external_id, chat.external_alias) == (first_chat, UID, WA)
    async with app.sessions() as s:
        links = list(await s.scalars(select(IdentityMember.member_id)))
        signup = await s.scalar(select(Signup).where(Signup.member_id == member_id))
    assert links == [member_id] and signup is not None and signup.status == "registered"


async def test_voice_notes_stickers_and_locations_get_a_kind_word(
    web: httpx.AsyncClient, graph: FakeGraphAPI, whatsapp: WhatsAppChannel
) -> None:
    ani = WaUser(web, graph, whatsapp, user_id=UID, wa_id=WA)
    for content in (
        {"type": "audio", "audio": {"id": "m1", "mime_type": "audio/ogg", "voice": True}},
        {"type": "sticker", "sticker": {"id": "m2", "mime_type": "image/webp"}},
        {"type": "location", "location": {"latitude": -6.07, "longitude": 106.17}},
    ):
        await ani.send(content)
        assert "hanya bisa membaca tulisan" in ani.text
    # A reaction needs no answer.
    assert (
        await ani.send({"type": "reaction", "reaction": {"message_id": "wamid.1", "emoji": "👍"}})
        == []
    )


async def test_photos_and_files_she_sends_are_fetched_through_the_media_api(
    app: App, graph: FakeGraphAPI, whatsapp: WhatsAppChannel, tmp_path: Path
) -> None:
    graph.media["media-photo"] = (JPEG, "image/jpeg")
    graph.media["media-file"] = (b"nama,kampung\nSiti,Sumberan\n", "text/csv")
    photo = downloader_for("whatsapp")
    files = file_downloader_for("whatsapp")
    assert photo is not None and files is not None
    stored = await photo(Media("media-photo"), tmp_path / "reports", max_bytes=10_000)
    assert stored.read_bytes() == JPEG and stored.suffix == ".jpg"
    sheet = await files(
        Media("media-file", "kk.csv", "text/csv"), tmp_path / "imports", max_bytes=10_000
    )
    assert sheet.read_bytes().startswith(b"nama,kampung")
    # Not a picture, or larger than allowed: refused with the reason.
    for media_id, limit, reason in (
        ("media-file", 10_000, "not_a_photo"),
        ("media-photo", 100, "too_large"),
    ):
        try:
            await photo(Media(media_id), tmp_path / "x", max_bytes=limit)
        except Exception as exc:
            assert getattr(exc, "reason", None) == reason
        else:
            raise AssertionError("refused expected")


async def test_an_admins_photo_with_a_caption_is_fetched_into_media_dir_for_an_announcement(
    app: App, web: httpx.AsyncClient, graph: FakeGraphAPI, whatsapp: WhatsAppChannel
) -> None:
    async with transaction(app.sessions) as s:
        await grant_admin(s, "whatsapp", UID, actor="test")
    admin = WaUser(web, graph, whatsapp, user_id=UID, wa_id=WA)
    await admin.say("menu", "Menu utama")
    await admin.tap("Kirim pengumuman", "Tulis isi pengumuman")
    graph.media["media-9"] = (JPEG, "image/jpeg")
    await admin.send(image("media-9", "Kerja bakti Minggu pagi di balai warga"))
    assert "untuk siapa" in admin.text
    stored = list((app.engine.config.media_dir / "broadcast").iterdir())
    assert [p.read_bytes() for p in stored] == [JPEG]


async def test_after_a_crash_a_stored_message_is_handled_at_start(
    app: App, graph: FakeGraphAPI
) -> None:
    from models import inbox
    from tests.support.whatsapp import new_channel

    body = message_update(text("menu"), user_id=UID, wa_id=WA, msg_id="wamid.crash")
    msg = body["entry"][0]["changes"][0]["value"]
    stored = {"message": msg["messages"][0], "contact": msg["contacts"][0],
              "phone_number_id": "1000001", "chat": UID}  # fmt: skip
    # Stored by a worker that died (no lease held any more: on PostgreSQL a live worker
    # takes over only rows whose lease ran out).
    async with transaction(app.sessions) as session:
        await inbox.store(session, "whatsapp", [inbox.Arrival("wamid.crash", UID, stored)])
    channel = new_channel(app.engine, graph)
    await channel.start()
    try:
        await channel.wait_idle()
    finally:
        await channel.stop()
    assert "Menu utama" in graph.to(WA)[-1].text
