"""The web console under /admin: sign in by a one-time link, Beranda, Laporan (review
with photos, approve or return with a note, the kader told through the outbox as in
chat). Server-rendered (Jinja2, autoescaped), our own stylesheet, no scripts.

Every page reads the member again and checks her role; a kader sees her own kampung
only (reports, photos, counts), and only admins decide on reports, as in chat. Every
POST carries the session's CSRF token."""

from __future__ import annotations

import secrets
import zoneinfo
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.web_console import queries
from bot.web_console.audit_pages import audit_routes
from bot.web_console.auth import (
    Sessions,
    WebSession,
    csrf_ok,
    end_login,
    login_form_ok,
    start_login,
)
from bot.web_console.forms import Form, posted, read_form
from bot.web_console.grafik_pages import grafik_routes
from bot.web_console.i18n import install, link_language, member_language, request_language
from bot.web_console.pages import Kit, Page, page_routes
from bot.web_console.pengumuman_pages import pengumuman_routes
from handlers.core.i18n import format_date_local, normalize_language, t
from models import Member, Report
from models.base import transaction
from models.outbox.tables import QuietHours
from models.reports import ReportInvalid, approve, photos_of, return_for_fix
from models.reports.notices import DayText, notify_approved, notify_returned
from models.reports.tables import ReportPhoto
from models.web_login import is_staff, peek_login, redeem_login

HERE = Path(__file__).parent
MAX_ID = 2**31 - 1  # the largest row id (PostgreSQL's integer); a larger one in an address is none
KEPT_FIELDS = ("text", "note", "tempat", "waktu")  # what she writes herself in the forms
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "cache-control": "no-store",
}


IMAGE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'"


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                given = message.get("headers", [])
                headers = [(k, v) for k, v in given if k.decode() not in SECURITY_HEADERS]
                wanted = dict(SECURITY_HEADERS)
                if any(k == b"content-type" and v.startswith(b"image/") for k, v in given):
                    # A photo opened by itself: the browser's picture viewer fits it to the
                    # screen with its own inline style, which 'style-src self' blocked (a
                    # phone's 4000 px photo showed at full size). No page of ours is in it.
                    wanted["content-security-policy"] = IMAGE_CSP
                headers += [(k.encode(), v.encode()) for k, v in wanted.items()]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_wrapper)


