"""Outbox rows about questions: a new question to the kader of her kampung, the same
question to the admins (at once when her kampung has no kader to reach, or when no kader
answered within a day), and the answer back to the mother.

Rows carry the kind and its parameters, never rendered text (each channel renders them from
the catalog ``outbox.<kind>``). Staff notices carry a "Jawab" button naming the question
("a:tn.answer:<id>"); the action checks on every tap that this chat may answer it. A row
to a chat that serves several members, or that reaches her through someone else's chat,
names the member it is for (``for_name``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.location import Location
from models.outbox.broadcasts import member_chat
from models.outbox.tables import PRIORITY_NOTICE, OutboxMessage, enqueue
from models.people.rules import format_rt_rw
from models.people.tables import IdentityMember, Member
from models.questions.tables import Question

WhenText = Callable[[datetime, str], str]

KIND_NEW: Final = "question_new"
KIND_NO_KADER: Final = "question_no_kader"
KIND_ESCALATED: Final = "question_escalated"
KIND_ANSWERED: Final = "question_answered"
KIND_ANSWERED_STAFF: Final = "question_answered_staff"
# Catalog key of the button on staff notices (the chat layer's catalog holds it).
BUTTON_ANSWER: Final = "tanya.btn_answer"
# The answer repeats her question, cut to this length (she has it in full in her chat).
QUESTION_PREVIEW: Final = 200


def answer_action(question_id: int) -> str:
    """The self-contained choice id that opens the answer to one question."""
    return f"a:tn.answer:{question_id}"


def utc_when_text(when: datetime, lang: str) -> str:
    """Fallback when no formatter is handed in: plain and unambiguous, if not pretty."""
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


@dataclass(frozen=True)
class Asker:
    """Who asked, as staff see her: name and where she lives."""

    name: str
    place: str


async def asker_of(session: AsyncSession, question: Question) -> Asker:
    member = await session.get(Member, question.member_id) if question.member_id else None
    kampung = await session.get(Location, question.kampung_id) if question.kampung_id else None
    rt_rw = format_rt_rw(member.rt, member.rw) if member is not None else "-"
    place = f"{kampung.name}, {rt_rw}" if kampung is not None else rt_rw
    return Asker(name=(member.full_name if member else None) or "-", place=place)


async def _names_needed(session: AsyncSession, identity_id: int, member_id: int) -> bool:
    """Whether a row to this chat must say whom it is for: the chat serves several
    members, or it is not her own chat (she is reached through someone else's)."""
    rows = await session.execute(
        select(IdentityMember.member_id)
        .join(Member, Member.id == IdentityMember.member_id)
        .where(IdentityMember.identity_id == identity_id, Member.erased_at.is_(None))
    )
    members = {int(m) for (m,) in rows}
    return len(members) > 1 or member_id not in members


async def _write(
    session: AsyncSession,
    member_id: int,
    kind: str,
    params: dict[str, Any],
    key: str,
    now: datetime,
    when_text: WhenText,
    created_at: datetime | None = None,
) -> bool:
    chat = await member_chat(session, member_id)
    if chat is None:
        return False
    values = {**params, "lang": chat.language}
    if created_at is not None:
        values["when"] = when_text(created_at, chat.language)
    if await _names_needed(session, chat.identity_id, member_id):
        name = await session.scalar(select(Member.full_name).where(Member.id == member_id))
        values["for_name"] = name or "-"
    new_id = await enqueue(
        session,
        identity_id=chat.identity_id,
        channel=chat.channel,
        member_id=member_id,
        kind=kind,
        params=values,
        idempotency_key=key,
        priority=PRIORITY_NOTICE,
        # Not urgent: a question asked late at night reaches the kader in the morning.
        respects_quiet_hours=True,
        now=now,
    )
    # An existing key means it was written before: still reached.
    return new_id is not None or await _exists(session, key)


async def _exists(session: AsyncSession, key: str) -> bool:
    found = await session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.idempotency_key == key)
    )
    return bool(found)


async def notify_staff(
    session: AsyncSession,
    question: Question,
    text: str,
    staff: Iterable[int],
    kind: str,
    now: datetime,
    when_text: WhenText | None = None,
    extra: dict[str, Any] | None = None,
) -> int:
    """The question, with a "Jawab" button, to each of these kader or admins who has a
    chat; returns how many were reached."""
    asker = await asker_of(session, question)
    params: dict[str, Any] = {
        **(extra or {}),
        "question_id": question.id,
        "name": asker.name,
        "place": asker.place,
        "text": text,
        "choices": [{"id": answer_action(question.id), "key": BUTTON_ANSWER}],
    }
    reached = 0
    for member_id in staff:
        key = f"question:{question.id}:{kind}:m{member_id}"
        reached += await _write(
            session,
            member_id,
            kind,
            params,
            key,
            now,
            when_text or utc_when_text,
            created_at=question.created_at,
        )
    return reached


def _preview(text: str, limit: int = QUESTION_PREVIEW) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


async def notify_answer(
    session: AsyncSession,
    question: Question,
    question_text: str,
    answer: str,
    answerer: Member,
    now: datetime,
) -> bool:
    """The answer to the mother who asked (False: she has no chat to reach)."""
    if question.member_id is None:
        return False
    kader = answerer.role == "kader"
    params: dict[str, Any] = {
        "question_id": question.id,
        "question": _preview(question_text),
        "answer": answer,
        "by": answerer.full_name or "-",
    }
    return await _write(
        session,
        question.member_id,
        KIND_ANSWERED if kader else KIND_ANSWERED_STAFF,
        params,
        f"question:{question.id}:answered",
        now,
        utc_when_text,
    )
