"""Several `p2wkss-bot run --webhook` workers on one database, behind a load generator that
posts Telegram updates to them as a load balancer would, and what the fake Bot API sent
back, sorted per chat. Builds on `tests.support.processes` (the fake Bot API and the
processes); the updates are the JSON Telegram posts to a webhook."""

from __future__ import annotations

import asyncio
import itertools
import random
import signal
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO, Any

import httpx

from tests.support.processes import FakeProcess, Process, eventually, free_port, kill, start_run

SECRET = "workers-test-secret"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Every worker test's settings: no flood control (a dropped message would look lost), no
# quiet hours (a broadcast goes at any hour).
QUIET = {"FLOOD_RATE": "0", "QUIET_HOURS_START": "00:00", "QUIET_HOURS_END": "00:00"}


def person(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "is_bot": False, "first_name": "Ibu", "language_code": "id"}


def message_update(update_id: int, chat_id: int, text: str) -> dict[str, Any]:
    """A text message as Telegram posts it to a webhook."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id, "date": 1_790_000_000, "text": text,
            "chat": {**person(chat_id), "type": "private"}, "from": person(chat_id),
        },
    }  # fmt: skip


def callback_update(update_id: int, chat_id: int, data: str) -> dict[str, Any]:
    """A tapped inline button (under a message the bot sent her earlier)."""
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"cb{update_id}", "from": person(chat_id), "chat_instance": str(chat_id),
            "data": data,
            "message": {
                "message_id": 1, "date": 1_790_000_000, "text": "…",
                "chat": {**person(chat_id), "type": "private"},
                "from": {"id": 1, "is_bot": True, "first_name": "Bot"},
            },
        },
    }  # fmt: skip


class Worker:
    def __init__(self, proc: Process, port: int) -> None:
        self.proc = proc
        self.port = port
        self.url = f"http://127.0.0.1:{port}"

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None


class Workers:
    """The running workers, a client posting to them, and update ids in Telegram's order."""

    def __init__(
        self, database_url: str, fake: FakeProcess, workdir: Path, log: IO[bytes],
        env: dict[str, str],
    ) -> None:  # fmt: skip
        self.database_url = database_url
        self.fake = fake
        self.workdir = workdir
        self.log = log
        self.env = env
        self.workers: list[Worker] = []
        self.client = httpx.AsyncClient(timeout=30)
        self._ids = itertools.count(10_000)
        self._turn = itertools.count()
        self.random = random.Random(16)

    def next_id(self) -> int:
        return next(self._ids)

    async def start(self, count: int) -> None:
        # Side by side, as a deployment starts them: each start-up (imports, migrations
        # check, Bot API check) takes seconds of its own. Still in self.workers' order.
        await asyncio.gather(*(self.start_one() for _ in range(count)))

    async def start_one(self, index: int | None = None) -> Worker:
        port = free_port()
        webhook = {
            "WEBHOOK_URL": "https://bot.example.org", "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_LISTEN": f"127.0.0.1:{port}",
        }  # fmt: skip
        proc = start_run(
            self.database_url, self.fake, self.workdir, webhook=webhook, log=self.log,
            env=self.env,
        )  # fmt: skip
        worker = Worker(proc, port)
        if index is None:
            self.workers.append(worker)
        else:
            self.workers[index] = worker
        await eventually(lambda: self._listening(worker), timeout=60, what="a worker to start")
        return worker

    async def _listening(self, worker: Worker) -> bool:
        assert worker.alive, "a worker exited at start (see run.log)"
        try:
            await self.client.get(worker.url + "/healthz")  # any answer: it listens
        except httpx.TransportError:
            return False
        return True

    def pick(self) -> Worker:
        """The next live worker, as a load balancer picks: in turn, now and then at random."""
        live = [w for w in self.workers if w.alive]
        if self.random.random() < 0.3:
            return self.random.choice(live)
        return live[next(self._turn) % len(live)]

    async def post(self, update: dict[str, Any], worker: Worker | None = None) -> int:
        """Post one update; its status code (200 once stored)."""
        target = worker or self.pick()
        response = await self.client.post(
            target.url + "/telegram", json=update, headers={SECRET_HEADER: SECRET}
        )
        return response.status_code

    async def deliver(self, update: dict[str, Any], *, tries: int = 100) -> None:
        """Post until a worker acknowledges it, as Telegram does (another worker when one
        is down or answers 5xx)."""
        for _ in range(tries):
            try:
                if await self.post(update) == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
        raise AssertionError("no worker took the update")

    async def send_in_order(self, updates: Sequence[dict[str, Any]]) -> None:
        """One chat's updates, each posted after the one before was acknowledged (to any
        worker), without waiting for answers: how Telegram delivers a quick typist."""
        for update in updates:
            await self.deliver(update)

    def kill(self, worker: Worker, sig: int = signal.SIGKILL) -> None:
        kill(worker.proc, sig)

    async def close(self) -> None:
        # All stopped at once, each given its own grace time (see processes.kill): one after
        # the other, a slow shutdown would hold the next worker's back.
        live = [worker.proc for worker in self.workers if worker.alive]
        await asyncio.gather(*(asyncio.to_thread(kill, proc, signal.SIGTERM) for proc in live))
        await self.client.aclose()


@asynccontextmanager
async def workers(
    database_url: str, fake: FakeProcess, workdir: Path, *, count: int = 2,
    env: dict[str, str] | None = None,
) -> AsyncIterator[Workers]:  # fmt: skip
    log = (workdir / "run.log").open("ab")
    group = Workers(database_url, fake, workdir, log, {**QUIET, **(env or {})})
    try:
        await group.start(count)
        yield group
    finally:
        await group.close()
        log.close()


def by_chat(sent: list[dict[str, Any]]) -> dict[int, list[str]]:
    """The texts the fake Bot API took, per chat, in the order it took them."""
    out: dict[int, list[str]] = {}
    for message in sent:
        out.setdefault(int(message["chat_id"]), []).append(message["text"] or "")
    return out
