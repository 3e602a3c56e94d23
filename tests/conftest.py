"""Shared fixtures: every database test runs on a fresh SQLite file, and again on a
throwaway PostgreSQL database when TEST_POSTGRES_URL is set. Both are copies of a database
migrated and seeded once per test run; the Telegram tests share the fake Bot API server."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

from bot.app import App, open_app
from bot.channels.telegram import TelegramChannel
from bot.settings import Settings, load_settings
from tests.support.chat import Chat
from tests.support.databases import PostgresCopies, make_sqlite_template
from tests.support.fakes.telegram_api import FakeTelegramServer
from tests.support.telegram_harness import TOKEN, story_channel

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """Workers for `--numprocesses=auto`: one and a half a CPU (3 on 2 CPUs; pyproject's
    --maxprocesses caps it). Much of the suite waits rather than computes (real bot
    processes starting, the fake Bot API holding calls, paced sends, PostgreSQL), and a
    worker more than the CPUs computes meanwhile: on 2 CPUs the suite took ~15% less
    time with 3 workers than with 2, for the same CPU time."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, (cpus or 1) * 3 // 2)


def pytest_configure(config: pytest.Config) -> None:
    # Hypothesis keeps its files (examples, cached constants) in the system's temporary
    # directory instead of .hypothesis/ here: a test run writes nothing into the checkout.
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "p2wkss-hypothesis")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated and seeded once per test run; each test gets a copy of it."""
    return make_sqlite_template(tmp_path_factory.mktemp("template") / "p2wkss-template.db")


@pytest.fixture(scope="session")
def postgres_copies() -> Iterator[PostgresCopies | None]:
    """A PostgreSQL database migrated and seeded once per test run; each test gets a copy
    of it (CREATE DATABASE … TEMPLATE, made ahead and dropped behind on another thread)."""
    if not POSTGRES_URL:
        yield None
        return
    copies = PostgresCopies(POSTGRES_URL)
    copies.start()
    try:
        yield copies
    finally:
        copies.close()


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
    postgres_copies: PostgresCopies | None,
) -> AsyncIterator[str]:
    if request.param == "sqlite":
        db = tmp_path / "p2wkss-test.db"
        shutil.copyfile(sqlite_template, db)
        yield f"sqlite+aiosqlite:///{db}"
        return
    if postgres_copies is None:
        pytest.skip("TEST_POSTGRES_URL is not set: no PostgreSQL server for this run")
    name = await postgres_copies.take()
    try:
        yield postgres_copies.url_of(name)
    finally:
        postgres_copies.give_back(name)


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


@pytest.fixture
async def telegram(app: App, fake: FakeTelegramServer) -> AsyncIterator[TelegramChannel]:
    """The real Telegram channel of `app` in long polling against the fake Bot API, at
    the story tests' pace (`story_channel`); a test file may define its own."""
    async with story_channel(app, fake) as channel:
        yield channel
