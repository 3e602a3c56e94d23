"""Throwaway test databases, each a copy of one migrated and seeded per test run.

SQLite: a template file, copied for each test. PostgreSQL: a template database, copied with
CREATE DATABASE … TEMPLATE. On PostgreSQL, creating and dropping a database each wait for
the server's disk writes (DROP DATABASE even forces a checkpoint), so ``PostgresCopies``
does both on a thread of its own: the next test's copy is made while the current test runs,
and a finished test's copy is dropped behind it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import sqlite3
import threading
import uuid
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.app import migrate_and_seed
from models import make_engine

T = TypeVar("T")


def make_sqlite_template(path: Path) -> Path:
    """Migrate and seed a SQLite file, with everything in the main file (WAL checkpointed),
    so that copying that one file copies the database."""

    async def create() -> None:
        db = make_engine(f"sqlite+aiosqlite:///{path}")
        try:
            await migrate_and_seed(db)
        finally:
            await db.dispose()

    asyncio.run(create())
    with contextlib.closing(sqlite3.connect(path)) as conn:
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0, "the template database is still in use"
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


class PostgresCopies:
    """Copies of a migrated template database on the server of ``url`` (an
    ``postgresql+asyncpg://…/<any existing database>`` URL), made one ahead."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.template = f"p2wkss_tmpl_{uuid.uuid4().hex[:12]}"
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="test-databases", daemon=True
        )
        self._admin: AsyncEngine | None = None
        self._next: asyncio.Task[str] | None = None
        self._drops: list[concurrent.futures.Future[None]] = []

    def url_of(self, name: str) -> str:
        return self.url.rsplit("/", 1)[0] + "/" + name

    # -- lifecycle, from the test session's thread ------------------------------------------

    def start(self) -> None:
        self._thread.start()
        self._run(self._start()).result()

    def close(self) -> None:
        try:
            for drop in self._drops:
                drop.result()
            self._run(self._close()).result()
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
            self._loop.close()

    # -- per test, from the test's event loop -------------------------------------------------

    async def take(self) -> str:
        """A fresh copy of the template, for one test (its name)."""
        return await asyncio.wrap_future(self._run(self._take()))

    def give_back(self, name: str) -> None:
        """Drop this copy, without waiting for it."""
        self._drops.append(self._run(self._drop(name)))

    # -- on the databases' own loop ----------------------------------------------------------

    def _run(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    async def _execute(self, sql: str) -> None:
        assert self._admin is not None
        async with self._admin.connect() as conn:
            await conn.execute(text(sql))

    async def _start(self) -> None:
        self._admin = create_async_engine(self.url, isolation_level="AUTOCOMMIT")
        await self._execute(f'CREATE DATABASE "{self.template}"')
        db = make_engine(self.url_of(self.template))
        try:
            await migrate_and_seed(db)
        finally:
            await db.dispose()
        self._next = asyncio.create_task(self._copy())

    async def _copy(self) -> str:
        name = f"p2wkss_test_{uuid.uuid4().hex[:12]}"
        await self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return name

    async def _take(self) -> str:
        assert self._next is not None
        name = await self._next
        self._next = asyncio.create_task(self._copy())
        return name

    async def _drop(self, name: str) -> None:
        await self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    async def _close(self) -> None:
        if self._next is not None:
            await self._drop(await self._next)
        await self._drop(self.template)
        if self._admin is not None:
            await self._admin.dispose()
