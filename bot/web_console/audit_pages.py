"""Jejak audit: the audit trail for admins (models/audit_trail.py, as `p2wkss-bot audit`):
role changes, broadcasts and exports by default, or one kind, over the last N days,
newest first. Ids and roles, never names or phone numbers. Admins only: a kader is
refused and sees no link. Reading it changes nothing (GET only)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from bot.web_console.auth import WebSession
from bot.web_console.pages import Kit, Page
from bot.web_console.queries import id_number
from handlers.core.i18n import t
from models import Member
from models.audit_trail import DEFAULT_KINDS, KINDS, audit_trail

DEFAULT_DAYS: Final = 30
MOST_DAYS: Final = 3660
SHOWN: Final = 500
# The form's choices: "" is the default (role changes, broadcasts, exports).
CHOICES: Final = ["", *KINDS, "all"]


def audit_routes(kit: Kit) -> list[tuple[str, Page, list[str]]]:
    async def jejak(r: Request, s: AsyncSession, me: Member, ws: WebSession) -> Response:
        if me.role != "admin":
            return kit.message(t(me.language, "weba.admins_only"), 403, me.language)
        days = id_number(r.query_params.get("hari", "").strip()) or DEFAULT_DAYS
        days = min(max(days, 1), MOST_DAYS)
        kind = r.query_params.get("jenis", "")
        if kind not in CHOICES:
            kind = ""
        kinds = [kind] if kind else list(DEFAULT_KINDS)
        since = datetime.now(UTC) - timedelta(days=days)
        lines = await audit_trail(s, since=since, kinds=kinds, most=SHOWN)
        return kit.render(
            "audit.html", member=me, csrf=ws.csrf, lines=lines, days=days, kind=kind,
            choices=CHOICES, more=len(lines) >= SHOWN, shown=SHOWN,
        )  # fmt: skip

    return [("/audit", jejak, ["GET"])]
