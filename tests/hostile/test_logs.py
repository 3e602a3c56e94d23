"""Nothing personal in the logs: every role walks every flow on Telegram (updates posted
to the real webhook behind uvicorn, the real python-telegram-bot stack answering through
the fake Bot API), an admin opens the web console with her one-time link, the outbox is
sent through Telegram, and a stranger posts with a wrong secret; the root logger at
DEBUG and the libraries at the levels the program sets them to. No record (its message,
its arguments, its traceback) holds a member's name, a phone number in any writing, the
bot token, the webhook secret or a one-time code."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.app import App, open_app
from bot.channels.budget import SendBudget
from bot.channels.telegram import TelegramChannel
from bot.channels.telegram_sender import TelegramSender
from bot.logsetup import NOISY, setup_logging
from bot.settings import Settings
from bot.web import build_web_app, make_server
from bot.web_console import build_console
from handlers.core.types import Kind, Reply
from models import Member
from models.codes import OneTimeCode
from scheduler.dispatcher import Dispatcher
from tests.support.fakes.telegram_api import FakeTelegramServer
from tests.support.fakes.telegram_updates import FAKE_JPEG
from tests.support.hostile import (
    GOOD,
    SHEET_NAMES,
    SHEET_PHONE,
    Sent,
    Transport,
    World,
    build_world,
    crawl_all,
    sheet_bytes,
)
from tests.support.telegram_harness import TOKEN
from tests.support.web import press_masuk

SECRET = "hook-Secret-5f2e9a"
CHATS = {"guest": "6400000001", "ibu": "6400000002", "kader": "6400000003", "admin": "6400000004"}
LINK = re.compile(r"https://p2wkss\.example/admin/masuk/(\S+)")


class Records(logging.Handler):
    """Every record as it was made, before any redaction (put first on the root). Its
    texts are taken at once: the program's handler redacts a record in place after this
    one (`RedactingFilter`), and a phone or secret rewritten there would go unseen."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.made: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.made += [str(record.msg), repr(record.args), record.getMessage()]
        if record.exc_info:
            self.made.append(logging.Formatter().formatException(record.exc_info))
        if record.exc_text:
            self.made.append(record.exc_text)
        if record.stack_info:
            self.made.append(record.stack_info)

    def texts(self) -> Iterator[str]:
        return iter(self.made)


