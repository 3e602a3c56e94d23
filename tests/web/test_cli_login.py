"""`p2wkss-bot web-login --telegram-id N`: an admin gets a link that signs her in once;
a chat that is no admin or kader gets none; without WEB_BASE_URL it says what to set."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from bot.app import open_app
from bot.settings import load_settings
from bot.web import build_web_app
from bot.web_console import build_console
from tests.support.cli import run_cli
from tests.support.web import press_masuk


async def test_web_login_prints_a_link_that_signs_the_admin_in_once(tmp_path: Path) -> None:
    db = tmp_path / "web.db"
    env = {"WEB_BASE_URL": "https://konsol.example.id/"}

    def cli(*args: str, **extra: str) -> tuple[int, str, str]:
        done = run_cli([*args, "--db", str(db)], env={**env, **extra})
        return done.returncode, done.stdout, done.stderr

    status, _out, err = await asyncio.to_thread(cli, "web-login", "--telegram-id", "42")
    assert status == 1 and "no admin or kader" in err
    assert (await asyncio.to_thread(cli, "admin", "add", "--telegram-id", "42"))[0] == 0
    status, out, _err = await asyncio.to_thread(cli, "web-login", "--telegram-id", "42")
    assert status == 0 and out.startswith("https://konsol.example.id/admin/masuk/")
    path = out.split()[0].removeprefix("https://konsol.example.id")
    status, _out, err = await asyncio.to_thread(
        cli, "web-login", "--telegram-id", "42", WEB_BASE_URL=""
    )
    assert status == 2 and "WEB_BASE_URL" in err

    app = await open_app(load_settings(database_url=f"sqlite+aiosqlite:///{db}"))
    try:
        console = build_console(app.sessions, media_dir=tmp_path, timezone="Asia/Jakarta")
        transport = httpx.ASGITransport(app=build_web_app(app.db, console=console))
        async with httpx.AsyncClient(transport=transport, base_url="https://x.test") as web:
            assert (await press_masuk(web, path)).status_code == 303
            assert "Beranda" in (await web.get("/admin/")).text
            assert (await web.post(path)).status_code == 403
    finally:
        await app.close()
