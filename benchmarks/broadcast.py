"""Benchmark: one announcement to N Telegram chats through the real outbox dispatcher.

A figure, not a test. It starts the fake Bot API server in its own process (with API
latency, enforcing Telegram's limits: 429 beyond 30 sends in any second overall or 1 per
second to one chat), makes a fresh database migrated by the project's own code, registers
N mothers with their chats and enqueues one broadcast to all of them, then runs
`p2wkss-bot worker` as a separate process (TELEGRAM_SEND_RATE from the environment, quiet
hours off) until every row is settled. Optionally it SIGKILLs the worker after a while and
starts it again. What counts is what the fake accepted, not what the outbox believes:

    broadcast recipients=N sent=S lost=L duplicates=D http_429=K rate=R/s limit=30/s gap_s=G

sent = chats that received the message, lost = chats that never did, duplicates = extra
copies, http_429 = sends the fake refused for flood, rate = sent / (last accepted send -
first accepted send), gap_s = the longest pause between two accepted sends (with
--kill-after: the pause the kill and the restart cost). That line is all it prints on
stdout (exit 1 if lost > 0).

    TELEGRAM_SEND_RATE=29.5 python benchmarks/broadcast.py --recipients 3000 --latency-ms 100
"""

# ruff: noqa: E402  (the repository root goes on sys.path before the project's imports)
from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import itertools
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx
from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.app import migrate_and_seed
from models import ChannelIdentity, IdentityMember, Member, make_engine, make_sessionmaker
from models.base import transaction, utcnow
from models.outbox.broadcasts import create_broadcast
from models.outbox.tables import PENDING, OutboxMessage
from tests.support.fakes.telegram_api import FakeTelegramServer
from tests.support.fakes.telegram_types import NEW_MESSAGE_METHODS

TOKEN = "123456:BENCHMARK-token-not-real-abcdefghij"
FIRST_CHAT = 7_100_000_000
LIMIT = 30  # the fake's overall flood limit (messages in any one second)
LISTENING = "fake-telegram listening on "
TEXT = "Posyandu bulan ini hari Sabtu pukul 08.00 WIB di balai RW 05. Bawa buku KIA."


# --- the fake Bot API server, in its own process ----------------------------------------------


def serve_fake(args: argparse.Namespace) -> None:
    """The fake server plus `GET /_fake/sends`: every accepted new message as [chat, time].

    /_fake/stats only counts calls by method; the figures need them per chat and when.
    """
    # The fake stamps a send when its latency sleep ends, and counts stamps against the
    # 1-second window. A collector pause in the fake (it keeps every call, so full
    # collections grow to ~50 ms) stamps the sends caught in it late, and the sends one
    # second after them then look too close: 429s made by the measuring device, not by
    # the dispatcher. A benchmark run's garbage is small, so the fake runs without it.
    gc.disable()
    fake = FakeTelegramServer(
        args.token, latency_ms=args.latency_ms, enforce_limits=args.enforce_limits, port=args.port
    )

    async def sends(_: Request) -> Response:
        accepted = [
            [int(c.result["chat"]["id"]), c.at]
            for c in fake.calls
            if c.method in NEW_MESSAGE_METHODS and c.status == 200 and isinstance(c.result, dict)
        ]
        return JSONResponse({"sends": accepted, "http_429": fake.http_429_count})

    fake.app.router.routes.append(Route("/_fake/sends", sends, methods=["GET"]))

    async def serve() -> None:
        await fake.start(embedded=False)  # uvicorn handles SIGTERM
        print(f"{LISTENING}{fake.root_url}", flush=True)
        await fake.serve_until_stopped()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())


@contextlib.contextmanager
def fake_server(latency_ms: float, logs: Path) -> Iterator[str]:
    """Start the fake in a separate process; yields its root URL."""
    command = [sys.executable, __file__, "--serve-fake", "--port", "0", "--token", TOKEN,
               "--latency-ms", str(latency_ms), "--enforce-limits"]  # fmt: skip
    with open(logs / "fake.log", "wb") as err:
        proc = popen(command, stdout=subprocess.PIPE, stderr=err)
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline().decode().strip()
            if not line.startswith(LISTENING):
                raise SystemExit(f"the fake Bot API server did not start (see {logs}/fake.log)")
            yield line.removeprefix(LISTENING)
        finally:
            stop_process(proc, signal.SIGTERM, 10)


