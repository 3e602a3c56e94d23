"""`p2wkss-bot kegiatan import FILE`: load a schedule from CSV or XLSX, all or nothing."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.app import open_app
from bot.settings import Settings
from handlers.kegiatan.importer import ImportReport, import_kegiatan
from models import transaction, utcnow


class _BadFile(Exception):
    def __init__(self, report: ImportReport) -> None:
        super().__init__("bad rows")
        self.report = report


async def import_command(settings: Settings, file: Path) -> int:
    if not await asyncio.to_thread(file.is_file):
        print(f"cannot read {file}: no such file", file=sys.stderr)
        return 1
    app = await open_app(settings)
    try:
        try:
            async with transaction(app.sessions) as session:
                report = await import_kegiatan(session, file, utcnow(), settings.tz, actor="cli")
                if not report.ok:
                    raise _BadFile(report)  # roll back: one bad row imports nothing
        except _BadFile as bad:
            print(f"{file}: nothing imported:", file=sys.stderr)
            for error in bad.report.errors:
                print(f"  {error}", file=sys.stderr)
            return 1
    finally:
        await app.close()
    print(f"imported {len(report.imported)} kegiatan from {report.rows} row(s), published")
    return 0