@contextlib.contextmanager
def program_logging(secrets: list[str]) -> Iterator[tuple[Records, io.StringIO]]:
    """The program's logging set-up at DEBUG (as LOG_LEVEL=DEBUG would make it, with these
    secrets), with a handler of ours first on the root; pytest's own set-up given back."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    names = {*NOISY, "telegram", "httpx", "uvicorn", "pywa", "pywa_async", "sqlalchemy"}
    levels = {n: logging.getLogger(n).level for n in names}
    stream = io.StringIO()
    setup_logging("DEBUG", secrets=secrets, stream=stream)
    raw = Records()
    root.handlers.insert(0, raw)
    try:
        yield raw, stream
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, old in levels.items():
            logging.getLogger(name).setLevel(old)


@pytest.fixture
def records() -> Iterator[tuple[Records, io.StringIO]]:
    with program_logging([TOKEN, SECRET]) as captured:
        yield captured


@pytest.fixture
async def logged_app(settings: Settings) -> AsyncIterator[App]:
    configured = settings.model_copy(
        update={
            "telegram_bot_token": SecretStr(TOKEN),
            "webhook_secret": SecretStr(SECRET),
            "web_base_url": "https://p2wkss.example",
        }
    )
    application = await open_app(configured, auto_migrate=False)
    try:
        yield application
    finally:
        await application.close()


def telegram_transport(
    world: World,
    fake: FakeTelegramServer,
    web: httpx.AsyncClient,
    wait: Callable[[], Awaitable[None]],
    folder: Path,
) -> Transport:
    """Sends a role's message as Telegram would: the update posted to the webhook; what
    the bot sent that chat in answer comes back."""
    sheet = sheet_bytes(folder)

    async def send(role: str, sent: Sent) -> list[Reply]:
        chat = int(world.chats[role].identity)
        before = len(fake.sent_messages(chat))
        if sent.kind is Kind.CHOICE:
            mine = fake.sent_messages(chat)
            update = fake.inject_callback(chat, sent.choice or "", mine[-1].message_id)
        elif sent.kind is Kind.CONTACT:
            assert sent.contact is not None
            owner = chat if sent.contact.user_id else None
            update = fake.inject_contact(chat, sent.contact.phone, owner)
        elif sent.kind is Kind.PHOTO:
            update = fake.inject_photo(chat, FAKE_JPEG)
        elif sent.kind is Kind.DOCUMENT:
            update = fake.inject_document(chat, sheet, "kk binaan.xlsx")
        else:
            update = fake.inject_message(chat, sent.text)
        answer = await web.post(
            "/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        )
        assert answer.status_code == 200
        await fake.wait_for(lambda _: len(fake.sent_messages(chat)) > before, timeout=10)
        await wait()
        return [Reply(text=m.text or "") for m in fake.sent_messages(chat)[before:]]

    return send


async def personal_data(app: App, world: World) -> tuple[set[str], set[str], set[str]]:
    """(names, phone numbers as national digits, secrets) the logs must not hold: what is
    stored now, what was typed on the way (an erased mother's too), the codes made."""
    names = {n for answers in GOOD.values() for n in answers if " " in n and n.istitle()}
    names |= {"Siti Aminah", "Dewi Lestari", "Ani Lestari", "Euis Kurniasih", "Ratna Sari"}
    names |= set(SHEET_NAMES)
    phones = {_digits(p) for p in (*GOOD[("mb.register", "phone")], SHEET_PHONE)}
    async with app.sessions() as s:
        for name, phone in (await s.execute(select(Member.full_name, Member.phone_e164))).all():
            if name:
                names.add(name)
            if phone:
                phones.add(_digits(phone))
        codes = set((await s.scalars(select(OneTimeCode.code))).all())
    return names, phones, {TOKEN, TOKEN.split(":")[1], SECRET, *codes}


def _digits(phone: str) -> str:
    """The national significant number: 0812-3456-7890, +62 812… and 62812… all hold it."""
    digits = re.sub(r"\D", "", phone)
    return digits.removeprefix("62").removeprefix("0")


def leaks(texts: Iterator[str], names: set[str], phones: set[str], secrets: set[str]) -> list[str]:
    found = []
    for text in texts:
        joined = re.sub(r"(?<=\d)[\s().\-]+(?=\d)", "", text)
        low = text.casefold()
        found += [f"name {n!r} in {text[:200]!r}" for n in names if n.casefold() in low]
        found += [f"phone {p!r} in {text[:200]!r}" for p in phones if p in joined]
        found += [f"secret in {text[:200]!r}" for s in secrets if s in text]
    return found


async def test_every_flow_on_telegram_leaves_no_name_phone_token_or_code_in_the_logs(
    logged_app: App,
    settings: Settings,
    records: tuple[Records, io.StringIO],
    fake: FakeTelegramServer,
    tmp_path: Path,
) -> None:
    app, (raw, stream) = logged_app, records
    world = await build_world(app, tmp_path)
    channel = TelegramChannel(
        TOKEN,
        app.engine,
        base_url=fake.base_url,
        base_file_url=fake.file_url,
        polling=False,
        budget=SendBudget(rate=0, per_chat_interval=0),
    )
    await channel.start()
    console = build_console(app.sessions, media_dir=settings.media_dir, timezone="Asia/Jakarta")
    web_app = build_web_app(
        app.db, telegram=channel.feed_webhook, telegram_secret=SECRET, console=console
    )
    server = make_server(web_app, "127.0.0.1:0")
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as web:
            send = telegram_transport(world, fake, web, channel.wait_idle, tmp_path)
            await world.move_to("telegram", CHATS, send)
            await crawl_all(world)
            assert world.failures == [], "\n".join(world.failures)
            # The admin opens the console with the link the chat gave her.
            links = [
                m.group(1)
                for msg in fake.sent_messages(int(CHATS["admin"]))
                if (m := LINK.search(msg.text or ""))
            ]
            assert links, "no web login link was given"
            signed_in = await press_masuk(web, f"/admin/masuk/{links[-1]}")
            assert signed_in.status_code == 303
            assert (await web.get("/admin/")).status_code == 200
            # A stranger guesses the secret.
            update = fake.inject_message(int(CHATS["ibu"]), "Siti Aminah 081234567890")
            wrong = {"X-Telegram-Bot-Api-Secret-Token": "guess"}
            assert (await web.post("/telegram", json=update, headers=wrong)).status_code == 403
        # What the flows queued (notices, announcements) leaves through Telegram.
        sender = TelegramSender(channel.bot, max_rate=1000.0)
        dispatcher = Dispatcher(
            app.sessions, [sender], tz=ZoneInfo("Asia/Jakarta"), quiet_hours=None
        )
        try:
            for _ in range(3):
                await dispatcher.run_once()
        finally:
            await dispatcher.close()  # its advisory-lock connection (PostgreSQL)
    finally:
        server.should_exit = True
        await serving
        await channel.stop()

    assert {r.levelno for r in raw.records} >= {logging.DEBUG, logging.INFO, logging.WARNING}
    assert {r.name.split(".")[0] for r in raw.records} >= {"handlers", "scheduler", "bot", "p2wkss"}
    names, phones, secrets = await personal_data(app, world)
    assert len(names) > 10 and len(phones) > 5 and len(secrets) > 5
    found = leaks(raw.texts(), names, phones, secrets)
    found += leaks(iter([stream.getvalue()]), names, phones, secrets)
    assert found == [], "\n".join(sorted(set(found)))


def test_the_search_finds_a_name_and_a_phone_in_any_writing() -> None:
    """The search above can fail: a name in other letter case, a phone written +62 812…,
    62812…, 0812 3456 7890 or 0812-3456-7890, a secret inside a URL."""
    phones = {_digits("+6281234567890")}
    for text in ("+62 812 3456 7890", "62812-3456-7890", "(0812) 3456.7890", "081234567890"):
        assert leaks(iter([f"to {text}."]), set(), phones, set()), text
    assert leaks(iter(["for SITI aminah"]), {"Siti Aminah"}, set(), set())
    assert leaks(iter([f"GET /bot{TOKEN}/getMe"]), set(), set(), {TOKEN})
    assert not leaks(iter(["row 8123 of 4567890"]), {"Siti Aminah"}, phones, {TOKEN})
