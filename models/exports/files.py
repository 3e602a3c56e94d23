"""Writing an export to disk: the tables of a kind as XLSX (one workbook, a sheet each)
or CSV (one file per table: the first at the given path, the others beside it), and the
assessment pack (workbook plus photo ZIPs). The queries run in the caller's session; the
files are written in a thread, off the event loop."""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Final, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from models.exports.activities import kegiatan_tables
from models.exports.deliveries import deliveries_table
from models.exports.laporan import laporan_sheet
from models.exports.penilaian import penilaian_pack
from models.exports.people import members_table
from models.exports.photos import Zipped, write_photo_zips
from models.exports.scope import Scope, slug
from models.sheets import Table, write_csv, write_xlsx

TABLE_KINDS: Final = ("members", "kegiatan", "laporan", "deliveries")
Format = Literal["xlsx", "csv"]


@dataclass(frozen=True)
class Written:
    paths: list[Path]
    rows: int  # rows of the first (main) table


@dataclass
class PackWritten:
    workbook: Path
    zipped: Zipped = field(default_factory=Zipped)
    counts: dict[str, int] = field(default_factory=dict)


async def tables_of(session: AsyncSession, kind: str, scope: Scope) -> list[Table]:
    if kind == "members":
        return [await members_table(session, scope)]
    if kind == "kegiatan":
        return list(await kegiatan_tables(session, scope))
    if kind == "laporan":
        return [(await laporan_sheet(session, scope)).table]
    if kind == "deliveries":
        return [await deliveries_table(session, scope)]
    raise ValueError(f"no export of kind {kind!r}")


def csv_paths(out: Path, tables: list[Table]) -> list[Path]:
    """ "kegiatan.csv", then "kegiatan_peserta.csv" for the second table, and so on."""
    return [out] + [
        out.with_name(f"{out.stem}_{slug(t.title)}{out.suffix or '.csv'}") for t in tables[1:]
    ]


async def write_export(
    session: AsyncSession,
    kind: str,
    scope: Scope,
    out: Path,
    *,
    fmt: Format = "xlsx",
    sep: str = ",",
) -> Written:
    tables = await tables_of(session, kind, scope)
    if fmt == "xlsx":
        await asyncio.to_thread(write_xlsx, out, tables, tz=scope.tz)
        return Written([out], len(tables[0].rows))
    paths = csv_paths(out, tables)
    for path, table in zip(paths, tables, strict=True):
        await asyncio.to_thread(write_csv, path, table.header, table.rows, tz=scope.tz, sep=sep)
    return Written(paths, len(tables[0].rows))


async def write_penilaian(
    session: AsyncSession,
    scope: Scope,
    out: Path,
    *,
    now: datetime,
    media_dir: Path,
    photos_out: Path | None = None,
    max_zip_bytes: int | None = None,
) -> PackWritten:
    """The workbook at `out` (kegiatan that started by `now`: what took place); with
    `photos_out`, the photos in ZIPs there (split to parts of at most `max_zip_bytes`)."""
    pack = await penilaian_pack(session, dataclasses.replace(scope, started_by=now))
    await asyncio.to_thread(write_xlsx, out, pack.tables, tz=scope.tz)
    written = PackWritten(out, counts=pack.counts)
    if photos_out is not None:
        written.zipped = await asyncio.to_thread(
            write_photo_zips, media_dir, pack.photos, photos_out, max_bytes=max_zip_bytes
        )
    return written
