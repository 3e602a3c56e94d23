"""One active worker per job across processes: PostgreSQL session-level advisory locks.

The locks are held on one dedicated connection outside any transaction; they last as
long as that database session, so a killed process frees them at once (the server ends
its session) and another worker takes over on its next try. On SQLite there is one
process by design, so every lock is granted.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

# How often a held lock's connection is checked to be still alive (real seconds).
CHECK_SECONDS = 5.0
# How long letting go of the locks at a stop may wait for the database (real seconds):
# one round trip when it answers. A database that does not (packets dropped, no reset)
# would otherwise hold the worker's stop up until it is killed.
RELEASE_SECONDS = 3.0


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for a lock name (Python's hash() changes per process)."""
    digest = hashlib.sha256(f"p2wkss-bot:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class AdvisoryLocks:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.enabled = engine.dialect.name == "postgresql"
        self._conn: AsyncConnection | None = None
        self._held: set[str] = set()
        self._checked = 0.0

    async def hold(self, name: str) -> bool:
        """True while this process holds the lock `name`; tries to take it if not."""
        if not self.enabled:
            return True
        try:
            if name in self._held:
                await self._check_alive()
                return name in self._held
            conn = await self._connection()
            got = await conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": lock_key(name)})
        except Exception:
            log.warning("advisory lock connection lost; will retry", exc_info=True)
            await self._reset()
            return False
        if got:
            self._held.add(name)
            log.info("took the lock for %s", name)
        return bool(got)

    async def _check_alive(self) -> None:
        if time.monotonic() - self._checked < CHECK_SECONDS:
            return
        assert self._conn is not None
        await self._conn.execute(text("SELECT 1"))
        self._checked = time.monotonic()

    async def _connection(self) -> AsyncConnection:
        if self._conn is None:
            engine = self.engine.execution_options(isolation_level="AUTOCOMMIT")
            self._conn = await engine.connect()
            self._checked = time.monotonic()
        return self._conn

    async def _reset(self) -> None:
        self._held.clear()
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await conn.invalidate()
            except Exception:
                log.debug("closing a broken lock connection failed", exc_info=True)

    async def release_all(self) -> None:
        """Let go of every lock before the connection goes back to the pool (session locks
        would otherwise outlive this worker in a pooled connection)."""
        conn, self._conn = self._conn, None
        self._held.clear()
        if conn is None:
            return
        try:
            async with asyncio.timeout(RELEASE_SECONDS):
                await conn.execute(text("SELECT pg_advisory_unlock_all()"))
                await conn.close()
        except Exception:
            # Given up, the connection is dropped instead (never back to the pool with
            # a lock): the server frees the locks when it sees that session end.
            log.warning("could not release advisory locks cleanly", exc_info=True)
            try:
                await conn.invalidate()
            except Exception:
                log.debug("dropping the lock connection failed", exc_info=True)
