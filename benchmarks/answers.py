"""Benchmark: N known chats each send one message; how fast are they answered?

A figure, not a test. The fake Bot API runs in its own process; the bot (the real
Telegram channel over python-telegram-bot, long polling, on a fresh SQLite file) in this
one. Every chat first sends /start (so all are known), then each sends "menu" at once;
the time from the first injection to the last answer gives:

    answers chats=N seconds=S rate=R/s

    .venv/bin/python benchmarks/answers.py --chats 1000
"""

# ruff: noqa: E402  (the repository root goes on sys.path before the project's imports)
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.app import open_app
from bot.channels.telegram import TelegramChannel
from bot.settings import load_settings
from tests.support.processes import FakeProcess, fake_process
from tests.support.telegram_harness import TOKEN

FIRST_CHAT = 7_200_000_000


async def sent_count(fake: FakeProcess) -> int:
    by_method = (await fake.stats())["by_method"]
    return int(by_method.get("sendMessage", {}).get("200", 0))


async def round_of(fake: FakeProcess, chats: int, text: str) -> float:
    before = await sent_count(fake)
    started = time.monotonic()
    await asyncio.gather(*(fake.inject_message(FIRST_CHAT + i, text) for i in range(chats)))
    while await sent_count(fake) < before + chats:  # noqa: ASYNC110 (another process)
        await asyncio.sleep(0.02)
    return time.monotonic() - started


async def benchmark(chats: int) -> float:
    with tempfile.TemporaryDirectory(prefix="p2wkss-answers-") as tmp:
        workdir = Path(tmp)
        settings = load_settings(
            database_url=f"sqlite+aiosqlite:///{workdir / 'bench.db'}", media_dir=workdir
        )
        app = await open_app(settings)
        try:
            async with fake_process(workdir) as fake:
                channel = TelegramChannel(
                    TOKEN, app.engine, base_url=fake.base_url,
                    base_file_url=fake.root_url + "/file/bot",
                )  # fmt: skip
                await channel.start(poll_timeout=1)
                try:
                    await round_of(fake, chats, "/start")
                    return await round_of(fake, chats, "menu")
                finally:
                    await channel.stop()
        finally:
            await app.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python benchmarks/answers.py")
    parser.add_argument("--chats", type=int, default=1000)
    args = parser.parse_args(argv)
    seconds = asyncio.run(benchmark(args.chats))
    print(f"answers chats={args.chats} seconds={seconds:.2f} rate={args.chats / seconds:.0f}/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
