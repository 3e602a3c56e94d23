"""`p2wkss-bot audit [--days N] [--kind KIND ...]`: the audit trail for admins at the
server (models/audit_trail.py): role changes, broadcasts and exports by default, newest
first, in the deployment's time zone. Ids and roles, never names or phone numbers."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.app import open_app
from bot.settings import Settings
from handlers.core.i18n import zone_name
from models.audit_trail import DEFAULT_KINDS, KINDS, MOST, TrailLine, audit_trail


def add_audit_parser(sub: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        "audit",
        help="read the audit trail (role changes, broadcasts, exports)",
        description="Who did what, when: role changes, broadcasts and exports by default, "
        "newest first. Entries name ids and roles, never names or phone numbers.",
    )
    p.add_argument("--days", type=int, default=30, help="how far back (default 30)")
    p.add_argument(
        "--kind",
        action="append",
        choices=[*KINDS, "all"],
        help=f"which entries (repeatable; default: {', '.join(DEFAULT_KINDS)})",
    )
    p.add_argument("--db", type=Path, help="a SQLite file to use instead of DATABASE_URL")
    p.set_defaults(handler=run_audit)
    return p


def format_line(line: TrailLine, settings: Settings) -> str:
    local = line.at.astimezone(settings.tz)
    when = f"{local:%Y-%m-%d %H:%M} {zone_name(settings.tz, line.at)}"
    return "  ".join(part for part in (when, line.actor, line.action, line.object, line.detail)
                     if part)  # fmt: skip


async def run_audit(settings: Settings, args: argparse.Namespace) -> int:
    if args.days < 1:
        print("--days must be 1 or more", file=sys.stderr)
        return 2
    kinds: list[str] = args.kind or list(DEFAULT_KINDS)
    since = datetime.now(UTC) - timedelta(days=args.days)
    app = await open_app(settings)
    try:
        async with app.sessions() as session:
            lines = await audit_trail(session, since=since, kinds=kinds)
    finally:
        await app.close()
    what = ", ".join(kinds)
    if not lines:
        print(f"no audit entries in the last {args.days} day(s) ({what})")
        return 0
    for line in lines:
        print(format_line(line, settings))
    more = (
        f" (the newest {MOST}; ask for fewer days to see older ones)" if len(lines) >= MOST else ""
    )
    print(f"{len(lines)} entries in the last {args.days} day(s) ({what}){more}")
    return 0
