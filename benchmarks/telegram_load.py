"""Shared pieces of the Telegram load benchmarks (`answers.py`, `updates.py`).

- `load_fake`: the fake Bot API (no latency, no limits) in a process of its own, with a
  load driver inside it: simulated users send messages (updates waiting for getUpdates)
  and the driver sees every reply the moment the bot sends it, so send-to-reply times are
  read on one clock, and the load generator takes no CPU from the bot's process.
- `our_bot`: the bot under test, the real Telegram channel (python-telegram-bot, long
  polling) over the real engine on a fresh database, flood control off and no send
  budget, overall or per chat (the fake enforces no limit).
- `echo_bot`: python-telegram-bot alone with the same update-processing settings as the
  channel (concurrent updates, connection pools, long polling), echoing each text: the
  ceiling this harness can measure on this machine.

The driver's control API (POST, JSON, answered when the round is over):

- `/_fake/load/count` {chats, text, quiet}: each chat sends `text` once; answered when
  every chat got a reply and none came for `quiet` seconds: the replies per chat.
- `/_fake/load/closed` {chats, messages, text, parts}: a closed loop, each chat sends its
  next message when the reply to the previous one is in (`parts` messages make a reply).
- `/_fake/load/open` {chats, rate, seconds, text, parts}: an open loop, messages offered
  at `rate` a second round the chats whatever the replies, for `seconds`.

`closed` and `open` give the seconds from the first message sent to the last reply, the
offered rate, and the send-to-reply time of every message.
"""

# ruff: noqa: E402  (the repository root goes on sys.path before the project's imports)
from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters
from telegram.request import HTTPXRequest

from benchmarks.broadcast import fresh_database, popen, stop_process
from bot.app import open_app
from bot.channels.budget import SendBudget
from bot.channels.telegram import ALLOWED_UPDATES, TelegramChannel, http_request
from bot.settings import load_settings
from tests.support.fakes.telegram_api import FakeTelegramServer
from tests.support.fakes.telegram_types import NEW_MESSAGE_METHODS, Call

__all__ = ["LoadFake", "Round", "echo_bot", "fresh_database", "load_fake", "our_bot"]

TOKEN = "123456:BENCHMARK-token-not-real-abcdefghij"
LISTENING = "fake-telegram listening on "
POLL_TIMEOUT = 1  # seconds a getUpdates waits (the same for both bots)
ROUND_TIMEOUT = 600.0
log = logging.getLogger(__name__)


# --- the driver, inside the fake's process ---------------------------------------------------