def build_console(
    sessionmaker: async_sessionmaker[AsyncSession], *, media_dir: Path, timezone: str,
    sessions: Sessions | None = None, quiet_hours: QuietHours | None = None,
) -> Mount:  # fmt: skip
    """The /admin mount of the web app."""
    cookies = sessions or Sessions()
    tz = zoneinfo.ZoneInfo(timezone)
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"])
    )
    media_root = media_dir.resolve()

    def day_text(day: date, lang: str) -> str:
        return format_date_local(datetime.combine(day, time(12, 0), tzinfo=tz), lang, tz)

    install(env, tz)

    def render(name: str, status: int = 200, **values: Any) -> HTMLResponse:
        """A page in `lang` when given, else in the signed-in member's language."""
        values["lang"] = (
            normalize_language(values.get("lang"))
            if values.get("lang")
            else (member_language(values.get("member")))
        )
        return HTMLResponse(env.get_template(name).render(**values), status_code=status)

    def message(
        text: str, status: int, lang: str = "id", kept: list[str] | None = None
    ) -> HTMLResponse:
        return render("message.html", status, text=text, member=None, lang=lang, kept=kept)

    async def typed_in(request: Request) -> list[str]:
        """What she wrote in a form that came after her session ended (8 hours, a restart,
        her role taken away): shown back so she can copy it, not lost."""
        if request.method != "POST":
            return []
        form = await read_form(request) or Form({})
        return [form[name] for name in KEPT_FIELDS if form.get(name, "").strip()]

    async def page_language(request: Request) -> str:
        """The signed-in member's language, else the programme's (Indonesian)."""
        ws = cookies.read(request)
        if ws is None:
            return request_language(request)
        async with transaction(sessionmaker) as session:
            member = await session.get(Member, ws.member_id)
            return member_language(member) if member else request_language(request)

    def staff_page(page: Page) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            ws = cookies.read(request)
            if ws is None:
                lang = request_language(request)
                return message(t(lang, "web.login.needed"), 401, lang, await typed_in(request))
            if any(isinstance(v, int) and v > MAX_ID for v in request.path_params.values()):
                lang = await page_language(request)  # no row has it; the database would choke
                return message(t(lang, "web.not_found"), 404, lang)
            async with transaction(sessionmaker) as session:
                member = await session.get(Member, ws.member_id)
                if member is None or not is_staff(member):
                    lang = member_language(member) if member else request_language(request)
                    kept = await typed_in(request)
                    response = message(t(lang, "web.login.ended"), 403, lang, kept)
                    cookies.end(response)
                    return response
                return await page(request, session, member, ws)

        return endpoint

    def scope_of(member: Member) -> int | None:
        return None if member.role == "admin" else member.kampung_id

    def allowed(member: Member, report: Report | None) -> bool:
        if report is None or report.status == "draft":
            return False
        return member.role == "admin" or report.kampung_id == member.kampung_id

    # --- signing in and out ------------------------------------------------------------------

    async def login_form(request: Request) -> Response:
        code = request.path_params["code"]
        async with transaction(sessionmaker) as session:
            usable = await peek_login(session, code, datetime.now(UTC))
            lang = await link_language(session, code) if usable else request_language(request)
        if not usable:
            if cookies.read(request) is not None:  # opened again once signed in: carry on
                return RedirectResponse("/admin/", status_code=303)
            return message(t(lang, "web.login.bad_link"), 403, lang)
        token = secrets.token_urlsafe(16)
        page = render("login.html", code=code, member=None, lang=lang, masuk=token)
        start_login(page, request, token)
        return page

    async def login(request: Request) -> Response:
        code = request.path_params["code"]
        pressed_here = login_form_ok(request, await read_form(request))
        async with transaction(sessionmaker) as session:
            usable = await peek_login(session, code, datetime.now(UTC))
        if usable and not pressed_here:
            # Not pressed on her link's page (another site's form, an old page): the link
            # is not used; its page is shown afresh.
            return RedirectResponse(f"/admin/masuk/{code}", status_code=303)
        async with transaction(sessionmaker) as session:
            member = await redeem_login(session, code, datetime.now(UTC))
            member_id = member.id if member is not None else None
        if member_id is None:
            lang = request_language(request)
            return message(t(lang, "web.login.bad_link"), 403, lang)
        response = RedirectResponse("/admin/", status_code=303)
        cookies.start(response, request, member_id)
        end_login(response)
        return response

    async def logout(request: Request) -> Response:
        ws = cookies.read(request)
        lang = request_language(request)
        if ws is None or not csrf_ok(ws, await read_form(request)):
            return message(t(lang, "web.bad_form"), 403, lang)
        async with transaction(sessionmaker) as session:
            member = await session.get(Member, ws.member_id)
            lang = member_language(member) if member else lang
        response = message(t(lang, "web.logged_out"), 200, lang)
        cookies.end(response)
        return response

    # --- pages --------------------------------------------------------------------------------

    async def beranda(_r: Request, s: AsyncSession, me: Member, ws: WebSession) -> Response:
        now = datetime.now(UTC)
        kampung = scope_of(me)
        return render(
            "beranda.html", member=me, csrf=ws.csrf,
            members=await queries.members_per_kampung(s, kampung),
            upcoming=await queries.upcoming_kegiatan(s, kampung, now),
            waiting=await queries.count_waiting_reports(s, kampung),
            deadlines=await queries.deadlines_within(s, now.astimezone(tz).date()),
            failed=await queries.failed_deliveries(s, now) if kampung is None else None,
        )  # fmt: skip

    async def laporan(_r: Request, s: AsyncSession, me: Member, ws: WebSession) -> Response:
        found = await queries.waiting_reports(s, scope_of(me))
        names = await queries.kampung_names(s)
        return render("laporan.html", member=me, csrf=ws.csrf, reports=found, names=names)

    async def report_page(r: Request, s: AsyncSession, me: Member, ws: WebSession) -> Response:
        report = await s.get(Report, r.path_params["report_id"])
        if not allowed(me, report):
            return message(t(me.language, "web.report.not_found"), 404, me.language)
        assert report is not None
        return render(
            "laporan_detail.html", member=me, csrf=ws.csrf, report=report,
            photos=await photos_of(s, report.id), names=await queries.kampung_names(s),
            can_decide=me.role == "admin" and report.status == "submitted",
            note_error=None,
        )  # fmt: skip

    async def decide(r: Request, s: AsyncSession, me: Member, ws: WebSession) -> Response:
        def bad_form(form: Form | None) -> Response:
            note = form.get("note", "").strip() if form is not None else ""
            kept = [note] if note else None
            return message(t(me.language, "web.bad_form"), 403, me.language, kept)

        if isinstance(form := await posted(r, ws, bad_form), Response):
            return form
        report = await s.get(Report, r.path_params["report_id"])
        if me.role != "admin" or not allowed(me, report):
            return message(t(me.language, "web.report.admins_only"), 403, me.language)
        now = datetime.now(UTC)
        days: DayText = day_text
        verb = r.path_params["verb"]
        if verb not in ("setujui", "kembalikan"):
            return message(t(me.language, "web.not_found"), 404, me.language)
        if verb == "setujui":
            done = await approve(s, r.path_params["report_id"], me.id, now)
            if done is not None:
                await notify_approved(s, done, now, days)
        else:
            note = form.get("note", "").strip()
            try:
                if len(note) < 3:  # as the chat asks (handlers/reports/review.py)
                    raise ReportInvalid(["bad_note"])
                done = await return_for_fix(s, r.path_params["report_id"], me.id, note, now)
            except ReportInvalid:
                assert report is not None
                return render(
                    "laporan_detail.html", 400, member=me, csrf=ws.csrf, report=report,
                    photos=await photos_of(s, report.id), names=await queries.kampung_names(s),
                    can_decide=True, note_error="web.report.note_error", note=note,
                )  # fmt: skip
            if done is not None:
                await notify_returned(s, done, now, days)
        if done is None:
            return message(t(me.language, "web.report.already"), 409, me.language)
        return RedirectResponse("/admin/laporan", status_code=303)

    async def photo(r: Request, s: AsyncSession, me: Member, _ws: WebSession) -> Response:
        found = await s.get(ReportPhoto, r.path_params["photo_id"])
        report = await s.get(Report, found.report_id) if found is not None else None
        if found is None or not allowed(me, report):
            return message(t(me.language, "web.photo.not_found"), 404, me.language)
        path = (media_root / found.path).resolve()
        if not path.is_relative_to(media_root) or not path.is_file():
            return message(t(me.language, "web.photo.not_found"), 404, me.language)
        return FileResponse(path, media_type="image/jpeg")

    kit = Kit(render, message, tz, media_root)
    routes = [
        Route("/masuk/{code}", login_form, methods=["GET"]),
        Route("/masuk/{code}", login, methods=["POST"]),
        Route("/keluar", logout, methods=["POST"]),
        Route("/", staff_page(beranda), methods=["GET"]),
        Route("/laporan", staff_page(laporan), methods=["GET"]),
        Route("/laporan/{report_id:int}", staff_page(report_page), methods=["GET"]),
        Route("/laporan/{report_id:int}/{verb:str}", staff_page(decide), methods=["POST"]),
        Route("/foto/{photo_id:int}", staff_page(photo), methods=["GET"]),
        *(
            Route(path, staff_page(page), methods=methods)
            for path, page, methods in page_routes(kit)
        ),
        *(
            Route(path, staff_page(page), methods=methods)
            for path, page, methods in pengumuman_routes(kit, quiet_hours)
        ),
        *(Route(path, staff_page(page), methods=m) for path, page, m in grafik_routes(kit)),
        *(Route(path, staff_page(page), methods=m) for path, page, m in audit_routes(kit)),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]

    async def no_such_page(request: Request, exc: Exception) -> Response:
        """An unknown address (or a form's address opened by hand) under /admin: the
        console's own page in her language (Indonesian when signed out), not the
        framework's bare English text."""
        lang = await page_language(request)
        status = getattr(exc, "status_code", 404)
        return message(t(lang, "web.not_found"), 404 if status == 404 else 405, lang)

    handlers = {404: no_such_page, 405: no_such_page}
    return Mount(
        "/admin", app=SecurityHeaders(Starlette(routes=routes, exception_handlers=handlers))
    )
