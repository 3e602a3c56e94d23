"""Mothers on Telegram: the real python-telegram-bot HTTP stack against the fake Bot API."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Literal

import httpx
import pytest
from sqlalchemy import select

from bot.app import App
from bot.channels.telegram import TelegramChannel, deep_link
from bot.web import build_web_app, make_server
from handlers.core.context import Ctx
from handlers.core.feature import Action, Feature, Registry
from handlers.core.types import Choice, Reply
from handlers.features import all_features
from models import Member, make_sessionmaker
from tests.support.fakes.telegram_api import FakeTelegramServer
from tests.support.lookups import identity, state_of
from tests.support.telegram_harness import TOKEN, TgUser, story_budget

SITI, DEWI = 6100000001, 6100000002


async def start_channel(app: App, fake: FakeTelegramServer, polling: bool) -> TelegramChannel:
    channel = TelegramChannel(
        TOKEN,
        app.engine,
        base_url=fake.base_url,
        base_file_url=fake.file_url,
        polling=polling,
        budget=story_budget(),
    )
    await channel.start(poll_timeout=1)
    return channel


@pytest.fixture
async def telegram(app: App, fake: FakeTelegramServer) -> AsyncIterator[TelegramChannel]:
    channel = await start_channel(app, fake, polling=True)
    try:
        yield channel
    finally:
        await channel.stop()


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait for a condition the channel reaches on its own (no fake call to wait on)."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.005)


async def member_of(app: App, name: str) -> Member:
    async with make_sessionmaker(app.db).begin() as s:
        found = await s.scalar(select(Member).where(Member.full_name == name))
    assert found is not None
    return found


async def test_siti_registers_by_tapping_and_shares_her_own_number(
    app: App, fake: FakeTelegramServer, telegram: TelegramChannel
) -> None:
    siti = TgUser(fake, SITI, telegram)
    await siti.say("/start", "Menu utama")
    assert siti.keyboard_labels() == ["Daftar", "Kegiatan", "Bantuan", "Lainnya"]
    menu_markup = siti.new()[-1].reply_markup
    assert menu_markup is not None and menu_markup.get("is_persistent") is True
    await siti.say("Daftar", "Apakah Ibu setuju?")  # a persistent-keyboard tap sends the label
    await siti.tap("Ya, setuju", "nama lengkap")
    await siti.say("Siti Aminah", "kampung mana")
    await siti.tap("Sumberan", "RT/RW")
    ask_phone = await siti.say("3/5", "nomor HP")
    markup = ask_phone[-1].reply_markup or {}
    assert markup["keyboard"][0][0] == {"text": "Bagikan nomor HP", "request_contact": True}
    await siti.share_contact("6281234567890", owner=SITI, expect="Mohon periksa")
    assert "0812-3456-7890" in siti.text
    await siti.tap("Simpan", "sudah terdaftar")
    m = await member_of(app, "Siti Aminah")
    assert m.phone_e164 == "+6281234567890" and m.phone_verified
    # Every tap was answered, and the buttons of answered steps were removed.
    assert len(fake.calls_of("answerCallbackQuery")) == 3
    assert len(fake.calls_of("editMessageReplyMarkup", status=200)) == 3


async def test_dewi_registers_by_typing_numbers_and_someone_elses_contact_is_refused(
    app: App, fake: FakeTelegramServer, telegram: TelegramChannel
) -> None:
    dewi = TgUser(fake, DEWI, telegram)
    await dewi.say("halo", "Menu utama")
    await dewi.say("1", "setuju")
    await dewi.say("1", "nama lengkap")
    await dewi.say("Dewi Lestari", "kampung mana")
    await dewi.say("1", "RT/RW")
    await dewi.say("7/2", "nomor HP")
    await dewi.share_contact("6289912345678", owner=SITI, expect="bukan milik akun ini")
    await dewi.say("0813 1111 2222", "Mohon periksa")
    await dewi.say("1", "sudah terdaftar")
    m = await member_of(app, "Dewi Lestari")
    assert m.phone_e164 == "+6281311112222" and not m.phone_verified
    assert m.kampung is not None and m.kampung.name == "Cibening"


async def test_a_stale_step_button_does_nothing_and_an_old_action_button_still_works(
    app: App, fake: FakeTelegramServer, telegram: TelegramChannel
) -> None:
    siti = TgUser(fake, SITI, telegram)
    await siti.say("bahasa", "Pilih bahasa")
    lang_msg, english = siti.button("English")
    await siti.say("daftar", "setuju")
    consent_msg, yes = siti.button("Ya, setuju")
    await siti.tap_data(consent_msg, yes, "nama lengkap")
    await siti.tap_data(consent_msg, yes, "nama lengkap")
    assert "sudah tidak berlaku" in siti.text
    flow, step, _ = await state_of(app, str(SITI))
    assert (flow, step) == ("mb.register", "name")
    # The language buttons are actions: days later they still work, and the flow goes on.
    await siti.tap_data(lang_msg, english, "now English")
    assert "full name" in siti.text


async def test_webhook_checks_the_secret_and_healthz_answers(
    app: App, fake: FakeTelegramServer
) -> None:
    channel = await start_channel(app, fake, polling=False)
    web = build_web_app(app.db, telegram=channel.feed_webhook, telegram_secret="s3cret-Token")
    server = make_server(web, "127.0.0.1:0")
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        update = fake.inject_message(SITI, "/start")
        url = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=url) as client:
            health = (await client.get("/healthz")).json()
            assert (health["ok"], health["database"], health["outbox_due"]) == (True, "ok", 0)
            assert (await client.post("/telegram", json=update)).status_code == 403
            wrong = {"X-Telegram-Bot-Api-Secret-Token": "guess"}
            assert (await client.post("/telegram", json=update, headers=wrong)).status_code == 403
            assert not fake.sent_messages(SITI)
            right = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token"}
            assert (await client.post("/telegram", json=update, headers=right)).status_code == 200
        await fake.wait_for(lambda _: len(fake.sent_messages(SITI)) == 1)
        assert "Menu utama" in (fake.sent_messages(SITI)[0].text or "")
    finally:
        server.should_exit = True
        await task
        await channel.stop()


async def test_the_same_update_twice_is_handled_once_and_one_chat_stays_in_order(
    app: App, fake: FakeTelegramServer, telegram: TelegramChannel
) -> None:
    siti = TgUser(fake, SITI, telegram)
    await siti.say("daftar", "setuju")
    await siti.say("ya", "nama lengkap")
    siti.mark = len(siti.messages())
    name = fake.inject_message(SITI, "Siti Aminah")
    fake.inject_message(SITI, "2")
    fake.inject_update(name)  # Telegram delivers the name again
    await siti._expect("RT/RW")
    await siti.say("3/5", "nomor HP")
    texts = [m.text or "" for m in siti.messages()]
    assert sum("kampung mana" in t for t in texts) == 1
    _, step, data = await state_of(app, str(SITI))
    assert step == "phone" and data["form"]["full_name"] == "Siti Aminah"
    assert data["form"]["kampung_id"] is not None


async def test_429_delays_the_reply_and_403_marks_the_chat_unreachable(
    app: App, fake: FakeTelegramServer, telegram: TelegramChannel
) -> None:
    siti = TgUser(fake, SITI, telegram)
    fake.fail_next("sendMessage", 429, retry_after=1, chat_id=SITI)
    await siti.say("/start", "Menu utama", timeout=10)
    refused, sent = fake.calls_of("sendMessage", 429)[0], fake.calls_of("sendMessage", 200)[0]
    assert sent.at - refused.at >= 1.0

    fake.block_chat(SITI)
    fake.inject_message(SITI, "menu")
    await fake.wait_for(lambda _: len(fake.calls_of("sendMessage", 403)) == 1)
    await telegram.wait_idle()
    assert (await identity(app, SITI)).unreachable

    fake.unblock_chat(SITI)
    await siti.say("menu", "Menu utama")
    assert not (await identity(app, SITI)).unreachable


async def test_blocking_and_unblocking_the_bot_updates_reachability(
    app: App, fake: FakeTelegramServer, telegram: TelegramChannel
) -> None:
    siti = TgUser(fake, SITI, telegram)
    await siti.say("/start", "Menu utama")
    changes: list[tuple[Literal["kicked", "member"], bool]] = [("kicked", True), ("member", False)]
    for status, unreachable in changes:
        target = telegram.updates_handled + 1
        fake.inject_my_chat_member(SITI, status)
        await until(lambda target=target: telegram.updates_handled >= target)  # type: ignore[misc]
        assert (await identity(app, SITI)).unreachable is unreachable


async def test_a_chat_that_blocks_the_bot_has_its_queued_announcements_withdrawn(
    app: App, fake: FakeTelegramServer, telegram: TelegramChannel
) -> None:
    from models import OutboxMessage, transaction
    from models.outbox.tables import enqueue

    siti = TgUser(fake, SITI, telegram)
    await siti.say("/start", "Menu utama")
    chat = await identity(app, SITI)
    async with transaction(app.sessions) as s:
        row_id = await enqueue(
            s,
            identity_id=chat.id,
            channel="telegram",
            kind="announcement",
            params={"text": "Posyandu besok"},
            idempotency_key="block-test",
        )
    target = telegram.updates_handled + 1
    fake.inject_my_chat_member(SITI, "kicked")
    await until(lambda: telegram.updates_handled >= target)
    async with app.sessions() as s:
        row = await s.get_one(OutboxMessage, row_id)
    assert (row.status, row.last_error) == ("skipped", "blocked")


async def test_a_handler_that_raises_apologises_keeps_state_and_logs_nothing_personal(
    app: App,
    fake: FakeTelegramServer,
    telegram: TelegramChannel,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    siti = TgUser(fake, SITI, telegram)
    await siti.say("daftar", "setuju")
    await siti.say("ya", "nama lengkap")
    await siti.say("Kartini Wulandari", "kampung mana")
    before = await state_of(app, str(SITI))

    async def broken(ctx: Ctx, args: list[str]) -> None:
        ctx.update_data(full_name="half-written")
        raise RuntimeError("boom")

    testing = Feature(
        "testing", "test", actions=(Action("test.broken", broken, frozenset({"guest"})),)
    )
    app.engine.registry = Registry((*all_features(), testing))
    kampung_msg, _ = siti.button("Sumberan")
    await siti.tap_data(kampung_msg, "a:test.broken", "Maaf, ada gangguan")
    assert await state_of(app, str(SITI)) == before
    logged = caplog.text
    assert "handler failed" in logged
    for secret in ("Kartini", "Wulandari", TOKEN, TOKEN.split(":")[1]):
        assert secret not in logged


async def test_deep_links_and_command_menus(
    app: App, fake: FakeTelegramServer, telegram: TelegramChannel
) -> None:
    assert telegram.username == "p2wkss_test_bot"
    assert deep_link(telegram.username, "abc_123") == "https://t.me/p2wkss_test_bot?start=abc_123"
    siti = TgUser(fake, SITI, telegram)
    await siti.say("/start abc_123", "kode itu tidak dikenal")
    commands = [c["command"] for c in fake.get_commands()]
    assert commands == ["start", "menu", "bantuan", "bahasa", "batal"]
    assert fake.get_commands(language_code="en")[1]["description"] == "Main menu"


async def test_photos_and_documents_reach_the_chat_with_their_captions(
    app: App, fake: FakeTelegramServer, telegram: TelegramChannel, tmp_path: Path
) -> None:
    ics = tmp_path / "kegiatan.ics"
    ics.write_bytes(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    photo = tmp_path / "foto.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0fake-jpeg")
    await telegram.send_replies(
        SITI,
        [
            Reply(text="Jadwal kegiatan", document=ics, document_name="kegiatan.ics"),
            Reply(text="Foto kegiatan", photo=photo),
        ],
    )
    [doc] = fake.calls_of("sendDocument", 200)
    [pic] = fake.calls_of("sendPhoto", 200)
    assert doc.params["caption"] == "Jadwal kegiatan" and pic.params["caption"] == "Foto kegiatan"
    assert doc.params["document"].content == ics.read_bytes()
    assert doc.params["document"].filename == "kegiatan.ics"


async def test_a_sign_in_link_goes_without_a_preview_and_a_menu_with_its_keyboard(
    app: App, fake: FakeTelegramServer, telegram: TelegramChannel
) -> None:
    # Replies are sent without reading Telegram's answer back into a Message: what goes
    # out must still be all of it (a preview would open the one-time link).
    link = Reply(text="Masuk: https://konsol.example.id/masuk/abc", no_preview=True)
    menu = Reply(text="Menu utama", choices=(Choice("a:core.menu", "Menu"),))
    await telegram.send_replies(SITI, [link, menu])
    first, second = fake.calls_of("sendMessage", 200)
    assert first.params["text"] == link.text and first.params["chat_id"] == SITI
    assert first.params["link_preview_options"] == {"is_disabled": True}
    assert "reply_markup" not in first.params
    assert "link_preview_options" not in second.params
    buttons = second.params["reply_markup"]["inline_keyboard"]
    assert buttons == [[{"text": "Menu", "callback_data": "a:core.menu"}]]


async def test_the_access_log_names_no_query_string_or_header(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="p2wkss.web")
    web = build_web_app(app.db, telegram=None)
    transport = httpx.ASGITransport(app=web)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get(
            "/healthz?token=SECRET123", headers={"Authorization": "Bearer HEADERSECRET"}
        )
    assert response.status_code == 200
    assert "GET /healthz 200" in caplog.text
    assert "SECRET123" not in caplog.text and "HEADERSECRET" not in caplog.text


async def test_a_photo_she_sends_is_stored_once_under_a_name_from_its_content(
    app: App, fake: FakeTelegramServer, telegram: TelegramChannel, tmp_path: Path
) -> None:
    from handlers.core.media import MediaDownloadError, downloader_for
    from handlers.core.types import Media
    from tests.support.fakes.telegram_updates import FAKE_JPEG

    update = fake.inject_photo(SITI)
    file_id = update["message"]["photo"][-1]["file_id"]
    download = downloader_for("telegram")
    assert download is not None
    first = await download(Media(file_ref=file_id), tmp_path, max_bytes=10_000)
    again = await download(Media(file_ref=file_id), tmp_path, max_bytes=10_000)
    assert first == again and first.read_bytes() == FAKE_JPEG and first.suffix == ".jpg"
    with pytest.raises(MediaDownloadError) as too_big:
        await download(Media(file_ref=file_id), tmp_path, max_bytes=5)
    assert too_big.value.reason == "too_large"
    doc = fake.inject_document(SITI, b"%PDF-1.4 not a photo", "surat.pdf")
    with pytest.raises(MediaDownloadError) as not_photo:
        await download(
            Media(file_ref=doc["message"]["document"]["file_id"]), tmp_path, max_bytes=10_000
        )
    assert not_photo.value.reason == "not_a_photo"
