"""Wiring: open the database (migrated and seeded where allowed) and build the engine."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from dataclasses import dataclass
from datetime import timedelta

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


class DatabaseNotReady(Exception):
    """The database schema is behind the code; the message says what to run."""


@dataclass
class App:
    db: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    engine: Engine

    async def close(self) -> None:
        await self.db.dispose()


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
        await db.dispose()
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


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM, so a service stops cleanly (sends in flight end)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop
