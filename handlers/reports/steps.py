"""The report wizard's own step kinds and menus: kampung (admins), jenis, the recent
kegiatan of her kampung, the day looking back, the OPDs, the participant counts and the
text steps around the photos.

A choice that makes later answers wrong (another jenis, another kampung, "Lainnya"
instead of a kegiatan) clears them and takes them off the answered list, so the wizard
asks them again, also on the way back to the summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from handlers.core.context import Answer, Ctx
from handlers.core.labels import shorten
from handlers.core.steps import Number, Pick, Problem, Text, day_text
from handlers.core.types import Kind
from handlers.parse import parse_int
from handlers.reports.form import OTHER, ReportForm
from models.kegiatan.tables import JENIS, Kegiatan, jenis_from_text
from models.location import Location, active_kampung
from models.reports import (
    MAX_OPD,
    MAX_PARTICIPANTS,
    MAX_PHOTOS,
    long_ago,
    opd_names,
    recent_kegiatan,
)


def forget(ctx: Ctx, *steps: str) -> None:
    """These steps count as not answered: the wizard asks them again."""
    answered = [a for a in ctx.data.get("answered", []) if a not in steps]
    ctx.update_data(answered=answered)


def today(ctx: Ctx) -> date:
    return ctx.now.astimezone(ctx.tz).date()


def jenis_label(ctx: Ctx, code: str | None) -> str:
    return ctx.t(f"kegiatan.jenis.{code}") if code in JENIS else "-"


async def _refresh_recent(ctx: Ctx, form: ReportForm) -> None:
    if form.jenis is None:
        form.has_recent = False
        return
    found = await recent_kegiatan(ctx.session, form.kampung_id, form.jenis, ctx.now, limit=1)
    form.has_recent = bool(found)


def _reset_kegiatan(ctx: Ctx, form: ReportForm) -> None:
    form.kegiatan = form.kegiatan_id = form.title = None
    form.kegiatan_opd = form.kegiatan_day = None
    forget(ctx, "kegiatan", "title")


# --- kampung (admins only) and jenis --------------------------------------------------------


async def kampung_options(ctx: Ctx, _form: ReportForm) -> list[tuple[str, str]]:
    return [(str(p.id), p.name) for p in await active_kampung(ctx.session)]


@dataclass(frozen=True, kw_only=True)
class KampungPick(Pick):
    async def read(self, ctx: Ctx, ans: Answer, form: ReportForm) -> Any:
        value = await super().read(ctx, ans, form)
        if isinstance(value, Problem):
            return value
        place = await ctx.session.get(Location, int(value))
        if place is None:
            return Problem(self.problem)
        if place.id != form.kampung_id:
            form.kampung_name = place.name
            form.kampung_id = place.id
            _reset_kegiatan(ctx, form)
            await _refresh_recent(ctx, form)
        return place.id


async def jenis_options(ctx: Ctx, _form: ReportForm) -> list[tuple[str, str]]:
    return [(code, jenis_label(ctx, code)) for code in JENIS]


async def typed_jenis(ctx: Ctx, text: str, _form: ReportForm) -> Any:
    return jenis_from_text(text) or Problem("kit.pick_from_list")


@dataclass(frozen=True, kw_only=True)
class JenisPick(Pick):
    async def read(self, ctx: Ctx, ans: Answer, form: ReportForm) -> Any:
        value = await super().read(ctx, ans, form)
        if isinstance(value, str) and value != form.jenis:
            form.jenis = value
            _reset_kegiatan(ctx, form)
            await _refresh_recent(ctx, form)
        return value


# --- which kegiatan ---------------------------------------------------------------------------


async def kegiatan_options(ctx: Ctx, form: ReportForm) -> list[tuple[str, str]]:
    found = await recent_kegiatan(ctx.session, form.kampung_id, form.jenis or "", ctx.now)
    options = [
        (
            f"k{k.id}",
            ctx.t("lapor.kegiatan_choice", judul=shorten(k.judul, 36), day=_short_day(ctx, k)),
        )
        for k in found
    ]
    return [*options, (OTHER, ctx.t("lapor.kegiatan_other"))]


def _short_day(ctx: Ctx, k: Kegiatan) -> str:
    return day_text(ctx, k.starts_at.astimezone(ctx.tz).date())


@dataclass(frozen=True, kw_only=True)
class KegiatanPick(Pick):
    """A kegiatan she reports on gives its title, and suggests its day and OPD."""

    async def read(self, ctx: Ctx, ans: Answer, form: ReportForm) -> Any:
        value = await super().read(ctx, ans, form)
        if not isinstance(value, str):
            return value
        if value == OTHER:
            if form.kegiatan_id is not None:  # the title was the kegiatan's: ask for one
                form.title = None
                forget(ctx, "title")
            form.kegiatan_id = form.kegiatan_opd = form.kegiatan_day = None
            return OTHER
        kegiatan = await ctx.session.get(Kegiatan, int(value.removeprefix("k")))
        if kegiatan is None:
            return Problem(self.problem)
        form.kegiatan_id, form.title = kegiatan.id, kegiatan.judul
        form.kegiatan_opd = kegiatan.opd
        form.kegiatan_day = kegiatan.starts_at.astimezone(ctx.tz).date()
        return value


# --- the day ----------------------------------------------------------------------------------


async def day_options(ctx: Ctx, form: ReportForm) -> list[tuple[str, str]]:
    """The kegiatan's own day first (when it has come), then today and yesterday."""
    now = today(ctx)
    days = [
        (now, ctx.t("lapor.day_today")),
        (now - timedelta(days=1), ctx.t("lapor.day_yesterday")),
    ]
    if form.kegiatan_day is not None and form.kegiatan_day < now - timedelta(days=1):
        days.insert(0, (form.kegiatan_day, day_text(ctx, form.kegiatan_day)))
    return [(d.isoformat(), label) for d, label in days]


