"""Kegiatan reminders, written by a sweep: the day before (at a local hour) and a few
hours before the start, to registered participants; waiting-list members get the day
before one with their place in line.

The sweep asks the database only about kegiatan starting soon (or just started, to count
what downtime made too late), and for each reminder already due, the sign-ups that have
no `ReminderLog` row for that kegiatan, kind and start time yet. Writing the log row and
the outbox row happen in one transaction, so a reminder exists once across repeated
sweeps and restarts; a moved kegiatan has a new start, hence fresh reminders; a cancelled
one is not looked at. A reminder caught up while its kegiatan has not started goes out
late; one caught up after the start is dropped and counted. Each outbox row expires at
the start, so one held back by a pause is not sent once the kegiatan has begun.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import insert_ignore
from models.kegiatan.notices import FOR_NAME, unsignup_action
from models.kegiatan.tables import Kegiatan, Signup
from models.outbox.tables import PRIORITY_NOTICE, enqueue_many, outbox_row
from models.people.tables import Member
from models.reminders.chats import member_chats
from models.reminders.tables import SOURCE_KEGIATAN, ReminderLog

WhenText = Callable[[datetime, str], str]

DAY_BEFORE: Final = "day_before"
HOURS_BEFORE: Final = "hours_before"
# Outbox kinds (catalog keys outbox.<kind>).
KIND_REMINDER: Final = "kegiatan_reminder"
KIND_REMINDER_WAITING: Final = "kegiatan_reminder_waiting"
BUTTON_KEEP: Final = "reminders.btn_keep"
BUTTON_UNSIGNUP: Final = "kegiatan.btn_unsignup"
BUTTON_LEAVE_WAITLIST: Final = "kegiatan.btn_leave_waitlist"
LIVE: Final = ("open", "closed")


def keep_action(kegiatan_id: int, member_id: int) -> str:
    """ "Tetap ikut": she confirms she will come ("a:rm.keep:42:7")."""
    return f"a:rm.keep:{kegiatan_id}:{member_id}"


@dataclass(frozen=True)
class ReminderPlan:
    tz: ZoneInfo
    day_before_at: time | None = time(7, 0)  # None: no day-before reminder
    hours_before: float = 2.0  # 0: no reminder on the day
    # After downtime, reminders of kegiatan that started at most this long ago are
    # counted as dropped (older ones are not looked at any more).
    lookback: timedelta = timedelta(days=2)

    def kinds(self) -> tuple[str, ...]:
        kinds = []
        if self.day_before_at is not None:
            kinds.append(DAY_BEFORE)
        if self.hours_before > 0:
            kinds.append(HOURS_BEFORE)
        return tuple(kinds)

    def due_at(self, kind: str, starts_at: datetime) -> datetime:
        if kind == DAY_BEFORE:
            assert self.day_before_at is not None
            day = starts_at.astimezone(self.tz).date() - timedelta(days=1)
            return datetime.combine(day, self.day_before_at, tzinfo=self.tz).astimezone(UTC)
        return starts_at - timedelta(hours=self.hours_before)

    @property
    def lead(self) -> timedelta:
        """The longest time between a reminder and its start (the sweep's look-ahead)."""
        return max(timedelta(days=2), timedelta(hours=self.hours_before))


@dataclass
class KegiatanSweep:
    written: int = 0
    dropped: int = 0
    superseded: int = 0
    no_chat: int = 0


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M")


async def sweep_kegiatan_reminders(
    session: AsyncSession, now: datetime, plan: ReminderPlan, when_text: WhenText
) -> KegiatanSweep:
    result = KegiatanSweep()
    kinds = plan.kinds()
    if not kinds:
        return result
    found = await session.scalars(
        select(Kegiatan)
        .where(
            Kegiatan.status.in_(LIVE),
            Kegiatan.starts_at > now - plan.lookback,
            Kegiatan.starts_at <= now + plan.lead,
        )
        .order_by(Kegiatan.starts_at, Kegiatan.id)
    )
    for k in list(found):
        for kind in kinds:
            due = plan.due_at(kind, k.starts_at)
            if due <= now:
                await _one(session, k, kind, due, now, plan, when_text, result)
    return result


async def _one(
    session: AsyncSession,
    k: Kegiatan,
    kind: str,
    due: datetime,
    now: datetime,
    plan: ReminderPlan,
    when_text: WhenText,
    result: KegiatanSweep,
) -> None:
    statuses = ("registered", "waiting") if kind == DAY_BEFORE else ("registered",)
    log = ReminderLog
    rows = list(
        await session.execute(
            select(Signup.member_id, Signup.status)
            .join(Member, Member.id == Signup.member_id)
            .outerjoin(
                log,
                and_(
                    log.source == SOURCE_KEGIATAN,
                    log.ref_id == Signup.kegiatan_id,
                    log.member_id == Signup.member_id,
                    log.kind == kind,
                    log.due_for == k.starts_at,
                ),
            )
            .where(
                Signup.kegiatan_id == k.id,
                Signup.status.in_(statuses),
                # Signed up after it was due: she has just seen the details.
                Signup.queued_at < due,
                Member.erased_at.is_(None),
                log.id.is_(None),
            )
        )
    )
    if not rows:
        return
    outcomes: dict[int, str] = {}
    later_due = (
        kind == DAY_BEFORE
        and HOURS_BEFORE in plan.kinds()
        and plan.due_at(HOURS_BEFORE, k.starts_at) <= now
    )
    for member_id, status in rows:
        if k.starts_at <= now:
            outcomes[member_id] = "dropped"
        elif later_due and status == "registered":
            outcomes[member_id] = "superseded"
        else:
            outcomes[member_id] = "written"
    # Claim the reminders first: a row another sweep wrote meanwhile is not written twice.
    claimed = set(
        await session.scalars(
            insert_ignore(
                session, log, ["source", "ref_id", "member_id", "kind", "due_for"]
            ).returning(log.member_id),
            [
                {
                    "source": SOURCE_KEGIATAN,
                    "ref_id": k.id,
                    "member_id": member_id,
                    "kind": kind,
                    "due_for": k.starts_at,
                    "outcome": outcome,
                    "created_at": now,
                }
                for member_id, outcome in outcomes.items()
            ],
        )
    )
    to_write = [m for m, outcome in outcomes.items() if outcome == "written" and m in claimed]
    for m in claimed:
        if outcomes[m] == "dropped":
            result.dropped += 1
        elif outcomes[m] == "superseded":
            result.superseded += 1
    if not to_write:
        return
    statuses_of = dict(rows)
    positions = await _positions(session, k.id) if "waiting" in statuses_of.values() else {}
    chats = await member_chats(session, to_write)
    texts: dict[str, str] = {}
    values: list[dict[str, Any]] = []
    missing: list[int] = []
    for member_id in to_write:
        chat = chats.get(member_id)
        if chat is None:
            missing.append(member_id)
            continue
        if chat.language not in texts:
            texts[chat.language] = when_text(k.starts_at, chat.language)
        waiting = statuses_of[member_id] == "waiting"
        params: dict[str, Any] = {
            "kegiatan_id": k.id,
            "judul": k.judul,
            "tempat": k.tempat,
            "when": texts[chat.language],
            "starts_at": k.starts_at.astimezone(UTC).isoformat(),
            "lang": chat.language,
        }
        if waiting:
            params["position"] = positions.get(member_id, "-")
            params["choices"] = [
                {"id": unsignup_action(k.id, member_id), "key": BUTTON_LEAVE_WAITLIST}
            ]
        else:
            params["choices"] = [
                {"id": keep_action(k.id, member_id), "key": BUTTON_KEEP},
                {"id": unsignup_action(k.id, member_id), "key": BUTTON_UNSIGNUP},
            ]
        if chat.shared:
            params[FOR_NAME] = chat.name
        values.append(
            outbox_row(
                identity_id=chat.identity_id,
                member_id=member_id,
                channel=chat.channel,
                kind=KIND_REMINDER_WAITING if waiting else KIND_REMINDER,
                params=params,
                idempotency_key=(
                    f"reminder:kegiatan:{k.id}:{kind}:m{member_id}:{_stamp(k.starts_at)}"
                ),
                priority=PRIORITY_NOTICE,
                now=now,
                expires_at=k.starts_at,
            )
        )
    result.written += len(await enqueue_many(session, values))
    if missing:
        result.no_chat += len(missing)
        await session.execute(
            update(log)
            .where(
                log.source == SOURCE_KEGIATAN,
                log.ref_id == k.id,
                log.kind == kind,
                log.due_for == k.starts_at,
                log.member_id.in_(missing),
            )
            .values(outcome="no_chat")
        )


async def _positions(session: AsyncSession, kegiatan_id: int) -> dict[int, int]:
    """Each waiting member's place in line (1 = next), as `waitlist_position` counts."""
    members = await session.scalars(
        select(Signup.member_id)
        .where(Signup.kegiatan_id == kegiatan_id, Signup.status == "waiting")
        .order_by(Signup.queued_at, Signup.id)
    )
    return {m: i for i, m in enumerate(members, start=1)}
