"""`p2wkss-bot db backup DIR`: a consistent copy of a SQLite database and of MEDIA_DIR
while the bot runs.

The database is copied with SQLite's online backup API in one step: the copy is the
database as of one moment (a read transaction; in WAL mode the bot's writes go on
meanwhile), checked with `PRAGMA integrity_check`. MEDIA_DIR (photos, exported files,
voice notes) is copied file by file; a file deleted meanwhile is left out. Everything
is readable by the owner only (folders 0700, files 0600) and lands in a fresh folder
`DIR/p2wkss-<UTC time>/`, written under a `.partial` name and renamed when complete.

PostgreSQL is backed up with its own tool, pg_dump (see README, "Backups").
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

DB_NAME = "p2wkss.db"
MEDIA_NAME = "media"


class BackupError(Exception):
    """The backup could not be made (the message says why, without secrets)."""


@dataclass(frozen=True)
class BackupResult:
    folder: Path
    database_bytes: int
    media_files: int


def sqlite_file(database_url: str) -> Path | None:
    """The SQLite file a DATABASE_URL names, or None for another database."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(url.database)


def pg_dump_hint(database_url: str, folder: Path) -> str:
    """How to back up this PostgreSQL database instead (the password never shown)."""
    url = make_url(database_url)
    bare = URL.create(
        "postgresql", username=url.username, host=url.host, port=url.port, database=url.database
    )  # no password, no driver options
    target = bare.render_as_string(hide_password=False)
    return (
        "DATABASE_URL is PostgreSQL: back it up with pg_dump, e.g.\n"
        f"  pg_dump --format=custom --file {folder}/p2wkss.dump '{target}'\n"
        "(the password from ~/.pgpass or PGPASSWORD), and copy MEDIA_DIR as well; "
        "see README, 'Backups'."
    )


def backup(db_file: Path, media_dir: Path, dest: Path, now: datetime | None = None) -> BackupResult:
    """Copy the database and MEDIA_DIR into a new folder under `dest` (blocking: run it
    in a thread)."""
    if not db_file.is_file():
        raise BackupError(f"no database file at {db_file}")
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    dest.mkdir(mode=0o700, parents=True, exist_ok=True)
    final = dest / f"p2wkss-{stamp}"
    if final.exists():
        raise BackupError(f"{final} already exists")
    partial = dest / f"p2wkss-{stamp}.partial"
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(mode=0o700)
    os.chmod(partial, 0o700)  # whatever the umask
    try:
        size = _copy_database(db_file, partial / DB_NAME)
        files = _copy_media(media_dir, partial / MEDIA_NAME) if media_dir.is_dir() else 0
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return BackupResult(final, size, files)


def _copy_database(db_file: Path, target: Path) -> int:
    # The file exists, owner-only, before SQLite opens it.
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    source = sqlite3.connect(db_file, timeout=30)
    try:
        copy = sqlite3.connect(target)
        try:
            # pages=-1: all pages in one step under one read transaction, so the copy is
            # one moment of the database even while the bot writes (WAL: no waiting).
            source.backup(copy, pages=-1)
            # A plain file with no WAL beside it: one file to keep or restore.
            copy.execute("PRAGMA journal_mode=DELETE")
            check = copy.execute("PRAGMA integrity_check").fetchone()
        finally:
            copy.close()
    finally:
        source.close()
    if check is None or check[0] != "ok":
        raise BackupError("the copy failed its integrity check")
    os.chmod(target, 0o600)
    return target.stat().st_size


def _copy_media(source: Path, target: Path) -> int:
    """Regular files only (symbolic links are not followed); returns how many."""
    copied = 0
    for folder, dirs, files in os.walk(source, followlinks=False):
        here = target / Path(folder).relative_to(source)
        here.mkdir(mode=0o700, exist_ok=True)
        os.chmod(here, 0o700)
        dirs.sort()
        for name in sorted(files):
            src = Path(folder) / name
            if src.is_symlink() or not src.is_file():
                continue
            dst = here / name
            try:
                with src.open("rb") as fin:
                    fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                    with os.fdopen(fd, "wb") as fout:
                        shutil.copyfileobj(fin, fout)
            except FileNotFoundError:  # deleted since it was listed (an old export)
                dst.unlink(missing_ok=True)
                continue
            shutil.copystat(src, dst, follow_symlinks=False)
            os.chmod(dst, 0o600)
            copied += 1
    return copied
