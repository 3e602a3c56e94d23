"""Tanya: a mother asks, the kader of her kampung (or an admin) answers once, and the
sweep hands questions nobody answered to the admins.

A question is kept as a thread: its first message is the question, the answer is the next.
Who may answer is decided here on every answer (a kader: her own kampung only; an admin:
all), and the first answer wins by a conditional UPDATE inside the transaction, so two
staff answering at once cannot both close it: the second one learns who was first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.audit import audit
from models.base import changed
from models.people.tables import Member
from models.questions.notices import (
    KIND_ESCALATED,
    KIND_NEW,
    KIND_NO_KADER,
    Asker,
    WhenText,
    asker_of,
    notify_answer,
    notify_staff,
)
from models.questions.tables import MAX_QUESTION, Question, QuestionMessage

MAX_ANSWER: Final = 1000
# Questions handed to the admins in one sweep (the rest at the next one).
ESCALATE_BATCH: Final = 200


class QuestionInvalid(ValueError):
    """Empty or too long."""


@dataclass(frozen=True)
class Asked:
    question: Question
    # "kader": sent to the kader of her kampung; "admins": her kampung has no kader to
    # reach, so the admins got it at once; "nobody": no staff chat at all (yet).
    to: Literal["kader", "admins", "nobody"]
    reached: int


@dataclass(frozen=True)
class Thread:
    question: Question
    asker: Asker
    text: str
    answer: str | None
    answered_by: Member | None


Outcome = Literal["answered", "already", "not_found", "out_of_scope"]


@dataclass(frozen=True)
class Answered:
    outcome: Outcome
    question: Question | None = None
    answered_by: Member | None = None


def check_text(text: str, limit: int) -> str:
    cleaned = text.strip()
    if not cleaned or len(cleaned) > limit:
        raise QuestionInvalid(f"must be 1..{limit} characters")
    return cleaned


async def kampung_kader(session: AsyncSession, kampung_id: int | None) -> list[int]:
    if kampung_id is None:
        return []
    found = await session.scalars(
        select(Member.id)
        .where(Member.role == "kader", Member.kampung_id == kampung_id, Member.erased_at.is_(None))
        .order_by(Member.id)
    )
    return list(found)


async def admin_ids(session: AsyncSession) -> list[int]:
    found = await session.scalars(
        select(Member.id)
        .where(Member.role == "admin", Member.erased_at.is_(None))
        .order_by(Member.id)
    )
    return list(found)


async def ask_question(
    session: AsyncSession,
    member: Member,
    text: str,
    now: datetime,
    when_text: WhenText | None = None,
) -> Asked:
    """Store her question and send it to the kader of her kampung; with no kader to
    reach, to the admins at once (then it counts as escalated)."""
    cleaned = check_text(text, MAX_QUESTION)
    question = Question(
        member_id=member.id, kampung_id=member.kampung_id, status="open", created_at=now
    )
    session.add(question)
    await session.flush()
    session.add(
        QuestionMessage(
            question_id=question.id, author_member_id=member.id, text=cleaned, created_at=now
        )
    )
    kader = await kampung_kader(session, member.kampung_id)
    reached = await notify_staff(session, question, cleaned, kader, KIND_NEW, now, when_text)
    to: Literal["kader", "admins", "nobody"] = "kader"
    if not reached:
        admins = await admin_ids(session)
        reached = await notify_staff(
            session, question, cleaned, admins, KIND_NO_KADER, now, when_text
        )
        to = "admins" if reached else "nobody"
        if reached:
            question.escalated_at = now
    await audit(
        session, actor=f"member:{member.id}", action="question.ask", object_type="question",
        object_id=question.id, actor_member_id=member.id, detail={"to": to},
    )  # fmt: skip
    return Asked(question, to, reached)


def may_answer(member: Member | None, question: Question) -> bool:
    """An admin answers any question; a kader those of her own kampung; nobody else."""
    if member is None or member.erased:
        return False
    if member.role == "admin":
        return True
    return (
        member.role == "kader"
        and member.kampung_id is not None
        and member.kampung_id == question.kampung_id
    )


async def _messages(session: AsyncSession, question_id: int) -> list[QuestionMessage]:
    found = await session.scalars(
        select(QuestionMessage)
        .where(QuestionMessage.question_id == question_id)
        .order_by(QuestionMessage.created_at, QuestionMessage.id)
    )
    return list(found)


async def thread(session: AsyncSession, question: Question) -> Thread:
    messages = await _messages(session, question.id)
    by = question.answered_by_member_id
    return Thread(
        question=question,
        asker=await asker_of(session, question),
        text=messages[0].text if messages else "",
        answer=messages[1].text if len(messages) > 1 else None,
        answered_by=await session.get(Member, by) if by else None,
    )


async def answer_question(
    session: AsyncSession, question_id: int, answerer: Member, text: str, now: datetime
) -> Answered:
    """The first answer closes the question and goes to the mother; a later one is told
    who answered first."""
    cleaned = check_text(text, MAX_ANSWER)
    question = await session.get(Question, question_id) if question_id else None
    if question is None:
        return Answered("not_found")
    if not may_answer(answerer, question):
        return Answered("out_of_scope", question)
    result = await session.execute(
        update(Question)
        .where(Question.id == question.id, Question.status == "open")
        .values(status="answered", answered_at=now, answered_by_member_id=answerer.id)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(question)
    if changed(result) != 1:
        by = question.answered_by_member_id
        return Answered("already", question, await session.get(Member, by) if by else None)
    messages = await _messages(session, question.id)
    session.add(
        QuestionMessage(
            question_id=question.id, author_member_id=answerer.id, text=cleaned, created_at=now
        )
    )
    asked = messages[0].text if messages else ""
    await notify_answer(session, question, asked, cleaned, answerer, now)
    await audit(
        session, actor=f"member:{answerer.id}", action="question.answer",
        object_type="question", object_id=question.id, actor_member_id=answerer.id,
    )  # fmt: skip
    return Answered("answered", question, answerer)


async def open_threads(session: AsyncSession, viewer: Member, limit: int = 10) -> list[Thread]:
    """Open questions the viewer may answer, newest first (a kader: her kampung only)."""
    stmt = select(Question).where(Question.status == "open")
    if viewer.role != "admin":
        if viewer.role != "kader" or viewer.kampung_id is None:
            return []
        stmt = stmt.where(Question.kampung_id == viewer.kampung_id)
    found = await session.scalars(
        stmt.order_by(Question.created_at.desc(), Question.id.desc()).limit(limit)
    )
    return [await thread(session, q) for q in found]


async def my_threads(session: AsyncSession, member_id: int, limit: int = 10) -> list[Thread]:
    """Her own questions with their answers, newest first."""
    found = await session.scalars(
        select(Question)
        .where(Question.member_id == member_id)
        .order_by(Question.created_at.desc(), Question.id.desc())
        .limit(limit)
    )
    return [await thread(session, q) for q in found]


async def escalate_questions(
    session: AsyncSession, now: datetime, after: timedelta, when_text: WhenText | None = None
) -> int:
    """Hand the open questions no kader answered within `after` to the admins, once each
    (``escalated_at``); returns how many were handed over. With no admin to reach yet, a
    question waits for the next sweep."""
    due = list(
        await session.scalars(
            select(Question)
            .where(
                Question.status == "open",
                Question.escalated_at.is_(None),
                Question.created_at <= now - after,
            )
            .order_by(Question.created_at, Question.id)
            .limit(ESCALATE_BATCH)
            .with_for_update(skip_locked=True)
        )
    )
    if not due:
        return 0
    admins = await admin_ids(session)
    hours = {"hours": f"{after.total_seconds() / 3600:g}"}
    handed = 0
    for question in due:
        messages = await _messages(session, question.id)
        text = messages[0].text if messages else ""
        reached = await notify_staff(
            session, question, text, admins, KIND_ESCALATED, now, when_text, extra=hours
        )
        if reached:
            question.escalated_at = now
            handed += 1
    return handed


async def forget_questions(session: AsyncSession, member_id: int) -> int:
    """She erased her data: her questions lose their text (and the answers to them, which
    are about her), open ones are closed, and notices about them still queued are
    withdrawn. The question rows stay, anonymous, for the counts; returns how many."""
    # Imported here: the outbox imports models.people, which imports nothing of ours, but
    # keeping the outbox out of this module's top keeps the questions' imports one-way.
    from models.outbox.tables import ERASED, OutboxMessage

    ids = list(await session.scalars(select(Question.id).where(Question.member_id == member_id)))
    if not ids:
        return 0
    await session.execute(delete(QuestionMessage).where(QuestionMessage.question_id.in_(ids)))
    await session.execute(
        update(Question)
        .where(Question.id.in_(ids), Question.status == "open")
        .values(status="closed")
    )
    keys = [OutboxMessage.idempotency_key.like(f"question:{qid}:%") for qid in ids]
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "queued", or_(*keys))
        .values(status="skipped", last_error=ERASED)
    )
    return len(ids)
