"""A kader registers a mother who has no phone (or shares one with no chat app).

spoken consent (the kader read her the privacy note and she agreed) > name > kampung (an
admin picks it; a kader's is her own) > RT/RW > phone, optional > summary with "ubah" >
saved as reached through the kader, never linked to the kader's chat. The readers and
kampung choices are the mother's own registration's (handlers/members/registration.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from handlers.binaan.common import ADMIN_ROLE, show_mother
from handlers.binaan.listing import list_mothers
from handlers.core.context import Ctx
from handlers.core.feature import STAFF
from handlers.core.labels import kampung_label
from handlers.core.menu import end_flow, show_menu
from handlers.core.steps import Menu, Option, Problem, Summary, Text
from handlers.core.wizard import NEXT, Wizard
from handlers.members.registration import kampung_steps, read_name, read_rtrw
from models import utcnow
from models.location import Location
from models.people.binaan import register_spoken, same_name
from models.people.members import MemberDetails
from models.people.rules import check_phone, format_phone, format_rt_rw

FIELDS = ("name", "kampung", "rtrw", "phone")


class BinaanForm(BaseModel):
    # A kader's own kampung, fixed; an admin picks one.
    kampung_fixed: bool = False
    kampung_id: int | None = None
    kampung_guessed: bool = False
    consent_at: datetime | None = None
    full_name: str | None = None
    rtrw: tuple[int, int] | None = None
    phone: str | None = None
    # Asked once when a mother of that name is already registered in the kampung.
    same_name: str | None = None
    same_name_ok: bool = False


def read_mother_name(text: str) -> Any:
    found = read_name(text)
    if isinstance(found, Problem) and found.key == "reg.name_empty":
        return Problem("binaan.name_empty")
    return found


def read_phone(text: str) -> Any:
    """A number she can be called on (a family phone with no chat app); never a contact
    shared from this chat, which would be the kader's own."""
    checked = check_phone(text)
    return Problem(f"kit.phone_{checked.error}") if checked.error else checked.value


async def _consent(ctx: Ctx, form: BinaanForm) -> str | None:
    form.consent_at = utcnow()
    return NEXT


async def _declined(ctx: Ctx, form: BinaanForm) -> str | None:
    await end_flow(ctx, ctx.t("binaan.consent_declined"))
    return None


async def render_summary(ctx: Ctx, form: BinaanForm) -> str:
    place = await ctx.session.get(Location, form.kampung_id or 0)
    rt, rw = form.rtrw or (None, None)
    return ctx.t(
        "binaan.summary",
        name=form.full_name or "-",
        kampung=kampung_label(ctx.lang, place) if place else "-",
        rtrw=format_rt_rw(rt, rw),
        phone=format_phone(form.phone) if form.phone else ctx.t("reg.phone_none"),
    )


async def save(ctx: Ctx, form: BinaanForm) -> str | None:
    kader = ctx.member
    if kader is None or ctx.role not in STAFF:
        await end_flow(ctx, ctx.t("common.not_allowed"))
        return None
    if ctx.role != ADMIN_ROLE and form.kampung_id != kader.kampung_id:
        # Her kampung changed since she started: she registers mothers of her own only.
        await end_flow(ctx, ctx.t("binaan.other_kampung"))
        return None
    assert form.full_name and form.kampung_id and form.rtrw
    if not form.same_name_ok:
        found = await same_name(ctx.session, form.kampung_id, form.full_name)
        if found is not None:
            form.same_name = format_rt_rw(found.rt, found.rw)
            return "same_name"
    details = MemberDetails(
        full_name=form.full_name,
        kampung_id=form.kampung_id,
        rt=form.rtrw[0],
        rw=form.rtrw[1],
        phone_e164=form.phone,
        phone_verified=False,
        language=ctx.lang,
    )
    mother = await register_spoken(ctx.session, kader, details, form.consent_at or utcnow())
    ctx.finish()
    ctx.say(ctx.t("binaan.saved", name=mother.full_name or "-"))
    await show_mother(ctx, mother)
    return None


async def _same_name_ok(ctx: Ctx, form: BinaanForm) -> str | None:
    form.same_name_ok = True
    return await save(ctx, form)


async def _same_name_stop(ctx: Ctx, form: BinaanForm) -> str | None:
    ctx.finish()
    await show_menu(ctx, intro=ctx.t("binaan.cancelled"))
    return None


async def _the_list(ctx: Ctx, _form: BinaanForm) -> None:
    """ "batal": the list of mothers, where "Daftarkan ibu tanpa HP" was chosen (for an
    admin, the choice of kampung that leads to it)."""
    await list_mothers(ctx, [])


REGISTER: Wizard[BinaanForm] = Wizard(
    "bn.register",
    BinaanForm,
    (
        Menu(
            name="consent",
            ask="binaan.consent",
            again="binaan.consent_again",
            choose=lambda _ctx, _form: (
                Option("yes", "binaan.consent_yes", _consent),
                Option("no", "binaan.consent_no", _declined),
            ),
            when=lambda form: form.consent_at is None,
        ),
        Text(
            name="name",
            field="full_name",
            ask="binaan.ask_name",
            max_len=160,  # a fast guard; check_name counts exactly
            too_long="reg.name_too_long",
            wrong_kind="binaan.name_text_only",
            clean=read_mother_name,
            edit="reg.edit_name",
        ),
        *kampung_steps("binaan.ask_kampung", when=lambda form: not form.kampung_fixed),
        Text(name="rtrw", ask="binaan.ask_rtrw", max_len=40, clean=read_rtrw, edit="reg.edit_rtrw"),
        Text(
            name="phone",
            ask="binaan.ask_phone",
            max_len=40,
            clean=read_phone,
            optional=True,
            skip_on_no=True,
            skip_label="binaan.no_phone",
            empty="reg.phone_none",
            edit="reg.edit_phone",
            wrong_kind="binaan.phone_typed",
        ),
        Summary(
            name="summary",
            ask="binaan.summary",
            render=render_summary,
            saves=(Option("save", "reg.save", save, words=("simpan", "save")),),
            fields=FIELDS,
        ),
        Menu(
            name="same_name",
            ask="binaan.same_name",
            values=lambda _ctx, form: {"name": form.full_name or "-", "rtrw": form.same_name},
            choose=lambda _ctx, _form: (
                Option("yes", "binaan.same_name_other", _same_name_ok),
                Option("no", "binaan.same_name_stop", _same_name_stop),
            ),
            when=lambda form: form.same_name is not None,
        ),
    ),
    roles=STAFF,
    cancelled="binaan.cancelled",
    back=_the_list,
)


async def start(ctx: Ctx, _args: list[str]) -> None:
    """ "Daftarkan ibu tanpa HP": a kader's mothers are of her own kampung."""
    kader = ctx.member
    if kader is None:
        await show_menu(ctx, intro=ctx.t("common.not_allowed"))
        return
    if ctx.role == ADMIN_ROLE:
        await REGISTER.start(ctx)
        return
    if kader.kampung_id is None:
        await show_menu(ctx, intro=ctx.t("binaan.no_kampung"))
        return
    await REGISTER.start(ctx, BinaanForm(kampung_fixed=True, kampung_id=kader.kampung_id))
