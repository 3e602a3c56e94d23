"""The console channel as a terminal shows it: no log lines between her messages, and no
announcement at the prompt during quiet hours (reminders and urgent notices still come)."""

from __future__ import annotations

import io
import os
import select
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select as sql_select

from bot.app import open_app
from bot.channels.console import run_console
from bot.settings import load_settings
from models import transaction
from models.outbox.tables import PRIORITY_URGENT, OutboxMessage, enqueue
from models.people.members import ensure_identity
from tests.support import REPO

WIB = ZoneInfo("Asia/Jakarta")
WARNING = "a warning while she chats"
# `p2wkss-bot chat`, with every message logging a warning first (as a failing handler would).
CHAT_THAT_WARNS = f"""
import logging, sys
from handlers.core.engine import Engine
handle = Engine.handle
async def warn_then_handle(self, incoming):
    logging.getLogger("handlers.core.engine").warning({WARNING!r})
    return await handle(self, incoming)
Engine.handle = warn_then_handle
from bot.cli import main
sys.exit(main(sys.argv[1:]))
"""


def chat_on(terminal: bool, tmp_path: Path, script: bytes) -> tuple[str, str]:
    """Run the chat with a pseudo-terminal (or pipes) as stdin, stdout and stderr; what
    the terminal showed (or stdout) and what went to stderr."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("DATABASE_URL", None)
    argv = [sys.executable, "-c", CHAT_THAT_WARNS, "chat", "--db", str(tmp_path / "chat.db")]
    if not terminal:
        done = subprocess.run(
            argv, input=script, capture_output=True, cwd=tmp_path, env=env, timeout=60,
            check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout.decode(), done.stderr.decode()
    import pty

    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        argv, stdin=follower, stdout=follower, stderr=follower, cwd=tmp_path, env=env
    )
    os.close(follower)
    shown = b""
    deadline = time.monotonic() + 60
    os.write(leader, script + b"\x04")  # the lines, then Ctrl-D
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.2)
            if ready:
                try:
                    data = os.read(leader, 65536)
                except OSError:  # the terminal closed: the chat ended
                    break
                if not data:
                    break
                shown += data
            elif proc.poll() is not None:
                break
        assert proc.wait(timeout=10) == 0, shown.decode(errors="replace")
    finally:
        os.close(leader)
        if proc.poll() is None:
            proc.kill()
    return shown.decode(errors="replace"), ""


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_log_lines_stay_out_of_the_terminal_she_chats_in(tmp_path: Path) -> None:
    shown, _ = chat_on(True, tmp_path, b"/start\n")
    assert "Menu utama" in shown  # the chat itself
    assert WARNING not in shown and "WARNING" not in shown
    log = (tmp_path / "p2wkss-chat.log").read_text()
    assert WARNING in log


def test_with_stderr_redirected_warnings_go_there_and_not_into_the_chat(
    tmp_path: Path,
) -> None:
    out, err = chat_on(False, tmp_path, b"/start\n")
    assert "Menu utama" in out and WARNING not in out
    assert WARNING in err
    assert not (tmp_path / "p2wkss-chat.log").exists()


def quiet_around(now: datetime) -> dict[str, str]:
    local = now.astimezone(WIB)
    return {
        "quiet_hours_start": (local - timedelta(hours=1)).strftime("%H:%M"),
        "quiet_hours_end": (local + timedelta(hours=1)).strftime("%H:%M"),
    }


async def test_announcements_wait_out_the_quiet_hours_at_the_prompt(db_url: str) -> None:
    quiet = load_settings(database_url=db_url, **quiet_around(datetime.now(WIB)))
    app = await open_app(quiet, auto_migrate=False)
    try:
        async with transaction(app.sessions) as s:
            siti = await ensure_identity(s, "console", "siti")
            await enqueue(
                s, identity_id=siti, channel="console", kind="announcement",
                params={"text": "Senam pagi besok"}, idempotency_key="quiet:announcement",
                respects_quiet_hours=True,
            )  # fmt: skip
            await enqueue(
                s, identity_id=siti, channel="console", kind="kegiatan_cancelled",
                params={"judul": "Penyuluhan gizi", "when": "Selasa, 09.00 WIB"},
                idempotency_key="quiet:urgent", priority=PRIORITY_URGENT,
            )  # fmt: skip
        out = io.StringIO()
        assert await run_console(app.engine, "siti", io.StringIO("menu\n"), out) == 0
        shown = out.getvalue()
        assert "Penyuluhan gizi" in shown and "dibatalkan" in shown
        assert "Senam pagi besok" not in shown
        async with app.sessions() as s:
            rows = {r.idempotency_key: r.status for r in await s.scalars(sql_select(OutboxMessage))}
        assert rows == {"quiet:announcement": "queued", "quiet:urgent": "sent"}
    finally:
        await app.close()

    # Once quiet hours are over (here: switched off), it comes at the next prompt.
    awake = load_settings(database_url=db_url, quiet_hours_start="00:00", quiet_hours_end="00:00")
    app = await open_app(awake, auto_migrate=False)
    try:
        out = io.StringIO()
        await run_console(app.engine, "siti", io.StringIO("menu\n"), out)
        assert "Senam pagi besok" in out.getvalue()
        assert out.getvalue().index("Senam pagi besok") < out.getvalue().index("> menu")
    finally:
        await app.close()
