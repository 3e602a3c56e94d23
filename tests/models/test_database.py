"""The data layer: migrations, time in UTC, SQLite's WAL and immediate transactions."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import delete, inspect, select, text, update
from sqlalchemy.exc import IntegrityError, StatementError

from bot.app import App
from models import Base, ChannelIdentity, Location, Member, make_engine, make_sessionmaker
from models.base import writes
from models.migrate import current_revision, downgrade, head_revision, upgrade
from models.people.tables import IdentityMember

TABLES = {"locations", "members", "channel_identities", "identity_members",
          "conversation_states", "inbox", "one_time_codes", "audit_log"}  # fmt: skip


async def test_migrations_create_every_table_and_match_the_models(app: App) -> None:
    assert await current_revision(app.db) == head_revision()
    async with app.db.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        diff = await conn.run_sync(
            lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata)
        )
    assert names >= TABLES
    assert diff == [], f"models and migrations differ: {diff}"


async def test_migrations_go_down_and_up_again(app: App) -> None:
    await downgrade(app.db, "base")
    async with app.db.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert not (names & TABLES)
    await upgrade(app.db)
    assert await current_revision(app.db) == head_revision()


async def test_the_kasemen_location_is_seeded(app: App) -> None:
    async with make_sessionmaker(app.db).begin() as s:
        kampung = list(
            (await s.scalars(select(Location).where(Location.level == "kampung"))).unique()
        )
    places = {(k.name, k.parent.name if k.parent else None) for k in kampung}
    assert places == {("Sumberan", "Warung Jaud"), ("Cibening", "Bendung")}
    kelurahan = kampung[0].parent
    kecamatan = kelurahan.parent if kelurahan else None
    kota = kecamatan.parent if kecamatan else None
    assert kecamatan is not None and kecamatan.name == "Kasemen"
    assert kota is not None and kota.name == "Kota Serang"


async def test_times_are_stored_in_utc_and_come_back_aware(app: App) -> None:
    wib = timezone(timedelta(hours=7))
    sessions = make_sessionmaker(app.db)
    async with sessions.begin() as s:
        m = Member(role="ibu", consent_at=datetime(2026, 8, 12, 9, 0, tzinfo=wib))
        s.add(m)
    async with sessions.begin() as s:
        got = await s.get_one(Member, m.id)
        assert got.consent_at == datetime(2026, 8, 12, 2, 0, tzinfo=UTC)
        assert got.consent_at is not None and got.consent_at.tzinfo is not None
    with pytest.raises(StatementError):
        async with sessions.begin() as s:
            s.add(Member(role="ibu", consent_at=datetime(2026, 8, 12, 9, 0)))


async def test_a_role_outside_ibu_kader_admin_is_refused_by_the_database(app: App) -> None:
    with pytest.raises(IntegrityError) as err:
        async with make_sessionmaker(app.db).begin() as s:
            s.add(Member(role="lurah", full_name="Rahasia Sekali"))
    assert "Rahasia" not in str(err.value)  # bound parameters are hidden in errors


async def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'wal.db'}")
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar() == 30000
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
    finally:
        await engine.dispose()


async def test_two_sqlite_writers_that_read_first_wait_instead_of_failing(tmp_path: Path) -> None:
    """With a deferred BEGIN the second writer would fail with 'database is locked'
    (a busy snapshot the timeout cannot cure); BEGIN IMMEDIATE makes it wait its turn."""
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'race.db'}")
    try:
        await upgrade(engine)
        sessions = make_sessionmaker(engine)
        first_read = asyncio.Event()

        async def writer(name: str, wait: asyncio.Event | None) -> None:
            async with sessions.begin() as s:
                await s.scalar(select(ChannelIdentity.id).limit(1))
                if wait is None:
                    first_read.set()
                    await asyncio.sleep(0.2)  # hold the transaction while the other starts
                s.add(ChannelIdentity(channel="test", external_id=name))

        async def second() -> None:
            await first_read.wait()
            await writer("b", first_read)

        await asyncio.gather(writer("a", None), second())
        async with sessions.begin() as s:
            got = set(await s.scalars(select(ChannelIdentity.external_id)))
        assert got == {"a", "b"}
    finally:
        await engine.dispose()


async def test_a_session_counts_its_writes_so_what_it_read_may_be_reused(app: App) -> None:
    # The menu reuses the household size read with her state while this count stays the
    # same: a member added by a flush or unlinked by a DELETE statement must move it.
    async with make_sessionmaker(app.db).begin() as s:
        assert writes(s) == 0
        await s.execute(select(Member.id))
        await s.flush()  # nothing to write
        assert writes(s) == 0
        s.add(ChannelIdentity(channel="telegram", external_id="6100000077"))
        await s.flush()
        assert writes(s) == 1
        await s.execute(delete(IdentityMember).where(IdentityMember.member_id == -1))
        assert writes(s) == 2
        await s.execute(update(Member).where(Member.id == -1).values(rt=1))
        assert writes(s) == 3
        await s.scalar(select(ChannelIdentity.id))
        assert writes(s) == 3
