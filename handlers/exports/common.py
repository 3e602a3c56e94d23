"""Who may export what in chat, the span and kampung an export covers, and where the
files wait to be sent.

Roles: members and deliveries are for admins only; kegiatan, laporan, the assessment
pack and the charts are also for a kader, always for her own kampung (the scope comes
from her record, never from a button, so no id can widen it). Mothers get none; the
actions are for staff and each one checks the kind again (a forged button included).

Files are written under MEDIA_DIR/exports/<random>/ and stay until sent (a reply is kept
with the state change and re-sent after a crash); folders older than a day are removed
at the next export, since the files hold names.
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Final

from handlers.core.context import Ctx
from handlers.core.feature import ADMIN, STAFF
from handlers.core.menu import reprompt
from handlers.core.types import Choice, action
from handlers.kegiatan.mothers import to_menu
from models.exports import Scope, record_export
from models.files import private_dir
from models.location import Location

FOLDER: Final = "exports"
STALE_SECONDS: Final = 24 * 3600
# The kinds offered in chat, in menu order, and who may have each.
KIND_ROLES: Final = {
    "members": ADMIN,
    "kegiatan": STAFF,
    "laporan": STAFF,
    "deliveries": ADMIN,
    "penilaian": STAFF,
}
PERIODS: Final = ("all", "month", "last", "year")


def today(ctx: Ctx) -> date:
    return ctx.now.astimezone(ctx.tz).date()


def span(period: str, day: date) -> tuple[date | None, date | None]:
    """ "month": this month; "last": the month before; "year": this year; else all."""
    first = day.replace(day=1)
    if period == "month":
        following = (first + timedelta(days=32)).replace(day=1)
        return first, following - timedelta(days=1)
    if period == "last":
        end = first - timedelta(days=1)
        return end.replace(day=1), end
    if period == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    return None, None


def scope_for(ctx: Ctx, period: str = "all") -> Scope | None:
    """An admin's export covers every kampung; a kader's her own kampung only (None when
    she has none on record: then she gets nothing)."""
    since, until = span(period, today(ctx))
    if ctx.role == "admin":
        return Scope(ctx.tz, since=since, until=until)
    if ctx.role != "kader" or ctx.member is None or ctx.member.kampung_id is None:
        return None
    return Scope(ctx.tz, since, until, kampung_id=ctx.member.kampung_id, drafts=False)


def refusal(ctx: Ctx, kind: str, period: str = "all") -> str | None:
    """Why she may not have this export (a catalog key), or None."""
    if kind not in KIND_ROLES or period not in PERIODS:
        return "ekspor.unknown"
    if ctx.role not in KIND_ROLES[kind]:
        return "ekspor.admins_only"
    return "ekspor.no_kampung" if scope_for(ctx) is None else None


async def place_name(ctx: Ctx, scope: Scope) -> str | None:
    if scope.kampung_id is None:
        return None
    place = await ctx.session.get(Location, scope.kampung_id)
    return place.name if place else None


async def where_text(ctx: Ctx, scope: Scope, period: str) -> str:
    """ "Bulan ini, Kampung Sumberan" """
    name = await place_name(ctx, scope)
    place = ctx.t("ekspor.place", name=name) if name else ctx.t("ekspor.place_all")
    return f"{ctx.t(f'ekspor.period.{period}')}, {place}"


def _sweep(root: Path) -> None:
    if not root.is_dir():
        return
    old = time.time() - STALE_SECONDS
    for folder in root.iterdir():
        if folder.stat().st_mtime < old:
            if folder.is_dir():
                shutil.rmtree(folder, ignore_errors=True)
            else:
                folder.unlink(missing_ok=True)


async def new_folder(ctx: Ctx) -> Path:
    """A fresh folder with an unguessable name for this export's files."""
    root = ctx.media_dir / FOLDER
    await asyncio.to_thread(_sweep, root)
    folder = root / secrets.token_hex(8)
    await asyncio.to_thread(private_dir, folder)  # exports hold personal data: 0700
    return folder


async def record(ctx: Ctx, kind: str, scope: Scope, **detail: object) -> None:
    assert ctx.member is not None
    await record_export(
        ctx.session,
        kind,
        scope,
        actor=f"member:{ctx.member.id}",
        actor_member_id=ctx.member.id,
        channel=ctx.incoming.channel,
        **detail,
    )


async def refuse(ctx: Ctx, key: str) -> None:
    ctx.say(ctx.t(key))
    await reprompt(ctx)


def after(ctx: Ctx) -> None:
    """What next, once the files are on their way."""
    ctx.show(
        ctx.t("ekspor.after"),
        [
            Choice(action("ex.menu"), ctx.t("ekspor.btn_other")),
            Choice(action("ex.rekap"), ctx.t("ekspor.rekap_menu")),
            to_menu(ctx),
        ],
    )
