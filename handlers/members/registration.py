"""Registration of an ibu, and editing her data later ("ubah data").

consent > name > kampung > RT/RW > phone > summary (change any field) > saved.
On a shared phone the flow first asks "Untuk siapa?". Every answer is kept in the
conversation state, so a bad answer or a restart never loses what she already gave.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from handlers.core.common import switch_to
from handlers.core.context import Answer, Ctx
from handlers.core.flow import ANYONE, MEMBERS, Flow, register_action, register_flow
from handlers.core.labels import kampung_label
from handlers.core.menu import MenuEntry, add_entry, show_menu
from handlers.core.types import Kind
from models import utcnow
from models.location import Location, active_kampung
from models.people.members import (
    MemberDetails,
    household,
    household_member,
    register_member,
    update_member,
)
from models.people.rules import check_name, check_phone, check_rt_rw, format_phone, format_rt_rw
from models.people.tables import Member

ORDER = ("consent", "name", "kampung", "rtrw", "phone", "summary")
FIELDS = ("name", "kampung", "rtrw", "phone")


class Registration(Flow):
    name = "register"
    first_step = "consent"

    async def next_after(self, ctx: Ctx, step: str) -> None:
        if ctx.data.get("review"):
            await self.goto(ctx, "summary")
        else:
            await self.goto(ctx, ORDER[ORDER.index(step) + 1])

    async def retry(self, ctx: Ctx, message_key: str, **values: object) -> None:
        ctx.say(ctx.t(message_key, **values))
        await self.ask(ctx)

    # -- Untuk siapa? (a chat that already acts for someone) --
    async def ask_whom(self, ctx: Ctx) -> None:
        members = await household(ctx.session, ctx.identity.id)
        options = [(f"m{m.id}", ctx.t("reg.whom_member", name=m.full_name or "-")) for m in members]
        options.append(("other", ctx.t("reg.whom_other")))
        ctx.ask(ctx.t("reg.whom"), options)

    async def on_whom(self, ctx: Ctx, ans: Answer) -> None:
        if ans.value == "other":
            await self.goto(ctx, "consent")
            return
        member_id = int(ans.value[1:]) if ans.value and ans.value[1:].isdigit() else 0
        member = await household_member(ctx.session, ctx.identity.id, member_id)
        if member is None:
            await self.retry(ctx, "reg.whom_pick")
            return
        await switch_to(ctx, member)

    # -- consent --
    async def ask_consent(self, ctx: Ctx) -> None:
        ctx.ask(
            ctx.t("reg.consent"),
            [("yes", ctx.t("reg.consent_yes")), ("no", ctx.t("reg.consent_no"))],
        )

    async def on_consent(self, ctx: Ctx, ans: Answer) -> None:
        if ans.value == "yes":
            ctx.update_data(consent_at=utcnow().isoformat())
            await self.next_after(ctx, "consent")
        elif ans.value == "no":
            ctx.set_flow(None)
            await show_menu(ctx, intro=ctx.t("reg.consent_declined"))
        else:
            await self.retry(ctx, "reg.consent_pick")

    # -- name --
    async def ask_name(self, ctx: Ctx) -> None:
        ctx.ask(ctx.t("reg.ask_name"))

    async def on_name(self, ctx: Ctx, ans: Answer) -> None:
        if ans.kind is not Kind.TEXT:
            await self.retry(ctx, "reg.name_text_only")
            return
        checked = check_name(ans.text)
        if checked.error:
            await self.retry(ctx, f"reg.name_{checked.error}")
            return
        ctx.update_data(full_name=checked.value)
        await self.next_after(ctx, "name")

    # -- kampung --
    async def ask_kampung(self, ctx: Ctx) -> None:
        places = await active_kampung(ctx.session)
        ctx.ask(
            ctx.t("reg.ask_kampung"), [(f"k{p.id}", kampung_label(ctx.lang, p)) for p in places]
        )

    async def on_kampung(self, ctx: Ctx, ans: Answer) -> None:
        place_id = int(ans.value[1:]) if ans.value and ans.value[1:].isdigit() else 0
        place = await ctx.session.get(Location, place_id) if place_id else None
        if place is None or place.level != "kampung" or not place.active:
            await self.retry(ctx, "reg.kampung_pick")
            return
        ctx.update_data(kampung_id=place.id)
        await self.next_after(ctx, "kampung")

    # -- RT/RW --
    async def ask_rtrw(self, ctx: Ctx) -> None:
        ctx.ask(ctx.t("reg.ask_rtrw"))

    async def on_rtrw(self, ctx: Ctx, ans: Answer) -> None:
        if ans.kind is not Kind.TEXT:
            await self.retry(ctx, "reg.rtrw_format")
            return
        checked = check_rt_rw(ans.text)
        if checked.error:
            await self.retry(ctx, f"reg.rtrw_{checked.error}")
            return
        ctx.update_data(rt=checked.rt, rw=checked.rw)
        await self.next_after(ctx, "rtrw")

    # -- phone --
    async def ask_phone(self, ctx: Ctx) -> None:
        ctx.ask(
            ctx.t("reg.ask_phone"),
            [("skip", ctx.t("reg.no_phone"))],
            request_contact=ctx.t("reg.share_phone"),
        )

    async def on_phone(self, ctx: Ctx, ans: Answer) -> None:
        if ans.value == "skip":
            ctx.update_data(phone=None, phone_verified=False, phone_answered=True)
            await self.next_after(ctx, "phone")
            return
        if ans.kind is Kind.CONTACT and ans.incoming and ans.incoming.contact:
            contact = ans.incoming.contact
            # Trust a shared contact only when it is the sender's own account.
            own = contact.user_id is not None and contact.user_id == ans.incoming.sender_id
            if not own:
                await self.retry(ctx, "reg.phone_not_own")
                return
            checked, verified = check_phone(contact.phone), True
        elif ans.kind is Kind.TEXT:
            checked, verified = check_phone(ans.text), False
        else:
            await self.retry(ctx, "reg.phone_text_only")
            return
        if checked.error:
            await self.retry(ctx, f"reg.phone_{checked.error}")
            return
        ctx.update_data(phone=checked.value, phone_verified=verified, phone_answered=True)
        await self.next_after(ctx, "phone")

    # -- summary --
    async def ask_summary(self, ctx: Ctx) -> None:
        d = ctx.data
        place = await ctx.session.get(Location, d.get("kampung_id") or 0)
        summary = ctx.t(
            "reg.summary",
            name=d.get("full_name", "-"),
            kampung=kampung_label(ctx.lang, place) if place else "-",
            rtrw=format_rt_rw(d.get("rt"), d.get("rw")),
            phone=format_phone(d.get("phone")) if d.get("phone") else ctx.t("reg.phone_none"),
        )
        options = [("save", ctx.t("reg.save"))]
        options += [(f"edit_{f}", ctx.t(f"reg.edit_{f}")) for f in FIELDS]
        ctx.ask(summary, options)

    async def on_summary(self, ctx: Ctx, ans: Answer) -> None:
        if ans.value == "save":
            await self._save(ctx)
        elif ans.value and ans.value.removeprefix("edit_") in FIELDS:
            ctx.update_data(review=True)
            await self.goto(ctx, ans.value.removeprefix("edit_"))
        else:
            await self.retry(ctx, "reg.summary_pick")

    async def _save(self, ctx: Ctx) -> None:
        d = ctx.data
        details = MemberDetails(
            full_name=d["full_name"],
            kampung_id=d["kampung_id"],
            rt=d["rt"],
            rw=d["rw"],
            phone_e164=d.get("phone"),
            phone_verified=bool(d.get("phone_verified")),
            language=ctx.lang,
        )
        if d.get("mode") == "edit":
            member = await household_member(ctx.session, ctx.identity.id, d.get("member_id") or 0)
            if member is None:
                ctx.set_flow(None)
                await show_menu(ctx, intro=ctx.t("common.unknown_choice"))
                return
            await update_member(ctx.session, member, details)
            intro = ctx.t("reg.updated")
        else:
            consent_at = datetime.fromisoformat(d["consent_at"])
            member = await register_member(ctx.session, ctx.identity, details, consent_at)
            intro = ctx.t("reg.saved", name=member.full_name or "-")
        ctx.member = member
        ctx.state.active_member_id = member.id
        ctx.set_flow(None)
        await show_menu(ctx, intro=intro)


REGISTRATION = register_flow(Registration())


def member_data(member: Member) -> dict[str, Any]:
    return {
        "mode": "edit",
        "member_id": member.id,
        "full_name": member.full_name,
        "kampung_id": member.kampung_id,
        "rt": member.rt,
        "rw": member.rw,
        "phone": member.phone_e164,
        "phone_verified": member.phone_verified,
        "phone_answered": True,
        "review": True,
    }


@register_action("reg", ANYONE)
async def _register(ctx: Ctx, _args: list[str]) -> None:
    shared = bool(await household(ctx.session, ctx.identity.id))
    ctx.set_flow(REGISTRATION.name, "whom" if shared else "consent", mode="new")
    await REGISTRATION.ask(ctx)


@register_action("edit", MEMBERS)
async def _edit(ctx: Ctx, _args: list[str]) -> None:
    assert ctx.member is not None
    if not ctx.registered:
        await show_menu(ctx, intro=ctx.t("common.register_first"))
        return
    ctx.set_flow(REGISTRATION.name, "summary", **member_data(ctx.member))
    await REGISTRATION.ask(ctx)


add_entry(MenuEntry("reg", "menu.register", frozenset({"guest"}), 10))
add_entry(MenuEntry("edit", "menu.edit", MEMBERS, 40, personal=True))
add_entry(MenuEntry("reg", "menu.register_other", MEMBERS, 50, personal=True))
