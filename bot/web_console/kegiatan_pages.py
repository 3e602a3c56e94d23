"""Kegiatan in the web console: the list (filters kampung, jenis and month as GET
parameters), a kegiatan's page (sign-ups, waiting list, attendance) and the changes the
chat offers admins (time, place, kuota, cancel; handlers/kegiatan/edit.py).

Each change is shown first on a confirmation page with the new value and how many
mothers will be told; only its POST (with the session's CSRF token) applies it, through
the chat's own model functions (`edit_kegiatan`, `cancel_kegiatan`): the same checks, the
same outbox notices, the same waiting-list promotion and the same audit entry, with the
signed-in member as the actor. As in chat only admins change kegiatan; a kader sees the
kegiatan of her own kampung (and those for every kampung) and her kampung's mothers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.web_console.auth import WebSession
from bot.web_console.forms import Form, posted, typed_moment
from bot.web_console.queries import id_number, kampung_names
from handlers.core.i18n import format_date_local, format_datetime_local, normalize_language, t
from handlers.parse.kuota import parse_kuota
from models import Kegiatan, KegiatanTarget, Member, Signup
from models.attendance.tables import Attendance
from models.kegiatan.admin import cancel_kegiatan, edit_kegiatan
from models.kegiatan.queries import for_kampung, participants, sasaran
from models.kegiatan.signups import would_promote
from models.kegiatan.tables import (
    JENIS,
    MAX_TEMPAT,
    has_ended,
    kuota_ok,
    time_problems,
)

if TYPE_CHECKING:
    from bot.web_console.pages import Kit, Page

MAX_ROWS: Final = 200
MAX_TYPED: Final = 500  # what she typed, shown again with a problem (a place is at most MAX_TEMPAT)
CHANGES: Final = ("waktu", "tempat", "kuota")
EDITABLE: Final = ("draft", "open", "closed")  # as the chat's Kelola kegiatan screen
# Problem codes of models.kegiatan.admin and of reading the form -> catalog keys.
PROBLEMS: Final = {
    "in_past": "webk.problem_in_past",
    "ends_before_start": "webk.problem_in_past",
    "empty_tempat": "webk.problem_empty_tempat",
    "tempat_too_long": "webk.problem_tempat_too_long",
    "bad_kuota": "webk.problem_bad_kuota",
    "kuota_below_registered": "webk.problem_kuota_below_registered",
    "same_value": "webk.problem_same_value",
    "bad_time": "webk.problem_bad_time",
    # A time typed as in chat ("besok jam 9", "12/12 13.00", "Senin 08.00"): the chat's words.
    "when_empty": "kgm.need_date_and_time",
    "when_unknown": "kgm.date_unknown",
    "when_ambiguous": "kgm.date_ambiguous",
    "when_missing_date": "kgm.date_missing_date",
    "when_impossible_date": "kgm.date_impossible_date",
    "when_impossible_time": "kgm.date_impossible_time",
    "when_past": "kgm.date_past",
    "when_future": "kgm.date_unknown",
    "when_no_time": "kgm.need_date_and_time",
}

Tr = Callable[..., str]


def translator(member: Member) -> Tr:
    lang = normalize_language(member.language)

    def tr(key: str, **values: object) -> str:
        return t(lang, key, **values)

    return tr


def month_range(text: str, tz: Any) -> tuple[datetime, datetime] | None:
    """ "2026-12" -> the month's first moment and the next month's, in the deployment's zone."""
    try:
        year, month = (int(part) for part in text.split("-"))
        start = datetime(year, month, 1, tzinfo=tz)
    except ValueError:
        return None
    after = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
    return start, after


