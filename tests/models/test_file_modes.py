"""What the bot keeps on disk is personal data (the database and its WAL, Siti's photo,
a voice note of a message naming her, an export): readable by the bot's own user only,
0600 for files and 0700 for folders, even where the umask would allow more."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bot.app import open_app
from bot.settings import load_settings
from handlers.core.media import store_photo
from handlers.voice.notes import Screen
from models.sheets.writing import write_csv
from tests.support.chat import Chat, register
from tests.support.cli import run_cli
from tests.support.voice import notes_in

JPEG = b"\xff\xd8\xff\xe0" + b"siti" * 64


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The usual umask (022), which would make files 0644 and folders 0755."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


async def test_the_database_its_wal_and_media_are_for_the_owner_only(
    tmp_path: Path, open_umask: None
) -> None:
    db, media = tmp_path / "p2wkss.db", tmp_path / "media"
    settings = load_settings(database_url=f"sqlite+aiosqlite:///{db}", media_dir=media)
    app = await open_app(settings)
    try:
        await register(Chat(app.engine, identity="tg-siti"))
        photo = await store_photo(JPEG, media / "photos")
        [voice] = await notes_in(app).make([Screen("Siti Aminah terdaftar.")], "id", date.today())
        export = media / "ekspor"
        export.mkdir(mode=0o755)
        csv = export / "warga.csv"
        write_csv(csv, ["nama"], [["Siti Aminah"]], tz=app.engine.config.tz)
        files = [db, Path(f"{db}-wal"), Path(f"{db}-shm"), photo, voice.path, csv]
        assert all(f.exists() for f in files)
        assert {f.name: oct(mode(f)) for f in files} == {f.name: "0o600" for f in files}
        folders = [media, photo.parent, voice.path.parent]
        assert {str(f): oct(mode(f)) for f in folders} == {str(f): "0o700" for f in folders}
    finally:
        await app.close()


async def test_a_database_made_before_is_made_private_when_opened(
    tmp_path: Path, open_umask: None
) -> None:
    db, media = tmp_path / "old.db", tmp_path / "media"
    media.mkdir(mode=0o755)
    settings = load_settings(database_url=f"sqlite+aiosqlite:///{db}", media_dir=media)
    app = await open_app(settings)
    await app.close()
    db.chmod(0o644)
    media.chmod(0o755)
    app = await open_app(settings)
    try:
        assert (oct(mode(db)), oct(mode(media))) == ("0o600", "0o700")
    finally:
        await app.close()


def test_the_command_writes_for_its_user_only_and_gives_the_umask_back(
    tmp_path: Path, open_umask: None
) -> None:
    # `db upgrade` opens the file through SQLite alone: only the command's umask guards it.
    result = run_cli(["db", "upgrade", "--db", "fresh.db"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    made = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert made and {p.name: oct(mode(p)) for p in made} == {p.name: "0o600" for p in made}
    assert os.umask(0o022) == 0o022  # the test process's own umask, given back