def after_day(ctx: Ctx, form: ReportForm) -> None:
    form.long_ago = form.held_on is not None and long_ago(form.held_on, today(ctx))


# --- OPD --------------------------------------------------------------------------------------


async def opd_options(ctx: Ctx, form: ReportForm) -> list[tuple[str, str]]:
    names = await opd_names(ctx.session, first=form.kegiatan_opd)
    return [*((f"o{i}", n) for i, n in enumerate(names)), (OTHER, ctx.t("lapor.opd_other"))]


async def typed_opd(ctx: Ctx, text: str, _form: ReportForm) -> Any:
    text = " ".join(text.split())
    if len(text) < 2 or parse_int(text) is not None:
        return Problem("kit.pick_from_list")
    if len(text) > MAX_OPD:
        return Problem("kit.too_long", {"limit": MAX_OPD, "length": len(text)})
    return text


@dataclass(frozen=True, kw_only=True)
class OpdPick(Pick):
    """Stores the OPD's name; "Lainnya" asks for it typed (and she may type it here)."""

    async def read(self, ctx: Ctx, ans: Answer, form: ReportForm) -> Any:
        value = await super().read(ctx, ans, form)
        if value == OTHER:
            forget(ctx, "opd_other")
            return OTHER
        if isinstance(value, str) and ans.value is not None:
            return dict(await self.choices(ctx, form))[ans.value]
        return value


# --- counts and texts -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Count(Number):
    """Participants: a whole number from 0 to MAX_PARTICIPANTS, said plainly when not."""

    minimum: int | None = 0
    maximum: int | None = MAX_PARTICIPANTS

    async def read(self, ctx: Ctx, ans: Answer, form: Any) -> Any:
        value = await super().read(ctx, ans, form)
        if isinstance(value, Problem) and value.key == "kit.number_min":
            return Problem("lapor.count_negative")
        if isinstance(value, Problem) and value.key == "kit.number_max":
            return Problem("lapor.count_too_many", {"max": MAX_PARTICIPANTS})
        return value


@dataclass(frozen=True, kw_only=True)
class NoteText(Text):
    """A text step near the photo step: a photo sent here (too early, or one more than
    allowed) is refused with a word on what to do, and the question is asked again."""

    before_photos: bool = False

    def accepts(self, kind: Kind) -> bool:
        return kind in (Kind.TEXT, Kind.PHOTO, Kind.DOCUMENT)

    async def read(self, ctx: Ctx, ans: Answer, form: ReportForm) -> Any:
        if ans.kind in (Kind.PHOTO, Kind.DOCUMENT):
            if self.before_photos:
                return Problem("lapor.photo_later")
            if len(form.photos) >= MAX_PHOTOS:
                return Problem("lapor.photo_limit", {"most": MAX_PHOTOS})
            return Problem("lapor.photo_past")
        return await super().read(ctx, ans, form)