class _Driver(FakeTelegramServer):
    """The fake Bot API plus simulated users who wait for the replies they get."""

    def __init__(self, token: str, port: int) -> None:
        super().__init__(token, port=port)
        self.text = ""
        self.parts = 1
        # Per chat: when each of its messages waiting for a reply was sent.
        self.waiting: dict[int, deque[float]] = {}
        self.pieces: dict[int, int] = {}  # messages of the reply under way, per chat
        self.replies: dict[int, int] = {}  # every reply message, per chat
        self.left: dict[int, int] = {}  # closed loop: messages a chat still has to send
        self.latencies: list[float] = []
        self.expected = 0
        self.first_sent = 0.0
        self.last_sent = 0.0
        self.last_reply = 0.0
        self.done = asyncio.Event()

    def _reset_round(self, text: str, parts: int, expected: int) -> None:
        self.text, self.parts, self.expected = text, max(1, parts), expected
        self.waiting.clear()
        self.pieces.clear()
        self.replies.clear()
        self.left.clear()
        self.latencies = []
        self.done = asyncio.Event()
        # The calls list only grows; a round needs none of the earlier ones.
        self.calls.clear()

    def send(self, chat: int) -> None:
        now = time.monotonic()
        if not self.first_sent:
            self.first_sent = now
        self.last_sent = now
        self.waiting.setdefault(chat, deque()).append(now)
        self.inject_message(chat, self.text)

    def record(self, call: Call) -> None:
        super().record(call)
        if call.status != 200 or call.method not in NEW_MESSAGE_METHODS:
            return
        if not isinstance(call.result, dict):
            return
        chat = int(call.result["chat"]["id"])
        self.replies[chat] = self.replies.get(chat, 0) + 1
        self.last_reply = call.at
        queue = self.waiting.get(chat)
        if not queue:
            return
        pieces = self.pieces.get(chat, 0) + 1
        if pieces < self.parts:
            self.pieces[chat] = pieces
            return
        self.pieces[chat] = 0
        self.latencies.append(call.at - queue.popleft())
        if self.left.get(chat, 0) > 0:
            self.left[chat] -= 1
            self.send(chat)
        if len(self.latencies) >= self.expected:
            self.done.set()

    async def count(self, chats: list[int], text: str, quiet: float) -> dict[str, Any]:
        self._reset_round(text, 1, len(chats))
        for chat in chats:
            self.inject_message(chat, text)
        while True:
            seen = sum(self.replies.values())
            await asyncio.sleep(quiet)
            if len(self.replies) >= len(chats) and sum(self.replies.values()) == seen:
                break
        return {"replies": [self.replies.get(c, 0) for c in chats]}

    async def closed(self, chats: list[int], messages: int, text: str, parts: int) -> None:
        self._reset_round(text, parts, len(chats) * messages)
        self.first_sent = 0.0
        for chat in chats:
            self.left[chat] = messages - 1
        for chat in chats:
            self.send(chat)
        await self.done.wait()

    async def open(
        self, chats: list[int], rate: float, seconds: float, text: str, parts: int
    ) -> None:
        total = max(1, round(rate * seconds))
        self._reset_round(text, parts, total)
        self.first_sent = 0.0
        start = time.monotonic()
        for i in range(total):
            due = start + i / rate
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self.send(chats[i % len(chats)])
        await self.done.wait()

    def result(self) -> dict[str, Any]:
        sent = self.expected
        spread = self.last_sent - self.first_sent
        return {
            "seconds": self.last_reply - self.first_sent,
            "offered": (sent - 1) / spread if sent > 1 and spread > 0 else 0.0,
            "latencies": self.latencies,
        }

    async def control(self, request: Request) -> Response:
        body: dict[str, Any] = await request.json()
        kind = str(request.path_params["kind"])
        chats = [int(c) for c in body["chats"]]
        text, parts = str(body["text"]), int(body.get("parts", 1))
        if kind == "count":
            return JSONResponse(await self.count(chats, text, float(body.get("quiet", 0.5))))
        if kind == "closed":
            await self.closed(chats, int(body["messages"]), text, parts)
        elif kind == "open":
            await self.open(chats, float(body["rate"]), float(body["seconds"]), text, parts)
        else:
            return JSONResponse({"ok": False}, status_code=404)
        return JSONResponse(self.result())


def serve_fake(port: int) -> None:
    # A benchmark round's garbage is small; a collection pause in the fake would show as
    # the bot's latency.
    gc.disable()
    fake = _Driver(TOKEN, port)
    fake.app.router.routes.append(Route("/_fake/load/{kind}", fake.control, methods=["POST"]))

    async def serve() -> None:
        await fake.start(embedded=False)  # uvicorn handles SIGTERM
        print(f"{LISTENING}{fake.root_url}", flush=True)
        await fake.serve_until_stopped()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())


# --- the benchmark's side ---------------------------------------------------------------------


