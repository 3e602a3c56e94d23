"""`p2wkss-bot db backup DIR`: see bot/backup.py."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from bot.backup import BackupError, backup, pg_dump_hint, sqlite_file
from bot.settings import Settings


def add_backup_parser(db_sub: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = db_sub.add_parser(
        "backup",
        help="copy the SQLite database and MEDIA_DIR into DIR (safe while the bot runs)",
        description="Copy the SQLite database (SQLite's online backup: one consistent moment, "
        "while the bot goes on) and MEDIA_DIR into a new folder DIR/p2wkss-<UTC time>/, "
        "readable by the owner only. For PostgreSQL use pg_dump (README, 'Backups').",
    )
    p.add_argument("dir", type=Path, help="where the backup folder is made")
    p.add_argument("--db", type=Path, help="a SQLite file to use instead of DATABASE_URL")
    p.set_defaults(handler=run_backup)
    return p


async def run_backup(settings: Settings, args: argparse.Namespace) -> int:
    dest: Path = args.dir
    try:
        db_file = sqlite_file(settings.database_url)
        if db_file is None:
            print(pg_dump_hint(settings.database_url, dest), file=sys.stderr)
            return 2
        result = await asyncio.to_thread(backup, db_file, settings.media_dir, dest)
    except (BackupError, OSError, ValueError) as exc:
        why = exc if isinstance(exc, BackupError) else exc.__class__.__name__
        print(f"backup not made: {why}", file=sys.stderr)
        return 1
    print(
        f"backup in {result.folder}: database {result.database_bytes} bytes, "
        f"{result.media_files} media file(s)"
    )
    return 0
