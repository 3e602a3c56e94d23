"""Creating, listing and deleting deadlines; who a deadline's audience is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.audit import audit
from models.base import changed
from models.deadlines.rules import (
    DEFAULT_REMIND,
    DeadlineInvalid,
    check_monthly_day,
    remind_text,
)
from models.deadlines.tables import MAX_PREPARE, MAX_TITLE, Deadline
from models.location import Location
from models.people.tables import Member


@dataclass(frozen=True)
class DeadlineDraft:
    title: str
    due_on: date
    prepare: str = ""
    audience: str = "admin"
    remind: tuple[int, ...] = DEFAULT_REMIND
    monthly_day: int | None = None


async def resolve_audience(session: AsyncSession, text: str) -> str:
    """ "admin" | "kader" | "all" | "kampung:<name>[,<name>]" -> the stored form, with
    kampung names turned into location ids."""
    text = text.strip()
    if text.lower() in ("admin", "kader", "all"):
        return text.lower()
    kind, _, names = text.partition(":")
    if kind.lower() != "kampung" or not names.strip():
        raise DeadlineInvalid("audience")
    ids = []
    for name in names.split(","):
        place = await session.scalar(
            select(Location.id).where(
                Location.level == "kampung", Location.name.ilike(name.strip())
            )
        )
        if place is None:
            raise DeadlineInvalid(f"unknown_kampung:{name.strip()}")
        ids.append(place)
    return "kampung:" + ",".join(str(i) for i in sorted(set(ids)))


async def create_deadline(
    session: AsyncSession,
    draft: DeadlineDraft,
    *,
    now: datetime,
    actor: str,
    actor_member_id: int | None = None,
) -> Deadline:
    title = " ".join(draft.title.split())
    if not title:
        raise DeadlineInvalid("title_empty")
    if len(title) > MAX_TITLE:
        raise DeadlineInvalid("title_too_long")
    if len(draft.prepare) > MAX_PREPARE:
        raise DeadlineInvalid("prepare_too_long")
    deadline = Deadline(
        title=title,
        due_on=draft.due_on,
        prepare=draft.prepare.strip(),
        audience=draft.audience,
        remind_days=remind_text(draft.remind),
        monthly_day=check_monthly_day(draft.monthly_day),
        created_by_member_id=actor_member_id,
        actor=actor,
        created_at=now,
    )
    session.add(deadline)
    await session.flush()
    await audit(
        session,
        actor=actor,
        action="deadline.create",
        object_type="deadline",
        object_id=deadline.id,
        actor_member_id=actor_member_id,
    )
    return deadline


async def update_deadline(
    session: AsyncSession,
    deadline_id: int,
    *,
    actor: str,
    title: str | None = None,
    due_on: date | None = None,
    prepare: str | None = None,
    audience: str | None = None,
    remind: tuple[int, ...] | None = None,
    monthly_day: int | None = None,
    one_off: bool = False,
) -> Deadline | None:
    """Change what is given (None keeps it; `one_off` ends a monthly recurrence). Reminders
    already sent stay sent; a new due date or new days get reminders of their own."""
    deadline = await session.get(Deadline, deadline_id)
    if deadline is None:
        return None
    if title is not None:
        title = " ".join(title.split())
        if not title:
            raise DeadlineInvalid("title_empty")
        if len(title) > MAX_TITLE:
            raise DeadlineInvalid("title_too_long")
        deadline.title = title
    if prepare is not None:
        if len(prepare) > MAX_PREPARE:
            raise DeadlineInvalid("prepare_too_long")
        deadline.prepare = prepare.strip()
    if due_on is not None:
        deadline.due_on = due_on
    if audience is not None:
        deadline.audience = audience
    if remind is not None:
        deadline.remind_days = remind_text(remind)
    if monthly_day is not None:
        deadline.monthly_day = check_monthly_day(monthly_day)
    elif one_off:
        deadline.monthly_day = None
    await session.flush()
    await audit(
        session,
        actor=actor,
        action="deadline.edit",
        object_type="deadline",
        object_id=deadline.id,
    )
    return deadline


async def list_deadlines(session: AsyncSession) -> Sequence[Deadline]:
    found = await session.scalars(select(Deadline).order_by(Deadline.due_on, Deadline.id))
    return list(found)


async def delete_deadline(session: AsyncSession, deadline_id: int, *, actor: str) -> bool:
    result = await session.execute(delete(Deadline).where(Deadline.id == deadline_id))
    gone = bool(changed(result))
    if gone:
        await audit(
            session,
            actor=actor,
            action="deadline.delete",
            object_type="deadline",
            object_id=deadline_id,
        )
    return gone


async def audience_members(session: AsyncSession, audience: str) -> list[int]:
    """Member ids a deadline is for (not erased)."""
    stmt = select(Member.id).where(Member.erased_at.is_(None))
    if audience in ("admin", "kader"):
        stmt = stmt.where(Member.role == audience)
    elif audience.startswith("kampung:"):
        ids = [int(i) for i in audience.removeprefix("kampung:").split(",") if i]
        stmt = stmt.where(Member.kampung_id.in_(ids))
    return list(await session.scalars(stmt.order_by(Member.id)))


async def audience_names(session: AsyncSession, audience: str) -> str:
    """The kampung names of a kampung audience ("Sumberan, Cibening"), else the word."""
    if not audience.startswith("kampung:"):
        return audience
    ids = [int(i) for i in audience.removeprefix("kampung:").split(",") if i]
    names = await session.scalars(select(Location.name).where(Location.id.in_(ids)))
    return ", ".join(sorted(names))
