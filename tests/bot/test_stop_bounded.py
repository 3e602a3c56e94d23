"""A worker's stop is bounded whatever the database does: its steps share one deadline
(a step not done by then is given up, named in the log), and closing the database's
connections, which asyncpg would wait on forever when the server has gone silent, drops
them instead after a short wait. The whole worker through a silent database is in
tests/channels/test_workers_faults.py."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

import pytest
from sqlalchemy import text

from bot.app import CLOSE_SECONDS, STEP_FLOOR, App, StopClock, close_database, watch_connections
from models import make_engine
from tests.support.tcp_proxy import silent_proxy_to


async def test_a_step_of_the_stop_that_never_ends_is_given_up_at_the_deadline(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The web server waits on a request that never ends: the stop gives up on it when
    its time is up, says so, and the next step (quick) still runs to its end."""
    clock = StopClock(seconds=0.3)
    clock.start()
    ended: list[str] = []

    async def forever() -> None:
        await asyncio.Event().wait()

    async def quick() -> None:
        ended.append("the channel")

    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="p2wkss.app"):
        await clock.step("the web server", forever)
        await clock.step("the Telegram channel", quick)
    assert time.monotonic() - started < 0.3 + STEP_FLOOR + 1.0
    assert ended == ["the channel"]
    assert "stop: gave up waiting for the web server" in caplog.text
    assert "Telegram channel" not in caplog.text


async def test_closing_a_database_that_went_silent_drops_its_connections(app: App) -> None:
    """Two pooled connections, then the database stops answering (packets dropped):
    closing them gives up after CLOSE_SECONDS and terminates them, instead of waiting
    for the server's goodbye forever."""
    if app.db.dialect.name != "postgresql":
        pytest.skip("a SQLite file has no server to wait for")
    proxy, proxied = await silent_proxy_to(app.db.url)
    engine = make_engine(proxied)
    watch_connections(engine)
    try:
        async with engine.connect() as one, engine.connect() as two:
            for conn in (one, two):
                await conn.execute(text("SELECT 1"))
        proxy.go_silent()
        started = time.monotonic()
        async with asyncio.timeout(CLOSE_SECONDS + 5):  # without the bound: forever
            await close_database(engine)
        took = time.monotonic() - started
    finally:
        await proxy.stop()
        with contextlib.suppress(Exception):
            await engine.dispose()
    assert took >= CLOSE_SECONDS - 0.5  # it did wait for an answer first
