"""Benchmark: N known chats each send one message; how fast are they answered, and how
does that compare with a bare python-telegram-bot bot on the same fake server?

A figure, not a test. The fake Bot API runs in its own process; the bot (the real
Telegram channel over python-telegram-bot, long polling, on a fresh SQLite file, or a
fresh PostgreSQL database with `--database-url`) in this one. Every chat first sends
/start (so all are known), then each sends "menu" at once; the time from the first
injection to the last answer gives the rate (with no overall send budget: in service
`TELEGRAM_TOTAL_RATE` keeps replies under Telegram's 30 a second). The bare bot (skip it
with `--no-bare`) is python-telegram-bot alone with the channel's update-processing
settings echoing each message, no database: the ceiling this harness can measure. The
fake, the bots and the load driver are shared with `updates.py` (`telegram_load`).

    answers chats=N seconds=S rate=R/s bare_rate=B/s ratio=R/B

    .venv/bin/python benchmarks/answers.py --chats 1000
"""

# ruff: noqa: E402  (the repository root goes on sys.path before the project's imports)
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.telegram_load import echo_bot, load_fake, our_bot

FIRST_CHAT = 7_200_000_000


async def benchmark(chats: int, database_url: str | None, with_bare: bool) -> tuple[float, float]:
    everyone = [FIRST_CHAT + i for i in range(chats)]
    with tempfile.TemporaryDirectory(prefix="p2wkss-answers-") as tmp:
        workdir = Path(tmp)
        bare_seconds = 0.0
        if with_bare:
            async with load_fake(workdir) as fake, echo_bot(fake):
                await fake.count(everyone, "halo")  # warm up, as /start does for ours
                bare_seconds = (await fake.closed(everyone, 1, "menu", 1)).seconds
        async with load_fake(workdir) as fake, our_bot(fake, workdir, database_url):
            await fake.count(everyone, "/start")
            return (await fake.closed(everyone, 1, "menu", 1)).seconds, bare_seconds


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
