"""Tests of the fake Telegram Bot API, driven by the real python-telegram-bot over HTTP.

If these pass, the fake is faithful enough for end-to-end tests of the bot: PTB de-serialises
every answer, and Telegram's error answers map onto the same PTB exceptions as in production.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import sys
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from tests.support import REPO
from tests.support.fakes.telegram_api import FakeTelegramServer, FloodLimiter, UploadedFile
from tests.support.fakes.telegram_updates import FAKE_JPEG

TOKEN = "123:ABC"
CHAT = 6012345678
OTHER_CHAT = 6087654321

KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Ya", callback_data="yes"),
            InlineKeyboardButton("Tidak", callback_data="no"),
        ]
    ]
)


pytestmark = pytest.mark.fake_telegram(token=TOKEN, latency_ms=0)


@pytest.fixture
async def tg_bot(fake: FakeTelegramServer) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=fake.base_url, base_file_url=fake.file_url) as bot:
        yield bot


@pytest.fixture(autouse=True)
def _timedelta_periods(monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB 22 warns whenever a time period (RetryAfter.retry_after, Voice.duration) is read as
    # an int; opting in to timedelta values keeps the run free of deprecation noise.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


async def test_get_me_describes_the_bot(tg_bot: Bot, fake: FakeTelegramServer) -> None:
    assert fake.port > 0
    assert fake.base_url == f"http://127.0.0.1:{fake.port}/bot"
    assert fake.file_url == f"http://127.0.0.1:{fake.port}/file/bot"

    me = await tg_bot.get_me()

    assert (me.id, me.is_bot, me.username) == (123, True, "p2wkss_test_bot")
    assert me.can_join_groups is True
    assert all(call.status == 200 for call in fake.calls_of("getMe"))


async def test_send_message_keyboard_and_edits(tg_bot: Bot, fake: FakeTelegramServer) -> None:
    first = await tg_bot.send_message(CHAT, "Adakah anda hamil?", reply_markup=KEYBOARD)
    second = await tg_bot.send_message(CHAT, "Soalan kedua")

    assert second.message_id == first.message_id + 1
    assert first.reply_markup == KEYBOARD
    assert first.chat.type == "private" and first.chat.id == CHAT
    assert first.from_user is not None and first.from_user.id == 123
    sent = fake.sent_messages(CHAT)
    assert [m.text for m in sent] == ["Adakah anda hamil?", "Soalan kedua"]
    assert sent[0].reply_markup == KEYBOARD.to_dict()

    done = InlineKeyboardMarkup([[InlineKeyboardButton("✓ Ya", callback_data="done")]])
    edited = await tg_bot.edit_message_reply_markup(CHAT, first.message_id, reply_markup=done)
    assert isinstance(edited, Message) and edited.reply_markup == done
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await tg_bot.edit_message_reply_markup(CHAT, first.message_id, reply_markup=done)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await tg_bot.edit_message_reply_markup(CHAT, 999, reply_markup=done)

    # Like Telegram, an edit of the text without reply_markup drops the inline keyboard.
    retitled = await tg_bot.edit_message_text("Terima kasih", CHAT, first.message_id)
    assert isinstance(retitled, Message) and retitled.reply_markup is None
    assert fake.message(CHAT, first.message_id)["text"] == "Terima kasih"
    assert len(fake.sent_messages(CHAT)) == 2  # edits are not new messages


async def test_callback_query_round_trip(tg_bot: Bot, fake: FakeTelegramServer) -> None:
    question = await tg_bot.send_message(CHAT, "Pilih satu", reply_markup=KEYBOARD)
    fake.inject_callback(CHAT, "yes", question.message_id)

    (update,) = await tg_bot.get_updates(timeout=0)

    query = update.callback_query
    assert query is not None and query.data == "yes"
    assert query.from_user.id == CHAT
    assert isinstance(query.message, Message)
    assert query.message.message_id == question.message_id
    assert query.message.reply_markup == KEYBOARD
    assert await query.answer("Direkod") is True
    assert fake.calls_of("answerCallbackQuery")[0].params["text"] == "Direkod"
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await tg_bot.answer_callback_query(query.id)


async def test_document_upload_download_and_reuse(tg_bot: Bot, fake: FakeTelegramServer) -> None:
    payload = b"%PDF-1.4\r\n\x00\xff binary\r\n--not-a-boundary\r\n"

    message = await tg_bot.send_document(CHAT, payload, filename="laporan.pdf", caption="Laporan")

    document = message.document
    assert document is not None and message.caption == "Laporan"
    assert (document.file_name, document.mime_type) == ("laporan.pdf", "application/pdf")
    assert document.file_size == len(payload)
    tg_file = await tg_bot.get_file(document.file_id)
    assert await tg_file.download_as_bytearray() == payload
    upload = fake.calls_of("sendDocument")[0].params["document"]
    assert isinstance(upload, UploadedFile) and upload.filename == "laporan.pdf"
    assert fake.sent_messages(CHAT)[0].text == "Laporan"

    again = await tg_bot.send_document(OTHER_CHAT, document.file_id)
    assert again.document is not None and again.document.file_id == document.file_id
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await tg_bot.send_document(CHAT, "no-such-file-id")


async def test_send_photo_returns_downloadable_sizes(tg_bot: Bot) -> None:
    message = await tg_bot.send_photo(CHAT, FAKE_JPEG, caption="Resit")

    assert len(message.photo) == 2
    largest = await message.photo[-1].get_file()
    assert await largest.download_as_bytearray() == FAKE_JPEG


async def test_commands_per_scope_and_language(tg_bot: Bot, fake: FakeTelegramServer) -> None:
    scope = BotCommandScopeAllPrivateChats()
    commands = [BotCommand("start", "Mula"), BotCommand("help", "Bantuan")]

    assert await tg_bot.set_my_commands(commands, scope=scope, language_code="ms")

    assert await tg_bot.get_my_commands(scope=scope, language_code="ms") == tuple(commands)
    assert await tg_bot.get_my_commands() == ()
    assert fake.get_commands({"type": "all_private_chats"}, "ms")[0] == {
        "command": "start",
        "description": "Mula",
    }
    assert await tg_bot.delete_my_commands(scope=scope, language_code="ms")
    assert await tg_bot.get_my_commands(scope=scope, language_code="ms") == ()
    with pytest.raises(BadRequest):
        await tg_bot.set_my_commands([BotCommand("Not-Valid", "x")])


async def test_long_poll_returns_injected_message(tg_bot: Bot, fake: FakeTelegramServer) -> None:
    poll = asyncio.create_task(tg_bot.get_updates(timeout=5))
    await fake.wait_for(lambda _: fake.waiting_pollers == 1)

    injected = fake.inject_message(CHAT, "Hai", language_code="ms")
    updates = await asyncio.wait_for(poll, timeout=2)

    assert [u.update_id for u in updates] == [injected["update_id"]]
    message = updates[0].message
    assert message is not None and message.text == "Hai"
    assert message.chat.first_name == "Siti" and message.from_user is not None
    assert message.from_user.language_code == "ms"
    assert await tg_bot.get_updates(offset=injected["update_id"] + 1, timeout=0) == ()


async def test_long_poll_times_out_empty(tg_bot: Bot) -> None:
    started = time.monotonic()

    assert await tg_bot.get_updates(timeout=dt.timedelta(seconds=0.3)) == ()

    assert time.monotonic() - started >= 0.25


async def test_update_ids_and_duplicate_delivery(tg_bot: Bot, fake: FakeTelegramServer) -> None:
    first = fake.inject_message(CHAT, "/start")
    second = fake.inject_contact(CHAT, "+60123456789", contact_user_id=CHAT)
    assert second["update_id"] == first["update_id"] + 1

    updates = await tg_bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == [first["update_id"], second["update_id"]]
    assert updates[0].message is not None and updates[0].message.text == "/start"
    assert updates[0].message.entities[0].type == "bot_command"
    contact = updates[1].message.contact if updates[1].message else None
    assert contact is not None and contact.user_id == CHAT
    offset = second["update_id"] + 1
    assert await tg_bot.get_updates(offset=offset, timeout=0) == ()

    fake.inject_update(first)  # Telegram re-delivering an update the bot already handled

    redelivered = await tg_bot.get_updates(offset=offset, timeout=0)
    assert [u.update_id for u in redelivered] == [first["update_id"]]
    assert fake.inject_message(CHAT, "baru")["update_id"] == offset


async def test_injected_media_and_membership(tg_bot: Bot, fake: FakeTelegramServer) -> None:
    fake.inject_photo(CHAT, caption="Resit")
    fake.inject_document(CHAT, b"ic-scan", file_name="ic.pdf")
    fake.inject_voice(CHAT, duration=4)
    fake.inject_sticker(CHAT, emoji="🙏")
    fake.inject_my_chat_member(CHAT, "kicked")

    photo, document, voice, sticker, member = await tg_bot.get_updates(timeout=0)

    assert photo.message is not None and photo.message.caption == "Resit"
    photo_file = await photo.message.photo[-1].get_file()
    assert await photo_file.download_as_bytearray() == FAKE_JPEG
    assert document.message is not None and document.message.document is not None
    assert document.message.document.file_name == "ic.pdf"
    doc_file = await document.message.document.get_file()
    assert await doc_file.download_as_bytearray() == b"ic-scan"
    assert voice.message is not None and voice.message.voice is not None
    assert voice.message.voice.duration == dt.timedelta(seconds=4)
    assert sticker.message is not None and sticker.message.sticker is not None
    assert sticker.message.sticker.emoji == "🙏"
    assert member.my_chat_member is not None
    assert member.my_chat_member.new_chat_member.status == "kicked"

    # A user who blocked the bot can no longer be messaged, until they restart it.
    with pytest.raises(Forbidden):
        await tg_bot.send_message(CHAT, "Masih di sana?")
    fake.inject_my_chat_member(CHAT, "member")
    assert (await tg_bot.send_message(CHAT, "Selamat kembali")).text == "Selamat kembali"


async def test_webhook_settings_and_conflict(tg_bot: Bot, fake: FakeTelegramServer) -> None:
    assert await tg_bot.set_webhook("https://bot.example.test/hook", secret_token="s3cret")

    info = await tg_bot.get_webhook_info()
    assert info.url == "https://bot.example.test/hook"
    assert fake.webhook_secret_token == "s3cret"
    with pytest.raises(Conflict):
        await tg_bot.get_updates(timeout=0)

    payload = fake.inject_message(CHAT, "melalui webhook")  # what a webhook test would POST
    update = Update.de_json(payload, tg_bot)
    assert update.message is not None and update.message.text == "melalui webhook"
    assert (await tg_bot.get_webhook_info()).pending_update_count == 1

    assert await tg_bot.delete_webhook(drop_pending_updates=True)
    info = await tg_bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == ("", 0)
    with pytest.raises(BadRequest, match=r"(?i)https url"):
        await tg_bot.set_webhook("http://bot.example.test/hook")


async def test_injected_429_is_retry_after(tg_bot: Bot, fake: FakeTelegramServer) -> None:
    fake.fail_next("sendMessage", error_code=429, retry_after=2)

    with pytest.raises(RetryAfter) as caught:
        await tg_bot.send_message(CHAT, "Peringatan")

    assert caught.value.retry_after == dt.timedelta(seconds=2)
    assert fake.http_429_count == 1
    assert (await tg_bot.send_message(CHAT, "Peringatan")).text == "Peringatan"
    assert [c.status for c in fake.calls_of("sendMessage")] == [429, 200]
    assert [m.text for m in fake.sent_messages(CHAT)] == ["Peringatan"]


async def test_injected_403_and_blocked_chat(tg_bot: Bot, fake: FakeTelegramServer) -> None:
    fake.fail_next("sendMessage", error_code=403, chat_id=CHAT)

    await tg_bot.send_message(OTHER_CHAT, "Tidak terjejas")
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await tg_bot.send_message(CHAT, "Hai")
    await tg_bot.send_message(CHAT, "Fault was one-shot")

    fake.block_chat(CHAT)
    for _ in range(2):
        with pytest.raises(Forbidden):
            await tg_bot.send_message(CHAT, "Hai")
    with pytest.raises(Forbidden):
        await tg_bot.send_chat_action(CHAT, "typing")
    fake.unblock_chat(CHAT)
    assert await tg_bot.send_chat_action(CHAT, "typing")


async def test_server_errors_are_network_errors(tg_bot: Bot, fake: FakeTelegramServer) -> None:
    fake.fail_next("getMe", error_code=500)
    fake.fail_next("getMe", error_code=502, times=2)

    for _ in range(3):
        with pytest.raises(NetworkError):
            await tg_bot.get_me()

    assert (await tg_bot.get_me()).id == 123
    assert [c.status for c in fake.calls_of("getMe")][-4:] == [500, 502, 502, 200]


async def test_enforced_limit_per_chat(tg_bot: Bot, fake: FakeTelegramServer) -> None:
    fake.enforce_limits = True
    first = await tg_bot.send_message(CHAT, "Satu")

    with pytest.raises(RetryAfter) as caught:
        await tg_bot.send_message(CHAT, "Dua")
    with pytest.raises(RetryAfter):
        await tg_bot.edit_message_text("Satu!", CHAT, first.message_id)

    assert caught.value.retry_after == dt.timedelta(seconds=1)
    await tg_bot.send_message(OTHER_CHAT, "Another chat has its own budget")
    assert fake.http_429_count == 2


async def test_enforced_limit_overall(tg_bot: Bot, fake: FakeTelegramServer) -> None:
    fake.enforce_limits = True

    # Concurrent sends land well inside one second even on a slow machine.
    results = await asyncio.gather(
        *(tg_bot.send_message(1_000 + n, "Siaran") for n in range(31)), return_exceptions=True
    )

    refused = [r for r in results if isinstance(r, RetryAfter)]
    assert len(refused) == 1
    assert sum(isinstance(r, Message) for r in results) == 30
    assert fake.http_429_count == 1
    assert len(fake.sent_messages()) == 30


def test_flood_limiter_sliding_window() -> None:
    limiter = FloodLimiter(overall=30, per_chat=1)
    for n in range(30):
        assert limiter.acquire(n, now=10.0 + n * 0.01) is None

    assert limiter.acquire(99, now=10.5) == 1  # 30 sends within the last second
    assert limiter.acquire(99, now=11.001) is None  # the first send left the window
    assert limiter.acquire(99, now=11.5) == 1  # one per second per chat
    assert limiter.acquire(99, now=12.002) is None


async def test_wrong_token_is_invalid(fake: FakeTelegramServer) -> None:
    impostor = Bot("999:WRONG", base_url=fake.base_url, base_file_url=fake.file_url)
    try:
        with pytest.raises(InvalidToken):
            await impostor.initialize()
    finally:
        await impostor.shutdown()

    assert fake.calls_of("getMe")[-1].status == 401


async def test_raw_http_answers(fake: FakeTelegramServer) -> None:
    api = f"{fake.base_url}{TOKEN}"
    async with httpx.AsyncClient() as client:
        wrong = await client.post(f"{fake.base_url}999:WRONG/getMe")
        unknown = await client.post(f"{api}/fooBar")
        by_query = await client.get(f"{api}/getme", params={"x": "1"})  # names ignore case
        by_json = await client.post(f"{api}/sendMessage", json={"chat_id": CHAT, "text": "123"})
        fake.fail_next("sendMessage", error_code=429, retry_after=7)
        limited = await client.post(f"{api}/sendMessage", data={"chat_id": "1", "text": "x"})

    assert (wrong.status_code, wrong.json()) == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    assert (unknown.status_code, unknown.json()) == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
    )
    assert by_query.json()["result"]["username"] == "p2wkss_test_bot"
    assert by_json.json()["result"]["text"] == "123"
    assert limited.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }


async def test_latency_is_applied_and_adjustable(tg_bot: Bot, fake: FakeTelegramServer) -> None:
    fake.latency_ms = 150
    started = time.monotonic()
    await tg_bot.get_me()
    slow = time.monotonic() - started

    fake.latency_ms = 0
    started = time.monotonic()
    await tg_bot.get_me()

    assert slow >= 0.14
    assert time.monotonic() - started < slow


async def test_wait_helpers(tg_bot: Bot, fake: FakeTelegramServer) -> None:
    with pytest.raises(TimeoutError, match="getMe:200"):
        await fake.wait_for_calls("sendMessage", timeout=0.05)

    sender = asyncio.create_task(tg_bot.send_message(CHAT, "Nanti"))
    calls = await fake.wait_for_calls("sendMessage", count=1)
    await sender

    assert calls[0].params["text"] == "Nanti"
    fake.reset_calls()
    assert fake.calls == [] and fake.sent_messages() == []


async def test_application_echoes_injected_message(fake: FakeTelegramServer) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None
        await message.reply_text(f"Anda berkata: {message.text}")

    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(fake.base_url)
        .base_file_url(fake.file_url)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    async with app:
        await app.start()
        updater = app.updater
        assert updater is not None
        try:
            await updater.start_polling(poll_interval=0, timeout=1)
            fake.inject_message(CHAT, "Selamat pagi")
            await fake.wait_for_calls("sendMessage", count=1, status=200)
        finally:
            await updater.stop()
            await app.stop()

    assert [m.text for m in fake.sent_messages(CHAT)] == ["Anda berkata: Selamat pagi"]


async def test_command_line_server() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.support.fakes.telegram_api",
        "--port=0",
        f"--token={TOKEN}",
        "--latency-ms=0",
        "--enforce-limits",
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    try:
        line = (await asyncio.wait_for(process.stdout.readline(), timeout=15)).decode()
        match = re.fullmatch(r"fake-telegram listening on (http://127\.0\.0\.1:\d+)\n", line)
        assert match is not None, line
        root = match.group(1)
        async with httpx.AsyncClient(base_url=root) as control:
            await control.post("/_fake/inject/message", json={"chat_id": CHAT, "text": "hai"})
            async with Bot(TOKEN, base_url=f"{root}/bot") as bot:
                (update,) = await bot.get_updates(timeout=0)
                assert update.message is not None and update.message.text == "hai"
                await bot.send_message(CHAT, "satu")
                with pytest.raises(RetryAfter):
                    await bot.send_message(CHAT, "dua")
            stats = (await control.get("/_fake/stats")).json()
        assert stats["http_429_count"] == 1
        assert stats["by_method"]["sendMessage"] == {"200": 1, "429": 1}
    finally:
        process.send_signal(2)  # SIGINT, as Ctrl-C from a benchmark script would
        assert await asyncio.wait_for(process.wait(), timeout=10) == 0
