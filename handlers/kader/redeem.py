"""Redeeming a kader invitation: `/start <code>` from the link, or "kode <code>" typed.

The chat's member (the one it acts for now) becomes the kader of the invitation's
kampung; a registered mother agreed to the privacy note when she registered, so she
becomes a kader at once. A chat with nobody yet first reads a short kader privacy note
and agrees: only then is the code spent and her member made (the invitation's name and
kampung, this chat); declining stores nothing and leaves the invitation usable until it
expires. Her agreement is in the audit log; she is a staff member like an admin made on
the command line, not a registered mother (see `models.kader.roles.redeem_invite`).
"""

from __future__ import annotations

from pydantic import BaseModel

from handlers.core.codes import code_text
from handlers.core.context import Ctx
from handlers.core.feature import ANYONE
from handlers.core.menu import end_flow
from handlers.core.steps import Menu, Option
from handlers.core.wizard import Wizard
from handlers.kader.invite import place_label
from models import OneTimeCode
from models.kader import INVITE_PURPOSE, Invite, redeem_invite
from models.people.tables import Member


class AcceptForm(BaseModel):
    code_id: int = 0
    name: str = "-"
    kampung: str = "-"


async def _grant(ctx: Ctx, code: OneTimeCode, member: Member | None) -> None:
    kampung = await place_label(ctx, Invite.of(code).kampung_id)
    done = await redeem_invite(
        ctx.session, code, ctx.identity, member, now=ctx.now, language=ctx.lang
    )
    if done.outcome == "admin":
        await end_flow(ctx, ctx.t("kader.invite_for_admin"))
    elif done.outcome == "already":
        await end_flow(ctx, ctx.t("kader.invite_already", kampung=kampung))
    elif done.outcome == "gone":
        state = code.state(ctx.now)  # spent by another chat meanwhile, or its kampung closed
        why = ctx.t("kader.invite_place_gone") if state == "usable" else None
        await end_flow(ctx, why or code_text(ctx, INVITE_PURPOSE, state))
    else:
        assert done.member is not None
        ctx.member = done.member
        ctx.state.active_member_id = done.member.id
        name = done.member.full_name or "-"
        await end_flow(ctx, ctx.t(f"kader.welcome_{done.outcome}", name=name, kampung=kampung))


async def redeem(ctx: Ctx, code: OneTimeCode) -> None:
    """The code handler for ``kader_invite`` (the code is usable: checked by the core)."""
    if ctx.role == "guest":
        invite = Invite.of(code)
        form = AcceptForm(
            code_id=code.id, name=invite.name, kampung=await place_label(ctx, invite.kampung_id)
        )
        await ACCEPT.start(ctx, form)
        return
    await _grant(ctx, code, ctx.member)


async def _accept(ctx: Ctx, form: AcceptForm) -> str | None:
    code = await ctx.session.get(OneTimeCode, form.code_id)
    if code is None or code.purpose != INVITE_PURPOSE:
        await end_flow(ctx, ctx.t("code.unknown"))
        return None
    if not code.usable(ctx.now):  # revoked, expired or used while she was reading
        await end_flow(ctx, code_text(ctx, INVITE_PURPOSE, code.state(ctx.now)))
        return None
    member = ctx.member if ctx.role != "guest" else None
    await _grant(ctx, code, member)
    return None


async def _decline(ctx: Ctx, form: AcceptForm) -> str | None:
    await end_flow(ctx, ctx.t("kader.privacy_declined"))
    return None


ACCEPT: Wizard[AcceptForm] = Wizard(
    "kd.accept",
    AcceptForm,
    (
        Menu(
            name="privacy",
            ask="kader.privacy",
            again="kader.privacy_again",
            values=lambda _ctx, form: {"name": form.name, "kampung": form.kampung},
            choose=lambda _ctx, _form: (
                Option("yes", "kader.privacy_yes", _accept, words=("setuju", "ya")),
                Option("no", "kader.privacy_no", _decline, words=("tidak", "tidak setuju")),
            ),
        ),
    ),
    roles=ANYONE,
    cancelled="kader.privacy_declined",
)
