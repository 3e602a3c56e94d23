"""Registration of an ibu, and editing her data later ("Ubah data saya").

consent > name > kampung > RT/RW > phone > summary (change any field) > saved. A shared
contact whose number is on a record without a chat (imported from the kelurahan's list)
first asks whether that is her, and links this chat to it (handlers/members/linking.py).
On a phone that already serves someone, "Daftar" first asks whom it is for (a screen of
self-contained buttons, not a step). Every answer is kept in the conversation state, so
a bad answer or a restart never loses what she already gave.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from handlers.core.context import Ctx
from handlers.core.feature import ANYONE
from handlers.core.labels import kampung_label
from handlers.core.menu import end_flow, show_menu
from handlers.core.steps import Menu, Option, Pick, Problem, Summary, Text
from handlers.core.types import Choice, action
from handlers.core.wizard import NEXT, Wizard
from handlers.members.linking import LINK_OFFER, LinkingPhone
from handlers.parse.ids import read_id
from handlers.parse.places import match_place
from models import utcnow
from models.location import Location, active_kampung
from models.people.members import (
    MemberDetails,
    household,
    household_member,
    register_member,
    update_member,
)
from models.people.rules import NAME_MAX, check_name, check_rt_rw, format_rt_rw
from models.people.tables import Member

FIELDS = ("name", "kampung", "rtrw", "phone")


class RegistrationForm(BaseModel):
    mode: Literal["new", "edit"] = "new"
    member_id: int | None = None
    consent_at: datetime | None = None
    full_name: str | None = None
    kampung_id: int | None = None
    # The kampung was read from a name typed with a typo: asked once more.
    kampung_guessed: bool = False
    rtrw: tuple[int, int] | None = None
    phone: str | None = None
    phone_verified: bool = False
    # Records without a chat carrying her shared (verified) number: (member id, label).
    link_offers: list[tuple[int, str]] = []
    link_declined: bool = False


def read_name(text: str) -> Any:
    checked = check_name(text)
    return Problem(f"reg.name_{checked.error}") if checked.error else checked.value


def read_rtrw(text: str) -> Any:
    checked = check_rt_rw(text)
    if checked.error or checked.rt is None or checked.rw is None:
        return Problem(f"reg.rtrw_{checked.error or 'format'}")
    return (checked.rt, checked.rw)


async def kampung_options(ctx: Ctx, _form: RegistrationForm) -> list[tuple[str, str]]:
    return [(f"k{p.id}", kampung_label(ctx.lang, p)) for p in await active_kampung(ctx.session)]


async def kampung_of(ctx: Ctx, value: str) -> Any:
    place = await ctx.session.get(Location, read_id(value[1:]) or 0)
    if place is None or place.level != "kampung" or not place.active:
        return Problem("reg.kampung_pick")
    return place.id


async def kampung_typed(ctx: Ctx, text: str, form: RegistrationForm) -> Any:
    """ "sumbran", "Kp. Sumberan": the closest kampung, asked once more when it was a guess."""
    places = await active_kampung(ctx.session)
    found = match_place(text, [p.name for p in places])
    if len(found) != 1:
        return Problem("reg.kampung_pick")
    form.kampung_guessed = found[0].score < 1.0
    return places[found[0].index].id


async def kampung_check_text(ctx: Ctx, form: RegistrationForm) -> str:
    place = await ctx.session.get(Location, form.kampung_id or 0)
    label = kampung_label(ctx.lang, place) if place else "-"
    return ctx.t("reg.kampung_guess", kampung=label)


async def _kampung_right(ctx: Ctx, form: Any) -> str | None:
    form.kampung_guessed = False
    return NEXT


async def _kampung_wrong(ctx: Ctx, form: Any) -> str | None:
    form.kampung_guessed = False
    form.kampung_id = None
    return "kampung"


def kampung_steps(ask: str, when: Callable[[Any], bool] | None = None) -> tuple[Pick, Menu]:
    """Her kampung from the list (a typo is guessed at, then "Maksud Ibu kampung …?"), for
    any form with `kampung_id` and `kampung_guessed`: her own registration, or her kader's."""
    return (
        Pick(
            name="kampung",
            field="kampung_id",
            ask=ask,
            choices=kampung_options,
            convert=kampung_of,
            typed=kampung_typed,
            problem="reg.kampung_pick",
            edit="reg.edit_kampung",
            when=when,
        ),
        Menu(
            name="kampung_check",
            ask="reg.kampung_guess",
            render=kampung_check_text,
            choose=lambda _ctx, _form: (
                Option("yes", "kit.yes", _kampung_right),
                Option("no", "reg.kampung_other", _kampung_wrong),
            ),
            when=lambda form: form.kampung_guessed,
            confirms=True,
        ),
    )