Process = subprocess.Popen[bytes]


def popen(
    command: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    stdout: int | None = None,
    stderr: IO[bytes] | None = None,
) -> Process:
    # The repository root on the path, so `tests.support.fakes` and the project import anywhere.
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    full = {**os.environ, "PYTHONPATH": path, **(env or {})}
    return subprocess.Popen(command, env=full, cwd=cwd, stdout=stdout, stderr=stderr)


def stop_process(proc: Process, sig: int, wait: float) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- the database -----------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def fresh_database(database_url: str | None, workdir: Path) -> AsyncIterator[str]:
    """A new SQLite file, or a new database on the given PostgreSQL server; dropped after."""
    if database_url is None:
        yield f"sqlite+aiosqlite:///{workdir / 'benchmark.db'}"
        return
    name = f"p2wkss_bench_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield database_url.rsplit("/", 1)[0] + "/" + name
        finally:
            async with admin.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


async def prepare(url: str, recipients: int) -> int:
    """Migrate, register N mothers each with her own chat, enqueue one broadcast to all."""
    db = make_engine(url)
    try:
        await migrate_and_seed(db)
        sessions = make_sessionmaker(db)
        now = utcnow()
        async with transaction(sessions) as s:
            members = (
                await s.scalars(
                    insert(Member).returning(Member.id, sort_by_parameter_order=True),
                    [{"full_name": f"Ibu {i}", "role": "ibu", "language": "id",
                      "created_at": now, "updated_at": now} for i in range(recipients)],
                )
            ).all()  # fmt: skip
            chats = (
                await s.scalars(
                    insert(ChannelIdentity).returning(
                        ChannelIdentity.id, sort_by_parameter_order=True
                    ),
                    [{"channel": "telegram", "external_id": str(FIRST_CHAT + i), "language": "id",
                      "last_seen_at": now, "created_at": now} for i in range(recipients)],
                )
            ).all()  # fmt: skip
            await s.execute(
                insert(IdentityMember),
                [{"identity_id": c, "member_id": m, "created_at": now}
                 for c, m in zip(chats, members, strict=True)],
            )  # fmt: skip
            broadcast = await create_broadcast(
                s, text=TEXT, audience={"kind": "all"}, actor="benchmark", now=now
            )
        return broadcast.recipient_count
    finally:
        await db.dispose()


async def pending_rows(db: AsyncEngine) -> int:
    async with db.connect() as conn:
        count = await conn.scalar(select(func.count()).where(OutboxMessage.status.in_(PENDING)))
    return int(count or 0)


# --- the dispatcher, in its own process -------------------------------------------------------


def start_worker(url: str, fake_url: str, workdir: Path) -> Process:
    env = {
        "DATABASE_URL": url,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": f"{fake_url}/bot",
        "TELEGRAM_API_FILE_URL": f"{fake_url}/file/bot",
        "QUIET_HOURS_START": "00:00",  # equal times: quiet hours off for the benchmark
        "QUIET_HOURS_END": "00:00",
        "LOG_LEVEL": "INFO",
    }
    # The working directory holds no .env, so only these and the caller's environment count.
    # Each start appends to one log; the child keeps its own copy of the file handle.
    with open(workdir / "worker.log", "ab") as log:
        return popen([sys.executable, "-m", "bot.cli", "worker"], env=env, cwd=workdir, stderr=log)


@dataclass
class Figures:
    recipients: int
    sent: int
    lost: int
    duplicates: int
    http_429: int
    rate: float
    gap: float

    def line(self) -> str:
        return (
            f"broadcast recipients={self.recipients} sent={self.sent} lost={self.lost} "
            f"duplicates={self.duplicates} http_429={self.http_429} rate={self.rate:.1f}/s "
            f"limit={LIMIT}/s gap_s={self.gap:.1f}"
        )


