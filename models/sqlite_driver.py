"""SQLite through aiosqlite's thread, one round trip per statement.

aiosqlite makes four round trips to its thread per statement (make a cursor, execute,
fetch, close), and each waits for a busy event loop (and the GIL) while, every
transaction here starting with BEGIN IMMEDIATE (`models.base`), SQLite's one writer holds
the lock and every other transaction waits: about 22 round trips a message
(`benchmarks/updates.py`). This driver (`sqlite+aiosqlite` in `DATABASE_URL`, chosen by
`make_engine`) runs a whole statement (execute, read every row, close) in one call on
aiosqlite's thread, and skips the round trip of a COMMIT or ROLLBACK with no transaction
(the pool's reset after a commit). A transaction's BEGIN IMMEDIATE (`models.base`) goes
with its first statement in the same call. SQLite's own work, and any wait for another
process's lock (the busy timeout), stay off the event loop. Server-side cursors (`stream`)
keep aiosqlite's (and begin first).

Tried and measured, not kept: running a transaction's statements on the loop itself (no
round trip at all). It answered sooner at half load (p50 9-38 ms against 15-210 ms) but
handled fewer messages a second in 5 of 6 interleaved runs (the bot is bound by the
loop's CPU, and SQLite's work then no longer runs on the second core), and a COMMIT that
checkpoints the WAL would block every chat's HTTP while it writes.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_dbapi,
    SQLiteDialect_aiosqlite,
)
from sqlalchemy.util.concurrency import await_

DRIVER = "aiosqlite_onetrip"

_Outcome = tuple[Any, list[Any], int, int | None]


BEGIN = "BEGIN IMMEDIATE"


def _run(
    raw: sqlite3.Connection, operation: str, parameters: Any, many: bool, begin: bool = False
) -> _Outcome:
    if begin and not raw.in_transaction:
        raw.execute(BEGIN)
    cursor = raw.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneTripCursor:
    """A DB-API cursor whose every statement is one call on aiosqlite's thread; the rows
    are read whole."""

    server_side = False

    def __init__(self, adapt_connection: OneTripConnection) -> None:
        self._adapt_connection = adapt_connection
        self._rows: deque[Any] = deque()
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1

    def _execute(self, operation: str, parameters: Any, many: bool) -> None:
        adapt = self._adapt_connection
        aio = adapt._connection
        begin, adapt.begin_pending = adapt.begin_pending, False
        try:
            outcome = await_(aio._execute(_run, aio._conn, operation, parameters, many, begin))
        except Exception as error:
            adapt._handle_exception(error)
        self.description, rows, self.rowcount, self.lastrowid = outcome
        self._rows = deque(rows)

    def execute(self, operation: str, parameters: Any = None) -> None:
        self._execute(operation, parameters, False)

    def executemany(self, operation: str, seq_of_parameters: Sequence[Any]) -> None:
        self._execute(operation, seq_of_parameters, True)

    async def _async_soft_close(self) -> None:
        """Nothing to close: the rows are read and the description kept."""

    def close(self) -> None:
        self._rows.clear()

    def setinputsizes(self, *inputsizes: Any) -> None:
        pass

    def __iter__(self) -> Iterator[Any]:
        while self._rows:
            yield self._rows.popleft()

    def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    def fetchmany(self, size: int | None = None) -> list[Any]:
        rows = self._rows
        return [rows.popleft() for _ in range(min(size or self.arraysize, len(rows)))]

    def fetchall(self) -> list[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("begin_pending",)

    _cursor_cls = OneTripCursor  # type: ignore[assignment]

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        # A transaction begun (`defer_begin`) whose BEGIN IMMEDIATE goes with its first
        # statement, in the same trip to the thread: one round trip less a transaction.
        self.begin_pending = False

    def defer_begin(self) -> None:
        self.begin_pending = True

    def cursor(self, server_side: bool = False) -> Any:
        if server_side and self.begin_pending:
            # aiosqlite's own cursor (stream) knows nothing of it: begin now.
            self.begin_pending = False
            aio = self._connection
            try:
                await_(aio._execute(aio._conn.execute, BEGIN))
            except Exception as error:
                self._handle_exception(error)
        return super().cursor(server_side)

    def commit(self) -> None:
        self._end("commit")

    def rollback(self) -> None:
        self._end("rollback")

    def _end(self, how: str) -> None:
        # A transaction that ran no statement never began; with no transaction (the pool's
        # reset after a commit) there is nothing to do and no round trip. (in_transaction
        # is read on the loop: a plain flag, no call into SQLite's state.)
        self.begin_pending = False
        raw = self._connection._connection
        if raw is not None and raw.in_transaction:
            try:
                await_(self._connection._execute(getattr(raw, how)))
            except Exception as error:
                self._handle_exception(error)


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection)


class SQLiteDialect_aiosqlite_onetrip(SQLiteDialect_aiosqlite):
    driver = DRIVER
    supports_statement_cache = True
    # stream() keeps aiosqlite's server-side cursors.
    supports_server_side_cursors = True

    @classmethod
    def import_dbapi(cls) -> OneTripDBAPI:
        return OneTripDBAPI(__import__("aiosqlite"), sqlite3)


registry.register(f"sqlite.{DRIVER}", __name__, "SQLiteDialect_aiosqlite_onetrip")