def month_choices(now: datetime, lang: str, tz: Any, chosen: str) -> list[tuple[str, str]]:
    """The month filter's choices, newest first: a year ahead and a year back ("2026-12",
    "Desember 2026"), and the chosen month when it is further. Named in her language (the
    browser's own month box spoke the laptop's language)."""
    keys = [(now.year + (now.month - 1 + shift) // 12, (now.month - 1 + shift) % 12 + 1)
            for shift in range(12, -13, -1)]  # fmt: skip
    if (span := month_range(chosen, tz)) is not None and (span[0].year, span[0].month) not in keys:
        keys.append((span[0].year, span[0].month))
    return [
        (f"{y:04d}-{m:02d}",
         format_date_local(datetime(y, m, 1, 12, tzinfo=tz), lang, tz).split(" ", 2)[-1])
        for y, m in keys
    ]  # fmt: skip


@dataclass(frozen=True)
class Change:
    """A change read from a form: which field and its new value (or the problems)."""

    what: str
    starts_at: datetime | None = None
    tempat: str | None = None
    kuota: int | None = None
    problems: tuple[str, ...] = ()
    typed: dict[str, str] = field(default_factory=dict)  # what she typed, shown again

    def fields(self) -> dict[str, Any]:
        """The keyword arguments of edit_kegiatan: only the changed field."""
        if self.what == "waktu":
            return {"starts_at": self.starts_at}
        if self.what == "tempat":
            return {"tempat": self.tempat}
        return {"kuota": self.kuota}


def typed_when(moment: datetime, lang: str, tz: Any) -> str:
    """A moment as the time field shows it and reads it back: "3 Desember 2026 09.00"."""
    local = moment.astimezone(tz)
    day = format_date_local(local, lang, tz).split(", ", 1)[-1]  # without the weekday
    return f"{day} {local:%H.%M}"


def read_when(values: Any, tz: Any, now: datetime) -> tuple[datetime | None, str | None]:
    """The new start: typed as in chat in `waktu` ("besok jam 9", "12/12 13.00", "Senin
    08.00", "3 Desember 2026 09.00"), or a date and a time in ISO form (`tanggal`, `jam`:
    the confirmation's hidden fields, the exact moment shown). Else the problem's code."""
    if "waktu" in values:
        typed = typed_moment(str(values.get("waktu", "")), tz, now)
        return (None, f"when_{typed}") if isinstance(typed, str) else (typed, None)
    try:
        day = date.fromisoformat(str(values.get("tanggal", "")).strip())
        at = time.fromisoformat(str(values.get("jam", "")).strip())
    except ValueError:
        return None, "bad_time"
    return datetime.combine(day, at.replace(second=0, microsecond=0), tzinfo=tz), None


def read_change(
    k: Kegiatan, what: str, values: Any, tz: Any, now: datetime, no_limit: str = ""
) -> Change:
    """The new value from the form's fields (a time in WIB; a place; a number of seats,
    empty for no limit), checked by the same rules edit_kegiatan applies. What she typed
    comes back with any problem, to be shown in the field again."""
    typed = {
        name: str(values.get(name, ""))[:MAX_TYPED]
        for name in ("waktu", "tempat", "kuota")
        if name in values
    }
    if what == "waktu":
        starts, problem = read_when(values, tz, now)
        if starts is None:
            return Change(what, problems=(problem or "bad_time",), typed=typed)
        ends = starts + (k.ends_at - k.starts_at)
        problems = tuple(time_problems(starts, ends, now))
        return Change(what, starts_at=starts, problems=problems, typed=typed)
    if what == "tempat":
        tempat = " ".join(str(values.get("tempat", "")).split())
        if not tempat:
            return Change(what, problems=("empty_tempat",), typed=typed)
        if len(tempat) > MAX_TEMPAT:
            return Change(what, tempat=tempat, problems=("tempat_too_long",), typed=typed)
        return Change(what, tempat=tempat)
    raw = str(values.get("kuota", "")).strip()[:MAX_TYPED]
    if not raw:  # the field left empty, as it shows a kegiatan without a limit
        return Change(what, kuota=None)
    found = parse_kuota(raw, no_limit)  # as in chat: "25 orang", "dua puluh lima", "tanpa batas"
    if found.no_limit:
        return Change(what, kuota=None)
    kuota = found.seats
    if kuota is None or not kuota_ok(kuota):
        return Change(what, problems=("bad_kuota",), typed=typed)
    if kuota < k.registered_count:
        return Change(what, kuota=kuota, problems=("kuota_below_registered",), typed=typed)
    return Change(what, kuota=kuota)


def seen_by(me: Member, q: Select[Kegiatan]) -> Select[Kegiatan]:
    """The kegiatan an admin or kader may see: an admin every one; a kader those of her
    own kampung and those for every kampung, never a draft."""
    if me.role == "admin":
        return q
    return q.where(for_kampung(me.kampung_id), Kegiatan.status != "draft")


def unchanged(k: Kegiatan, change: Change) -> bool:
    """The new value is the one the kegiatan has."""
    if change.what == "waktu":
        return change.starts_at == k.starts_at
    if change.what == "tempat":
        return change.tempat == k.tempat
    return change.kuota == k.kuota


def kegiatan_routes(kit: Kit) -> list[tuple[str, Page, list[str]]]:
    tz = kit.tz

    def when_text(moment: datetime, lang: str) -> str:
        """For the notices to mothers, in each mother's language (as Ctx.when_text)."""
        return format_datetime_local(moment, lang, tz)

    async def visible(s: AsyncSession, me: Member, kegiatan_id: int) -> Kegiatan | None:
        return await s.scalar(seen_by(me, select(Kegiatan).where(Kegiatan.id == kegiatan_id)))

    async def listing(r: Request, s: AsyncSession, me: Member, ws: WebSession) -> Response:
        tr = translator(me)
        places = await kampung_names(s)
        q = select(Kegiatan)
        if me.role == "admin":
            chosen = r.query_params.get("kampung", "")
            kampung = chosen_id if (chosen_id := id_number(chosen)) in places else None
            if kampung is not None:
                q = q.where(for_kampung(kampung))
        else:  # a kader: her own kampung, whatever the address says
            kampung = me.kampung_id
            q = seen_by(me, q)
        jenis = r.query_params.get("jenis", "")
        if jenis in JENIS:
            q = q.where(Kegiatan.jenis == jenis)
        else:
            jenis = ""
        bulan = r.query_params.get("bulan", "").strip()
        span = month_range(bulan, tz) if bulan else None
        if span is not None:
            q = q.where(Kegiatan.starts_at >= span[0], Kegiatan.starts_at < span[1])
        else:
            bulan = ""
        found = list(await s.scalars(q.order_by(Kegiatan.starts_at.desc()).limit(MAX_ROWS)))
        months = month_choices(datetime.now(tz), normalize_language(me.language), tz, bulan)
        targets: dict[int, list[str]] = {}
        if found:
            rows = await s.execute(
                select(KegiatanTarget.kegiatan_id, KegiatanTarget.kampung_id).where(
                    KegiatanTarget.kegiatan_id.in_([k.id for k in found])
                )
            )
            for kegiatan_id, place in rows:
                targets.setdefault(kegiatan_id, []).append(places.get(place, "-"))
        return kit.render(
            "kegiatan.html", member=me, csrf=ws.csrf, items=found, targets=targets,
            kinds={c: tr(f"kegiatan.jenis.{c}") for c in JENIS}, jenis=jenis,
            places=places, kampung=kampung, bulan=bulan, admin=me.role == "admin",
            months=months,
        )  # fmt: skip

    async def page(r: Request, s: AsyncSession, me: Member, ws: WebSession) -> Response:
        tr = translator(me)
        k = await visible(s, me, r.path_params["kegiatan_id"])
        if k is None:
            return kit.message(tr("webk.not_found"), 404, me.language)
        people = (
            select(Signup.status, Member.id, Member.full_name, Member.kampung_id)
            .join(Member, Member.id == Signup.member_id)
            .where(Signup.kegiatan_id == k.id, Signup.status != "cancelled")
            .where(Member.erased_at.is_(None))
            .order_by(Signup.queued_at, Signup.id)
        )
        present = select(Attendance).where(
            Attendance.kegiatan_id == k.id, Attendance.status == "present"
        )
        if me.role != "admin":  # a kader sees her own kampung's mothers only
            people = people.where(Member.kampung_id == me.kampung_id)
            present = present.where(Attendance.kampung_id == me.kampung_id)
        rows = list(await s.execute(people))
        hadir = list(await s.scalars(present.order_by(Attendance.id)))
        names = {a.member_id: a.name for a in hadir}
        ids = [a.member_id for a in hadir if a.member_id is not None]
        if ids:
            found = await s.execute(select(Member.id, Member.full_name).where(Member.id.in_(ids)))
            names.update({i: n for i, n in found})
        done = r.query_params.get("selesai", "")
        told = r.query_params.get("n", "0")
        return kit.render(
            "kegiatan_detail.html", member=me, csrf=ws.csrf, k=k,
            jenis=tr(f"kegiatan.jenis.{k.jenis}") if k.jenis in JENIS else k.jenis,
            status_label=tr(f"kgm.status.{k.status}"),
            sasaran=[p.name for p in await sasaran(s, k.id)],
            registered=[(i, n, p) for st, i, n, p in rows if st == "registered"],
            waiting=[(i, n, p) for st, i, n, p in rows if st == "waiting"],
            present=[names.get(a.member_id) or a.name or "-" for a in hadir],
            places=await kampung_names(s),
            can_change=me.role == "admin" and k.status in EDITABLE
            and not has_ended(k, datetime.now(tz)),
            typed=typed_values(k, me), max_tempat=MAX_TEMPAT,
            done=tr("webk.done_" + done, count=id_number(told) or 0)
            if done in ("ubah", "batal") else None,
        )  # fmt: skip

    def typed_values(k: Kegiatan, me: Member) -> dict[str, str]:
        """The change forms' fields as they first show: the kegiatan's values."""
        lang = normalize_language(me.language)
        return {"waktu": typed_when(k.starts_at, lang, tz), "tempat": k.tempat,
                "kuota": str(k.kuota or "")}  # fmt: skip

    async def admin_kegiatan(
        s: AsyncSession, me: Member, kegiatan_id: int, tr: Tr
    ) -> Kegiatan | Response:
        """The kegiatan an admin may change, or the page saying why not (as in chat: only
        admins change kegiatan; a finished or cancelled one cannot change)."""
        if me.role != "admin":
            return kit.message(tr("webk.only_admin"), 403, me.language)
        k = await s.get(Kegiatan, kegiatan_id)
        if k is None:
            return kit.message(tr("webk.not_found"), 404, me.language)
        if k.status not in EDITABLE or has_ended(k, datetime.now(tz)):
            return kit.message(tr("webk.not_editable", judul=k.judul), 409, me.language)
        return k

    async def admin_post(
        r: Request, s: AsyncSession, me: Member, ws: WebSession, tr: Tr
    ) -> tuple[Form, Kegiatan] | Response:
        """A change or cancel POST: her form and the kegiatan she may change, or the page
        saying why not (a form without her session's token, from a page opened before her
        latest sign-in, is not applied)."""
        form = await posted(r, ws, lambda _form: kit.message(tr("webk.bad_form"), 403, me.language))
        if isinstance(form, Response):
            return form
        found = await admin_kegiatan(s, me, r.path_params["kegiatan_id"], tr)
        return found if isinstance(found, Response) else (form, found)

    async def confirm_page(
        s: AsyncSession, me: Member, ws: WebSession, k: Kegiatan, change: Change, tr: Tr,
        status: int = 200,
    ) -> Response:  # fmt: skip
        if change.what == "waktu" and change.starts_at is not None:
            new = format_datetime_local(change.starts_at, me.language, tz)
            old = format_datetime_local(k.starts_at, me.language, tz)
        elif change.what == "tempat":
            new, old = change.tempat or "-", k.tempat
        else:
            new = str(change.kuota) if change.kuota else tr("webk.no_limit")
            old = str(k.kuota) if k.kuota else tr("webk.no_limit")
        if change.what == "kuota":
            promoted = await would_promote(s, k, change.kuota, datetime.now(tz))
            effect = tr("webk.effect_kuota", count=promoted)
        else:
            told = len(await participants(s, k.id, include_waiting=True))
            effect = tr("webk.effect_told", count=told)
        return kit.render(
            "kegiatan_ubah.html", status, member=me, csrf=ws.csrf, k=k, what=change.what,
            label=tr(f"webk.field_{change.what}").lower(), old=old, new=new, effect=effect,
            problems=[tr(PROBLEMS.get(p, "webk.problem_bad_time")) for p in change.problems],
            typed=typed_values(k, me) | change.typed, max_tempat=MAX_TEMPAT,
            hidden={
                "waktu": {"tanggal": change.starts_at.astimezone(tz).date().isoformat(),
                          "jam": f"{change.starts_at.astimezone(tz):%H:%M}"}
                if change.starts_at else {},
                "tempat": {"tempat": change.tempat or ""},
                "kuota": {"kuota": str(change.kuota or "")},
            }[change.what],
        )  # fmt: skip

    async def preview(r: Request, s: AsyncSession, me: Member, ws: WebSession) -> Response:
        tr = translator(me)
        found = await admin_kegiatan(s, me, r.path_params["kegiatan_id"], tr)
        if isinstance(found, Response):
            return found
        what = r.query_params.get("apa", "")
        if what not in CHANGES:
            return kit.message(tr("webk.not_found"), 404, me.language)
        change = read_change(found, what, r.query_params, tz, datetime.now(tz), tr("webk.no_limit"))
        if not change.problems and unchanged(found, change):  # nothing to save, nobody to tell
            change = replace(change, problems=("same_value",), typed=dict(r.query_params))
        return await confirm_page(s, me, ws, found, change, tr, 400 if change.problems else 200)

    async def apply(r: Request, s: AsyncSession, me: Member, ws: WebSession) -> Response:
        tr = translator(me)
        if isinstance(got := await admin_post(r, s, me, ws, tr), Response):
            return got
        form, found = got
        what = form.get("apa", "")
        if what not in CHANGES:
            return kit.message(tr("webk.not_found"), 404, me.language)
        now = datetime.now(tz)
        change = read_change(found, what, form, tz, now, tr("webk.no_limit"))
        if change.problems:
            return await confirm_page(s, me, ws, found, change, tr, 400)
        result = await edit_kegiatan(
            s, found.id, now=now, actor=f"member:{me.id}", actor_member_id=me.id,
            when_text=when_text, **change.fields(),
        )  # fmt: skip
        if result.outcome == "invalid":
            change = Change(what, change.starts_at, change.tempat, change.kuota, result.problems)
            return await confirm_page(s, me, ws, found, change, tr, 400)
        if result.outcome == "not_editable":
            return kit.message(tr("webk.not_editable", judul=found.judul), 409, me.language)
        told = result.notified + len(result.promoted)
        return RedirectResponse(
            f"/admin/kegiatan/{found.id}?selesai=ubah&n={told}", status_code=303
        )

    async def cancel_preview(r: Request, s: AsyncSession, me: Member, ws: WebSession) -> Response:
        tr = translator(me)
        found = await admin_kegiatan(s, me, r.path_params["kegiatan_id"], tr)
        if isinstance(found, Response):
            return found
        told = len(await participants(s, found.id, include_waiting=True))
        return kit.render(
            "kegiatan_batal.html", member=me, csrf=ws.csrf, k=found,
            when=format_datetime_local(found.starts_at, me.language, tz),
            effect=tr("webk.effect_told", count=told if found.status != "draft" else 0),
        )  # fmt: skip

    async def cancel(r: Request, s: AsyncSession, me: Member, ws: WebSession) -> Response:
        tr = translator(me)
        if isinstance(got := await admin_post(r, s, me, ws, tr), Response):
            return got
        _form, found = got
        result = await cancel_kegiatan(
            s, found.id, now=datetime.now(tz), actor=f"member:{me.id}", actor_member_id=me.id,
            when_text=when_text,
        )  # fmt: skip
        if result.outcome not in ("ok", "unchanged"):
            return kit.message(tr("webk.not_editable", judul=found.judul), 409, me.language)
        return RedirectResponse(
            f"/admin/kegiatan/{found.id}?selesai=batal&n={result.notified}", status_code=303
        )

    return [
        ("/kegiatan", listing, ["GET"]),
        ("/kegiatan/{kegiatan_id:int}", page, ["GET"]),
        ("/kegiatan/{kegiatan_id:int}/ubah", preview, ["GET"]),
        ("/kegiatan/{kegiatan_id:int}/ubah", apply, ["POST"]),
        ("/kegiatan/{kegiatan_id:int}/batalkan", cancel_preview, ["GET"]),
        ("/kegiatan/{kegiatan_id:int}/batalkan", cancel, ["POST"]),
    ]
