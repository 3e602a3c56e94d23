"""A member imported from the kelurahan's list (or registered by her kader) links her own
chat, agreeing to the privacy note there, as at registration.

- On Telegram, while registering: she shares her own contact (trusted only when it is her
  account) and its number is on such a member's record. "Apakah Ibu Siti Aminah, RT 003/RW
  005?" A household's shared phone may be on several records: she picks hers, or "Bukan,
  daftar baru" goes on with a new registration. Her consent was asked at the start.
- On any channel, by the one-time code her kader or an admin made for her ("kode …"): the
  privacy note names her record; only "setuju" spends the code and links the chat.

A staff chat (kader, admin) cannot take a mother's code: the code is for her own phone.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from pydantic import BaseModel

from handlers.core.codes import code_text
from handlers.core.context import Answer, Ctx
from handlers.core.feature import ANYONE
from handlers.core.menu import end_flow, reprompt
from handlers.core.steps import Form, Menu, Option, Phone
from handlers.core.wizard import NEXT, Wizard
from models.codes import OneTimeCode
from models.location import Location
from models.member_import import (
    LINK_PURPOSE,
    code_member_id,
    link_candidates,
    link_member,
    linkable,
)
from models.people.rules import format_rt_rw
from models.people.tables import Member

STAFF_ROLES = ("kader", "admin")


async def record_label(ctx: Ctx, member: Member) -> str:
    """ "Siti Aminah, RT 003/RW 005, Kampung Sumberan": enough for her to know it is her."""
    place = await ctx.session.get(Location, member.kampung_id or 0)
    where = place.name if place else "-"  # short: it is also a button
    return ctx.t(
        "link.record", name=member.full_name or "-", rtrw=format_rt_rw(member.rt, member.rw),
        kampung=where,
    )  # fmt: skip


def _welcome(ctx: Ctx, member: Member) -> str:
    return ctx.t("link.welcome", name=member.full_name or "-")


# -- her shared contact, while registering ----------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class LinkingPhone(Phone):
    """The registration's phone step: a verified contact also looks for her record."""

    async def read(self, ctx: Ctx, ans: Answer, form: Form) -> Any:
        value = await super().read(ctx, ans, form)
        form.link_offers = []
        form.link_declined = False
        verified = getattr(form, self.verified, False)
        if isinstance(value, str) and verified and form.mode == "new":
            found = await link_candidates(ctx.session, value)
            form.link_offers = [(m.id, await record_label(ctx, m)) for m in found]
        return value


async def _link_contact(ctx: Ctx, form: Any, member_id: int) -> str | None:
    offered = {mid for mid, _ in form.link_offers}
    member = await ctx.session.get(Member, member_id)
    mine = member is not None and form.phone_verified and member.phone_e164 == form.phone
    linked = None
    if member_id in offered and mine:
        linked = await link_member(
            ctx.session, member_id, ctx.identity, now=ctx.now, via="contact", language=ctx.lang
        )
    if linked is None:
        ctx.say(ctx.t("link.gone"))
        form.link_offers = []
        return NEXT  # she registers as new
    ctx.member = linked
    ctx.state.active_member_id = linked.id
    await end_flow(ctx, _welcome(ctx, linked))
    return None


async def _not_me(ctx: Ctx, form: Any) -> str | None:
    form.link_declined = True
    return NEXT


def _offers(ctx: Ctx, form: Any) -> list[tuple[Option, str]]:
    """One button per record with her number, then "Bukan, daftar baru"."""
    mine = [
        (Option(f"m{mid}", "link.is_me", partial(_link_contact, member_id=mid)),
         ctx.t("link.is_me", record=label))
        for mid, label in form.link_offers
    ]  # fmt: skip
    return [*mine, (Option("new", "link.not_me", _not_me), ctx.t("link.not_me"))]


@dataclass(frozen=True, kw_only=True)
class LinkOffer(Menu):
    """ "Apakah Ibu salah satu dari mereka?": the buttons name the records."""

    async def options(self, ctx: Ctx, form: Form) -> list[tuple[str, str]]:
        return [(o.value, label) for o, label in _offers(ctx, form)]


async def _offer_text(ctx: Ctx, form: Any) -> str:
    records = "\n".join(f"• {label}" for _, label in form.link_offers)
    return ctx.t("link.offer", records=records)


LINK_OFFER = LinkOffer(
    name="link",
    ask="link.offer",
    render=_offer_text,
    choose=lambda ctx, form: [o for o, _ in _offers(ctx, form)],
    when=lambda form: bool(form.link_offers) and not form.link_declined and form.mode == "new",
    confirms=True,
)


# -- a one-time code she types ------------------------------------------------------------------


class LinkForm(BaseModel):
    code_id: int = 0
    member_id: int = 0
    record: str = "-"


async def redeem(ctx: Ctx, code: OneTimeCode) -> None:
    """The code handler for ``member_link`` (the code is usable: checked by the core)."""
    if ctx.role in STAFF_ROLES:
        ctx.say(ctx.t("link.staff_chat"))  # not spent: she types it on her own phone
        await reprompt(ctx)
        return
    member = await ctx.session.get(Member, code_member_id(code))
    if member is None or not await linkable(ctx.session, member):
        ctx.say(ctx.t("link.already"))
        await reprompt(ctx)
        return
    form = LinkForm(code_id=code.id, member_id=member.id, record=await record_label(ctx, member))
    await LINK.start(ctx, form)


async def _agree(ctx: Ctx, form: LinkForm) -> str | None:
    code = await ctx.session.get(OneTimeCode, form.code_id)
    if code is None or code.purpose != LINK_PURPOSE or code_member_id(code) != form.member_id:
        await end_flow(ctx, ctx.t("code.unknown"))
        return None
    if not code.usable(ctx.now):  # revoked, expired or used while she was reading
        await end_flow(ctx, code_text(ctx, LINK_PURPOSE, code.state(ctx.now)))
        return None
    member = await link_member(
        ctx.session, form.member_id, ctx.identity, now=ctx.now, via="code", language=ctx.lang,
        code=code,
    )  # fmt: skip
    if member is None:
        await end_flow(ctx, ctx.t("link.already"))
        return None
    ctx.member = member
    ctx.state.active_member_id = member.id
    await end_flow(ctx, _welcome(ctx, member))
    return None


async def _decline(ctx: Ctx, form: LinkForm) -> str | None:
    await end_flow(ctx, ctx.t("link.declined"))
    return None


LINK: Wizard[LinkForm] = Wizard(
    "mb.link",
    LinkForm,
    (
        Menu(
            name="consent",
            ask="link.consent",
            again="link.consent_again",
            values=lambda _ctx, form: {"record": form.record},
            choose=lambda _ctx, _form: (
                Option("yes", "reg.consent_yes", _agree, words=("setuju", "ya")),
                Option("no", "reg.consent_no", _decline, words=("tidak", "tidak setuju")),
            ),
        ),
    ),
    roles=ANYONE,
    cancelled="link.declined",
)
