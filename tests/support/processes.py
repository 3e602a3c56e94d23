"""Real processes for crash tests: the fake Bot API (`python -m
tests.support.fakes.telegram_api`) driven over its /_fake/ control API, and `p2wkss-bot
run` started, killed and started again against it."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO, Any

import httpx

from tests.support.telegram_harness import TOKEN

REPO = Path(__file__).resolve().parents[2]
Process = subprocess.Popen[bytes]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _env(extra: dict[str, str]) -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return {**base, "PYTHONPATH": path, **extra}


class FakeProcess:
    """The fake Bot API in a process of its own, and a client for its control API."""

    def __init__(self, proc: Process, root_url: str) -> None:
        self.proc = proc
        self.root_url = root_url
        self.base_url = f"{root_url}/bot"
        self.client = httpx.AsyncClient(base_url=root_url, timeout=10)

    async def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = (await self.client.get("/_fake/stats")).json()
        return result

    async def sent(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = (await self.client.get("/_fake/sent")).json()["result"]
        return result

    async def config(self, **settings: Any) -> None:
        (await self.client.post("/_fake/config", json=settings)).raise_for_status()

    async def inject_message(self, chat_id: int, text: str) -> dict[str, Any]:
        response = await self.client.post(
            "/_fake/inject/message", json={"chat_id": chat_id, "text": text}
        )
        response.raise_for_status()
        update: dict[str, Any] = response.json()["result"]
        return update


@asynccontextmanager
async def fake_process(workdir: Path) -> AsyncIterator[FakeProcess]:
    log = (workdir / "fake-telegram.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.fakes.telegram_api", "--port", "0",
         "--token", TOKEN],
        env=_env({}), cwd=REPO, stdout=subprocess.PIPE, stderr=log,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), 20)
        root_url = line.decode().strip().rsplit(" ", 1)[-1]
        assert root_url.startswith("http://"), line
        fake = FakeProcess(proc, root_url)
        try:
            yield fake
        finally:
            await fake.client.aclose()
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


# Workers in tests hold their inbox rows briefly: a killed one's are taken over soon.
TEST_INBOX_LEASE = "5"


def start_run(
    database_url: str, fake: FakeProcess, workdir: Path, *, webhook: dict[str, str] | None = None,
    log: IO[bytes], env: dict[str, str] | None = None,
) -> Process:  # fmt: skip
    """`p2wkss-bot run` (long polling; webhook mode with its settings given; `env`: more
    settings)."""
    env = {
        "DATABASE_URL": database_url, "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": fake.base_url, "MEDIA_DIR": str(workdir / "media"),
        "INBOX_LEASE_SECONDS": TEST_INBOX_LEASE, **(webhook or {}), **(env or {}),
    }  # fmt: skip
    args = ["run", "--webhook"] if webhook else ["run"]
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", *args], env=_env(env), cwd=workdir,
        stdout=log, stderr=log,
    )  # fmt: skip


def kill(proc: Process, sig: int = signal.SIGKILL) -> None:
    proc.send_signal(sig)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


async def eventually(
    check: Callable[[], Any], *, timeout: float = 20.0, what: str = "condition"
) -> Any:
    """Poll an async check until it returns something true; its last value."""
    async with asyncio.timeout(timeout):
        while True:
            value = await check()
            if value:
                return value
            await asyncio.sleep(0.05)
    raise AssertionError(what)  # pragma: no cover (timeout raises first)
