"""The SQLite driver's deferred BEGIN IMMEDIATE (`models.sqlite_driver`): sent with a
transaction's first statement, it still takes SQLite's write lock before anything is read,
as a BEGIN of its own did; a transaction that runs nothing takes no lock."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from models.base import make_engine


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    made = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'lock.db'}")
    async with made.begin() as conn:
        await conn.execute(text("CREATE TABLE t (n INTEGER)"))
        await conn.execute(text("INSERT INTO t VALUES (1), (2)"))
    yield made
    await made.dispose()


def another_writer_can_begin(path: Path) -> bool:
    """Whether another process could start writing now (no waiting for the lock)."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc)
        return False
    else:
        other.execute("ROLLBACK")
        return True
    finally:
        other.close()


async def test_the_first_statement_of_a_transaction_takes_the_write_lock(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    path = tmp_path / "lock.db"
    async with engine.begin() as conn:
        assert another_writer_can_begin(path)  # begun, nothing sent yet
        assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar() == 2
        assert not another_writer_can_begin(path)  # a read first: the lock is held already
    assert another_writer_can_begin(path)


async def test_a_transaction_that_runs_nothing_commits_and_rolls_back_cleanly(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    async with engine.begin():
        pass
    async with engine.connect() as conn:
        await conn.begin()
        await conn.rollback()
    assert another_writer_can_begin(tmp_path / "lock.db")


async def test_a_stream_in_a_transaction_begins_first_and_holds_the_lock(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    async with engine.begin() as conn:
        rows = await conn.stream(text("SELECT n FROM t ORDER BY n"))
        assert [n async for (n,) in rows] == [1, 2]
        assert not another_writer_can_begin(tmp_path / "lock.db")
