"""Wiring: open the database (migrated and seeded where allowed) and build the engine."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine as SyncEngine
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.settings import Settings
from handlers.core.config import Config
from handlers.core.engine import Engine
from models import make_engine, make_sessionmaker, transaction
from models.codes import AttemptLimit
from models.files import private_dir, private_sqlite
from models.location import seed_default_locations
from models.migrate import current_revision, head_revision, upgrade

log = logging.getLogger("p2wkss.app")

# A stop (SIGTERM, SIGINT) ends within STOP_SECONDS + CLOSE_SECONDS whatever the database
# does. Its steps (the web server, the scheduler, the channels) share STOP_SECONDS in
# turn; the database close then waits at most CLOSE_SECONDS. A database that answers
# makes the whole stop take about a second. One that has gone silent (packets dropped:
# connections stay open, no answer, no reset) would otherwise hold every step up until
# the worker is killed. Giving up loses nothing acknowledged: an inbox row and an
# outbox claim are leased, so another worker (or the next start) takes them over once
# the lease runs out, and a webhook request not answered yet is sent again by the
# platform.
STOP_SECONDS = 10.0
# How long closing the database's connections may wait for the server (one round trip
# each when it answers); then they are dropped without a goodbye (the server ends
# those sessions, and frees their locks, when it notices).
CLOSE_SECONDS = 3.0
# The least a step of the stop is given even when the deadline has passed: a step that
# needs no database (or a database that answers) still ends cleanly.
STEP_FLOOR = 0.5


class DatabaseNotReady(Exception):
    """The database schema is behind the code; the message says what to run."""


@dataclass
class App:
    db: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    engine: Engine

    async def close(self) -> None:
        await close_database(self.db)


# The driver connections each engine's pool opened (asyncpg's, which can be terminated),
# so that a close that gets no answer can drop them. Weak: a closed one just goes.
_driver_connections: weakref.WeakKeyDictionary[SyncEngine, weakref.WeakSet[Any]] = (
    weakref.WeakKeyDictionary()
)


def watch_connections(db: AsyncEngine) -> None:
    """Keep track of the driver connections `db` opens (see close_database)."""
    opened: weakref.WeakSet[Any] = weakref.WeakSet()
    _driver_connections[db.sync_engine] = opened

    @event.listens_for(db.sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        driver = getattr(dbapi_conn, "driver_connection", None)
        if callable(getattr(driver, "terminate", None)):
            opened.add(driver)


async def close_database(db: AsyncEngine, seconds: float = CLOSE_SECONDS) -> None:
    """Close the pool's connections gracefully (asyncpg says goodbye and waits for the
    server to end the session); a server that does not answer within `seconds` gets its
    connections terminated instead (closed at our end, nothing more waited for), as
    asyncpg's close has no time limit of its own and would hang the stop forever."""
    closing = asyncio.ensure_future(db.dispose())
    done, _ = await asyncio.wait({closing}, timeout=seconds)
    if done:
        closing.result()
        return
    # Every one, those being closed too (asyncpg counts a closing one as closed, and
    # terminating it ends the close's wait).
    opened = list(_driver_connections.get(db.sync_engine, ()))
    log.warning(
        "stop: gave up waiting for the database to close its connections after %.0f s; "
        "dropped %d connection(s)", seconds, len(opened),
    )  # fmt: skip
    for conn in opened:
        try:
            conn.terminate()
        except Exception:
            log.debug("terminating a database connection failed", exc_info=True)
    # Not cancelled (SQLAlchemy would log that as an error): the close waiting for the
    # server ends with the connection dropped, and the rest close at once.
    done, _ = await asyncio.wait({closing}, timeout=STEP_FLOOR)
    if not done:
        closing.cancel()
    closing.add_done_callback(_ignore_outcome)


class StopClock:
    """One deadline for a whole stop, shared by its steps in turn (STOP_SECONDS from the
    first use, or from `start`). A step that is not done when its time is up is given up:
    cancelled and not waited for, with a warning naming it (never what it held)."""

    def __init__(self, seconds: float = STOP_SECONDS) -> None:
        self.seconds = seconds
        self._deadline: float | None = None

    def start(self) -> None:
        if self._deadline is None:
            self._deadline = time.monotonic() + self.seconds

    def left(self, reserve: float = 0.0) -> float:
        """Seconds until the deadline less `reserve` (for later steps), at least STEP_FLOOR."""
        self.start()
        assert self._deadline is not None
        return max(STEP_FLOOR, self._deadline - time.monotonic() - reserve)

    async def step(self, what: str, stop: Callable[[], Awaitable[object]]) -> None:
        """Run one step of the stop (`what` names it in the log) within the time left."""
        seconds = self.left()
        task = asyncio.ensure_future(stop())
        done, _ = await asyncio.wait({task}, timeout=seconds)
        if not done:
            log.warning("stop: gave up waiting for %s after %.1f s", what, seconds)
            task.cancel()  # what it waits on ends when the connections are dropped
            task.add_done_callback(_ignore_outcome)
            return
        task.result()  # its error, if any, as before


async def migrate_and_seed(db: AsyncEngine) -> None:
    await upgrade(db)
    sessions = make_sessionmaker(db)
    async with transaction(sessions) as session:
        await seed_default_locations(session)


async def open_app(settings: Settings, *, auto_migrate: bool | None = None) -> App:
    """Open the app; the embedded SQLite default migrates itself, PostgreSQL must be
    migrated on purpose (`p2wkss-bot db upgrade`), since several workers share it."""
    if settings.database_url.startswith("sqlite"):
        # An owner-only database file (SQLite gives its WAL and SHM the same mode).
        private_sqlite(make_url(settings.database_url).database)
    db = make_engine(settings.database_url)
    watch_connections(db)
    try:
        # Photos, voice notes and exports are personal data: owner-only (0700).
        private_dir(settings.media_dir)
        if auto_migrate is None:
            auto_migrate = db.dialect.name == "sqlite"
        if auto_migrate:
            await migrate_and_seed(db)
        elif await current_revision(db) != head_revision():
            raise DatabaseNotReady(
                "database schema is not up to date: run `p2wkss-bot db upgrade` first"
            )
    except BaseException:
        await close_database(db)
        raise
    sessions = make_sessionmaker(db)
    config = Config.build(
        settings.tz,
        settings.default_language,
        settings.media_dir,
        settings.quiet_hours,
        flow_idle=timedelta(hours=settings.flow_idle_hours),
        confirm_window=timedelta(minutes=settings.confirm_window_minutes),
        reply_resend=timedelta(minutes=settings.reply_resend_minutes),
        import_max_bytes=int(settings.import_max_mb * 1024 * 1024),
        kader_invite_days=settings.kader_invite_days,
        code_limit=AttemptLimit(
            settings.code_attempts, timedelta(minutes=settings.code_attempt_window_minutes)
        ),
        bot_username=settings.telegram_bot_username,
        checkin_before=timedelta(minutes=settings.checkin_before_minutes),
        web_base_url=settings.web_base_url,
        voice_min_interval=timedelta(seconds=settings.voice_min_interval_seconds),
        voice_daily_cap=settings.voice_daily_cap,
    )
    engine = Engine(sessions, config)
    engine.inbox_lease = timedelta(seconds=settings.inbox_lease_seconds)
    return App(db=db, sessions=sessions, engine=engine)


def _ignore_outcome(task: asyncio.Future[Any]) -> None:
    # A step given up may still end with an error (its connection dropped): expected.
    if not task.cancelled():
        task.exception()


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM, so a service stops cleanly (sends in flight end)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop
