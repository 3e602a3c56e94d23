"""Who an announcement is for: the compose wizard's audience steps (all, ibu, kader, one
or more kampung, not active for N days, participants of a kegiatan), and the audience as
people read it, shared by the wizard, the scheduled list, the report and the CLI.

audience > (kampung: multi-select, then "Selesai" | days | kegiatan > waiting) > preview
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.broadcast.form import ComposeForm
from handlers.core.context import Answer, Ctx
from handlers.core.feature import StepKind
from handlers.core.i18n import t
from handlers.core.labels import kampung_label, shorten
from handlers.core.menu import show_menu
from handlers.core.steps import Menu, Option, Pick, Problem, Question, Step, YesNo
from handlers.core.types import Kind
from handlers.parse import parse_int
from handlers.parse.ids import read_id
from models.kegiatan.queries import list_kegiatan
from models.kegiatan.tables import Kegiatan, has_ended
from models.location import Location, active_kampung

SIMPLE_AUDIENCES = ("all", "ibu", "kader")
AUDIENCE_KINDS = (*SIMPLE_AUDIENCES, "kampung", "inactive", "kegiatan")
KEGIATAN_PAGE = 8
KEGIATAN_STATUSES = ("open", "closed")
MAX_DAYS = 3650
# The steps that follow the audience choice: asked afresh after "Ubah penerima".
DETAIL_STEPS = ("kampung", "days", "kegiatan", "waiting")

# Typed lists of kampung: "Sumberan, Cibening", "sumberan dan cibening", "A & B", "A + B".
_NAME_SEPARATORS = re.compile(r"\s*(?:,|;|&|\+|\bdan\b|\band\b)\s*", re.IGNORECASE)


def _fold(text: str) -> str:
    return " ".join(text.casefold().replace("kampung ", " ").replace("kp.", " ").split())


def match_kampung(
    text: str, places: Sequence[Location], lang: str
) -> tuple[list[Location], list[str]]:
    """The kampung named in a typed list, and the names it does not know."""
    found: list[Location] = []
    unknown: list[str] = []
    for name in (n for n in _NAME_SEPARATORS.split(text.strip()) if n.strip()):
        wanted = _fold(name)
        hits = [p for p in places if wanted in (_fold(p.name), _fold(kampung_label(lang, p)))]
        if len(hits) == 1:
            found.append(hits[0])
        else:
            # Unknown, or the same name in two kelurahan: she picks from the buttons.
            unknown.append(name.strip())
    return found, unknown


async def describe_audience(session: AsyncSession, lang: str, audience: Mapping[str, Any]) -> str:
    """ "Semua anggota", "Kampung Sumberan, Cibening", "Peserta kegiatan Posyandu"…"""
    kind = audience.get("kind")
    if kind == "kampung":
        wanted = set(audience.get("kampung_ids") or ())
        names = [p.name for p in await active_kampung(session) if p.id in wanted]
        # A kampung switched off since keeps its id; say how many rather than guess names.
        missing = len(wanted) - len(names)
        if missing:
            names.append(t(lang, "broadcast.aud_kampung_other", count=missing))
        return t(lang, "broadcast.aud_kampung", names=", ".join(names))
    if kind == "inactive":
        return t(lang, "broadcast.aud_inactive", days=audience.get("days"))
    if kind == "kegiatan":
        kegiatan = await session.get(Kegiatan, audience.get("kegiatan_id") or 0)
        judul = kegiatan.judul if kegiatan is not None else f"#{audience.get('kegiatan_id')}"
        key = "broadcast.aud_kegiatan_waiting" if audience.get("include_waiting") else None
        return t(lang, key or "broadcast.aud_kegiatan", judul=judul)
    if kind in SIMPLE_AUDIENCES:
        return t(lang, f"broadcast.aud_{kind}")
    return str(kind)


def snippet(text: str, limit: int = 40) -> str:
    """The start of an announcement on one line, for lists and confirmations."""
    return shorten(text, limit)


# --- the audience -----------------------------------------------------------------------------


async def _kinds(ctx: Ctx, _form: ComposeForm) -> list[tuple[str, str]]:
    return [(k, ctx.t(f"broadcast.pick_{k}")) for k in AUDIENCE_KINDS]


async def _kegiatan_page(ctx: Ctx, offset: int) -> Any:
    return await list_kegiatan(
        ctx.session, ctx.now, offset, KEGIATAN_PAGE, statuses=KEGIATAN_STATUSES
    )


async def _kind_of(ctx: Ctx, value: str) -> Any:
    if value == "kegiatan" and not (await _kegiatan_page(ctx, 0)).items:
        return Problem("broadcast.kegiatan_none")
    return value


def _fresh_details(ctx: Ctx, form: ComposeForm) -> None:
    """A new audience kind: its details are asked afresh (also after "Ubah penerima")."""
    form.kampung_ids, form.kampung_done, form.days = [], False, None
    form.kegiatan_id, form.kegiatan_offset, form.include_waiting = None, 0, None
    answered = [s for s in ctx.data.get("answered", []) if s not in DETAIL_STEPS]
    ctx.update_data(answered=answered)


# --- one or more kampung: a screen that stays until "Selesai" ---------------------------------


@dataclass(frozen=True, kw_only=True)
class KampungPicker(Menu):
    """Tap kampung on and off (or type their names), then "Selesai"."""

    choose: Any = lambda _ctx, _form: ()
    stores: ClassVar[bool] = True  # asked again after "Ubah penerima" (see `when`)

    async def options(self, ctx: Ctx, form: ComposeForm) -> list[tuple[str, str]]:
        chosen = set(form.kampung_ids)
        options = [
            (f"k{p.id}", ("✅ " if p.id in chosen else "") + kampung_label(ctx.lang, p))
            for p in await active_kampung(ctx.session)
        ]
        return [*options, ("done", ctx.t("broadcast.kampung_done"))]

    async def question(self, ctx: Ctx, form: ComposeForm, *, again: bool = False) -> Question:
        chosen = set(form.kampung_ids)
        names = [p.name for p in await active_kampung(ctx.session) if p.id in chosen]
        text = ctx.t("broadcast.ask_kampung")
        if names:
            text += "\n" + ctx.t("broadcast.kampung_chosen", names=", ".join(names))
        return Question(text, await self.options(ctx, form))

    async def read(self, ctx: Ctx, ans: Answer, form: ComposeForm) -> Any:
        if ans.value == "done":
            return Option("done", "", _kampung_done)
        if ans.value and ans.value.startswith("k"):
            place = await ctx.session.get(Location, read_id(ans.value[1:]) or 0)
            if place is None or place.level != "kampung" or not place.active:
                return Problem("broadcast.kampung_pick")
            return Option(ans.value, "", _toggle(place.id))
        if ans.kind is not Kind.TEXT or not ans.text.strip():
            return Problem("broadcast.kampung_pick")
        found, unknown = match_kampung(ans.text, await active_kampung(ctx.session), ctx.lang)
        if unknown or not found:
            name = ", ".join(unknown) or ans.text
            return Problem("broadcast.kampung_unknown", {"name": name})
        return Option("typed", "", _add({p.id for p in found}))


def _toggle(place_id: int) -> Any:
    async def run(ctx: Ctx, form: ComposeForm) -> str:
        # A second tap on a chosen kampung takes it off again.
        if place_id in form.kampung_ids:
            form.kampung_ids.remove(place_id)
        else:
            form.kampung_ids.append(place_id)
        return "kampung"

    return run


def _add(place_ids: set[int]) -> Any:
    async def run(ctx: Ctx, form: ComposeForm) -> str:
        form.kampung_ids = sorted({*form.kampung_ids, *place_ids})
        return "kampung"

    return run


async def _kampung_done(ctx: Ctx, form: ComposeForm) -> str:
    if not form.kampung_ids:
        ctx.say(ctx.t("broadcast.kampung_none"))
        return "kampung"
    form.kampung_done = True
    return "preview"


# --- not active for N days --------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Days(Step):
    kind: ClassVar[StepKind] = "number"

    async def read(self, ctx: Ctx, ans: Answer, form: ComposeForm) -> Any:
        return read_days(ans.text if ans.kind is Kind.TEXT else "")


def read_days(text: str) -> int | Problem:
    """'Not active for N days' as typed (the chat and the web console): N, or the problem."""
    days = parse_int(text)
    if days is None:
        return Problem("broadcast.days_number")
    if days < 1:
        return Problem("broadcast.days_positive")
    if days > MAX_DAYS:
        return Problem("broadcast.days_too_many", {"max": MAX_DAYS})
    return days


# --- participants of a kegiatan ---------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class KegiatanPicker(Menu):
    """The kegiatan still to come, a page at a time, with a way back and to the menu."""

    choose: Any = lambda _ctx, _form: ()
    stores: ClassVar[bool] = True  # asked again after "Ubah penerima" (see `when`)

    async def question(self, ctx: Ctx, form: ComposeForm, *, again: bool = False) -> Question:
        page = await _kegiatan_page(ctx, form.kegiatan_offset)
        if not page.items and form.kegiatan_offset:
            page = await _kegiatan_page(ctx, 0)
        lines = [ctx.t("broadcast.ask_kegiatan")]
        options: list[tuple[str, str]] = []
        for i, k in enumerate(page.items, start=page.offset + 1):
            lines.append(f"{i}. {k.judul} — {ctx.when(k.starts_at)}")
            options.append((f"g{k.id}", shorten(k.judul)))
        if not page.items:
            lines.append(ctx.t("broadcast.kegiatan_none"))
        if page.has_more:
            options.append(("more", ctx.t("broadcast.kegiatan_more")))
        options.append(("back", ctx.t("broadcast.back")))
        options.append(("menu", ctx.t("broadcast.to_menu")))
        return Question("\n".join(lines), options)

    async def read(self, ctx: Ctx, ans: Answer, form: ComposeForm) -> Any:
        value = ans.value or ""
        if value == "more":
            return Option(value, "", _next_page)
        if value == "back":
            return Option(value, "", _back_to_audience)
        if value == "menu":
            return Option(value, "", _to_menu)
        kegiatan_id = read_id(value[1:]) if value.startswith("g") else None
        if kegiatan_id is None:
            return Problem("broadcast.kegiatan_pick")
        kegiatan = await ctx.session.get(Kegiatan, kegiatan_id)
        if kegiatan is None or kegiatan_gone(kegiatan, ctx.now):
            return Problem("broadcast.kegiatan_gone")
        return Option(value, "", _chose_kegiatan(kegiatan.id))


def kegiatan_gone(kegiatan: Kegiatan, now: datetime) -> bool:
    """Whose participants can no longer be an audience (the chat and the web console)."""
    return kegiatan.status not in KEGIATAN_STATUSES or has_ended(kegiatan, now)


async def _next_page(ctx: Ctx, form: ComposeForm) -> str:
    form.kegiatan_offset += KEGIATAN_PAGE
    return "kegiatan"


async def _back_to_audience(ctx: Ctx, form: ComposeForm) -> str:
    return "audience"


async def _to_menu(ctx: Ctx, form: ComposeForm) -> None:
    ctx.finish()
    await show_menu(ctx)


def _chose_kegiatan(kegiatan_id: int) -> Any:
    async def run(ctx: Ctx, form: ComposeForm) -> str:
        form.kegiatan_id = kegiatan_id
        return "waiting"

    return run


@dataclass(frozen=True, kw_only=True)
class Waiting(YesNo):
    async def read(self, ctx: Ctx, ans: Answer, form: ComposeForm) -> Any:
        value = await super().read(ctx, ans, form)
        return Problem("broadcast.waiting_pick") if isinstance(value, Problem) else value


def _is(kind: str) -> Any:
    return lambda form: form.audience_kind == kind


AUDIENCE_STEPS: tuple[Step, ...] = (
    Pick(
        name="audience",
        field="audience_kind",
        ask="broadcast.ask_audience",
        choices=_kinds,
        convert=_kind_of,
        problem="broadcast.audience_pick",
        after=_fresh_details,
    ),
    KampungPicker(
        name="kampung",
        ask="broadcast.ask_kampung",
        when=lambda form: form.audience_kind == "kampung" and not form.kampung_done,
    ),
    Days(name="days", ask="broadcast.ask_days", when=_is("inactive")),
    KegiatanPicker(
        name="kegiatan",
        ask="broadcast.ask_kegiatan",
        when=lambda form: form.audience_kind == "kegiatan" and form.kegiatan_id is None,
    ),
    Waiting(
        name="waiting",
        field="include_waiting",
        ask="broadcast.ask_waiting",
        yes="broadcast.waiting_yes",
        no="broadcast.waiting_no",
        when=lambda form: form.audience_kind == "kegiatan" and form.kegiatan_id is not None,
    ),
)

__all__ = ["AUDIENCE_STEPS", "describe_audience", "match_kampung", "snippet"]
