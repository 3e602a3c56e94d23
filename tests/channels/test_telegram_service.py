"""`p2wkss-bot run` with Telegram, admin grants, command menus and message rendering."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import App
from bot.channels.telegram_render import MAX_TEXT, render, split_text
from bot.service import run_service
from bot.settings import ConfigError, Settings, load_settings
from handlers.core.types import Choice, Reply
from models import AuditEntry, Member, make_sessionmaker
from models.people.roles import grant_admin, revoke_admin, staff_chats
from tests.support.cli import run_cli
from tests.support.fakes.telegram_api import FakeTelegramServer
from tests.support.telegram_harness import TOKEN, TgUser

ADMIN = 6200000001


def tg_settings(db_url: str, fake: FakeTelegramServer, **extra: object) -> Settings:
    return load_settings(
        database_url=db_url, telegram_bot_token=TOKEN, telegram_api_base_url=fake.base_url,
        **extra,
    )  # fmt: skip


async def test_run_polls_telegram_grants_configured_admins_and_sets_their_commands(
    app: App, db_url: str, fake: FakeTelegramServer
) -> None:
    settings = tg_settings(db_url, fake, admin_telegram_ids=str(ADMIN))
    stop = asyncio.Event()
    service = asyncio.create_task(run_service(settings, webhook=False, stop=stop))
    try:
        siti = TgUser(fake, 6100000001)
        await siti.say("/start", "Menu utama", timeout=10)
        admin_scope = {"type": "chat", "chat_id": ADMIN}
        commands = [c["command"] for c in fake.get_commands(admin_scope)]
        assert commands[:2] == ["start", "menu"]
    finally:
        stop.set()
        assert await service == 0
    async with make_sessionmaker(app.db).begin() as s:
        assert await staff_chats(s, "telegram") == {str(ADMIN): "admin"}


async def test_webhook_mode_refuses_to_start_without_a_secret(
    db_url: str, fake: FakeTelegramServer
) -> None:
    settings = tg_settings(db_url, fake, webhook_url="https://bot.example.org")
    with pytest.raises(ConfigError, match="WEBHOOK_SECRET"):
        await run_service(settings, webhook=True, stop=asyncio.Event())


async def test_admin_add_and_remove_from_the_cli(tmp_path: Path, fake: FakeTelegramServer) -> None:
    db = tmp_path / "admin.db"
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake.base_url}

    async def cli(*args: str) -> str:
        # In a thread, so that this loop goes on serving the fake Bot API meanwhile.
        result = await asyncio.to_thread(run_cli, [*args, "--db", str(db)], env=env)
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert "is now an admin" in await cli("admin", "add", "--telegram-id", str(ADMIN))
    assert fake.get_commands({"type": "chat", "chat_id": ADMIN})
    assert "nothing to change" in await cli("admin", "add", "--telegram-id", str(ADMIN))
    assert "no longer an admin" in await cli("admin", "remove", "--telegram-id", str(ADMIN))
    assert not fake.get_commands({"type": "chat", "chat_id": ADMIN})


async def test_a_granted_admin_has_staff_rights_until_revoked(app: App) -> None:
    sessions = make_sessionmaker(app.db)
    async with sessions.begin() as s:
        assert await grant_admin(s, "telegram", "777", actor="test")
        assert not await grant_admin(s, "telegram", "777", actor="test")
    async with sessions.begin() as s:
        assert await staff_chats(s, "telegram") == {"777": "admin"}
        assert await revoke_admin(s, "telegram", "777", actor="test")
    async with sessions.begin() as s:
        assert await staff_chats(s, "telegram") == {}
        roles = set(await s.scalars(select(Member.role)))
        assert "admin" not in roles
        actions = list(await s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["role.grant", "role.revoke"]


def test_long_text_is_split_on_line_breaks_and_keyboards_fit_telegram() -> None:
    text = "\n".join(f"baris {i} " + "x" * 90 for i in range(100))
    pieces = split_text(text)
    assert all(len(p) <= MAX_TEXT for p in pieces) and "\n".join(pieces) == text
    assert split_text("y" * 5000) == ["y" * MAX_TEXT, "y" * (5000 - MAX_TEXT)]

    reply = Reply(text=text, choices=(Choice("s:yes", "Ya"), Choice("s:no", "Tidak")))
    out = render(reply)
    assert len(out) == len(pieces) and out[-1].markup is not None and out[0].markup is None
    keyboard = out[-1].markup.to_dict()["inline_keyboard"]
    assert keyboard == [[{"text": "Ya", "callback_data": "s:yes"},
                         {"text": "Tidak", "callback_data": "s:no"}]]  # fmt: skip
    long_labels = (Choice("s:a", "Cibening (Kel. Bendung)"), Choice("s:b", "Sumberan (Kel. X)"))
    markup = render(Reply("?", choices=long_labels))[0].markup
    assert markup is not None
    rows = markup.to_dict()["inline_keyboard"]
    assert [len(r) for r in rows] == [1, 1]
    with pytest.raises(ValueError):
        Choice("a:" + "x" * 63, "too long for callback_data")


def test_a_photo_keeps_its_caption_within_1024_and_the_rest_follows(tmp_path: Path) -> None:
    photo = tmp_path / "foto.jpg"
    photo.write_bytes(b"jpeg")
    text = "\n".join(f"kalimat {i} " + "k" * 40 for i in range(60))
    out = render(Reply(text=text, photo=photo, choices=(Choice("a:help", "Bantuan"),)))
    assert out[0].photo == photo and len(out[0].text) <= 1024
    assert "\n".join(o.text for o in out) == text
    assert out[-1].markup is not None and all(o.markup is None for o in out[:-1])


async def test_a_role_given_in_chat_gets_its_command_menu_without_a_restart(
    app: App, db_url: str, fake: FakeTelegramServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Found in an earlier review: a kader made by her invitation code kept the mothers'
    # "/" menu until the bot restarted, and a removed kader kept hers.
    import bot.channels.telegram as tg
    from tests.support.processes import eventually

    monkeypatch.setattr(tg, "COMMANDS_EVERY", 0.05)
    stop = asyncio.Event()
    service = asyncio.create_task(run_service(tg_settings(db_url, fake), webhook=False, stop=stop))
    scope = {"type": "chat", "chat_id": ADMIN}
    sessions = make_sessionmaker(app.db)

    async def menu_given() -> bool:
        return bool(fake.get_commands(scope))

    async def menu_taken() -> bool:
        return not fake.get_commands(scope)

    try:
        await TgUser(fake, 6100000002).say("/start", "Menu utama", timeout=10)
        assert not fake.get_commands(scope)
        async with sessions.begin() as s:
            await grant_admin(s, "telegram", str(ADMIN), actor="test")
        await eventually(menu_given, what="the admin's menu")
        assert [c["command"] for c in fake.get_commands(scope)][:2] == ["start", "menu"]
        async with sessions.begin() as s:
            await revoke_admin(s, "telegram", str(ADMIN), actor="test")
        await eventually(menu_taken, what="the menu taken back")
    finally:
        stop.set()
        assert await service == 0
