"""The staff side of Tanya: "Pertanyaan ibu" (open questions of her kampung for a kader,
of every kampung for an admin, newest first) and answering one.

The "Jawab" button names its question ("a:tn.answer:12"); on every tap, and again when
the answer is saved, the question's kampung is checked against hers, so a typed or forged
id for another kampung is refused kindly. The first answer wins; a later one is told who
answered first, and her typed answer is shown back so nothing she wrote is lost.
"""

from __future__ import annotations

import logging

from pydantic import BaseModel

from handlers.core.context import Ctx
from handlers.core.feature import STAFF
from handlers.core.labels import shorten
from handlers.core.menu import end_flow, show_menu
from handlers.core.steps import Text
from handlers.core.types import Choice, action
from handlers.core.wizard import Wizard
from handlers.kegiatan.mothers import to_menu
from handlers.parse.ids import arg_id
from models.people.tables import Member
from models.questions import (
    MAX_ANSWER,
    Question,
    answer_question,
    may_answer,
    open_threads,
    thread,
)

log = logging.getLogger(__name__)

LIST_LIMIT = 10
PREVIEW = 120


def by_label(ctx: Ctx, member: Member | None) -> str:
    """ "Kader Dewi Lestari", "petugas P2WKSS (Rina)": who answered, as staff see it."""
    if member is None:
        return ctx.t("tanya.by_unknown")
    if member.role == "kader":
        return ctx.t("tanya.by_kader", name=member.full_name or "-")
    if member.full_name:
        return ctx.t("tanya.by_staff_named", name=member.full_name)
    return ctx.t("tanya.by_staff")


class AnswerForm(BaseModel):
    question_id: int = 0
    name: str = "-"
    place: str = "-"
    question: str = ""
    answer: str | None = None


async def _save(ctx: Ctx, form: AnswerForm) -> str | None:
    assert ctx.member is not None and form.answer
    done = await answer_question(ctx.session, form.question_id, ctx.member, form.answer, ctx.now)
    if done.outcome == "answered":
        await end_flow(ctx, ctx.t("tanya.answer_sent", name=form.name))
    elif done.outcome == "already" and done.question is not None:
        at = done.question.answered_at
        await end_flow(
            ctx,
            ctx.t(
                "tanya.already_kept",
                by=by_label(ctx, done.answered_by),
                when=ctx.when(at) if at else "-",
                answer=form.answer,
            ),
        )
    elif done.outcome == "out_of_scope":
        await end_flow(ctx, ctx.t("tanya.not_your_kampung"))
    else:
        await end_flow(ctx, ctx.t("tanya.not_found"))
    return None


async def _open_questions(ctx: Ctx, _form: AnswerForm) -> None:
    """ "batal": the open questions ("Pertanyaan ibu", where "Jawab" is), this one still
    among them, to answer another or come back to it."""
    await list_open(ctx, [])


ANSWER: Wizard[AnswerForm] = Wizard(
    "tn.answer",
    AnswerForm,
    (
        Text(
            name="answer",
            ask="tanya.ask_answer",
            again="tanya.ask_answer_again",
            max_len=MAX_ANSWER,
            values=lambda _ctx, f: {
                "name": f.name,
                "place": f.place,
                "question": f.question,
                "limit": MAX_ANSWER,
            },
        ),
    ),
    roles=STAFF,
    done=_save,
    cancelled="tanya.answer_cancelled",
    back=_open_questions,
)


async def start(ctx: Ctx, args: list[str]) -> None:
    """ "Jawab": the question in full, then her answer (checked for her kampung first)."""
    question_id = arg_id(args)
    question = await ctx.session.get(Question, question_id) if question_id else None
    if question is None:
        await end_flow(ctx, ctx.t("tanya.not_found"))
        return
    if not may_answer(ctx.member, question):
        log.warning("refused answering a question of another kampung")
        await end_flow(ctx, ctx.t("tanya.not_your_kampung"))
        return
    th = await thread(ctx.session, question)
    if question.status != "open":
        at = question.answered_at
        await end_flow(
            ctx,
            ctx.t(
                "tanya.already",
                by=by_label(ctx, th.answered_by),
                when=ctx.when(at) if at else "-",
                answer=th.answer or "-",
            ),
        )
        return
    form = AnswerForm(
        question_id=question.id, name=th.asker.name, place=th.asker.place, question=th.text
    )
    await ANSWER.start(ctx, form)


async def list_open(ctx: Ctx, _args: list[str]) -> None:
    """ "Pertanyaan ibu": the open questions she may answer, newest first."""
    ctx.finish()
    assert ctx.member is not None
    threads = await open_threads(ctx.session, ctx.member, LIST_LIMIT)
    if not threads:
        await show_menu(ctx, intro=ctx.t("tanya.list_empty"))
        return
    lines = [ctx.t("tanya.list_title", count=len(threads))]
    choices: list[Choice] = []
    for i, th in enumerate(threads, 1):
        escalated = th.question.escalated_at is not None
        lines.append(
            ctx.t(
                "tanya.list_line",
                n=i,
                name=th.asker.name,
                place=th.asker.place,
                when=ctx.when(th.question.created_at),
                text=shorten(th.text, PREVIEW),
            )
            + (" " + ctx.t("tanya.list_escalated") if escalated else "")
        )
        label = ctx.t("tanya.btn_answer_n", n=i, name=shorten(th.asker.name, 24))
        choices.append(Choice(action("tn.answer", th.question.id), label))
    choices.append(to_menu(ctx))
    ctx.show("\n".join(lines), choices)
