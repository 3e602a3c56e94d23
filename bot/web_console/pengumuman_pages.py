"""Pengumuman: the broadcast history with each one's delivery summary (sent, failed,
waiting, from the outbox), cancelling a scheduled one, and writing a new one: the text,
who gets it (as in chat: all, ibu, kader, kampung, not active for N days, participants of
a kegiatan), now or at a later moment, then a preview with the message as a mother sees
it and the exact number of chats, and only then a confirming POST.

Everything goes through the chat's own functions (handlers/broadcast and
models/outbox/broadcasts): the same text and audience rules, the same audience count,
`create_broadcast` (outbox rows at once, or scheduled for the sweep; quiet hours are kept
by the outbox dispatcher for both) and `cancel_broadcast`, which write the same audit
entries as in chat. Only admins, as in chat (a kader is refused). No photo from the web."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.web_console.auth import WebSession
from bot.web_console.forms import Form, posted, typed_moment
from bot.web_console.pages import Kit, Page
from bot.web_console.queries import id_number
from handlers.broadcast import check_text, describe_audience
from handlers.broadcast.audience import (
    AUDIENCE_KINDS,
    KEGIATAN_STATUSES,
    MAX_DAYS,
    kegiatan_gone,
    read_days,
)
from handlers.broadcast.when import WHEN_ERRORS, when_problem
from handlers.core.i18n import format_datetime_local, t, zone_name
from handlers.core.labels import kampung_label
from handlers.core.steps import Problem
from models import Member
from models.kegiatan.queries import list_kegiatan
from models.kegiatan.tables import Kegiatan
from models.location import active_kampung
from models.outbox.broadcasts import (
    MAX_BROADCAST_TEXT,
    Broadcast,
    BroadcastSummary,
    audience_recipients,
    broadcast_summary,
    cancel_broadcast,
    check_audience,
    create_broadcast,
    via_kader_count,
)
from models.outbox.tables import QuietHours

HISTORY: Final = 50
FORM_LIMIT: Final = 64_000  # 3000 characters of text, emoji URL-encoded, and the rest
FORM_FIELDS: Final = 200  # a kampung ticked is a field each
KEGIATAN_CHOICES: Final = 50
# A second press of "Kirim" (a double click, a reload) within this long does not send twice.
SAME_DRAFT: Final = timedelta(minutes=2)
MAX_WAKTU: Final = 100


@dataclass
class Draft:
    """What the compose form holds; `errors` are catalog keys with their values."""

    text: str = ""
    audience: str = "all"
    kampung_ids: list[int] = field(default_factory=list)
    days: str = ""
    kegiatan_id: int | None = None
    waiting: bool = False
    later: bool = False
    day: str = ""
    clock: str = ""
    waktu: str = ""  # the moment typed as in chat ("besok jam 9"); day/clock are its ISO form
    errors: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def stored_audience(self) -> dict[str, Any]:
        if self.audience == "kampung":
            return {"kind": "kampung", "kampung_ids": sorted(set(self.kampung_ids))}
        if self.audience == "inactive":
            return {"kind": "inactive", "days": int(self.days)}
        if self.audience == "kegiatan":
            return {
                "kind": "kegiatan",
                "kegiatan_id": self.kegiatan_id or 0,
                "include_waiting": self.waiting,
            }
        return {"kind": self.audience}


@dataclass(frozen=True)
class Row:
    broadcast: Broadcast
    audience: str
    state: str
    summary: BroadcastSummary | None


def _draft_of(form: Form) -> Draft:
    return Draft(
        text=form.get("text", "").replace("\r\n", "\n").strip(),
        audience=form.get("audience", ""),
        kampung_ids=[n for v in form.every("kampung") if (n := id_number(v)) is not None],
        days=form.get("days", "").strip(),
        kegiatan_id=id_number(form.get("kegiatan", "")),
        waiting=form.get("waiting", "") == "1",
        later=form.get("when", "") == "later",
        day=form.get("day", "").strip(),
        clock=form.get("time", "").strip(),
        waktu=form.get("waktu", "").strip()[:MAX_WAKTU],
    )


def pengumuman_routes(
    kit: Kit, quiet_hours: QuietHours | None
) -> list[tuple[str, Page, list[str]]]:
    tz = kit.tz

    def refused(me: Member) -> Response | None:
        if me.role == "admin":
            return None
        return kit.message(t(me.language, "web.bc.admins_only"), 403, me.language)

    def bad_form(me: Member, form: Form | None = None) -> Response:
        """A form from a page opened before her latest sign-in: what she wrote, to copy."""
        text = form.get("text", "").strip() if form is not None else ""
        kept = [text] if text else None
        return kit.message(t(me.language, "web.bad_form"), 403, me.language, kept)

    async def state_of(s: AsyncSession, b: Broadcast, lang: str, now: datetime) -> Row:
        """Where a broadcast is, in the chat's words (handlers/broadcast/manage.progress)."""
        audience = await describe_audience(s, lang, b.audience)
        if b.status == "scheduled":
            return Row(b, audience, t(lang, "broadcast.state_scheduled"), None)
        summary = await broadcast_summary(s, b.id)
        if b.status == "cancelled":
            state = t(lang, "broadcast.status_cancelled")
        elif b.status == "sent":
            finished = b.finished_at or b.enqueued_at or b.created_at
            state = t(lang, "broadcast.state_sent", when=_when(finished, lang))
        elif not summary.queued:
            state = t(lang, "broadcast.state_done")
        elif quiet_hours is not None and quiet_hours.active(now):
            state = t(lang, "broadcast.state_quiet", end=quiet_hours.end.strftime("%H.%M"))
        elif summary.queued == summary.recipients:
            state = t(lang, "broadcast.state_queued")
        else:
            done = summary.recipients - summary.queued
            state = t(lang, "broadcast.state_sending", done=done, total=summary.recipients)
        return Row(b, audience, state, summary)

    async def history(r: Request, s: AsyncSession, me: Member, ws: WebSession) -> Response:
        if (no := refused(me)) is not None:
            return no
        now = datetime.now(UTC)
        found = await s.scalars(select(Broadcast).order_by(Broadcast.id.desc()).limit(HISTORY))
        rows = [await state_of(s, b, me.language, now) for b in found]
        notice = None
        new_id = r.query_params.get("baru", "")
        fresh = await s.get(Broadcast, number) if (number := id_number(new_id)) else None
        if fresh is not None:
            notice = _notice(fresh, me.language, now)
        cancelled = r.query_params.get("batal", "")
        if (number := id_number(cancelled)) is not None:
            notice = t(me.language, "broadcast.cancelled", id=number)
        return kit.render("pengumuman.html", member=me, csrf=ws.csrf, rows=rows, notice=notice)

    def _notice(b: Broadcast, lang: str, now: datetime) -> str:
        if b.status == "scheduled":
            assert b.scheduled_at is not None
            return t(lang, "web.bc.scheduled", id=b.id, count=b.recipient_count,
                     when=_when(b.scheduled_at, lang))  # fmt: skip
        if quiet_hours is not None and quiet_hours.active(now):
            return t(
                lang, "web.bc.sent_quiet", id=b.id, count=b.recipient_count,
                start=quiet_hours.start.strftime("%H.%M"), end=quiet_hours.end.strftime("%H.%M"),
            )  # fmt: skip
        return t(lang, "web.bc.sent", id=b.id, count=b.recipient_count)

    def _when(moment: datetime, lang: str) -> str:
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return format_datetime_local(aware, lang, tz)

    async def choices(s: AsyncSession, lang: str, now: datetime) -> dict[str, Any]:
        places = await active_kampung(s)
        kegiatan = await list_kegiatan(s, now, 0, KEGIATAN_CHOICES, statuses=KEGIATAN_STATUSES)
        return {
            "kinds": [(k, t(lang, f"broadcast.pick_{k}")) for k in AUDIENCE_KINDS],
            "places": [(p.id, kampung_label(lang, p)) for p in places],
            "kegiatan": [(k.id, k.judul, k.starts_at) for k in kegiatan.items],
            "max_text": MAX_BROADCAST_TEXT,
            "max_days": MAX_DAYS,
            "zone": zone_name(tz, now),
        }

    async def compose_page(
        s: AsyncSession, me: Member, ws: WebSession, draft: Draft, status: int = 200,
        preview: dict[str, Any] | None = None,
    ) -> Response:  # fmt: skip
        now = datetime.now(UTC)
        return kit.render(
            "pengumuman_tulis.html", status, member=me, csrf=ws.csrf, draft=draft,
            preview=preview, **await choices(s, me.language, now),
        )  # fmt: skip

    async def new(_r: Request, s: AsyncSession, me: Member, ws: WebSession) -> Response:
        if (no := refused(me)) is not None:
            return no
        return await compose_page(s, me, ws, Draft())

    async def check(s: AsyncSession, draft: Draft, now: datetime) -> datetime | None:
        """The chat's rules, in the chat's words; the moment to send at (None: now)."""
        if (key := check_text(draft.text)) is not None:
            draft.errors.append((key, {"max": MAX_BROADCAST_TEXT, "length": len(draft.text)}))
        if draft.audience not in AUDIENCE_KINDS:
            draft.errors.append(("web.bc.audience_pick", {}))
        elif draft.audience == "kampung":
            active = {p.id for p in await active_kampung(s)}
            draft.kampung_ids = sorted({i for i in draft.kampung_ids if i in active})
            if not draft.kampung_ids:
                draft.errors.append(("broadcast.kampung_none", {}))
        elif draft.audience == "inactive":
            days = read_days(draft.days)  # as in chat: "30", "tiga puluh"
            if isinstance(days, Problem):
                draft.errors.append((days.key, dict(days.values)))
            else:
                draft.days = str(days)
        elif draft.audience == "kegiatan":
            kegiatan = await s.get(Kegiatan, draft.kegiatan_id or 0)
            if kegiatan is None or kegiatan_gone(kegiatan, now):
                draft.errors.append(("broadcast.kegiatan_gone", {}))
        if not draft.later:
            if draft.waktu:  # a time typed, "Kirim sekarang" left chosen: ask, never send now
                draft.errors.append(("web.bc.when_conflict", {}))
            return None
        if draft.waktu:  # typed as in chat, read by the chat's reader, in the chat's words
            typed = typed_moment(draft.waktu, tz, now)
            if isinstance(typed, str):  # "no_time": a day without its hour
                missing = typed == "no_time"
                key = "web.bc.when_missing" if missing else WHEN_ERRORS.get(typed)
                draft.errors.append((key or "broadcast.when_unknown", {}))
                return None
            local = typed.astimezone(tz)
            draft.day, draft.clock = local.date().isoformat(), f"{local:%H:%M}"
        try:
            moment = datetime.combine(
                date.fromisoformat(draft.day), time.fromisoformat(draft.clock), tzinfo=tz
            ).astimezone(UTC)
        except ValueError:
            draft.errors.append(("web.bc.when_missing", {}))
            return None
        if not draft.waktu:  # the confirmation's exact moment: shown in her field as typed
            local = moment.astimezone(tz)
            draft.waktu = f"{local.day}/{local.month}/{local.year} {local:%H.%M}"
        if (problem := when_problem(moment, now)) is not None:
            draft.errors.append((problem.key, {}))
        return moment

    async def checked(
        r: Request, s: AsyncSession, me: Member, ws: WebSession, now: datetime
    ) -> Response | tuple[Draft, datetime | None]:
        """Her form read and checked as in chat: the draft and its moment, or the page
        that says what is wrong (a refusal, a stale form, her fields with the reasons)."""
        form = await posted(
            r, ws, lambda form: bad_form(me, form), refused=refused(me), limit=FORM_LIMIT,
            max_fields=FORM_FIELDS,
        )  # fmt: skip
        if isinstance(form, Response):
            return form
        draft = _draft_of(form)
        moment = await check(s, draft, now)
        if draft.errors:  # e.g. the moment passed while she read the preview
            return await compose_page(s, me, ws, draft, 400)
        return draft, moment

    async def preview(r: Request, s: AsyncSession, me: Member, ws: WebSession) -> Response:
        now = datetime.now(UTC)
        if isinstance(got := await checked(r, s, me, ws, now), Response):
            return got
        draft, moment = got
        audience = check_audience(draft.stored_audience())
        recipients = await audience_recipients(s, audience, now=now)
        shown = {
            "message": t(me.language, "outbox.announcement", text=draft.text),
            "audience": await describe_audience(s, me.language, audience),
            "count": len(recipients),
            "via_kader": via_kader_count(recipients),
            "when": _when(moment, me.language) if moment is not None else None,
        }
        return await compose_page(s, me, ws, draft, preview=shown)

    async def send(r: Request, s: AsyncSession, me: Member, ws: WebSession) -> Response:
        now = datetime.now(UTC)
        if isinstance(got := await checked(r, s, me, ws, now), Response):
            return got
        draft, moment = got
        audience = check_audience(draft.stored_audience())
        same = await _same_draft(s, me, draft.text, audience, moment, now)
        if same is None:
            if moment is None and not await audience_recipients(s, audience, now=now):
                draft.errors.append(("broadcast.preview_nobody", {}))
                return await compose_page(s, me, ws, draft, 400)
            same = await create_broadcast(
                s, text=draft.text, audience=audience, actor=f"member:{me.id}",
                created_by_member_id=me.id, scheduled_at=moment, now=now,
            )  # fmt: skip
        return RedirectResponse(f"/admin/pengumuman?baru={same.id}", status_code=303)

    async def _same_draft(
        s: AsyncSession, me: Member, text: str, audience: dict[str, Any],
        moment: datetime | None, now: datetime,
    ) -> Broadcast | None:  # fmt: skip
        """The same announcement she sent a moment ago (a double click or a reload)."""
        recent = await s.scalars(
            select(Broadcast).where(
                Broadcast.created_by_member_id == me.id,
                Broadcast.created_at >= now - SAME_DRAFT,
                Broadcast.text == text,
                Broadcast.status != "cancelled",
            )
        )
        for b in recent:
            stored = b.scheduled_at
            if stored is not None and stored.tzinfo is None:  # SQLite gives naive UTC
                stored = stored.replace(tzinfo=UTC)
            if b.audience == audience and stored == moment:
                return b
        return None

    async def cancel(r: Request, s: AsyncSession, me: Member, ws: WebSession) -> Response:
        form = await posted(
            r, ws, lambda _form: bad_form(me), refused=refused(me), limit=FORM_LIMIT,
            max_fields=FORM_FIELDS,
        )  # fmt: skip
        if isinstance(form, Response):
            return form
        broadcast_id = r.path_params["broadcast_id"]
        found = await s.get(Broadcast, broadcast_id)
        if found is None:
            return kit.message(t(me.language, "broadcast.not_found"), 404, me.language)
        # As in chat (handlers/broadcast/manage.cancel): only one not yet going out.
        done = found.status == "scheduled" and await cancel_broadcast(
            s, broadcast_id, actor=f"member:{me.id}", actor_member_id=me.id,
            now=datetime.now(UTC),
        )  # fmt: skip
        if not done:
            key = f"broadcast.cannot_cancel_{found.status}"
            return kit.message(t(me.language, key, id=broadcast_id), 409, me.language)
        return RedirectResponse(f"/admin/pengumuman?batal={broadcast_id}", status_code=303)

    return [
        ("/pengumuman", history, ["GET"]),
        ("/pengumuman/baru", new, ["GET"]),
        ("/pengumuman/pratinjau", preview, ["POST"]),
        ("/pengumuman/kirim", send, ["POST"]),
        ("/pengumuman/{broadcast_id:int}/batal", cancel, ["POST"]),
    ]