@dataclass
class Round:
    seconds: float
    offered: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds > 0 else 0.0

    def percentile_ms(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return 0.0
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[index] * 1000


class LoadFake:
    """The fake Bot API's addresses and a client for its load driver."""

    def __init__(self, root_url: str) -> None:
        self.root_url = root_url
        self.base_url = f"{root_url}/bot"
        self.file_url = f"{root_url}/file/bot"
        self.client = httpx.AsyncClient(base_url=root_url, timeout=ROUND_TIMEOUT)

    async def _post(self, kind: str, **body: Any) -> dict[str, Any]:
        response = await self.client.post(f"/_fake/load/{kind}", json=body)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    async def count(self, chats: Sequence[int], text: str, quiet: float = 0.5) -> list[int]:
        """Each chat sends `text` once: how many messages each reply took."""
        result = await self._post("count", chats=list(chats), text=text, quiet=quiet)
        return [int(n) for n in result["replies"]]

    async def closed(self, chats: Sequence[int], messages: int, text: str, parts: int) -> Round:
        result = await self._post(
            "closed", chats=list(chats), messages=messages, text=text, parts=parts
        )
        return Round(result["seconds"], result["offered"], result["latencies"])

    async def open(
        self, chats: Sequence[int], rate: float, seconds: float, text: str, parts: int
    ) -> Round:
        result = await self._post(
            "open", chats=list(chats), rate=rate, seconds=seconds, text=text, parts=parts
        )
        return Round(result["seconds"], result["offered"], result["latencies"])


@contextlib.asynccontextmanager
async def load_fake(workdir: Path) -> AsyncIterator[LoadFake]:
    """The fake Bot API with its load driver, in a process of its own."""
    command = [sys.executable, __file__, "--serve-fake", "--port", "0"]
    with (workdir / "fake.log").open("wb") as err:
        proc = popen(command, stdout=subprocess.PIPE, stderr=err)
        try:
            assert proc.stdout is not None
            line = (await asyncio.to_thread(proc.stdout.readline)).decode().strip()
            if not line.startswith(LISTENING):
                raise SystemExit(f"the fake Bot API server did not start (see {workdir}/fake.log)")
            fake = LoadFake(line.removeprefix(LISTENING))
            try:
                yield fake
            finally:
                await fake.client.aclose()
        finally:
            stop_process(proc, signal.SIGTERM, 10)


@contextlib.asynccontextmanager
async def our_bot(fake: LoadFake, workdir: Path, database_url: str | None) -> AsyncIterator[None]:
    """The bot: the real Telegram channel in long polling on a fresh database (SQLite
    file, or a new database on the PostgreSQL server named), flood control off, no send
    budget."""
    async with fresh_database(database_url, workdir) as url:
        settings = load_settings(database_url=url, media_dir=workdir)
        app = await open_app(settings, auto_migrate=True)
        try:
            # No send budget at all: neither Telegram's 30 a second overall nor its one a
            # second per chat (the fake enforces neither, and the echo bot keeps neither;
            # with it a chat in a closed loop gets at most a reply a second after a burst
            # of 3, and 50 chats cap the rate near 50/s whatever the bot's speed).
            channel = TelegramChannel(
                TOKEN, app.engine, base_url=fake.base_url, base_file_url=fake.file_url,
                budget=SendBudget(0, per_chat_interval=0),
            )  # fmt: skip
            await channel.start(poll_timeout=POLL_TIMEOUT)
            try:
                yield
            finally:
                await channel.stop()
        finally:
            await app.close()


async def _echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.message is not None and update.message.text is not None:
        await update.message.reply_text(update.message.text)


@contextlib.asynccontextmanager
async def echo_bot(fake: LoadFake, concurrency: int | None = None) -> AsyncIterator[None]:
    """python-telegram-bot alone, set up as `TelegramChannel` sets it up (concurrent
    updates, connection pools, long polling, allowed updates), echoing each text."""
    if concurrency is None:
        defaults = TelegramChannel.__init__.__kwdefaults__ or {}
        concurrency = int(defaults["concurrency"])
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(fake.base_url)
        .base_file_url(fake.file_url)
        .request(http_request(256))
        .get_updates_request(HTTPXRequest(connection_pool_size=1))
        .concurrent_updates(concurrency)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, _echo))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=0.0, timeout=POLL_TIMEOUT, allowed_updates=ALLOWED_UPDATES
        )
        try:
            yield
        finally:
            await application.updater.stop()
            await application.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve-fake", action="store_true", required=True)
    parser.add_argument("--port", type=int, default=0)
    serve_fake(parser.parse_args().port)
