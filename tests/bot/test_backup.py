"""`p2wkss-bot db backup DIR` as the operator uses it: while the bot keeps writing, the
copy is one consistent moment of the database, holds what was there, opens as a working
database, and nobody but the owner can read it."""

from __future__ import annotations

import asyncio
import shutil
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import App, open_app
from bot.settings import load_settings
from models import AuditEntry
from models.base import transaction
from tests.support.cli import run_cli


@pytest.fixture
async def running(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[App]:
    """The bot's database (a copy of the migrated template) and MEDIA_DIR with a photo and
    an export, as in tmp_path/p2wkss.db and tmp_path/media."""
    db = tmp_path / "p2wkss.db"
    shutil.copyfile(sqlite_template, db)
    media = tmp_path / "media"
    (media / "foto" / "ab").mkdir(parents=True)
    (media / "foto" / "ab" / "abcd.jpg").write_bytes(b"\xff\xd8foto kegiatan posyandu")
    (media / "ekspor").mkdir()
    (media / "ekspor" / "kegiatan_sumberan.xlsx").write_bytes(b"PK xlsx")
    settings = load_settings(database_url=f"sqlite+aiosqlite:///{db}", media_dir=media)
    app = await open_app(settings, auto_migrate=False)
    try:
        yield app
    finally:
        await app.close()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def _count(app: App) -> int:
    async with app.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


async def test_a_backup_taken_while_kader_keep_writing_is_consistent_and_restores(
    running: App, tmp_path: Path
) -> None:
    app = running
    before = await _count(app)
    written = 0
    stop = asyncio.Event()

    async def kader_at_work() -> None:
        # Each laporan writes two rows in one transaction: a copy of one moment has both
        # or neither.
        nonlocal written
        while not stop.is_set():
            async with transaction(app.sessions) as s:
                for part in ("a", "b"):
                    s.add(
                        AuditEntry(actor="member:7", action="report.submit",
                                   object_type="report", object_id=f"{written}{part}")
                    )  # fmt: skip
            written += 1
            await asyncio.sleep(0)

    writer = asyncio.create_task(kader_at_work())
    try:
        while written < 20:
            await asyncio.sleep(0.001)
        env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'p2wkss.db'}",
               "MEDIA_DIR": str(tmp_path / "media")}  # fmt: skip
        backup_dir = tmp_path / "cadangan"
        done = await asyncio.to_thread(run_cli, ["db", "backup", str(backup_dir)], env=env)
        at_backup = written
        while written < at_backup + 20:  # the bot went on writing after the copy
            await asyncio.sleep(0.001)
    finally:
        stop.set()
        await writer

    assert done.returncode == 0, done.stderr
    (folder,) = backup_dir.iterdir()
    assert folder.name.startswith("p2wkss-") and folder.name in done.stdout
    assert "2 media file(s)" in done.stdout
    assert _mode(backup_dir) == 0o700 and _mode(folder) == 0o700
    copy = folder / "p2wkss.db"
    assert _mode(copy) == 0o600
    assert not (folder / "p2wkss.db-wal").exists()
    for path in (folder / "media").rglob("*"):
        assert _mode(path) == (0o700 if path.is_dir() else 0o600), path
    photo = folder / "media" / "foto" / "ab" / "abcd.jpg"
    assert photo.read_bytes() == b"\xff\xd8foto kegiatan posyandu"
    assert (folder / "media" / "ekspor" / "kegiatan_sumberan.xlsx").read_bytes() == b"PK xlsx"

    # Restored: the copy opens as the bot's database and holds the rows of its moment.
    restored = await open_app(
        load_settings(database_url=f"sqlite+aiosqlite:///{copy}", media_dir=tmp_path / "m2"),
        auto_migrate=False,
    )
    try:
        async with restored.sessions() as s:
            ids = list(
                await s.scalars(
                    select(AuditEntry.object_id).where(AuditEntry.action == "report.submit")
                )
            )
        total = await _count(restored)
    finally:
        await restored.close()
    pairs = {i[:-1] for i in ids if i is not None}
    assert sorted(i for i in ids if i is not None) == sorted(
        f"{p}{part}" for p in pairs for part in "ab"
    ), "a transaction was copied half"
    assert 20 <= len(pairs) <= at_backup
    assert total == before + 2 * len(pairs)
    assert await _count(app) > total  # the running database went on past the copy


def test_a_missing_database_file_makes_no_backup(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'tidak-ada.db'}"}
    done = run_cli(["db", "backup", str(tmp_path / "cadangan")], env=env)
    assert done.returncode == 1
    assert "backup not made: no database file" in done.stderr
    assert not (tmp_path / "tidak-ada.db").exists()
    assert not list((tmp_path / "cadangan").glob("p2wkss-*"))


def test_on_postgresql_it_points_to_pg_dump_without_showing_the_password(
    tmp_path: Path,
) -> None:
    url = "postgresql+asyncpg://p2wkss:Rahasia-Sekali@db.internal:5432/p2wkss"
    done = run_cli(["db", "backup", str(tmp_path / "cadangan")], env={"DATABASE_URL": url})
    assert done.returncode == 2
    assert "pg_dump --format=custom" in done.stderr
    assert "postgresql://p2wkss@db.internal:5432/p2wkss" in done.stderr
    assert "Rahasia-Sekali" not in done.stderr + done.stdout
    assert not (tmp_path / "cadangan").exists()
