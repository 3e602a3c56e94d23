"""`p2wkss-bot export …`: data for people (XLSX) and tools (CSV), and the assessment pack.

    p2wkss-bot export members|kegiatan|laporan|deliveries [--from DATE] [--to DATE]
        [--kampung NAME] [--format xlsx|csv] [--sep ';'] --out FILE
    p2wkss-bot export penilaian --out FILE.xlsx [--photos FILE.zip] [--from] [--to] [--kampung]

Dates are days in TIMEZONE (2026-11-01 or 1/11/2026), both ends included. The format
follows the file's suffix unless `--format` says otherwise; CSV is UTF-8 with a BOM, `,`
or `--sep ';'` for Excel set to Indonesian. `kegiatan` as CSV writes its second table
(the people on each daftar hadir) beside the file, as FILE_peserta.csv. Every export is
written to the audit log (actor "cli").
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.app import open_app
from bot.settings import Settings
from models import transaction, utcnow
from models.exports import (
    TABLE_KINDS,
    Format,
    Scope,
    kampung_named,
    record_export,
    write_export,
    write_penilaian,
)
from models.location import active_kampung

SEPARATORS = {",": ",", ";": ";", "tab": "\t", "\\t": "\t", "\t": "\t", "|": "|"}
HELP = {
    "members": "the KK binaan list (mothers and kader), columns as the import template",
    "kegiatan": "kegiatan with their sign-ups and attendance",
    "laporan": "kader reports, with their photos' file names",
    "deliveries": "outbox messages and what became of them (ids only)",
}


def day(text: str) -> date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"not a date: {text!r} (YYYY-MM-DD or DD/MM/YYYY)")


def separator(text: str) -> str:
    if text not in SEPARATORS:
        raise argparse.ArgumentTypeError("the separator is ',', ';', '|' or 'tab'")
    return SEPARATORS[text]


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="since", type=day, help="first day (YYYY-MM-DD)")
    p.add_argument("--to", dest="until", type=day, help="last day, included")
    p.add_argument("--kampung", help="only this kampung (its name)")
    p.add_argument("--db", type=Path, help="a SQLite file to use instead of DATABASE_URL")


def add_export_parser(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser("export", help="export data as XLSX or CSV")
    kinds = p.add_subparsers(dest="export_command", required=True)
    for kind in TABLE_KINDS:
        k = kinds.add_parser(kind, help=HELP[kind])
        _common(k)
        k.add_argument("--out", type=Path, required=True, help="FILE.xlsx or FILE.csv")
        k.add_argument("--format", choices=("xlsx", "csv"), help="default: from the suffix")
        k.add_argument("--sep", type=separator, default=",", help="CSV separator (',' or ';')")
        k.set_defaults(handler=run_export)
    pen = kinds.add_parser("penilaian", help="the assessment pack: recaps, lists, photos")
    _common(pen)
    pen.add_argument("--out", type=Path, required=True, help="FILE.xlsx")
    pen.add_argument("--photos", type=Path, help="FILE.zip: the reports' photos")
    pen.set_defaults(handler=run_penilaian)


def _format(args: argparse.Namespace) -> Format:
    if args.format == "csv" or (args.format is None and args.out.suffix.lower() == ".csv"):
        return "csv"
    return "xlsx"


def _checked(args: argparse.Namespace) -> str | None:
    """Why these arguments cannot be exported, or None."""
    if args.since and args.until and args.since > args.until:
        return "--from is after --to"
    for path in (args.out, getattr(args, "photos", None)):
        if path is not None and not path.parent.is_dir():
            return f"{path}: no such folder {path.parent}"
    return None


async def _scope(session: Any, settings: Settings, args: argparse.Namespace) -> Scope | str:
    kampung_id: int | None = None
    if args.kampung:
        found = await kampung_named(session, args.kampung)
        if len(found) != 1:
            known = ", ".join(p.name for p in await active_kampung(session))
            why = "several kampung have" if found else "no kampung has"
            return f"{why} the name {args.kampung!r} (known: {known})"
        kampung_id = found[0].id
    return Scope(settings.tz, since=args.since, until=args.until, kampung_id=kampung_id)


async def run_export(settings: Settings, args: argparse.Namespace) -> int:
    problem = _checked(args)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    kind: str = args.export_command
    fmt = _format(args)
    app = await open_app(settings)
    try:
        async with transaction(app.sessions) as session:
            scope = await _scope(session, settings, args)
            if isinstance(scope, str):
                print(scope, file=sys.stderr)
                return 2
            written = await write_export(session, kind, scope, args.out, fmt=fmt, sep=args.sep)
            await record_export(
                session, kind, scope, actor="cli", format=fmt, rows=written.rows,
                files=[p.name for p in written.paths],
            )  # fmt: skip
    finally:
        await app.close()
    print(f"{kind}: {written.rows} row(s) written to {written.paths[0]}")
    for extra in written.paths[1:]:
        print(f"  and {extra}")
    return 0


async def run_penilaian(settings: Settings, args: argparse.Namespace) -> int:
    problem = _checked(args)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    app = await open_app(settings)
    try:
        async with transaction(app.sessions) as session:
            scope = await _scope(session, settings, args)
            if isinstance(scope, str):
                print(scope, file=sys.stderr)
                return 2
            pack = await write_penilaian(
                session, scope, args.out, now=utcnow(), media_dir=settings.media_dir,
                photos_out=args.photos,
            )  # fmt: skip
            await record_export(
                session, "penilaian", scope, actor="cli", format="xlsx", **pack.counts,
                zips=len(pack.zipped.parts), missing_photos=len(pack.zipped.missing),
            )  # fmt: skip
    finally:
        await app.close()
    c = pack.counts
    print(f"penilaian: {c['kegiatan']} kegiatan, {c['laporan']} laporan written to {args.out}")
    if args.photos is not None:
        if pack.zipped.parts:
            print(f"  {pack.zipped.photos} photo(s) written to {args.photos}")
        else:
            print("  no photos to write")
        for name in pack.zipped.missing:
            print(f"  photo file missing: {name}", file=sys.stderr)
    return 0
