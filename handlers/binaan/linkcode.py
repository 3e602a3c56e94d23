""" "Buat kode untuk HP-nya": from a mother's screen, her kader (or an admin) makes the
one-time code she types on her own phone ("kode …") to link that chat to her record: a
mother imported from the kelurahan's list, or one the kader registered without a phone.
The message to pass on names her, the code and until when it works; a new code replaces
an unused one. A kader makes codes for her own kampung's mothers only (a forged id for
another kampung is refused by the scope check)."""

from __future__ import annotations

from handlers.binaan.common import mother_for, show_mother, staff
from handlers.core.context import Ctx
from handlers.kader.invite import invite_link
from models.member_import import LinkRefused, create_link_code, linkable, may_make_code


async def make_code(ctx: Ctx, args: list[str]) -> None:
    mother = await mother_for(ctx, args[0] if args else None)
    viewer = staff(ctx)
    if mother is None or viewer is None:
        return
    if not may_make_code(viewer, mother) or not await linkable(ctx.session, mother):
        ctx.say(ctx.t("link.code_refused"))
        await show_mother(ctx, mother)
        return
    try:
        code = await create_link_code(ctx.session, mother, now=ctx.now, actor_member_id=viewer.id)
    except LinkRefused:
        ctx.say(ctx.t("link.code_refused"))
        await show_mother(ctx, mother)
        return
    name, until = mother.full_name or "-", ctx.when(code.expires_at)
    link = invite_link(ctx.config.bot_username, code.code)
    how = (
        ctx.t("link.card_link", link=link, code=code.code)
        if link
        else ctx.t("link.card_typed", code=code.code)
    )
    ctx.say(ctx.t("link.code_made", name=name, until=until))
    ctx.say(ctx.t("link.card", name=name, how=how, until=until))
    await show_mother(ctx, mother)