async def _consent(ctx: Ctx, form: RegistrationForm) -> str | None:
    form.consent_at = utcnow()
    return "name"


async def _declined(ctx: Ctx, form: RegistrationForm) -> str | None:
    await end_flow(ctx, ctx.t("reg.consent_declined"))
    return None


async def render_summary(ctx: Ctx, form: RegistrationForm) -> str:
    place = await ctx.session.get(Location, form.kampung_id or 0)
    rt, rw = form.rtrw or (None, None)
    return ctx.t(
        "reg.summary",
        name=form.full_name or "-",
        kampung=kampung_label(ctx.lang, place) if place else "-",
        rtrw=format_rt_rw(rt, rw),
        phone=PHONE.show(ctx, form.phone),
    )


async def save(ctx: Ctx, form: RegistrationForm) -> str | None:
    assert form.full_name and form.kampung_id and form.rtrw
    details = MemberDetails(
        full_name=form.full_name,
        kampung_id=form.kampung_id,
        rt=form.rtrw[0],
        rw=form.rtrw[1],
        phone_e164=form.phone,
        phone_verified=form.phone_verified,
        language=ctx.lang,
    )
    member: Member | None
    if form.mode == "edit":
        # Checked again: the chat may no longer act for her (erased, or household changed).
        member = await household_member(ctx.session, ctx.identity.id, form.member_id or 0)
        if member is None:
            await end_flow(ctx, ctx.t("common.unknown_choice"))
            return None
        await update_member(ctx.session, member, details)
        intro = ctx.t("reg.updated")
    else:
        member = await register_member(
            ctx.session, ctx.identity, details, form.consent_at or utcnow()
        )
        intro = ctx.t("reg.saved", name=member.full_name or "-")
    ctx.member = member
    ctx.state.active_member_id = member.id
    await end_flow(ctx, intro)
    return None


PHONE = LinkingPhone(
    name="phone",
    ask="reg.ask_phone",
    share_label="reg.share_phone",
    optional=True,
    skip_on_no=True,
    skip_label="reg.no_phone",
    empty="reg.phone_none",
    edit="reg.edit_phone",
)

REGISTRATION: Wizard[RegistrationForm] = Wizard(
    "mb.register",
    RegistrationForm,
    (
        Menu(
            name="consent",
            ask="reg.consent",
            again="reg.consent_again",
            choose=lambda _ctx, _form: (
                Option("yes", "reg.consent_yes", _consent),
                Option("no", "reg.consent_no", _declined),
            ),
            when=lambda form: form.consent_at is None and form.mode == "new",
        ),
        Text(
            name="name",
            field="full_name",
            ask="reg.ask_name",
            max_len=2 * NAME_MAX,  # a fast guard; check_name counts exactly
            too_long="reg.name_too_long",
            wrong_kind="reg.name_text_only",
            clean=read_name,
            edit="reg.edit_name",
        ),
        *kampung_steps("reg.ask_kampung"),
        Text(name="rtrw", ask="reg.ask_rtrw", max_len=40, clean=read_rtrw, edit="reg.edit_rtrw"),
        PHONE,
        LINK_OFFER,
        Summary(
            name="summary",
            ask="reg.summary",
            render=render_summary,
            saves=(Option("save", "reg.save", save, words=("simpan", "save")),),
            fields=FIELDS,
        ),
    ),
    roles=ANYONE,
    cancelled="reg.cancelled",
)


def edit_form(member: Member) -> RegistrationForm:
    rtrw = (member.rt, member.rw) if member.rt is not None and member.rw is not None else None
    return RegistrationForm(
        mode="edit",
        member_id=member.id,
        full_name=member.full_name,
        kampung_id=member.kampung_id,
        rtrw=rtrw,
        phone=member.phone_e164,
        phone_verified=member.phone_verified,
    )


async def register(ctx: Ctx, _args: list[str]) -> None:
    """ "Daftar": on a phone that already serves someone, first ask whom it is for."""
    members = await household(ctx.session, ctx.identity.id)
    if not members:
        await REGISTRATION.start(ctx)
        return
    choices = [
        Choice(action("mb.use", m.id), ctx.t("reg.whom_member", name=m.full_name or "-"))
        for m in members
    ]
    choices.append(Choice(action("mb.new"), ctx.t("reg.whom_other")))
    ctx.finish()
    ctx.show(ctx.t("reg.whom"), choices)


async def register_other(ctx: Ctx, _args: list[str]) -> None:
    await REGISTRATION.start(ctx)


async def edit(ctx: Ctx, _args: list[str]) -> None:
    if ctx.member is None or not ctx.registered:
        await show_menu(ctx, intro=ctx.t("common.register_first"))
        return
    await REGISTRATION.start(ctx, edit_form(ctx.member), at="summary", review=True, answered=FIELDS)
