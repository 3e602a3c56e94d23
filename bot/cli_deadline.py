"""`p2wkss-bot deadline add|edit|list|delete`: deadlines (tenggat) from the command line.

    p2wkss-bot deadline add --title "Penilaian P2WKSS tingkat kota" --due 2027-03-15
                            [--audience admin|kader|all|kampung:<name>[,<name>]]
                            [--remind 30,7,1] [--monthly-day 25] [--prepare "..."]
    p2wkss-bot deadline edit ID [--title ...] [--due ...] [--audience ...] [--remind ...]
                               [--monthly-day N | --one-off] [--prepare ...]
    p2wkss-bot deadline list
    p2wkss-bot deadline delete ID

Reminders go at 08:00 local (DEADLINE_REMIND_AT) the given days before each due date; with
--monthly-day the deadline recurs on that day of every month from --due on. Bad input stops
before anything is written, with one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from bot.app import open_app
from bot.settings import Settings
from models import transaction, utcnow
from models.deadlines import (
    DEFAULT_REMIND,
    DeadlineDraft,
    DeadlineInvalid,
    audience_names,
    create_deadline,
    delete_deadline,
    list_deadlines,
    next_due,
    parse_remind,
    remind_text,
    resolve_audience,
    update_deadline,
)

ACTOR = "cli"


def add_deadline_parser(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser("deadline", help="deadlines (tenggat)")
    verbs = p.add_subparsers(dest="deadline_command", required=True)
    add = verbs.add_parser("add", help="add a deadline with its reminders")
    add.add_argument("--title", required=True)
    add.add_argument("--due", required=True, help="YYYY-MM-DD (the first one if monthly)")
    add.add_argument("--audience", default="admin", help="admin|kader|all|kampung:<name>")
    add.add_argument("--remind", default=remind_text(DEFAULT_REMIND), help="days before: 30,7,1")
    add.add_argument("--monthly-day", type=int, default=None, help="recurs on this day monthly")
    add.add_argument("--prepare", default="", help="what to prepare (free text)")
    add.set_defaults(handler=run_add)
    edit = verbs.add_parser("edit", help="change a deadline (only the options given)")
    edit.add_argument("id", type=int)
    edit.add_argument("--title")
    edit.add_argument("--due", help="YYYY-MM-DD")
    edit.add_argument("--audience", help="admin|kader|all|kampung:<name>")
    edit.add_argument("--remind", help="days before: 30,7,1")
    edit.add_argument("--monthly-day", type=int, default=None)
    edit.add_argument("--one-off", action="store_true", help="no longer monthly")
    edit.add_argument("--prepare")
    edit.set_defaults(handler=run_edit)
    lst = verbs.add_parser("list", help="list deadlines")
    lst.set_defaults(handler=run_list)
    rm = verbs.add_parser("delete", help="delete a deadline")
    rm.add_argument("id", type=int)
    rm.set_defaults(handler=run_delete)
    for parser in (add, edit, lst, rm):
        parser.add_argument("--db", type=Path, help="a SQLite file to use instead of DATABASE_URL")


def _fail(message: str) -> int:
    print(f"deadline: {message}", file=sys.stderr)
    return 2


async def run_add(settings: Settings, args: argparse.Namespace) -> int:
    try:
        due = date.fromisoformat(args.due)
    except ValueError:
        return _fail("--due must be a date as YYYY-MM-DD")
    try:
        remind = parse_remind(args.remind)
    except DeadlineInvalid:
        return _fail("--remind must be days before the due date, e.g. 30,7,1")
    app = await open_app(settings)
    try:
        async with transaction(app.sessions) as session:
            audience = await resolve_audience(session, args.audience)
            deadline = await create_deadline(
                session,
                DeadlineDraft(
                    title=args.title,
                    due_on=due,
                    prepare=args.prepare,
                    audience=audience,
                    remind=remind,
                    monthly_day=args.monthly_day,
                ),
                now=utcnow(),
                actor=ACTOR,
            )
            ident = deadline.id
    except DeadlineInvalid as exc:
        return _fail(f"not added: {exc}")
    finally:
        await app.close()
    print(f"deadline {ident} added: {args.title} due {due.isoformat()}")
    return 0


async def run_edit(settings: Settings, args: argparse.Namespace) -> int:
    try:
        due = date.fromisoformat(args.due) if args.due else None
    except ValueError:
        return _fail("--due must be a date as YYYY-MM-DD")
    try:
        remind = parse_remind(args.remind) if args.remind else None
    except DeadlineInvalid:
        return _fail("--remind must be days before the due date, e.g. 30,7,1")
    app = await open_app(settings)
    try:
        async with transaction(app.sessions) as session:
            audience = await resolve_audience(session, args.audience) if args.audience else None
            found = await update_deadline(
                session,
                args.id,
                actor=ACTOR,
                title=args.title,
                due_on=due,
                prepare=args.prepare,
                audience=audience,
                remind=remind,
                monthly_day=args.monthly_day,
                one_off=args.one_off,
            )
    except DeadlineInvalid as exc:
        return _fail(f"not changed: {exc}")
    finally:
        await app.close()
    if found is None:
        return _fail(f"no deadline {args.id}")
    print(f"deadline {args.id} changed")
    return 0


async def run_list(settings: Settings, _args: argparse.Namespace) -> int:
    app = await open_app(settings)
    try:
        async with transaction(app.sessions) as session:
            today = utcnow().astimezone(settings.tz).date()
            lines = []
            for d in await list_deadlines(session):
                upcoming = next_due(d.due_on, d.monthly_day, today)
                monthly = f" monthly on day {d.monthly_day}" if d.monthly_day else ""
                nxt = upcoming.isoformat() if upcoming else "passed"
                who = await audience_names(session, d.audience)
                lines.append(
                    f"{d.id}\t{d.title}\tdue {d.due_on.isoformat()}{monthly}\tnext {nxt}"
                    f"\tfor {who}\tremind {d.remind_days}"
                )
    finally:
        await app.close()
    print("\n".join(lines) if lines else "no deadlines")
    return 0


async def run_delete(settings: Settings, args: argparse.Namespace) -> int:
    app = await open_app(settings)
    try:
        async with transaction(app.sessions) as session:
            gone = await delete_deadline(session, args.id, actor=ACTOR)
    finally:
        await app.close()
    if not gone:
        return _fail(f"no deadline {args.id}")
    print(f"deadline {args.id} deleted")
    return 0
