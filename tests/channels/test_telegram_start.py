"""`p2wkss-bot run` when Telegram will not have it: a refused token or no Bot API to reach.
The real program in a process of its own against the fake Bot API (which answers 401 to
any token but its own): one line on stderr, exit status 2, and the token nowhere."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import pytest

from tests.support import REPO
from tests.support.fakes.telegram_api import FakeTelegramServer

# Telegram's shape (the log filter's pattern catches it) and a shape it would not catch.
TOKENS = ["7000000001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "42:odd-shaped"]


async def run(tmp_path: Path, token: str, api: str, *args: str) -> tuple[int, str]:
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "PYTHONPATH": str(REPO),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'run.db'}",
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_BASE_URL": api,
        "LOG_LEVEL": "DEBUG",  # even the most talkative level shows no token
        "WEBHOOK_URL": "https://bot.example.org",
        "WEBHOOK_SECRET": "s3cret-Token",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", *args, cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    async with asyncio.timeout(60):
        out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode() + err.decode()


def assert_secret_kept(output: str, token: str) -> None:
    assert token not in output
    assert token.split(":", 1)[1] not in output
    assert "Traceback" not in output


@pytest.mark.parametrize("token", TOKENS)
@pytest.mark.parametrize("mode", [[], ["--webhook"]], ids=["polling", "webhook"])
async def test_a_refused_token_stops_run_with_one_line_and_no_token(
    tmp_path: Path, fake: FakeTelegramServer, token: str, mode: list[str]
) -> None:
    status, output = await run(tmp_path, token, fake.base_url, *mode)
    assert status == 2, output
    assert_secret_kept(output, token)
    assert output.strip().splitlines()[-1] == "TELEGRAM_BOT_TOKEN: refused by Telegram"
    assert fake.calls_of("getMe", 401)  # it was Telegram's answer, not a check of ours


async def test_an_unreachable_bot_api_stops_run_with_one_line_and_no_token(
    tmp_path: Path,
) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}/bot"
    status, output = await run(tmp_path, TOKENS[0], closed)
    assert status == 2, output
    assert_secret_kept(output, TOKENS[0])
    assert "cannot reach the Telegram Bot API (NetworkError)" in output.strip().splitlines()[-1]
