"""Hapus data saya ("erase my data"): after a fresh confirmation that names her, the
personal data of that member is erased. The question carries her record, so on a shared
phone it erases the mother it named, never "whoever is active" by the time of the answer.
A kader can do the same for a mother without a phone whom she reaches (UU PDP: the mother
asks her kader), checked again when the answer comes.

What goes is described in `models.erasure`; after the commit her voice notes are
deleted and, on SQLite, the WAL is checkpointed. The message saying it is done does not
name her (it is stored with the replies, and a kader's screen keeps it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncEngine

from handlers.core.context import Ctx
from handlers.core.feature import MEMBERS
from handlers.core.menu import show_menu
from handlers.core.steps import Confirm, Option
from handlers.core.types import Reply
from handlers.core.wizard import Wizard, back_out
from handlers.parse.ids import arg_id
from models.base import utcnow
from models.erasure import checkpoint_wal, forget_member, forget_update
from models.kegiatan.signups import withdraw_member
from models.people.members import acting_member, belongs_to, household
from models.questions import forget_questions
from models.voice.store import FOLDER as VOICE_FOLDER
from models.voice.store import prune as prune_voice

log = logging.getLogger(__name__)


class ErasureForm(BaseModel):
    member_id: int = 0
    name: str = "-"
    # Asked by her kader (she is not a member of this chat).
    for_other: bool = False


async def _erase(ctx: Ctx, form: ErasureForm) -> str | None:
    ctx.finish()
    member = await acting_member(ctx.session, ctx.identity.id, form.member_id)
    if member is None:  # erased meanwhile, or no longer served by this chat
        await show_menu(ctx, intro=ctx.t("common.stale_choice"))
        return None
    # Her seats go to the mothers waiting, and nothing more is sent about her.
    await withdraw_member(ctx.session, member.id, ctx.now, when_text=ctx.when_text)
    await forget_questions(ctx.session, member.id)
    by_kader = not await belongs_to(ctx.session, ctx.identity.id, member.id)
    actor = f"member:{ctx.member.id}" if by_kader and ctx.member is not None else None
    forgotten = await forget_member(
        ctx.session,
        member,
        actor=actor,
        current_identity=ctx.identity,
        current_update_key=ctx.incoming.message_id,
    )
    ctx.after_commit.append(_afterwards(ctx, chat_gone=ctx.identity.id in forgotten.deleted_chats))
    if by_kader:
        await show_menu(ctx, intro=ctx.t("erase.done_for"))
        return None
    if ctx.member is not None and ctx.member.id == member.id:
        remaining = await household(ctx.session, ctx.identity.id)
        ctx.member = remaining[0] if remaining else None
        ctx.state.active_member_id = ctx.member.id if ctx.member else None
    await show_menu(ctx, intro=ctx.t("erase.done"))
    return None


def _afterwards(ctx: Ctx, *, chat_gone: bool) -> Callable[[list[Reply]], Awaitable[list[Reply]]]:
    """After the commit: the voice notes go (which of them named her cannot be told; they
    are made again when asked; one being made now is left to finish), the inbox row of
    this message goes when her chat went, and the SQLite WAL is checkpointed."""
    bind = ctx.session.bind
    voices = ctx.media_dir / VOICE_FOLDER
    channel, key = ctx.incoming.channel, ctx.incoming.message_id

    async def afterwards(replies: list[Reply]) -> list[Reply]:
        before = utcnow() + timedelta(seconds=1)
        gone = await asyncio.to_thread(prune_voice, voices, before, pieces=False)
        if gone:
            log.info("erasure: %d voice notes deleted", gone)
        if isinstance(bind, AsyncEngine):
            if chat_gone:
                await forget_update(bind, channel, key)
            await checkpoint_wal(bind)
        return replies

    return afterwards


async def _her_page(ctx: Ctx, form: ErasureForm) -> None:
    """The mother's page on her kader's screen, where "Hapus data ibu ini" was chosen:
    "Tidak" or "batal" go back there (the kader was working on this mother)."""
    # Imported here: handlers.binaan imports handlers.members (the registration steps).
    from handlers.binaan.listing import show

    await show(ctx, [str(form.member_id)])


def _confirm() -> tuple[Confirm]:
    return (
        Confirm(
            name="confirm",
            ask="erase.confirm",
            values=lambda _ctx, form: {"name": form.name},
            yes=Option("yes", "erase.yes", _erase, words=("hapus",)),
            no=Option("no", "erase.no", back_out, words=("jangan hapus",)),
        ),
    )


# Her own data ("Hapus data saya", from the menu): "Tidak" or "batal" end on the menu.
ERASURE: Wizard[ErasureForm] = Wizard(
    "mb.erase", ErasureForm, _confirm(), roles=MEMBERS, cancelled="erase.kept"
)
# A mother's data asked by her kader from the mother's page: they end on that page.
ERASE_FOR: Wizard[ErasureForm] = Wizard(
    "mb.erase_for",
    ErasureForm,
    _confirm(),
    roles=MEMBERS,
    cancelled="erase.kept",
    back=_her_page,
)


async def erase(ctx: Ctx, _args: list[str]) -> None:
    if ctx.member is None or not ctx.registered:
        await show_menu(ctx, intro=ctx.t("common.register_first"))
        return
    await ERASURE.start(ctx, ErasureForm(member_id=ctx.member.id, name=ctx.member.full_name or "-"))


async def erase_for(ctx: Ctx, args: list[str]) -> None:
    """ "Hapus data ibu ini" on her kader's screen of a mother reached through her."""
    member = await acting_member(ctx.session, ctx.identity.id, arg_id(args))
    if member is None or await belongs_to(ctx.session, ctx.identity.id, member.id):
        # Her own or a household member's data: "Hapus data saya" names whom it erases.
        await show_menu(ctx, intro=ctx.t("common.stale_choice"))
        return
    form = ErasureForm(member_id=member.id, name=member.full_name or "-", for_other=True)
    await ERASE_FOR.start(ctx, form)
