"""Acting for someone on the kegiatan screens: whom a screen is about ("Ibu" or, on a
shared phone or her kader's chat, "Ibu Siti Aminah"), whether this chat acts for her as
her kader (she has no chat of her own), the way back to the kader's screen of her, and the
audit row saying the kader did it. The check that the chat may act for her at all is
`models.people.members.acting_member`."""

from __future__ import annotations

from handlers.core.context import Ctx
from handlers.core.types import Choice, action
from models.people.binaan import acted_for
from models.people.members import acting_kader_id, belongs_to, household
from models.people.tables import Member

# The kader's screen of a mother she acts for (handlers/binaan).
TO_HER = "bn.show"


async def is_shared(ctx: Ctx) -> bool:
    return len(await household(ctx.session, ctx.identity.id)) > 1


async def for_other(ctx: Ctx, member: Member) -> bool:
    """This chat acts for her as her kader: she is not one of its own members."""
    return not await belongs_to(ctx.session, ctx.identity.id, member.id)


async def whom(ctx: Ctx, member: Member) -> str:
    """ "Ibu", or on a phone that serves several mothers (or her kader's) "Ibu Siti Aminah"."""
    if await is_shared(ctx) or await for_other(ctx, member):
        return ctx.t("kegiatan.whom_named", name=member.full_name or "-")
    return ctx.t("kegiatan.whom_self")


def to_her(ctx: Ctx, member: Member) -> Choice:
    """Back to the kader's screen of the mother she acts for."""
    return Choice(action(TO_HER, member.id), ctx.t("binaan.back_to_her", name=member.full_name))


async def kader_did(ctx: Ctx, member: Member, what: str, **detail: object) -> None:
    """Record an action done for her from her kader's chat as done by the kader."""
    kader_id = await acting_kader_id(ctx.session, ctx.identity.id, member)
    if kader_id is not None and await for_other(ctx, member):
        await acted_for(ctx.session, kader_id, member.id, what, **detail)
