"""Shared fixtures: every database test runs on a fresh SQLite file, and again on a
throwaway PostgreSQL database when TEST_POSTGRES_URL is set."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import App, migrate_and_seed, open_app
from bot.settings import Settings, load_settings
from models import make_engine
from tests.support.chat import Chat

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


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_url(
    request: pytest.FixtureRequest, tmp_path: Path, pg_template: str | None
) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'p2wkss-test.db'}"
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
def settings(db_url: str) -> Settings:
    return load_settings(database_url=db_url, timezone="Asia/Jakarta", default_language="id")


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[App]:
    application = await open_app(settings, auto_migrate=True)
    try:
        yield application
    finally:
        await application.close()


@pytest.fixture
def chat(app: App) -> Chat:
    return Chat(app.engine, identity="tg-1001")
