"""Who an announcement is for: the compose flow's audience steps (all, ibu, kader, one or
more kampung, not active for N days, participants of a kegiatan), and the audience as
people read it, shared by the flow, the scheduled list and the report.

audience > (kampung: multi-select, then "Selesai" | days | kegiatan > waiting) > preview
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.context import Answer, Ctx
from handlers.core.flow import Flow
from handlers.core.i18n import t
from handlers.core.labels import kampung_label, shorten
from handlers.core.types import Kind
from handlers.parse import parse_int
from models.kegiatan.queries import list_kegiatan
from models.kegiatan.tables import Kegiatan, has_ended
from models.location import Location, active_kampung

SIMPLE_AUDIENCES = ("all", "ibu", "kader")
KEGIATAN_PAGE = 8
MAX_DAYS = 3650

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
    if kind in ("all", "ibu", "kader"):
        return t(lang, f"broadcast.aud_{kind}")
    return str(kind)


def snippet(text: str, limit: int = 40) -> str:
    """The start of an announcement on one line, for lists and confirmations."""
    return shorten(text, limit)


class BroadcastSteps(Flow):
    """What the parts of the compose flow share."""

    async def retry(self, ctx: Ctx, key: str, **values: object) -> None:
        ctx.say(ctx.t(key, **values))
        await self.ask(ctx)

    async def _send(self, ctx: Ctx, scheduled_at: datetime | None) -> None:
        raise NotImplementedError


class AudienceSteps(BroadcastSteps):
    """The audience steps of the compose flow; each ends at the preview."""

    async def ask_audience(self, ctx: Ctx) -> None:
        kinds = (*SIMPLE_AUDIENCES, "kampung", "inactive", "kegiatan")
        ctx.ask(ctx.t("broadcast.ask_audience"), [(k, ctx.t(f"broadcast.pick_{k}")) for k in kinds])

    async def on_audience(self, ctx: Ctx, ans: Answer) -> None:
        if ans.value in SIMPLE_AUDIENCES:
            await self._audience_chosen(ctx, {"kind": ans.value})
        elif ans.value == "kampung":
            ctx.update_data(kampung_ids=[])
            await self.goto(ctx, "kampung")
        elif ans.value == "inactive":
            await self.goto(ctx, "days")
        elif ans.value == "kegiatan":
            ctx.update_data(kegiatan_offset=0)
            await self.goto(ctx, "kegiatan")
        else:
            await self.retry(ctx, "broadcast.audience_pick")

    async def _audience_chosen(self, ctx: Ctx, audience: dict[str, Any]) -> None:
        ctx.update_data(audience=audience)
        await self.goto(ctx, "preview")

    # -- one or more kampung --
    async def ask_kampung(self, ctx: Ctx) -> None:
        chosen = set(ctx.data.get("kampung_ids") or [])
        places = await active_kampung(ctx.session)
        names = [p.name for p in places if p.id in chosen]
        options = [
            (f"k{p.id}", ("✅ " if p.id in chosen else "") + kampung_label(ctx.lang, p))
            for p in places
        ]
        options.append(("done", ctx.t("broadcast.kampung_done")))
        text = ctx.t("broadcast.ask_kampung")
        if names:
            text += "\n" + ctx.t("broadcast.kampung_chosen", names=", ".join(names))
        ctx.ask(text, options)

    async def on_kampung(self, ctx: Ctx, ans: Answer) -> None:
        chosen: list[int] = list(ctx.data.get("kampung_ids") or [])
        if ans.value == "done":
            if not chosen:
                await self.retry(ctx, "broadcast.kampung_none")
                return
            await self._audience_chosen(ctx, {"kind": "kampung", "kampung_ids": sorted(chosen)})
            return
        if ans.value and ans.value.startswith("k"):
            place_id = int(ans.value[1:]) if ans.value[1:].isdigit() else 0
            place = await ctx.session.get(Location, place_id) if place_id else None
            if place is None or place.level != "kampung" or not place.active:
                await self.retry(ctx, "broadcast.kampung_pick")
                return
            # A second tap on a chosen kampung takes it off again.
            if place.id in chosen:
                chosen.remove(place.id)
            else:
                chosen.append(place.id)
            ctx.update_data(kampung_ids=chosen)
            await self.ask(ctx)
            return
        if ans.kind is not Kind.TEXT:
            await self.retry(ctx, "broadcast.kampung_pick")
            return
        found, unknown = match_kampung(ans.text, await active_kampung(ctx.session), ctx.lang)
        if unknown or not found:
            await self.retry(ctx, "broadcast.kampung_unknown", name=", ".join(unknown) or ans.text)
            return
        ctx.update_data(kampung_ids=sorted({*chosen, *(p.id for p in found)}))
        await self.ask(ctx)

    # -- not active for N days --
    async def ask_days(self, ctx: Ctx) -> None:
        ctx.ask(ctx.t("broadcast.ask_days"))

    async def on_days(self, ctx: Ctx, ans: Answer) -> None:
        days = parse_int(ans.text) if ans.kind is Kind.TEXT else None
        if days is None:
            await self.retry(ctx, "broadcast.days_number")
        elif days < 1:
            await self.retry(ctx, "broadcast.days_positive")
        elif days > MAX_DAYS:
            await self.retry(ctx, "broadcast.days_too_many", max=MAX_DAYS)
        else:
            await self._audience_chosen(ctx, {"kind": "inactive", "days": days})

    # -- participants of a kegiatan --
    async def ask_kegiatan(self, ctx: Ctx) -> None:
        offset = int(ctx.data.get("kegiatan_offset") or 0)
        page = await list_kegiatan(
            ctx.session, ctx.now, offset, KEGIATAN_PAGE, statuses=("open", "closed")
        )
        if not page.items and offset:
            ctx.update_data(kegiatan_offset=0)
            page = await list_kegiatan(
                ctx.session, ctx.now, 0, KEGIATAN_PAGE, statuses=("open", "closed")
            )
        if not page.items:
            ctx.say(ctx.t("broadcast.kegiatan_none"))
            await self.goto(ctx, "audience")
            return
        lines = [ctx.t("broadcast.ask_kegiatan")]
        options: list[tuple[str, str]] = []
        for i, k in enumerate(page.items, start=page.offset + 1):
            lines.append(f"{i}. {k.judul} — {ctx.when(k.starts_at)}")
            options.append((f"g{k.id}", shorten(k.judul)))
        if page.has_more:
            options.append(("more", ctx.t("broadcast.kegiatan_more")))
        options.append(("back", ctx.t("broadcast.back")))
        ctx.ask("\n".join(lines), options)

    async def on_kegiatan(self, ctx: Ctx, ans: Answer) -> None:
        if ans.value == "more":
            offset = int(ctx.data.get("kegiatan_offset") or 0) + KEGIATAN_PAGE
            ctx.update_data(kegiatan_offset=offset)
            await self.ask(ctx)
            return
        if ans.value == "back":
            await self.goto(ctx, "audience")
            return
        if not ans.value or not ans.value.startswith("g") or not ans.value[1:].isdigit():
            await self.retry(ctx, "broadcast.kegiatan_pick")
            return
        kegiatan = await ctx.session.get(Kegiatan, int(ans.value[1:]))
        if (
            kegiatan is None
            or kegiatan.status not in ("open", "closed")
            or has_ended(kegiatan, ctx.now)
        ):
            await self.retry(ctx, "broadcast.kegiatan_gone")
            return
        ctx.update_data(kegiatan_id=kegiatan.id)
        await self.goto(ctx, "waiting")

    async def ask_waiting(self, ctx: Ctx) -> None:
        ctx.ask(
            ctx.t("broadcast.ask_waiting"),
            [("yes", ctx.t("broadcast.waiting_yes")), ("no", ctx.t("broadcast.waiting_no"))],
        )

    async def on_waiting(self, ctx: Ctx, ans: Answer) -> None:
        if ans.value not in ("yes", "no"):
            await self.retry(ctx, "broadcast.waiting_pick")
            return
        audience = {
            "kind": "kegiatan",
            "kegiatan_id": int(ctx.data.get("kegiatan_id") or 0),
            "include_waiting": ans.value == "yes",
        }
        await self._audience_chosen(ctx, audience)
