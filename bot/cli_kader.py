"""`p2wkss-bot kader invite|list|revoke|remove`: kader from the command line.

    p2wkss-bot kader invite --name "Rina Marlina" --kampung Sumberan [--days 7]
    p2wkss-bot kader list [--kampung Sumberan]
    p2wkss-bot kader revoke CODE
    p2wkss-bot kader remove --member-id N | --telegram-id N

`invite` prints the code, the `https://t.me/<bot>?start=<code>` link (the bot's username
from TELEGRAM_BOT_USERNAME, else asked of Telegram when a token is set) and how to type
it in any chat ("kode <code>"). The kampung is a name (typos forgiven when one is
clearly meant) or its id. Every change is in the audit log with the actor "cli". Bad
input stops before anything is written, with one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import open_app
from bot.settings import Settings
from handlers.core.i18n import format_datetime_local
from handlers.kader.invite import invite_link
from handlers.parse.ids import read_id
from handlers.parse.places import match_place
from models import transaction, utcnow
from models.kader import (
    InviteInvalid,
    chats_of,
    create_invite,
    find_invite,
    kader_since,
    list_kader,
    open_invites,
    pending_requests,
    remove_kader,
    revoke_invite,
)
from models.location import Location, active_kampung
from models.people.members import household
from models.people.roles import staff_chats
from models.people.tables import ChannelIdentity

log = logging.getLogger(__name__)


class Refused(Exception):
    """A bad argument, said in one line."""


def add_kader_parser(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser("kader", help="kader: invitations and the role")
    verbs = p.add_subparsers(dest="kader_command", required=True)
    inv = verbs.add_parser("invite", help="make a one-time invitation code for a new kader")
    inv.add_argument("--name", required=True, help="her full name")
    inv.add_argument("--kampung", required=True, help="the kampung she serves (name or id)")
    inv.add_argument("--days", type=int, default=None, help="valid days (KADER_INVITE_DAYS)")
    inv.set_defaults(handler=run_invite)
    lst = verbs.add_parser("list", help="kader, open invitations and waiting requests")
    lst.add_argument("--kampung", help="only this kampung (name or id)")
    lst.set_defaults(handler=run_list)
    rev = verbs.add_parser("revoke", help="revoke an unused invitation")
    rev.add_argument("code")
    rev.set_defaults(handler=run_revoke)
    rm = verbs.add_parser("remove", help="take the kader role away")
    who = rm.add_mutually_exclusive_group(required=True)
    who.add_argument("--member-id", type=int, help="the member id (see `kader list`)")
    who.add_argument("--telegram-id", type=int, help="her Telegram user id")
    rm.set_defaults(handler=run_remove)
    for parser in (inv, lst, rev, rm):
        parser.add_argument("--db", type=Path, help="a SQLite file to use instead of DATABASE_URL")


def _fail(message: str) -> int:
    print(f"kader: {message}", file=sys.stderr)
    return 2


async def find_kampung(session: AsyncSession, typed: str) -> Location:
    """The one active kampung named (or numbered) so; Refused when none or several."""
    places = await active_kampung(session)
    number = read_id(typed.strip())
    if number is not None:
        found = [p for p in places if p.id == number]
    else:
        found = [places[m.index] for m in match_place(typed, [p.name for p in places])]
    if len(found) == 1:
        return found[0]
    if found:
        names = ", ".join(f"{p.name} (id {p.id}, {_kelurahan(p)})" for p in found)
        raise Refused(f"--kampung {typed!r} could be {names}: give the id")
    known = ", ".join(p.name for p in places) or "none"
    raise Refused(f"no kampung {typed!r} (known: {known})")


def _kelurahan(place: Location) -> str:
    return f"Kel. {place.parent.name}" if place.parent is not None else "-"


async def bot_username(settings: Settings) -> str | None:
    """TELEGRAM_BOT_USERNAME, else Telegram's answer to getMe when a token is set."""
    if settings.telegram_bot_username:
        return settings.telegram_bot_username.lstrip("@")
    if settings.telegram_bot_token is None:
        return None
    from telegram import Bot
    from telegram.error import TelegramError

    bot = Bot(
        settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.telegram_file_url,
    )
    try:
        async with bot:
            return (await bot.get_me()).username
    except TelegramError as exc:
        log.warning("bot username unknown (%s); set TELEGRAM_BOT_USERNAME", exc.__class__.__name__)
        return None


