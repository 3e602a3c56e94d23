"""Kegiatan (list and a kegiatan's sign-ups, waiting list and attendance, read-only), Warga
(search and kampung filter; a kader sees phone numbers of her own kampung only) and
Ekspor (the chat's exports and the assessment workbook as downloads, audited as in chat).
Scope as in chat: an admin every kampung, a kader her own."""

from __future__ import annotations

import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from bot.web_console.auth import WebSession, csrf_ok, read_form
from bot.web_console.queries import kampung_names
from handlers.core.i18n import t
from models import Kegiatan, KegiatanTarget, Member, Signup
from models.attendance.tables import Attendance
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


def _kampung(member: Member) -> int | None:
    return None if member.role == "admin" else member.kampung_id


def _visible_kegiatan(member: Member) -> Any:
    """Kegiatan a kader sees: those for her kampung and those for every kampung."""
    targeted = select(KegiatanTarget.kegiatan_id)
    mine = targeted.where(KegiatanTarget.kampung_id == member.kampung_id)
    return or_(Kegiatan.id.in_(mine), ~Kegiatan.id.in_(targeted))


def page_routes(kit: Kit) -> list[tuple[str, Page, list[str]]]:
    async def kegiatan_list(r: Request, s: AsyncSession, me: Member, ws: WebSession) -> Response:
        q = select(Kegiatan).where(Kegiatan.status != "draft")
        if me.role != "admin":
            q = q.where(_visible_kegiatan(me))
        jenis = r.query_params.get("jenis", "")
        if jenis:
            q = q.where(Kegiatan.jenis == jenis)
        found = list(await s.scalars(q.order_by(Kegiatan.starts_at.desc()).limit(MAX_ROWS)))
        kinds = sorted(set(await s.scalars(select(Kegiatan.jenis).distinct())))
        return kit.render(
            "kegiatan.html", member=me, csrf=ws.csrf, items=found, kinds=kinds, jenis=jenis
        )

    async def kegiatan_page(r: Request, s: AsyncSession, me: Member, ws: WebSession) -> Response:
        q = select(Kegiatan).where(Kegiatan.id == r.path_params["kegiatan_id"])
        if me.role != "admin":
            q = q.where(_visible_kegiatan(me), Kegiatan.status != "draft")
        kegiatan = await s.scalar(q)
        if kegiatan is None:
            return kit.message("Kegiatan tidak ditemukan.", 404)
        people = (
            select(Signup.status, Member.full_name, Member.kampung_id)
            .join(Member, Member.id == Signup.member_id)
            .where(Signup.kegiatan_id == kegiatan.id, Signup.status != "cancelled")
            .order_by(Signup.queued_at, Signup.id)
        )
        present = select(Attendance).where(
            Attendance.kegiatan_id == kegiatan.id, Attendance.status == "present"
        )
        kampung = _kampung(me)
        if kampung is not None:  # a kader sees her own kampung's mothers only
            people = people.where(Member.kampung_id == kampung)
            present = present.where(Attendance.kampung_id == kampung)
        rows = list(await s.execute(people))
        hadir = list(await s.scalars(present.order_by(Attendance.id)))
        names = {a.member_id: a.name for a in hadir}
        if hadir:
            ids = [a.member_id for a in hadir if a.member_id is not None]
            found = await s.execute(select(Member.id, Member.full_name).where(Member.id.in_(ids)))
            names.update({i: n for i, n in found})
        return kit.render(
            "kegiatan_detail.html", member=me, csrf=ws.csrf, k=kegiatan,
            registered=[(n, p) for st, n, p in rows if st == "registered"],
            waiting=[(n, p) for st, n, p in rows if st == "waiting"],
            present=[names.get(a.member_id) or a.name or "-" for a in hadir],
            places=await kampung_names(s),
        )  # fmt: skip

    async def warga(r: Request, s: AsyncSession, me: Member, ws: WebSession) -> Response:
        places = await kampung_names(s)
        q = select(Member).where(Member.erased_at.is_(None))
        text = r.query_params.get("q", "").strip()[:60]
        if text:
            q = q.where(func.lower(Member.full_name).contains(text.lower()))
        chosen = r.query_params.get("kampung", "")
        if chosen.isdigit() and int(chosen) in places:
            q = q.where(Member.kampung_id == int(chosen))
        found = list(await s.scalars(q.order_by(Member.full_name, Member.id).limit(MAX_ROWS)))
        own = _kampung(me)
        rows = [(m, m.phone_e164 if own is None or m.kampung_id == own else None) for m in found]
        return kit.render(
            "warga.html", member=me, csrf=ws.csrf, rows=rows, places=places, q=text,
            chosen=int(chosen) if chosen.isdigit() else None,
        )  # fmt: skip

    def exports_for(me: Member) -> list[str]:
        return [kind for kind, roles in EXPORTS.items() if me.role in roles]

    async def ekspor(_r: Request, _s: AsyncSession, me: Member, ws: WebSession) -> Response:
        return kit.render("ekspor.html", member=me, csrf=ws.csrf, kinds=exports_for(me))

    async def download(r: Request, s: AsyncSession, me: Member, ws: WebSession) -> Response:
        if not csrf_ok(ws, await read_form(r)):
            return kit.message(t(me.language, "web.bad_form"), 403, me.language)
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
        ("/kegiatan", kegiatan_list, ["GET"]),
        ("/kegiatan/{kegiatan_id:int}", kegiatan_page, ["GET"]),
        ("/warga", warga, ["GET"]),
        ("/ekspor", ekspor, ["GET"]),
        ("/ekspor/{kind:str}", download, ["POST"]),
    ]
