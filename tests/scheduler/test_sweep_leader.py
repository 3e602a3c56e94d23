"""One leader runs the sweeps: with several processes on one PostgreSQL, only the holder of
the "sweeps" advisory lock sweeps; when it dies (its database session ends) another takes
over at its next tick. Sweeps are idempotent, so even an overlap writes nothing twice."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text

import scheduler.leader
from bot.app import App
from models import Kegiatan, OutboxMessage, make_engine, make_sessionmaker
from models.reminders.kegiatan import DAY_BEFORE, HOURS_BEFORE, ReminderPlan
from scheduler.sweeps import Sweeper
from tests.support.chat import mothers
from tests.support.fakes.kegiatan import kegiatan

PLAN = ReminderPlan(tz=ZoneInfo("Asia/Jakarta"))


async def reminders(app: App) -> int:
    async with app.sessions() as s:
        stmt = select(func.count()).where(OutboxMessage.kind == "kegiatan_reminder")
        return int(await s.scalar(stmt) or 0)


async def terminate(app: App, pid: int) -> None:
    """End a backend and wait until the server has let it go (its locks with it):
    pg_terminate_backend only signals it, and the next lock attempt could come first."""
    async with app.db.connect() as conn:
        await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        # By the clock, not by tries: on a loaded machine (CI's workers) the backend took
        # longer than 500 tries of 10 ms to go once.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            alive = await conn.scalar(
                text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
            )
            if not alive:
                return
            await asyncio.sleep(0.01)
    raise AssertionError(f"backend {pid} still there 30 s after terminate")


async def test_one_leader_sweeps_and_another_takes_over_when_it_dies(
    app: App, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if app.db.dialect.name != "postgresql":
        pytest.skip("SQLite runs one process; there is no lock to take")
    monkeypatch.setattr(scheduler.leader, "CHECK_SECONDS", 0.0)  # notice a lost lock at once
    [siti] = await mothers(app, "Siti Aminah")
    kid = await kegiatan(app, "Posyandu", kuota=None)
    await siti.tap(f"a:kg.signup:{kid}")
    async with app.sessions() as s:
        start = (await s.get_one(Kegiatan, kid)).starts_at
    early = PLAN.due_at(DAY_BEFORE, start) - timedelta(minutes=1)
    due = PLAN.due_at(HOURS_BEFORE, start)

    # Two "processes": their own engines on the same database.
    engines = [make_engine(db_url) for _ in range(2)]
    one, two = (Sweeper(make_sessionmaker(e), PLAN) for e in engines)
    try:
        assert await one.run_once(early) is True
        assert await two.run_once(early) is False
        assert await two.run_once(due) is False  # still not the leader: writes nothing
        assert await reminders(app) == 0

        # The leader dies: the server ends its session, and with it the lock.
        assert one.locks._conn is not None
        pid = await one.locks._conn.scalar(text("SELECT pg_backend_pid()"))
        await terminate(app, pid)
        assert await two.run_once(due) is True  # took over
        assert await reminders(app) == 1
        assert await one.run_once(due + timedelta(seconds=15)) is False  # knows it lost
        assert await two.run_once(due + timedelta(seconds=15)) is True
        assert await reminders(app) == 1  # nothing twice
    finally:
        await one.close()
        await two.close()
        for e in engines:
            await e.dispose()
