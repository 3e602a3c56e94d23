"""SQLite statements of a writing transaction run on the event loop's own thread.

aiosqlite runs every call on a thread of the connection's and hands the result back to
the event loop: four round trips a statement (make a cursor, execute, fetch, close), each
waiting for its turn on a loop that is also busy with HTTP. Every transaction here starts
with BEGIN IMMEDIATE (`models.base`), so SQLite's one writer holds the lock meanwhile and
every other transaction waits for those round trips (measured with
`benchmarks/updates.py`: about 22 a message, most of the time one message took).

This driver (`sqlite+aiosqlite` in `DATABASE_URL`, chosen by `make_engine`) keeps
aiosqlite's thread for what may wait: opening the connection, and BEGIN IMMEDIATE, which
can wait up to the busy timeout for another process's writer. Once the transaction holds
the write lock, nothing it runs waits on another connection in WAL mode, so its statements,
COMMIT and ROLLBACK run directly on the loop's thread (the connection is made with
`check_same_thread=False`; SQLAlchemy uses it from one task at a time, so the two threads
never touch it at once). A statement then costs what SQLite takes, no round trip, and
other chats' HTTP waits for it only as long as their own transactions would anyway.
Statements outside a transaction (the pragmas at connect) go to the thread in one round
trip. Server-side cursors (`stream`) keep aiosqlite's.
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

DRIVER = "aiosqlite_loop"

_Outcome = tuple[Any, list[Any], int, int | None]


def _run(raw: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> _Outcome:
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


def _begin_now(raw: sqlite3.Connection, operation: str) -> bool:
    """BEGIN IMMEDIATE on the loop when the write lock is free (the usual case: this
    process's writers take turns before they begin); False, having done nothing, when
    another connection holds it: then it waits for it on aiosqlite's thread, up to the
    busy timeout, while the loop goes on."""
    if not operation.startswith("BEGIN"):
        return False
    timeout = raw.execute("PRAGMA busy_timeout").fetchone()[0]
    raw.execute("PRAGMA busy_timeout=0")
    try:
        raw.execute(operation)
    except sqlite3.OperationalError as error:
        if error.sqlite_errorcode != sqlite3.SQLITE_BUSY:
            raise
        return False
    finally:
        raw.execute(f"PRAGMA busy_timeout={int(timeout)}")
    return True


async def _at_once() -> None:
    return None


class LoopCursor:
    """A DB-API cursor over the connection's sqlite3 connection: on the loop inside a
    transaction, else one round trip to aiosqlite's thread. Results are read whole."""

    server_side = False

    def __init__(self, adapt_connection: LoopConnection) -> None:
        self._adapt_connection = adapt_connection
        self._rows: deque[Any] = deque()
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1

    def _execute(self, operation: str, parameters: Any, many: bool) -> None:
        adapt = self._adapt_connection
        aio = adapt._connection
        try:
            raw = aio._conn
            if raw.in_transaction:
                outcome = _run(raw, operation, parameters, many)
                # SQLAlchemy's AsyncConnection.execute insists that the driver awaited
                # something: a coroutine that returns at once (no trip round the loop).
                await_(_at_once())
            elif not many and _begin_now(raw, operation):
                outcome = (None, [], -1, None)
                await_(_at_once())
            else:
                outcome = await_(aio._execute(_run, raw, operation, parameters, many))
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


class LoopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()

    _cursor_cls = LoopCursor  # type: ignore[assignment]

    def commit(self) -> None:
        # No transaction (the pool's reset after a commit): nothing to do, no round trip.
        raw = self._connection._connection
        if raw is not None and raw.in_transaction:
            try:
                raw.commit()
            except Exception as error:
                self._handle_exception(error)

    def rollback(self) -> None:
        raw = self._connection._connection
        if raw is not None and raw.in_transaction:
            try:
                raw.rollback()
            except Exception as error:
                self._handle_exception(error)


class LoopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> LoopConnection:
        kw["check_same_thread"] = False
        adapted = super().connect(*arg, **kw)
        return LoopConnection(self, adapted._connection)


class SQLiteDialect_aiosqlite_loop(SQLiteDialect_aiosqlite):
    driver = DRIVER
    supports_statement_cache = True
    # stream() keeps aiosqlite's server-side cursors.
    supports_server_side_cursors = True

    @classmethod
    def import_dbapi(cls) -> LoopDBAPI:
        return LoopDBAPI(__import__("aiosqlite"), sqlite3)


registry.register(f"sqlite.{DRIVER}", __name__, "SQLiteDialect_aiosqlite_loop")