def figures(recipients: int, report: dict[str, Any]) -> Figures:
    sends: list[list[float]] = report["sends"]
    per_chat = Counter(int(chat) for chat, _ in sends)
    wanted = {FIRST_CHAT + i for i in range(recipients)}
    sent = len(wanted & per_chat.keys())
    times = sorted(at for _, at in sends)
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    return Figures(
        recipients=recipients,
        sent=sent,
        lost=recipients - sent,
        duplicates=sum(per_chat.values()) - len(per_chat),
        http_429=int(report["http_429"]),
        rate=sent / span if span > 0 else 0.0,
        gap=max((b - a for a, b in itertools.pairwise(times)), default=0.0),
    )


def note(verbose: bool, message: str) -> None:
    if verbose:
        print(message, file=sys.stderr, flush=True)


async def benchmark(args: argparse.Namespace) -> Figures:
    with tempfile.TemporaryDirectory(prefix="p2wkss-bench-") as tmp:
        workdir = Path(tmp)
        async with fresh_database(args.database_url, workdir) as url:
            count = await prepare(url, args.recipients)
            note(args.verbose, f"{count} rows queued; logs in {workdir}")
            with fake_server(args.latency_ms, workdir) as fake_url:
                worker = start_worker(url, fake_url, workdir)
                try:
                    worker = await settle(args, url, fake_url, workdir, worker)
                finally:
                    stop_process(worker, signal.SIGTERM, 40)
                async with httpx.AsyncClient(base_url=fake_url) as client:
                    report = (await client.get("/_fake/sends")).json()
    return figures(args.recipients, report)


async def settle(
    args: argparse.Namespace,
    url: str,
    fake_url: str,
    workdir: Path,
    worker: Process,
) -> Process:
    """Wait until no row is queued or sending (or the timeout), killing once if asked;
    returns the worker process running now."""
    started = time.monotonic()
    kill_at = args.kill_after
    noted = 0.0
    db = make_engine(url)
    try:
        while True:
            await asyncio.sleep(0.5 if kill_at is not None else 1.0)
            elapsed = time.monotonic() - started
            if kill_at is not None and elapsed >= kill_at:
                worker.send_signal(signal.SIGKILL)
                worker.wait()
                note(args.verbose, f"worker killed at {elapsed:.1f}s; starting it again")
                worker = start_worker(url, fake_url, workdir)
                kill_at = None
            pending = await pending_rows(db)
            if pending == 0:
                return worker
            if worker.poll() is not None:
                raise SystemExit(f"the worker exited ({worker.returncode}); see {workdir}")
            if elapsed > args.timeout:
                note(args.verbose, f"timed out with {pending} rows still pending")
                return worker
            if elapsed - noted >= 10:
                noted = elapsed
                note(args.verbose, f"{elapsed:.0f}s: {pending} rows pending")
    finally:
        await db.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python benchmarks/broadcast.py",
        description="Broadcast N announcements through the real dispatcher against the fake "
        "Telegram Bot API (enforced limits); prints one line of figures. The send rate is "
        "TELEGRAM_SEND_RATE from the environment (default 25; 29.5 for the target figures).",
    )
    parser.add_argument("--recipients", type=int, default=3000)
    parser.add_argument("--latency-ms", type=float, default=100.0, help="fake API latency")
    parser.add_argument(
        "--kill-after", type=float, metavar="SECONDS",
        help="SIGKILL the dispatcher after this long, then start it again",
    )  # fmt: skip
    parser.add_argument(
        "--database-url", help="a PostgreSQL server URL (postgresql+asyncpg://…/db): run "
        "on a fresh database there instead of a fresh SQLite file",
    )  # fmt: skip
    parser.add_argument("--timeout", type=float, default=900.0, help="give up after (s)")
    parser.add_argument("-v", "--verbose", action="store_true", help="progress on stderr")
    # Internal: the fake server's own process.
    parser.add_argument("--serve-fake", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--token", default=TOKEN, help=argparse.SUPPRESS)
    parser.add_argument("--enforce-limits", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_fake:
        serve_fake(args)
        return 0
    result = asyncio.run(benchmark(args))
    print(result.line(), flush=True)
    return 1 if result.lost else 0


if __name__ == "__main__":
    sys.exit(main())
