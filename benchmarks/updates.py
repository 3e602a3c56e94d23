"""Benchmark: how many updates a second the bot handles through its whole path, against a
bare python-telegram-bot echo bot on the same fake server in the same run, and how long a
reply takes at half that load.

A figure, not a test. The fake Bot API (no latency, no limits enforced) runs in its own
process with the simulated users (see `telegram_load`); the bots in this one, in long
polling. First the echo bot (python-telegram-bot alone, the channel's update-processing
settings), then the bot: the real Telegram channel over the engine on a fresh database
(a SQLite file, or a new database on the PostgreSQL server named with `--database-url`),
flood control off and no send budget (neither Telegram's 30 a second overall nor its one
a second per chat: the fake enforces neither and the echo bot keeps neither). Every chat
of the bot first sends /start and "menu" (so all are known and the number of messages in
a reply is learnt).

(a) throughput: `--users` (50) chats in a closed loop, each sending its next message when
the reply to the previous one is in, `--messages` (20) each; messages / seconds from the
first message to the last reply gives R for the bot and E for the echo bot.
(b) latency: an open loop offering R/2 messages a second round `--open-users` (500)
chats for `--open-seconds` (10), whatever the replies; p50 and p99 from send to reply.

    updates rate=R/s echo_rate=E/s ratio=Q offered=H/s p50=Xms p99=Yms flood=off

    .venv/bin/python benchmarks/updates.py [--database-url postgresql+asyncpg://…/db] [-v]
"""

# ruff: noqa: E402  (the repository root goes on sys.path before the project's imports)
from __future__ import annotations

import argparse
import asyncio
import cProfile
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.telegram_load import LoadFake, Round, echo_bot, load_fake, our_bot
from bot.logsetup import setup_logging

ECHO_FIRST_CHAT = 7_300_000_000
BOT_FIRST_CHAT = 7_400_000_000
TEXT = "menu"


@dataclass
class Figures:
    bot: Round
    echo: Round
    latency: Round

    def line(self) -> str:
        rate, echo_rate = self.bot.rate, self.echo.rate
        ratio = rate / echo_rate if echo_rate else 0.0
        return (
            f"updates rate={rate:.0f}/s echo_rate={echo_rate:.0f}/s ratio={ratio:.2f} "
            f"offered={self.latency.offered:.0f}/s p50={self.latency.percentile_ms(50):.0f}ms "
            f"p99={self.latency.percentile_ms(99):.0f}ms flood=off"
        )


def _per_message_ms(cpu_seconds: float, round_: Round) -> float:
    """CPU time of this process (every thread) per message: steadier than rates on a
    busy machine."""
    return cpu_seconds * 1000 / max(1, len(round_.latencies))


def _say(verbose: bool, text: str) -> None:
    if verbose:
        print(text, file=sys.stderr, flush=True)


async def _parts(fake: LoadFake, chats: Sequence[int], text: str) -> int:
    """Each chat sends `text` once; the number of messages every reply took (all alike)."""
    counts = set(await fake.count(chats, text))
    if len(counts) != 1 or 0 in counts:
        raise SystemExit(f"replies to {text!r} differ from chat to chat: {sorted(counts)}")
    return counts.pop()


async def benchmark(args: argparse.Namespace, workdir: Path) -> Figures:
    users = [ECHO_FIRST_CHAT + i for i in range(args.users)]
    chats = [BOT_FIRST_CHAT + i for i in range(max(args.users, args.open_users))]
    async with load_fake(workdir) as fake:
        async with echo_bot(fake):
            await _parts(fake, users, TEXT)  # warm up
            cpu = time.process_time()
            echo = await fake.closed(users, args.messages, TEXT, 1)
            echo_cpu = _per_message_ms(time.process_time() - cpu, echo)
        _say(args.verbose, f"echo: {echo.rate:.1f}/s in {echo.seconds:.2f} s, "
             f"CPU {echo_cpu:.2f} ms a message")  # fmt: skip
        async with our_bot(fake, workdir, args.database_url):
            await _parts(fake, chats, "/start")
            parts = await _parts(fake, chats, TEXT)
            # CPU time of the loop's thread: wall time would count what other processes took.
            profile = cProfile.Profile(time.thread_time) if args.profile else None
            if profile is not None:
                profile.enable()
            cpu = time.process_time()
            bot = await fake.closed(chats[: args.users], args.messages, TEXT, parts)
            bot_cpu = _per_message_ms(time.process_time() - cpu, bot)
            if profile is not None:
                profile.disable()
                profile.dump_stats(args.profile)
            _say(args.verbose, f"bot: {bot.rate:.1f}/s in {bot.seconds:.2f} s ({parts} per reply), "
                 f"CPU {bot_cpu:.2f} ms a message (echo x{bot_cpu / echo_cpu:.2f})")  # fmt: skip
            latency = await fake.open(chats[: args.open_users], bot.rate / 2,
                                      args.open_seconds, TEXT, parts)  # fmt: skip
            p90, worst = latency.percentile_ms(90), latency.percentile_ms(100)
            _say(args.verbose, f"open loop: {len(latency.latencies)} replies, "
                 f"p90={p90:.0f}ms max={worst:.0f}ms")  # fmt: skip
    return Figures(bot, echo, latency)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python benchmarks/updates.py")
    parser.add_argument("--users", type=int, default=50, help="chats in the closed loop")
    parser.add_argument("--messages", type=int, default=20, help="messages each, closed loop")
    parser.add_argument("--open-users", type=int, default=500, help="chats in the open loop")
    parser.add_argument("--open-seconds", type=float, default=10.0)
    parser.add_argument(
        "--database-url", help="a PostgreSQL server URL (a scratch database is made on it)"
    )
    parser.add_argument("--profile", help="write a cProfile of the bot's closed loop here")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="rounds and CPU per message on stderr"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="p2wkss-updates-") as tmp:
        # The service's logging (INFO), into a file: what the bot logs costs time too.
        setup_logging("INFO", file=Path(tmp) / "bot.log")
        figures = asyncio.run(benchmark(args, Path(tmp)))
    print(figures.line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
