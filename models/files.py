"""Files the bot writes hold personal data (the database, its WAL, photos, voice notes,
exports): they are readable by the bot's own user only, 0600 for files and 0700 for
folders, whatever the umask. (`p2wkss-bot` also sets umask 077 for everything else it
writes.) Light on purpose: no imports beyond the standard library."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700
# SQLite's companions of a database file (they take its mode when SQLite creates them).
SQLITE_SUFFIXES = ("-wal", "-shm", "-journal")


def private_dir(path: Path) -> Path:
    """The folder, made (with its missing parents) and kept owner-only."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    _tighten(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """An existing file made owner-only (one written by a library that opens it itself)."""
    _tighten(path, FILE_MODE)
    return path


def write_private(path: Path, data: bytes) -> Path:
    """Write the bytes to a file readable by the owner only, from its creation on."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    _tighten(path, FILE_MODE)
    return path


def private_sqlite(database: str | None) -> None:
    """Before SQLite opens a file database: create it owner-only if new (SQLite gives its
    -wal and -shm the database's mode), and tighten an existing one and its companions."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.parent.is_dir():
        return  # SQLite reports the missing folder itself
    if not path.exists():
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    for one in (path, *(Path(f"{path}{suffix}") for suffix in SQLITE_SUFFIXES)):
        if one.exists():
            _tighten(one, FILE_MODE)


def _tighten(path: Path, mode: int) -> None:
    with contextlib.suppress(PermissionError, FileNotFoundError):  # not ours: leave it
        if path.stat().st_mode & 0o777 != mode:
            path.chmod(mode)
