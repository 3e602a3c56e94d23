"""Beranda's charts: the chat's "Rekap" (handlers/exports/rekap: kegiatan per month by
jenis, attendance per kampung, sign-ups per month, reports per kader, last twelve months)
as PNG images, in the signed-in member's language, for staff only and scoped as in chat:
an admin every kampung, a kader her own (none when she has no kampung on record).

Drawing four charts takes matplotlib a second or more, so a drawn chart is kept for a few
minutes per (kampung scope, language, chart) and drawn in a thread, off the event loop.
Looking at Beranda is not an export: it is not written to the audit log (the chat's
"Rekap", which sends the pictures away, is)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from bot.web_console.auth import WebSession
from bot.web_console.pages import Kit, Page
from handlers.core.i18n import normalize_language, t
from handlers.exports.rekap import charts_in
from models import Member
from models.exports import rekap_data, render_png

CHARTS: Final = 4
KEEP_SECONDS: Final = 300.0
# (kampung scope, language) -> (drawn at, monotonic seconds; the four PNGs)
Drawn = dict[tuple[int | None, str], tuple[float, list[bytes]]]


def chart_scope(member: Member) -> tuple[bool, int | None]:
    """(may see charts, kampung scope): as the chat's scope_for."""
    if member.role == "admin":
        return True, None
    if member.role == "kader" and member.kampung_id is not None:
        return True, member.kampung_id
    return False, None


def grafik_routes(kit: Kit) -> list[tuple[str, Page, list[str]]]:
    drawn: Drawn = {}
    locks: dict[tuple[int | None, str], asyncio.Lock] = {}

    async def pictures(s: AsyncSession, kampung: int | None, lang: str) -> list[bytes]:
        key = (kampung, lang)
        lock = locks.setdefault(key, asyncio.Lock())
        async with lock:  # two tabs opening Beranda draw once
            found = drawn.get(key)
            if found is not None and time.monotonic() - found[0] < KEEP_SECONDS:
                return found[1]
            data = await rekap_data(s, kit.tz, datetime.now(UTC), kampung)
            found_charts = charts_in(lang, data)
            pngs = await asyncio.to_thread(lambda: [render_png(c) for c in found_charts])
            drawn[key] = (time.monotonic(), pngs)
            return pngs

    async def grafik(r: Request, s: AsyncSession, me: Member, _ws: WebSession) -> Response:
        lang = normalize_language(me.language)
        number = r.path_params["number"]
        may, kampung = chart_scope(me)
        if not may:
            return kit.message(t(lang, "ekspor.no_kampung"), 403, lang)
        if not 1 <= number <= CHARTS:
            return kit.message(t(lang, "web.not_found"), 404, lang)
        pngs = await pictures(s, kampung, lang)
        return Response(pngs[number - 1], media_type="image/png")

    return [("/grafik/{number:int}.png", grafik, ["GET"])]
