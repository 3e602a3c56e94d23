"""Warga in the web console: members by name and kampung, and a member's page with her
sign-ups and attendance. Scope as in chat (models.people.binaan.in_scope): an admin sees
every kampung; a kader her own kampung's members only, so she never sees the phone
number of someone outside it; another kampung's member is "not found" to her."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from bot.web_console.auth import WebSession
from bot.web_console.kegiatan_pages import translator
from bot.web_console.queries import id_number, kampung_names
from models import Kegiatan, Member, Signup
from models.attendance.tables import Attendance
from models.people.binaan import in_scope
from models.people.rules import format_rt_rw

if TYPE_CHECKING:
    from bot.web_console.pages import Kit, Page

MAX_ROWS: Final = 200
ROLES: Final = ("ibu", "kader", "admin")


def sees(staff: Member, member: Member | None) -> bool:
    """Whether this admin or kader may open the member's page."""
    return member is not None and in_scope(staff, member)


def warga_routes(kit: Kit) -> list[tuple[str, Page, list[str]]]:
    async def listing(r: Request, s: AsyncSession, me: Member, ws: WebSession) -> Response:
        tr = translator(me)
        places = await kampung_names(s)
        q = select(Member).where(Member.erased_at.is_(None))
        text = r.query_params.get("q", "").strip()[:60]
        if text:  # part of a name, or of a kampung's name ("siti", "ami", "sumber")
            named = func.lower(Member.full_name).contains(text.lower(), autoescape=True)
            there = [i for i, name in places.items() if text.casefold() in name.casefold()]
            q = q.where(or_(named, Member.kampung_id.in_(there)) if there else named)
        if me.role == "admin":
            chosen = r.query_params.get("kampung", "")
            kampung = chosen_id if (chosen_id := id_number(chosen)) in places else None
        else:  # a kader: her own kampung, whatever the address says
            kampung = me.kampung_id if me.kampung_id is not None else -1
        if kampung is not None:
            q = q.where(Member.kampung_id == kampung)
        found = list(await s.scalars(q.order_by(Member.full_name, Member.id).limit(MAX_ROWS)))
        return kit.render(
            "warga.html", member=me, csrf=ws.csrf, rows=found, places=places, q=text,
            kampung=kampung, admin=me.role == "admin",
            roles={role: tr(f"webw.role_{role}") for role in ROLES},
        )  # fmt: skip

    async def page(r: Request, s: AsyncSession, me: Member, ws: WebSession) -> Response:
        tr = translator(me)
        found = await s.get(Member, r.path_params["member_id"])
        if not sees(me, found):
            return kit.message(tr("webw.not_found"), 404, me.language)
        assert found is not None
        signups = list(
            await s.execute(
                select(Signup.status, Kegiatan)
                .join(Kegiatan, Kegiatan.id == Signup.kegiatan_id)
                .where(Signup.member_id == found.id, Kegiatan.status != "draft")
                .order_by(Kegiatan.starts_at.desc(), Kegiatan.id.desc())
                .limit(MAX_ROWS)
            )
        )
        attended = list(
            await s.execute(
                select(Attendance.status, Attendance.walk_in, Kegiatan)
                .join(Kegiatan, Kegiatan.id == Attendance.kegiatan_id)
                .where(Attendance.member_id == found.id)
                .order_by(Kegiatan.starts_at.desc(), Kegiatan.id.desc())
                .limit(MAX_ROWS)
            )
        )
        return kit.render(
            "warga_detail.html", member=me, csrf=ws.csrf, m=found,
            place=(await kampung_names(s)).get(found.kampung_id or 0, "-"),
            role=tr(f"webw.role_{found.role}") if found.role in ROLES else found.role,
            rt_rw=format_rt_rw(found.rt, found.rw),
            signups=[(k, tr(f"webw.signup_{st}")) for st, k in signups],
            attended=[(k, tr(f"webw.attendance_{st}"), walk_in) for st, walk_in, k in attended],
        )  # fmt: skip

    return [
        ("/warga", listing, ["GET"]),
        ("/warga/{member_id:int}", page, ["GET"]),
    ]
