"""Stories of the broadcast defects found when tried as an admin would (issue 8): cancelling
a scheduled announcement with everyday yes-words, only while the question is fresh; lists
and replies that say truly whether an announcement is queued, sending, sent or waiting for
the quiet hours to end; and a way back to the menu from the kegiatan picker."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from bot.app import App
from handlers.core.config import Config
from handlers.core.engine import Engine
from handlers.core.types import Incoming, Kind
from models import OutboxMessage, utcnow
from models.base import transaction
from models.kegiatan.admin import create_kegiatan, publish
from models.outbox.broadcasts import Broadcast, sweep_broadcasts
from models.people.members import ensure_identity
from models.people.roles import grant_admin
from tests.support.chat import Chat
from tests.support.fakes.clock import FakeClock
from tests.support.fakes.kegiatan import draft
from tests.support.fakes.outbox import RecordingSender, add_member, dispatcher, kampung_ids
from tests.support.lookups import state_of

WIB = ZoneInfo("Asia/Jakarta")
ADMIN = "tg-admin"


async def admin_chat(app: App, engine: Engine | None = None) -> Chat:
    """The admin's chat; by default on an engine without quiet hours, so that what she is
    told does not depend on the hour the tests run."""
    async with transaction(app.sessions) as s:
        await grant_admin(s, "test", ADMIN, actor="test")
    daytime = Engine(app.sessions, replace(app.engine.config, quiet_hours=None))
    return Chat(engine or daytime, identity=ADMIN)


async def some_people(app: App) -> None:
    """Two mothers and a kader in Sumberan on Telegram, one mother on WhatsApp."""
    async with transaction(app.sessions) as s:
        place = await kampung_ids(s)
        for chat in ("tg-a", "tg-b"):
            await add_member(s, chat, kampung_id=place["Sumberan"])
        await add_member(s, "tg-k", role="kader", kampung_id=place["Sumberan"])
        await add_member(s, "wa-1", kampung_id=place["Cibening"], channel="whatsapp")


async def status_of(app: App, broadcast_id: int = 1) -> str:
    async with app.sessions() as s:
        found = await s.get(Broadcast, broadcast_id)
        assert found is not None
        return found.status


async def scheduled_for_tomorrow(admin: Chat) -> None:
    await admin.tap("a:bc.new")
    await admin.send("Lomba P2WKSS: penilaian hari Kamis.")
    await admin.tap_label("Semua anggota")
    await admin.tap_label("Kirim nanti")
    await admin.send("besok jam 9")
    await admin.tap_label("Ya, jadwalkan")
    assert "dijadwalkan" in admin.text


async def delivered_notice(app: App, chat: Chat) -> None:
    """A proactive message the outbox delivered to this chat just now."""
    async with transaction(app.sessions) as s:
        identity_id = await ensure_identity(s, chat.channel, chat.identity)
        s.add(
            OutboxMessage(
                identity_id=identity_id,
                channel=chat.channel,
                kind="announcement",
                params={"text": "Posyandu besok pagi", "lang": "id"},
                idempotency_key=uuid.uuid4().hex,
                status="sent",
                sent_at=utcnow(),
            )
        )


# --- cancelling a scheduled announcement ----------------------------------------------------


@pytest.mark.parametrize("yes", ["iya", "ya", "sip", "ok", "oke", "benar", "betul", "sudah", "yes"])
async def test_cancelling_a_scheduled_broadcast_takes_everyday_yes_words(
    app: App, yes: str
) -> None:
    await some_people(app)
    admin = await admin_chat(app)
    await scheduled_for_tomorrow(admin)
    await admin.send("menu")
    await admin.tap_label("Pengumuman terjadwal / terkirim")
    await admin.tap_label("Batalkan #1")
    assert "Batalkan pengumuman #1" in admin.text and "Lomba P2WKSS" in admin.text
    await admin.send(yes)
    assert "Pengumuman #1 dibatalkan" in admin.text, yes
    assert await status_of(app) == "cancelled"


@pytest.mark.parametrize("no", ["tidak", "gak", "jangan", "belum", "no"])
async def test_no_words_keep_the_scheduled_broadcast(app: App, no: str) -> None:
    await some_people(app)
    admin = await admin_chat(app)
    await scheduled_for_tomorrow(admin)
    await admin.tap("a:bc.cancel:1")
    await admin.send(no)
    assert "pengumuman #1 tetap dijadwalkan" in admin.text, no
    assert await status_of(app) == "scheduled"


async def test_batal_on_the_cancel_question_keeps_it_and_says_so(app: App) -> None:
    await some_people(app)
    admin = await admin_chat(app)
    await scheduled_for_tomorrow(admin)
    await admin.tap("a:bc.cancel:1")
    await admin.send("batal")
    assert "pengumuman #1 tetap dijadwalkan" in admin.text
    assert await status_of(app) == "scheduled"
    assert (await state_of(app, ADMIN))[0] is None


async def test_the_cancel_question_left_unanswered_then_a_notice_asks_again(app: App) -> None:
    await some_people(app)
    admin = await admin_chat(app)
    await scheduled_for_tomorrow(admin)
    await admin.tap("a:bc.cancel:1")
    await delivered_notice(app, admin)
    await admin.send("iya")
    assert await status_of(app) == "scheduled"
    assert "perlu dijawab lagi" in admin.text and "Batalkan pengumuman #1" in admin.text
    await admin.send("iya")  # fresh now: the next message, nothing in between
    assert await status_of(app) == "cancelled"


async def test_the_cancel_question_answered_after_the_window_asks_again(app: App) -> None:
    await some_people(app)
    admin = await admin_chat(app)
    await scheduled_for_tomorrow(admin)
    await admin.tap("a:bc.cancel:1")
    late = Incoming(
        channel=admin.channel,
        identity=admin.identity,
        message_id="late-1",
        kind=Kind.TEXT,
        text="iya",
        received_at=utcnow() + timedelta(minutes=11),
    )
    await admin.deliver(late)
    assert await status_of(app) == "scheduled"
    assert "perlu dijawab lagi" in admin.text


async def test_an_old_cancel_button_only_asks_again(app: App) -> None:
    await some_people(app)
    admin = await admin_chat(app)
    await scheduled_for_tomorrow(admin)
    # A button of the old kind, from a message sent before this version: it asks.
    await admin.tap("a:bc_cancel:1:ya")
    assert await status_of(app) == "scheduled"
    assert "Batalkan pengumuman #1" in admin.text
    old_yes = admin.choice("Ya, batalkan").id
    await admin.send("bantuan")  # the question is shown again, with a new token
    await admin.tap(old_yes)
    assert await status_of(app) == "scheduled"
    assert "Batalkan pengumuman #1" in admin.text
    await admin.tap_label("Ya, batalkan")
    assert await status_of(app) == "cancelled"


# --- queued, sending, sent, waiting for the quiet hours --------------------------------------


async def test_the_list_says_queued_then_sending_then_sent(app: App) -> None:
    await some_people(app)
    admin = await admin_chat(app)
    await admin.tap("a:bc.new")
    await admin.send("Pelatihan UP2K hari Sabtu.")
    await admin.tap_label("Ibu binaan saja")
    await admin.tap_label("Kirim sekarang")
    await admin.tap("a:bc_list")  # the old button name still works
    assert "#1" in admin.text and "menunggu giliran" in admin.text
    assert "Terkirim" not in admin.text and "terkirim" not in admin.text
    await admin.tap("a:bc.report:1")
    assert "Status: menunggu giliran" in admin.text and "Masih antre: 3" in admin.text

    # Telegram goes out; the WhatsApp mother's row waits (no sender running for it).
    clock = FakeClock(utcnow() + timedelta(minutes=1))
    async with dispatcher(app, clock, RecordingSender(clock), quiet_hours=None) as d:
        await d.run_once()
    await admin.tap("a:bc.list")
    assert "sedang dikirim (2 dari 3)" in admin.text and "terkirim" not in admin.text
    await admin.tap("a:bc.report:1")
    assert "Status: sedang dikirim" in admin.text

    async with transaction(app.sessions) as s:
        await s.execute(
            update(OutboxMessage)
            .where(OutboxMessage.channel == "whatsapp")
            .values(status="sent", sent_at=utcnow())
        )
        await sweep_broadcasts(s, utcnow())
    await admin.tap("a:bc.list")
    assert "terkirim" in admin.text and "sedang dikirim" not in admin.text


async def test_sending_in_quiet_hours_says_it_waits_not_that_it_is_sending(app: App) -> None:
    await some_people(app)
    local = datetime.now(WIB)
    quiet = ((local - timedelta(hours=1)).time(), (local + timedelta(hours=1)).time())
    engine = Engine(app.sessions, Config.build(WIB, quiet_hours=quiet))
    admin = await admin_chat(app, engine)
    await admin.tap("a:bc.new")
    await admin.send("Rapat kader besok pagi.")
    await admin.tap_label("Kader saja")
    await admin.tap_label("Kirim sekarang")
    end = quiet[1].strftime("%H.%M")
    assert "sedang dikirim" not in admin.text
    assert "jam tenang" in admin.text and f"pukul {end}" in admin.text
    await admin.tap("a:bc.list")
    assert f"menunggu jam tenang selesai (pukul {end})" in admin.text
    assert "sedang dikirim" not in admin.text and "terkirim" not in admin.text
    await admin.tap("a:bc.report:1")
    assert f"Status: menunggu jam tenang selesai (pukul {end})" in admin.text


# --- a way back to the menu ------------------------------------------------------------------


async def test_the_kegiatan_picker_has_a_way_back_to_the_menu(app: App) -> None:
    await some_people(app)
    now = utcnow()
    async with transaction(app.sessions) as s:
        spec = draft("Pelatihan menjahit", kuota=2, starts_at=now + timedelta(days=3))
        kegiatan = await create_kegiatan(s, spec, now=now, actor="test")
        await publish(s, kegiatan.id, now=now, actor="test")
    admin = await admin_chat(app)
    await admin.tap("a:bc.new")
    await admin.send("Bawa kain sendiri, ya.")
    await admin.tap_label("Peserta kegiatan")
    assert "1. Pelatihan menjahit" in admin.text
    assert "Menu utama" in admin.labels and "Kembali" in admin.labels
    await admin.tap_label("Menu utama")
    assert "Kirim pengumuman" in admin.labels
    assert (await state_of(app, ADMIN))[0] is None
    async with app.sessions() as s:
        assert list(await s.scalars(select(Broadcast))) == []


async def test_lists_and_reports_have_a_way_back_to_the_menu(app: App) -> None:
    await some_people(app)
    admin = await admin_chat(app)
    await scheduled_for_tomorrow(admin)
    for screen in ("a:bc.list", "a:bc.report:1", "a:bc.report:99"):
        await admin.tap(screen)
        assert "Menu utama" in admin.labels, screen
    await admin.tap_label("Menu utama")
    assert "Kirim pengumuman" in admin.labels