async def run_invite(settings: Settings, args: argparse.Namespace) -> int:
    days: int = settings.kader_invite_days if args.days is None else args.days
    if days < 1:
        return _fail("--days must be 1 or more")
    app = await open_app(settings)
    try:
        async with transaction(app.sessions) as session:
            place = await find_kampung(session, args.kampung)
            invite = await create_invite(
                session, name=args.name, kampung_id=place.id, now=utcnow(), days=days
            )
            code, expires = invite.code.code, invite.code.expires_at
    except Refused as exc:
        return _fail(str(exc))
    except InviteInvalid as exc:
        return _fail(f"no invitation made: {exc}")
    finally:
        await app.close()
    link = invite_link(await bot_username(settings), code)
    until = format_datetime_local(expires, "en", settings.tz)
    print(f"invitation for {invite.name}, kader of {place.name} ({_kelurahan(place)})")
    print(f"code: {code}")
    print(f"link: {link}" if link else "link: (set TELEGRAM_BOT_USERNAME to print the link)")
    print(f"or type in the chat: kode {code}")
    print(f"valid until {until}, for one use")
    return 0


async def run_list(settings: Settings, args: argparse.Namespace) -> int:
    app = await open_app(settings)
    lines: list[str] = []
    try:
        async with transaction(app.sessions) as session:
            place = await find_kampung(session, args.kampung) if args.kampung else None
            names = {p.id: p.name for p in await active_kampung(session)}
            for m in await list_kader(session, place.id if place else None):
                since = await kader_since(session, m.id)
                day = since.astimezone(settings.tz).date().isoformat() if since else "-"
                lines.append(
                    f"kader\t{m.id}\t{m.full_name or '-'}\t{names.get(m.kampung_id or 0, '-')}"
                    f"\tsince {day}"
                )
            for inv in await open_invites(session, utcnow()):
                if place is None or inv.kampung_id == place.id:
                    until = inv.code.expires_at.astimezone(settings.tz).date().isoformat()
                    lines.append(
                        f"invite\t{inv.code.code}\t{inv.name}\t{names.get(inv.kampung_id, '-')}"
                        f"\tuntil {until}"
                    )
            for req, member in await pending_requests(session):
                if place is None or req.kampung_id == place.id:
                    asked = req.created_at.astimezone(settings.tz).date().isoformat()
                    lines.append(
                        f"request\t{req.id}\t{member.full_name or '-'}"
                        f"\t{names.get(req.kampung_id or 0, '-')}\tasked {asked}"
                    )
    except Refused as exc:
        return _fail(str(exc))
    finally:
        await app.close()
    print("\n".join(lines) if lines else "no kader, open invitations or waiting requests")
    return 0


async def run_revoke(settings: Settings, args: argparse.Namespace) -> int:
    app = await open_app(settings)
    try:
        async with transaction(app.sessions) as session:
            row = await find_invite(session, args.code)
            before = row.state(utcnow()) if row is not None else None
            if before in ("usable", "expired"):
                await revoke_invite(session, args.code, now=utcnow())
    finally:
        await app.close()
    if row is None:
        return _fail(f"no invitation {args.code!r}")
    if before == "used":
        return _fail(f"invitation {row.code} was already used; remove the role instead")
    if before == "revoked":
        return _fail(f"invitation {row.code} was already revoked")
    print(f"invitation {row.code} revoked")
    return 0


async def run_remove(settings: Settings, args: argparse.Namespace) -> int:
    from bot.channels.telegram import push_commands

    app = await open_app(settings)
    removed: list[str] = []
    chats: set[str] = set()
    roles: dict[str, str] = {}
    try:
        async with transaction(app.sessions) as session:
            for member_id in await _targets(session, args):
                telegram = await chats_of(session, member_id, "telegram")
                gone = await remove_kader(session, member_id, actor_member_id=None, now=utcnow())
                if gone is not None:
                    removed.append(f"member {member_id}")
                    chats.update(telegram)
            roles = await staff_chats(session, "telegram")
    finally:
        await app.close()
    if not removed:
        return _fail("no kader to remove there")
    print(f"{', '.join(removed)}: no longer a kader")
    if settings.telegram_bot_token is not None:
        for chat in sorted(chats):
            await push_commands(settings, int(chat), roles.get(chat, "ibu"))
    return 0


async def _targets(session: AsyncSession, args: argparse.Namespace) -> list[int]:
    if args.member_id is not None:
        return [args.member_id]
    identity = await session.scalar(
        select(ChannelIdentity.id).where(
            ChannelIdentity.channel == "telegram",
            ChannelIdentity.external_id == str(args.telegram_id),
        )
    )
    if identity is None:
        return []
    return [m.id for m in await household(session, identity) if m.role == "kader"]
