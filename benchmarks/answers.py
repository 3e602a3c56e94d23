"""Benchmark: N known chats each send one message; how fast are they answered, and how
does that compare with a bare python-telegram-bot bot on the same fake server?

A figure, not a test. The fake Bot API runs in its own process; the bot (the real
Telegram channel over python-telegram-bot, long polling, on a fresh SQLite file, or a
fresh PostgreSQL database with `--database-url`) in this one. Every chat first sends
/start (so all are known), then each sends "menu" at once; the time from the first
injection to the last answer gives the rate (with no overall send budget: in service
`TELEGRAM_TOTAL_RATE` keeps replies under Telegram's 30 a second). The bare bot (skip it
with `--no-bare`) is python-telegram-bot alone with 64 concurrent updates echoing each
message, no database: the ceiling this harness can measure.

    answers chats=N seconds=S rate=R/s bare_rate=B/s ratio=R/B

    .venv/bin/python benchmarks/answers.py --chats 1000
"""

# ruff: noqa: E402  (the repository root goes on sys.path before the project's imports)
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from benchmarks.broadcast import fresh_database
from bot.app import open_app
from bot.channels.budget import SendBudget
from bot.channels.telegram import TelegramChannel
from bot.settings import load_settings
from tests.support.processes import FakeProcess, fake_process
from tests.support.telegram_harness import TOKEN

FIRST_CHAT = 7_200_000_000
BARE_CONCURRENCY = 64


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


async def ours(fake: FakeProcess, workdir: Path, database_url: str | None, chats: int) -> float:
    async with fresh_database(database_url, workdir) as url:
        settings = load_settings(database_url=url, media_dir=workdir)
        app = await open_app(settings, auto_migrate=True)
        try:
            # No overall send budget (the fake enforces no limit): this measures how fast
            # messages are answered, not Telegram's 30 a second.
            channel = TelegramChannel(
                TOKEN, app.engine, base_url=fake.base_url,
                base_file_url=fake.root_url + "/file/bot", budget=SendBudget(0),
            )  # fmt: skip
            await channel.start(poll_timeout=1)
            try:
                await round_of(fake, chats, "/start")
                return await round_of(fake, chats, "menu")
            finally:
                await channel.stop()
        finally:
            await app.close()


async def _echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.message is not None and update.message.text is not None:
        await update.message.reply_text(update.message.text)


@asynccontextmanager
async def bare_bot(fake: FakeProcess) -> AsyncIterator[None]:
    """python-telegram-bot alone: 64 concurrent updates, an echo handler, long polling."""
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(fake.base_url)
        .base_file_url(fake.root_url + "/file/bot")
        .concurrent_updates(BARE_CONCURRENCY)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, _echo))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            yield
        finally:
            await application.updater.stop()
            await application.stop()


async def bare(fake: FakeProcess, chats: int) -> float:
    async with bare_bot(fake):
        await round_of(fake, chats, "halo")  # warm up, as /start does for ours
        return await round_of(fake, chats, "menu")


async def benchmark(chats: int, database_url: str | None, with_bare: bool) -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="p2wkss-answers-") as tmp:
        workdir = Path(tmp)
        bare_seconds = 0.0
        if with_bare:
            async with fake_process(workdir) as fake:
                bare_seconds = await bare(fake, chats)
        async with fake_process(workdir) as fake:
            return await ours(fake, workdir, database_url, chats), bare_seconds


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python benchmarks/answers.py")
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument(
        "--database-url", help="a PostgreSQL server URL (a scratch database is made on it)"
    )
    parser.add_argument("--no-bare", action="store_true", help="skip the bare-bot figure")
    args = parser.parse_args(argv)
    seconds, bare_seconds = asyncio.run(benchmark(args.chats, args.database_url, not args.no_bare))
    line = f"answers chats={args.chats} seconds={seconds:.2f} rate={args.chats / seconds:.0f}/s"
    if bare_seconds:
        line += f" bare_rate={args.chats / bare_seconds:.0f}/s ratio={bare_seconds / seconds:.2f}"
    print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
