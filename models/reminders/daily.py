"""Messages sent once per member per local day (the admins' digest, the kader's weekly
nudge): who has not had today's yet, and writing the day's rows with their log entries.

One reminder_log row per (source, kind, member, day) is the "had it" mark, written with
the outbox rows in the sweep's transaction, so a restart neither skips nor repeats one;
a member with no reachable chat is logged as `no_chat` and not tried again that day.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import insert_ignore
from models.outbox.tables import PRIORITY_NOTICE, enqueue_many, outbox_row
from models.reminders.chats import MemberChat, member_chats
from models.reminders.tables import ReminderLog


@dataclass(frozen=True)
class Daily:
    source: str
    kind: str
    # The local day it is for, as its midnight (the reminder_log key).
    due_for: datetime
    outbox_kind: str
    # Prefix of the outbox idempotency key; ":m<member>:<day>" is added.
    key: str
    day: str


async def not_yet_had(session: AsyncSession, daily: Daily, members: Sequence[int]) -> list[int]:
    """Those of `members` without this day's mark, in the order given."""
    if not members:
        return []
    had = set(
        await session.scalars(
            select(ReminderLog.member_id).where(
                ReminderLog.source == daily.source,
                ReminderLog.kind == daily.kind,
                ReminderLog.due_for == daily.due_for,
                ReminderLog.member_id.in_(members),
            )
        )
    )
    return [m for m in members if m not in had]


async def write_daily(
    session: AsyncSession,
    daily: Daily,
    members: Sequence[int],
    params: Callable[[MemberChat], dict[str, Any]],
    now: datetime,
) -> int:
    """One outbox row per member with a chat (its parameters from `params`), and this day's
    mark for every one of them; returns how many rows were written."""
    chats = await member_chats(session, members)
    logs: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for member_id in members:
        chat = chats.get(member_id)
        logs.append(
            {
                "source": daily.source,
                "ref_id": 0,
                "member_id": member_id,
                "kind": daily.kind,
                "due_for": daily.due_for,
                "outcome": "written" if chat is not None else "no_chat",
                "created_at": now,
            }
        )
        if chat is None:
            continue
        rows.append(
            outbox_row(
                identity_id=chat.identity_id,
                member_id=member_id,
                channel=chat.channel,
                kind=daily.outbox_kind,
                params={**params(chat), "lang": chat.language},
                idempotency_key=f"{daily.key}:m{member_id}:{daily.day}",
                priority=PRIORITY_NOTICE,
                now=now,
                respects_quiet_hours=True,
            )
        )
    await session.execute(
        insert_ignore(session, ReminderLog, ["source", "ref_id", "member_id", "kind", "due_for"]),
        logs,
    )
    return len(await enqueue_many(session, rows))
