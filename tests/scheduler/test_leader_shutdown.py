"""A worker lets go of its advisory locks when it stops, and a database that no longer
answers (a network that drops the packets instead of refusing them) does not hold that
stop up: the locks' connection is given up after a short wait, and the server frees the
locks when that session ends.

PostgreSQL only: on SQLite there are no locks to let go of."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from sqlalchemy import func, select, text

from bot.app import App
from models import make_engine
from scheduler.leader import AdvisoryLocks
from tests.support.tcp_proxy import silent_proxy_to


async def test_a_worker_stopping_while_the_database_does_not_answer_lets_go_of_its_lock(
    app: App,
) -> None:
    """The dispatcher took the Telegram channel's lock; then the database stops answering
    (packets dropped) and the worker is stopped: letting go of the lock gives up within
    seconds instead of waiting for an answer that never comes (the worker would hang
    until it is killed)."""
    if app.db.dialect.name != "postgresql":
        pytest.skip("SQLite runs one process; there is no lock to let go of")
    proxy, proxied = await silent_proxy_to(app.db.url)
    engine = make_engine(proxied)
    locks = AdvisoryLocks(engine)
    try:
        assert await locks.hold("outbox:telegram") is True
        proxy.go_silent()
        async with asyncio.timeout(10):  # without the bound: forever
            await locks.release_all()
    finally:
        await proxy.stop()  # cuts the silent connection: its session and lock end
        with contextlib.suppress(Exception):
            await engine.dispose()
    await _until_no_advisory_lock(app)


async def _until_no_advisory_lock(app: App) -> None:
    """The server ends the cut session (and frees its lock) a moment after the cut. Only
    this test's database: pg_locks shows the whole server's, and tests running beside
    this one hold theirs."""
    stmt = (
        select(func.count())
        .select_from(text("pg_locks"))
        .where(
            text("locktype = 'advisory'"),
            text("database = (SELECT oid FROM pg_database WHERE datname = current_database())"),
        )
    )
    async with asyncio.timeout(10):
        while True:
            async with app.db.connect() as conn:
                if not await conn.scalar(stmt):
                    return
            await asyncio.sleep(0.05)
