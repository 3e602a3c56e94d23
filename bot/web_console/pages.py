"""Ekspor (the chat's exports and the assessment workbook as downloads, audited as in
chat), and the list of the console's page routes: Kegiatan (kegiatan_pages.py) and Warga
(warga_pages.py) have modules of their own. Scope as in chat: an admin every kampung, a
kader her own."""

from __future__ import annotations

import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from bot.web_console.auth import WebSession
from bot.web_console.forms import Form, posted
from bot.web_console.kegiatan_pages import kegiatan_routes
from bot.web_console.warga_pages import warga_routes
from handlers.core.i18n import t
from models import Member
from models.exports import Scope, record_export
from models.exports.files import write_export, write_penilaian

Page = Callable[[Request, AsyncSession, Member, WebSession], Awaitable[Response]]
XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# As in chat (handlers/exports/common.py): members and deliveries are for admins only.
# Labels: web.export.kind.<kind> in locales/*/LC_MESSAGES/web.po.
EXPORTS: Final = {
    "members": frozenset({"admin"}),
    "kegiatan": frozenset({"admin", "kader"}),
    "laporan": frozenset({"admin", "kader"}),
    "deliveries": frozenset({"admin"}),
    "penilaian": frozenset({"admin", "kader"}),
}
MAX_ROWS: Final = 200


@dataclass(frozen=True)
class Kit:
    render: Callable[..., HTMLResponse]
    message: Callable[..., HTMLResponse]  # (text, status, lang="id")
    tz: ZoneInfo
    media_dir: Path


def page_routes(kit: Kit) -> list[tuple[str, Page, list[str]]]:
    def exports_for(me: Member) -> list[str]:
        return [kind for kind, roles in EXPORTS.items() if me.role in roles]

    async def ekspor(_r: Request, _s: AsyncSession, me: Member, ws: WebSession) -> Response:
        return kit.render("ekspor.html", member=me, csrf=ws.csrf, kinds=exports_for(me))

    async def download(r: Request, s: AsyncSession, me: Member, ws: WebSession) -> Response:
        def bad_form(_form: Form | None) -> Response:
            return kit.message(t(me.language, "web.bad_form"), 403, me.language)

        if isinstance(form := await posted(r, ws, bad_form), Response):
            return form
        kind = r.path_params["kind"]
        if kind not in exports_for(me):
            return kit.message(t(me.language, "web.export.admins_only"), 403, me.language)
        if me.role == "admin":
            scope = Scope(kit.tz)
        else:
            scope = Scope(kit.tz, kampung_id=me.kampung_id, drafts=False)
        now = datetime.now(UTC)
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / f"{kind}.xlsx"
            if kind == "penilaian":
                pack = await write_penilaian(s, scope, out, now=now, media_dir=kit.media_dir)
                detail: dict[str, Any] = {"counts": pack.counts}
            else:
                written = await write_export(s, kind, scope, out)
                detail = {"rows": written.rows}
            data = out.read_bytes()
        await record_export(
            s, kind, scope, actor=f"member:{me.id}", actor_member_id=me.id, channel="web",
            **detail,
        )  # fmt: skip
        name = f"p2wkss-{kind}-{now.astimezone(kit.tz):%Y%m%d}.xlsx"
        return Response(
            data, media_type=XLSX,
            headers={"content-disposition": f'attachment; filename="{name}"'},
        )  # fmt: skip

    return [
        *kegiatan_routes(kit),
        *warga_routes(kit),
        ("/ekspor", ekspor, ["GET"]),
        ("/ekspor/{kind:str}", download, ["POST"]),
    ]
