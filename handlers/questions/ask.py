"""The mothers' side of Tanya: write a question to the kader of her kampung, and see her
own questions with their answers ("Pertanyaan saya")."""

from __future__ import annotations

from pydantic import BaseModel

from handlers.core.context import Ctx
from handlers.core.labels import shorten
from handlers.core.menu import end_flow
from handlers.core.steps import Text
from handlers.core.types import Choice, action
from handlers.core.wizard import Wizard
from handlers.kegiatan.mothers import to_menu
from handlers.questions.answer import by_label
from models.questions import MAX_QUESTION, ask_question, my_threads

# Only a registered mother asks; staff answer.
IBU = frozenset({"ibu"})
MINE_LIMIT = 5
QUESTION_PREVIEW = 150


class AskForm(BaseModel):
    text: str | None = None


async def _send(ctx: Ctx, form: AskForm) -> str | None:
    assert ctx.member is not None and form.text
    asked = await ask_question(ctx.session, ctx.member, form.text, ctx.now, ctx.when_text)
    await end_flow(ctx, ctx.t(f"tanya.sent_{asked.to}"))
    return None


ASK: Wizard[AskForm] = Wizard(
    "tn.ask",
    AskForm,
    (
        Text(
            name="text",
            ask="tanya.ask",
            again="tanya.ask_again",
            max_len=MAX_QUESTION,
            values=lambda _ctx, _form: {"limit": MAX_QUESTION},
        ),
    ),
    roles=IBU,
    done=_send,
    cancelled="tanya.ask_cancelled",
)


async def start(ctx: Ctx, _args: list[str]) -> None:
    await ASK.start(ctx)


async def mine(ctx: Ctx, _args: list[str]) -> None:
    """ "Pertanyaan saya": her newest questions, each with its answer or "belum dijawab"."""
    ctx.finish()
    assert ctx.member is not None
    threads = await my_threads(ctx.session, ctx.member.id, MINE_LIMIT)
    choices = [Choice(action("tn.ask"), ctx.t("tanya.ask_more")), to_menu(ctx)]
    if not threads:
        ctx.show(ctx.t("tanya.mine_empty"), choices)
        return
    lines = [ctx.t("tanya.mine_title")]
    for i, th in enumerate(threads, 1):
        lines.append(
            ctx.t(
                "tanya.mine_question",
                n=i,
                when=ctx.when(th.question.created_at),
                text=shorten(th.text, QUESTION_PREVIEW),
            )
        )
        if th.answer is None:
            lines.append(ctx.t("tanya.mine_waiting"))
        else:
            by = by_label(ctx, th.answered_by)
            lines.append(ctx.t("tanya.mine_answer", by=by, answer=th.answer))
    ctx.show("\n".join(lines), choices)
