"""Shared fixtures: every database test runs on a fresh SQLite file, and again on a
throwaway PostgreSQL database when TEST_POSTGRES_URL is set. Both are copies of a database
migrated and seeded once per test run; the Telegram tests share the fake Bot API server."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import App, migrate_and_seed, open_app
from bot.settings import Settings, load_settings
from models import make_engine
from tests.support.chat import Chat
from tests.support.fakes.telegram_api import FakeTelegramServer
from tests.support.telegram_harness import TOKEN

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")


def _sibling(name: str) -> str:
    assert POSTGRES_URL is not None
    return POSTGRES_URL.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str | None]:
    """A database migrated once per test run; each test gets a fresh copy of it
    (CREATE DATABASE … TEMPLATE is much faster than migrating every time)."""
    if not POSTGRES_URL:
        yield None
        return
    name = f"p2wkss_tmpl_{uuid.uuid4().hex[:12]}"

    async def create() -> None:
        admin = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        await admin.dispose()
        db = make_engine(_sibling(name))
        try:
            await migrate_and_seed(db)
        finally:
            await db.dispose()

    async def drop() -> None:
        admin = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()

    asyncio.run(create())
    try:
        yield name
    finally:
        asyncio.run(drop())


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated and seeded once per test run; each test gets a copy of it."""
    path = tmp_path_factory.mktemp("template") / "p2wkss-template.db"

    async def create() -> None:
        db = make_engine(f"sqlite+aiosqlite:///{path}")
        try:
            await migrate_and_seed(db)
        finally:
            await db.dispose()

    asyncio.run(create())
    # Everything in the main file, so that copying that one file copies the database.
    with contextlib.closing(sqlite3.connect(path)) as conn:
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0, "the template database is still in use"
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
    pg_template: str | None,
) -> AsyncIterator[str]:
    if request.param == "sqlite":
        db = tmp_path / "p2wkss-test.db"
        shutil.copyfile(sqlite_template, db)
        yield f"sqlite+aiosqlite:///{db}"
        return
    if not POSTGRES_URL or pg_template is None:
        pytest.skip("TEST_POSTGRES_URL is not set: no PostgreSQL server for this run")
    name = f"p2wkss_test_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
        yield _sibling(name)
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return load_settings(
        database_url=db_url,
        timezone="Asia/Jakarta",
        default_language="id",
        media_dir=tmp_path / "media",  # nothing a test stores lands in the checkout
    )


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[App]:
    # The database is a copy of a migrated one: open_app checks it is at the newest
    # revision instead of migrating again (tests/models/ covers the migrations).
    application = await open_app(settings, auto_migrate=False)
    try:
        yield application
    finally:
        await application.close()


@pytest.fixture
def chat(app: App) -> Chat:
    return Chat(app.engine, identity="tg-1001")


@pytest.fixture
async def fake(request: pytest.FixtureRequest) -> AsyncIterator[FakeTelegramServer]:
    """The fake Telegram Bot API server. Its options come from the test's
    ``@pytest.mark.fake_telegram(...)`` marker, if any (token defaults to TOKEN)."""
    marker = request.node.get_closest_marker("fake_telegram")
    options: dict[str, Any] = {"token": TOKEN, **(marker.kwargs if marker else {})}
    async with FakeTelegramServer(**options) as server:
        yield server
