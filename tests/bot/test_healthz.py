"""/healthz as the person on call reads it: does the database answer, is the outbox
dispatcher running and claiming, how many messages are due; 503 when the database is down,
and nothing secret in the answer."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bot.app import App
from bot.service import run_service
from bot.settings import load_settings
from bot.web import build_web_app
from models import make_engine
from models.base import transaction
from models.outbox.tables import enqueue
from tests.support.fakes.clock import FakeClock
from tests.support.fakes.outbox import RecordingSender, chats, dispatcher, until
from tests.support.fakes.telegram_api import FakeTelegramServer
from tests.support.telegram_harness import TOKEN


async def _health(web: Any) -> httpx.Response:
    transport = httpx.ASGITransport(app=web)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
        return await client.get("/healthz")


async def _announce(app: App, chat: int, key: str, at: datetime) -> None:
    async with transaction(app.sessions) as s:
        await enqueue(
            s, identity_id=chat, channel="telegram", kind="announcement",
            params={"text": "Posyandu Sabtu"}, idempotency_key=key, now=at,
        )  # fmt: skip


async def test_the_bot_on_call_sees_three_announcements_waiting_while_the_dispatcher_is_stopped(
    app: App,
) -> None:
    now = datetime.now(UTC)
    targets = await chats(app, 3)
    for chat in targets:
        await _announce(app, chat, f"due-{chat}", now - timedelta(minutes=1))
    # One for tomorrow morning is not due yet.
    await _announce(app, targets[0], "later", now + timedelta(hours=20))
    sender = RecordingSender(FakeClock(now))
    idle = dispatcher(app, FakeClock(now), sender)

    answer = await _health(build_web_app(app.db, dispatcher=idle))

    assert answer.status_code == 200
    assert answer.json() == {
        "ok": True,
        "database": "ok",
        "outbox_due": 3,
        "dispatcher": {"running": False, "last_claim_at": None, "last_claim_seconds_ago": None},
    }


async def test_a_running_dispatcher_shows_its_last_claim_and_the_backlog_empties(
    app: App,
) -> None:
    now = datetime.now(UTC)
    clock = FakeClock(now)
    sender = RecordingSender(clock)
    for chat in await chats(app, 2):
        await _announce(app, chat, f"due-{chat}", now - timedelta(minutes=1))
    d = dispatcher(app, clock, sender)
    web = build_web_app(app.db, dispatcher=d)
    stop = asyncio.Event()
    run = asyncio.create_task(d.run(stop))
    try:
        await until(lambda: len(sender.calls) == 2 and d.last_claim_at is not None)
        await until(lambda: not any(lane.tasks for lane in d.lanes))
        body = (await _health(web)).json()
    finally:
        stop.set()
        await run
    assert body["ok"] is True and body["outbox_due"] == 0
    state = body["dispatcher"]
    assert state["running"] is True
    assert datetime.fromisoformat(state["last_claim_at"]) >= now.replace(microsecond=0)
    assert isinstance(state["last_claim_seconds_ago"], int)
    # Stopped, it says so.
    assert (await _health(web)).json()["dispatcher"]["running"] is False


async def test_the_database_down_gives_503_and_names_nothing_of_the_setup(tmp_path: Path) -> None:
    missing_folder = tmp_path / "hilang" / "p2wkss.db"
    down = [
        make_engine(f"sqlite+aiosqlite:///{missing_folder}"),
        # Nothing listens on port 9 here: the connection is refused at once.
        make_engine("postgresql+asyncpg://rahasia_user:PassWord123@127.0.0.1:9/p2wkss"),
    ]
    try:
        for engine in down:
            answer = await _health(build_web_app(engine))
            assert answer.status_code == 503
            assert answer.json() == {"ok": False, "database": "unreachable"}
            for secret in ("rahasia_user", "PassWord123", "hilang", "127.0.0.1"):
                assert secret not in answer.text
    finally:
        for engine in down:
            await engine.dispose()


async def test_p2wkss_bot_run_serves_its_own_dispatcher_state(
    app: App, db_url: str, fake: FakeTelegramServer, tmp_path: Path
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = load_settings(
        database_url=db_url, telegram_bot_token=TOKEN, telegram_api_base_url=fake.base_url,
        web_base_url="https://bot.test", webhook_listen=f"127.0.0.1:{port}",
        media_dir=tmp_path / "media",
    )  # fmt: skip
    stop = asyncio.Event()
    service = asyncio.create_task(run_service(settings, webhook=False, stop=stop))
    body: dict[str, Any] = {}
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(2000):  # until it listens and its dispatcher has claimed once
                with contextlib.suppress(httpx.TransportError):
                    body = (await client.get("/healthz")).json()
                    if body.get("dispatcher", {}).get("last_claim_at"):
                        break
                await asyncio.sleep(0.01)
    finally:
        stop.set()
        assert await service == 0
    assert body["ok"] is True and body["database"] == "ok" and body["outbox_due"] == 0
    assert body["dispatcher"]["running"] is True
    assert body["dispatcher"]["last_claim_seconds_ago"] < 60
    assert TOKEN not in json.dumps(body)
