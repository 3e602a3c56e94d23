"""`p2wkss-bot broadcast`: an announcement from the command line (staff scripts, cron).

    p2wkss-bot broadcast --audience all|ibu|kader|kampung:<name>[,<name>]|inactive:<days>|
                         kegiatan:<id> --text "..." [--at "YYYY-MM-DD HH:MM"] [--db FILE]

The same rules as in chat (`models.outbox.broadcasts.create_broadcast`: one message per chat,
opted-out and blocked chats left out, an audit entry with actor "cli"). `--at` is read in
the deployment's TIMEZONE. Bad input stops before anything is written, with one line on
stderr and exit status 2. `--text -` reads the text from stdin.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import open_app
from bot.settings import Settings
from handlers.broadcast.audience import match_kampung
from handlers.broadcast.compose import check_text
from handlers.core.i18n import format_datetime_local
from models import transaction, utcnow
from models.kegiatan.tables import Kegiatan
from models.location import active_kampung
from models.outbox.broadcasts import MAX_BROADCAST_TEXT, create_broadcast

AT_FORMAT = "%Y-%m-%d %H:%M"
ACTOR = "cli"
TEXT_PROBLEMS = {
    "broadcast.text_empty": "the text is empty",
    "broadcast.text_too_long": f"the text is longer than {MAX_BROADCAST_TEXT} characters",
    "broadcast.text_no_words": "the text has no words (only emoji or punctuation)",
}


class BroadcastArgError(Exception):
    """A bad option; the message is the one line printed."""


@dataclass(frozen=True)
class AudienceSpec:
    kind: str
    kampung: str = ""
    number: int = 0


def add_broadcast_parser(sub: Any) -> argparse.ArgumentParser:
    """Register the subcommand on the CLI's subparsers; returns its parser."""
    p: argparse.ArgumentParser = sub.add_parser(
        "broadcast", help="send or schedule an announcement"
    )
    p.add_argument(
        "--audience",
        required=True,
        help="all | ibu | kader | kampung:NAME[,NAME] | inactive:DAYS | kegiatan:ID",
    )
    p.add_argument("--text", required=True, help='the announcement ("-" reads stdin)')
    p.add_argument("--at", help='"YYYY-MM-DD HH:MM" in TIMEZONE; omit to send now')
    p.add_argument("--db", type=Path, help="a SQLite file to use instead of DATABASE_URL")
    return p


def parse_audience(spec: str) -> AudienceSpec:
    kind, _, rest = spec.strip().partition(":")
    kind = kind.strip().lower()
    if kind in ("all", "ibu", "kader") and not rest:
        return AudienceSpec(kind)
    if kind == "kampung" and rest.strip():
        return AudienceSpec(kind, kampung=rest)
    if kind in ("inactive", "kegiatan") and rest.strip().isdigit() and int(rest) > 0:
        return AudienceSpec(kind, number=int(rest))
    raise BroadcastArgError(
        f"--audience {spec!r} is not one of all, ibu, kader, kampung:NAME[,NAME], "
        "inactive:DAYS, kegiatan:ID"
    )


def parse_at(text: str, tz: ZoneInfo, now: datetime) -> datetime:
    try:
        local = datetime.strptime(text.strip(), AT_FORMAT).replace(tzinfo=tz)
    except ValueError:
        raise BroadcastArgError(f'--at {text!r} is not "YYYY-MM-DD HH:MM"') from None
    if local <= now:
        raise BroadcastArgError(f"--at {text!r} is in the past ({tz.key})")
    return local


def check_cli_text(text: str) -> str:
    problem = check_text(text)
    if problem:
        raise BroadcastArgError(TEXT_PROBLEMS[problem])
    return text.strip()


async def resolve_audience(session: AsyncSession, spec: AudienceSpec) -> dict[str, Any]:
    if spec.kind == "kampung":
        places = await active_kampung(session)
        found, unknown = match_kampung(spec.kampung, places, "id")
        if unknown or not found:
            known = ", ".join(p.name for p in places)
            raise BroadcastArgError(
                f"unknown or ambiguous kampung: {', '.join(unknown) or spec.kampung} "
                f"(known: {known})"
            )
        return {"kind": "kampung", "kampung_ids": sorted({p.id for p in found})}
    if spec.kind == "inactive":
        return {"kind": "inactive", "days": spec.number}
    if spec.kind == "kegiatan":
        kegiatan = await session.get(Kegiatan, spec.number)
        if kegiatan is None or kegiatan.status not in ("open", "closed"):
            raise BroadcastArgError(f"no open kegiatan with id {spec.number}")
        return {"kind": "kegiatan", "kegiatan_id": kegiatan.id, "include_waiting": False}
    return {"kind": spec.kind}


async def run_broadcast(settings: Settings, args: argparse.Namespace) -> int:
    now = utcnow()
    try:
        raw = await asyncio.to_thread(sys.stdin.read) if args.text == "-" else args.text
        text = check_cli_text(raw)
        spec = parse_audience(args.audience)
        at = parse_at(args.at, settings.tz, now) if args.at else None
    except BroadcastArgError as exc:
        print(f"broadcast: {exc}", file=sys.stderr)
        return 2
    # Scripts read this command's output: keep the embedded database's migration notes
    # out of it, so an error is exactly one line.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    app = await open_app(settings)
    try:
        async with transaction(app.sessions) as session:
            audience = await resolve_audience(session, spec)
            broadcast = await create_broadcast(
                session, text=text, audience=audience, actor=ACTOR, scheduled_at=at, now=now
            )
            number, count = broadcast.id, broadcast.recipient_count
    except BroadcastArgError as exc:
        # Raised inside the transaction, so nothing was written.
        print(f"broadcast: {exc}", file=sys.stderr)
        return 2
    finally:
        await app.close()
    if at is None:
        print(f"broadcast {number}: {count} recipients, sending now")
    else:
        when = format_datetime_local(at, "id", settings.tz)
        print(f"broadcast {number}: {count} recipients, scheduled for {when}")
    return 0
