"""Declarative base, column types, the async engine shared by every table, and the few
statements that differ between SQLite and PostgreSQL.

Time is stored in UTC and always comes back timezone-aware, on SQLite as on PostgreSQL.
SQLite runs in WAL mode, and every transaction starts with BEGIN IMMEDIATE so that two
concurrent writers queue on the busy timeout instead of failing on a stale snapshot.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, Insert, MetaData, event, literal_column
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, ORMExecuteState, Session, UOWTransaction
from sqlalchemy.types import TypeDecorator

from models.sqlite_driver import DRIVER as SQLITE_DRIVER

SQLITE_BUSY_TIMEOUT_MS = 30_000

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def changed(result: object) -> int:
    """Rows an UPDATE, DELETE or INSERT changed (0 when the driver cannot tell). The
    result of `session.execute` is typed as a plain `Result`, which has no rowcount."""
    return int(getattr(result, "rowcount", 0) or 0)


# In a session's `info`: how many times it wrote (see `writes`).
_WRITES = "p2wkss.writes"


def writes(session: AsyncSession) -> int:
    """How many times this session has written so far: a flush that had changes, or an
    ORM INSERT, UPDATE or DELETE statement (not a statement run on its bare connection).
    What it read may be used again while this stays the same (nothing of its own changed
    it since)."""
    return int(session.info.get(_WRITES, 0))


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _flush: UOWTransaction) -> None:
    session.info[_WRITES] = session.info.get(_WRITES, 0) + 1


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if not state.is_select:
        state.session.info[_WRITES] = state.session.info.get(_WRITES, 0) + 1


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is stored as UTC and read back timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        # SQLite keeps text; store it without an offset so ordering and comparison work.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSONType,
    }


def one_of(column: Any, values: Sequence[str]) -> Any:
    """`column IN ('a', 'b')` written into the SQL: `in_` binds an expanding list, which
    is rendered again at every execution of a statement built once and run for every
    message. (Our constants only: nothing typed reaches this.)"""
    return column.op("IN")(literal_column("(" + ", ".join(f"'{v}'" for v in values) + ")"))


def check_in(column: str, values: Sequence[str]) -> str:
    """The SQL of a CHECK that a column holds one of a few known codes:
    `status IN ('queued', 'sent')`."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def insert_ignore(
    session: AsyncSession | Session, table: type[Base], index_elements: Sequence[str]
) -> Insert:
    """`INSERT … ON CONFLICT (index_elements) DO NOTHING` in the session's dialect.

    Add `.values(...)` (and `.returning(...)` to learn whether a row was written). A row
    that already exists is skipped without an error, so the transaction goes on."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=index_elements)
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=index_elements)
    raise ValueError(f"no INSERT … ON CONFLICT for the {dialect} dialect (SQLite or PostgreSQL)")


def make_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """Create the engine; parameters are hidden in errors so personal data stays out of logs."""
    if url.startswith("sqlite"):
        # aiosqlite logs every statement with its parameters (names, phones) at DEBUG.
        logging.getLogger("aiosqlite").setLevel(logging.WARNING)
        engine = create_async_engine(
            # aiosqlite, one round trip to its thread per statement (see there).
            make_url(url).set(drivername=f"sqlite+{SQLITE_DRIVER}"),
            echo=echo,
            hide_parameters=True,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        _configure_sqlite(engine)
        return engine
    return create_async_engine(url, echo=echo, hide_parameters=True, pool_pre_ping=True)


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from the driver, so BEGIN IMMEDIATE below is ours.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        # Deleted or overwritten content is zeroed, not left in free space (erasure).
        cur.execute("PRAGMA secure_delete=ON")
        cur.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Sent with the transaction's first statement by our driver (one round trip less).
        driver = conn.connection.dbapi_connection
        if hasattr(driver, "defer_begin"):
            driver.defer_begin()
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def transaction(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit on success, roll back on any exception."""
    async with sessions() as session, session.begin():
        yield session
