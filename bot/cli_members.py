"""`p2wkss-bot members import|link-code|template`: the KK binaan list from the command line.

    p2wkss-bot members import FILE [--dry-run] [--skip-bad]
    p2wkss-bot members link-code --member ID
    p2wkss-bot members template --out FILE.xlsx|FILE.csv

`import` reads a CSV or XLSX (models.sheets: within IMPORT_MAX_MB, lazily, through
defusedxml) and says what it adds, the duplicates it leaves out, the bad rows (row number,
column, reason) and the columns it ignores (a NIK column is never stored). A file with a
bad row imports nothing (exit status 1) unless `--skip-bad`; `--dry-run` changes nothing.
`link-code` makes the one-time code an imported member types in any chat ("kode …") to
link it. `template` writes the template with the columns, as XLSX or CSV.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import shutil
import sys
from pathlib import Path
from typing import Any

from bot.app import open_app
from bot.cli_kader import bot_username
from bot.settings import Settings
from handlers.core.i18n import format_datetime_local
from handlers.kader.invite import invite_link
from models import transaction, utcnow
from models.location import Location
from models.member_import import (
    TEMPLATE_FILE,
    ImportFileError,
    ImportPlan,
    LinkRefused,
    apply_plan,
    create_link_code,
    plan_import,
)
from models.people.rules import format_rt_rw
from models.people.tables import Member
from models.sheets import MB, Limits, SheetError, Table, read_rows, write_xlsx


def add_members_parser(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser("members", help="the KK binaan list")
    verbs = p.add_subparsers(dest="members_command", required=True)
    imp = verbs.add_parser("import", help="add members from a CSV or XLSX list (all or nothing)")
    imp.add_argument("file", type=Path, help="columns: nama, kampung, RT, RW, no HP, …")
    imp.add_argument("--dry-run", action="store_true", help="only say what would change")
    imp.add_argument("--skip-bad", action="store_true", help="import the good rows anyway")
    imp.set_defaults(handler=run_import)
    code = verbs.add_parser("link-code", help="a one-time code to link a member's own chat")
    code.add_argument("--member", type=int, required=True, help="the member id")
    code.set_defaults(handler=run_link_code)
    tpl = verbs.add_parser("template", help="write the template of the list (.xlsx or .csv)")
    tpl.add_argument("--out", type=Path, required=True, help="FILE.xlsx or FILE.csv")
    tpl.set_defaults(handler=run_template)
    for parser in (imp, code, tpl):
        parser.add_argument("--db", type=Path, help="a SQLite file to use instead of DATABASE_URL")


def _report(plan: ImportPlan, file: Path, verb: str) -> None:
    roles = plan.roles()
    print(f"{file}: {plan.rows} row(s) of data (header in row {plan.header_row})")
    print(f"  {verb} {len(plan.new)}: {roles['ibu']} ibu, {roles['kader']} kader")
    if plan.duplicates:
        print(f"  duplicates, not added again ({len(plan.duplicates)}):")
        for duplicate in plan.duplicates:
            print(f"    {duplicate}")
    if plan.problems:
        print(f"  bad rows ({len(plan.bad_rows)}):")
        for problem in plan.problems:
            print(f"    {problem}")
    if plan.ignored_columns:
        print(f"  columns ignored, not stored: {', '.join(plan.ignored_columns)}")


async def run_import(settings: Settings, args: argparse.Namespace) -> int:
    file: Path = args.file
    if not await asyncio.to_thread(file.is_file):
        print(f"cannot read {file}: no such file", file=sys.stderr)
        return 1
    limits = Limits(max_bytes=int(settings.import_max_mb * MB))
    try:
        rows = await asyncio.to_thread(read_rows, file, limits)
    except SheetError as err:
        print(f"{file}: nothing imported: {err}", file=sys.stderr)
        return 1
    app = await open_app(settings)
    try:
        async with transaction(app.sessions) as session:
            try:
                plan = await plan_import(session, rows)
            except ImportFileError as err:
                print(f"{file}: nothing imported:", file=sys.stderr)
                for problem in err.problems:
                    print(f"  {problem}", file=sys.stderr)
                return 1
            blocked = bool(plan.problems) and not args.skip_bad
            if not args.dry_run and not blocked:
                await apply_plan(session, plan, now=utcnow(), skip_bad=args.skip_bad)
    finally:
        await app.close()
    verb = "would add" if args.dry_run else ("not added" if blocked else "added")
    _report(plan, file, verb)
    if blocked:
        print(
            f"{file}: nothing imported: fix the bad rows, or use --skip-bad to import the others",
            file=sys.stderr,
        )
        return 1
    if args.dry_run:
        print("dry run: nothing changed")
    elif plan.problems:
        print(f"bad rows skipped: {len(plan.bad_rows)}")
    return 0


async def run_link_code(settings: Settings, args: argparse.Namespace) -> int:
    app = await open_app(settings)
    try:
        async with transaction(app.sessions) as session:
            member = await session.get(Member, args.member)
            if member is None or member.erased:
                print(f"no member {args.member}", file=sys.stderr)
                return 2
            try:
                code = await create_link_code(session, member, now=utcnow())
            except LinkRefused:
                print(f"member {member.id} has a chat already (or is an admin)", file=sys.stderr)
                return 2
            place = await session.get(Location, member.kampung_id or 0)
            where = f"{place.name if place else '-'}, {format_rt_rw(member.rt, member.rw)}"
            name = member.full_name or "-"
    finally:
        await app.close()
    link = invite_link(await bot_username(settings), code.code)
    print(f"code for {name} ({where}): {code.code}")
    print(f"link: {link}" if link else "link: (set TELEGRAM_BOT_USERNAME to print the link)")
    print(f"or type in any chat: kode {code.code}")
    print(f"valid until {format_datetime_local(code.expires_at, 'en', settings.tz)}, for one use")
    return 0


async def run_template(settings: Settings, args: argparse.Namespace) -> int:
    out: Path = args.out
    suffix = out.suffix.lower()
    if suffix == ".csv":
        await asyncio.to_thread(shutil.copyfile, TEMPLATE_FILE, out)
    elif suffix == ".xlsx":
        with TEMPLATE_FILE.open(encoding="utf-8") as fh:
            header, *rows = list(csv.reader(fh))
        table = Table("KK binaan", header, rows)
        await asyncio.to_thread(write_xlsx, out, [table], tz=settings.tz)
    else:
        print(f"{out}: the template is written as .xlsx or .csv", file=sys.stderr)
        return 2
    print(f"template written to {out}")
    return 0
