"""Signing up for a kegiatan, the waiting list, cancelling and promotion.

Who gets a seat is decided inside the database: a seat is taken by the conditional UPDATE
in `_take_seat`, whose row count says whether it worked, never by reading the counter and
writing later. On SQLite every transaction starts with BEGIN IMMEDIATE, so writers take
turns; on PostgreSQL the UPDATE locks the kegiatan row and a waiting UPDATE re-checks the
condition on the row as committed by whoever went first.

Lock order, to stay clear of deadlocks on PostgreSQL: the kegiatan row first, then its
sign-ups. Every change to a kegiatan's sign-ups holds the kegiatan row until commit, so a
seat freed at the same moment as someone joins the waiting list is never lost between them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import changed, insert_ignore, utcnow
from models.kegiatan.notices import WhenText, notify_promoted
from models.kegiatan.tables import ACTIVE_SIGNUP, Kegiatan, KegiatanTarget, Signup, has_ended
from models.people.tables import Member

SignupOutcome = Literal[
    "registered",
    "waiting",
    "already_registered",
    "already_waiting",
    "not_open",  # draft, closed or cancelled (see kegiatan.status)
    "finished",  # ended, or marked done
    "not_found",
    "not_for_her_kampung",
]
CancelOutcome = Literal["cancelled", "not_registered", "finished"]


@dataclass(frozen=True)
class SignupResult:
    outcome: SignupOutcome
    kegiatan: Kegiatan | None = None
    position: int | None = None  # on the waiting list; 1 = next in line

    @property
    def signed_up(self) -> bool:
        return self.outcome in ("registered", "waiting", "already_registered", "already_waiting")


@dataclass(frozen=True)
class CancelResult:
    outcome: CancelOutcome
    was: Literal["registered", "waiting"] | None = None
    promoted: tuple[int, ...] = ()  # member ids moved from the waiting list to a seat


async def sign_up(
    session: AsyncSession, kegiatan_id: int, member_id: int, now: datetime
) -> SignupResult:
    """Give her a seat, or a place on the waiting list when the kegiatan is full.

    Idempotent: a second tap answers already_registered / already_waiting."""
    kegiatan = await session.get(Kegiatan, kegiatan_id, populate_existing=True)
    if kegiatan is None:
        return SignupResult("not_found")
    refusal = _refusal(kegiatan, now)
    if refusal is not None:
        return SignupResult(refusal, kegiatan)
    member = await session.get_one(Member, member_id)
    if not await is_for_kampung(session, kegiatan_id, member.kampung_id):
        return SignupResult("not_for_her_kampung", kegiatan)
    signup = await _signup_of(session, kegiatan_id, member_id)
    if signup is not None and signup.status != "cancelled":
        return await _already(session, kegiatan, signup)

    status: Literal["registered", "waiting"] = "registered"
    if not await _take_seat(session, kegiatan_id):
        # Full, or closed a moment ago. Lock the row and look again: a seat freed by a
        # concurrent cancel is then either taken here or, once we commit, sees our waiting
        # row and promotes it.
        locked = await lock_kegiatan(session, kegiatan_id)
        if locked is None:
            return SignupResult("not_found")
        refusal = _refusal(locked, now)
        if refusal is not None:
            return SignupResult(refusal, locked)
        if not await _take_seat(session, kegiatan_id):
            status = "waiting"
            # Her place in line is the moment she got the kegiatan row (held until
            # commit), not when her message came: two workers' mothers queue in the order
            # they commit, and the positions they are told are all different.
            now = max(now, utcnow())

    if signup is not None:
        written = await _reuse_signup(session, signup.id, status, now)
    else:
        written = await _insert_signup(session, kegiatan_id, member_id, status, now)
    if not written:
        # A second worker signed the same member up in the same instant and committed first.
        if status == "registered":
            await _release_seat(session, kegiatan_id)
        signup = await _signup_of(session, kegiatan_id, member_id)
        assert signup is not None
        return await _already(session, kegiatan, signup)
    await session.flush()
    await session.refresh(kegiatan)
    if status == "registered":
        return SignupResult("registered", kegiatan)
    return SignupResult(
        "waiting", kegiatan, await waitlist_position(session, kegiatan_id, member_id)
    )


async def cancel_signup(
    session: AsyncSession,
    kegiatan_id: int,
    member_id: int,
    now: datetime,
    *,
    when_text: WhenText | None = None,
) -> CancelResult:
    """She no longer comes (or leaves the waiting list); a freed seat goes to the first in
    line, who is told through the outbox."""
    kegiatan = await lock_kegiatan(session, kegiatan_id)
    if kegiatan is None:
        return CancelResult("not_registered")
    signup = await _signup_of(session, kegiatan_id, member_id, for_update=True)
    if signup is None or signup.status not in ACTIVE_SIGNUP:
        return CancelResult("not_registered")
    if has_ended(kegiatan, now) or kegiatan.status == "done":
        return CancelResult("finished")
    was: Literal["registered", "waiting"] = (
        "registered" if signup.status == "registered" else "waiting"
    )
    _set_status(signup, "cancelled", now)
    signup.cancelled_at = now
    promoted: list[int] = []
    if was == "registered":
        await _release_seat(session, kegiatan_id)
        await session.refresh(kegiatan)
        promoted = await promote_waiting(session, kegiatan, now, when_text=when_text)
    await session.flush()
    return CancelResult("cancelled", was, tuple(promoted))


async def give_seat_back(
    session: AsyncSession,
    kegiatan_id: int,
    member_id: int,
    now: datetime,
    *,
    when_text: WhenText | None = None,
) -> CancelResult:
    """A promoted mother who cannot come after all: the seat goes to the next in line."""
    return await cancel_signup(session, kegiatan_id, member_id, now, when_text=when_text)


async def promote_waiting(
    session: AsyncSession,
    kegiatan: Kegiatan,
    now: datetime,
    *,
    when_text: WhenText | None = None,
) -> list[int]:
    """Fill free seats from the waiting list, first come first served; returns who moved.

    The caller holds the kegiatan row lock (`lock_kegiatan`)."""
    if kegiatan.status != "open" or has_ended(kegiatan, now):
        return []
    promoted: list[int] = []
    while True:
        first = await session.scalar(
            select(Signup)
            .join(Member, Member.id == Signup.member_id)
            .where(
                Signup.kegiatan_id == kegiatan.id,
                Signup.status == "waiting",
                Member.erased_at.is_(None),
            )
            .order_by(Signup.queued_at, Signup.id)
            .limit(1)
            .with_for_update(of=Signup)
        )
        if first is None or not await _take_seat(session, kegiatan.id):
            break
        _set_status(first, "registered", now)
        first.promoted_at = now
        await session.flush()
        await notify_promoted(session, kegiatan, first, now, when_text)
        promoted.append(first.member_id)
    if promoted:
        await session.refresh(kegiatan)
    return promoted


async def would_promote(
    session: AsyncSession, kegiatan: Kegiatan, kuota: int | None, now: datetime
) -> int:
    """How many waiting members `promote_waiting` would give a seat if the kegiatan's kuota
    became `kuota` (None: no limit): the free seats, at most the waiting list; none unless
    the kegiatan is open and not ended. Reads only (for a confirmation page)."""
    if kegiatan.status != "open" or has_ended(kegiatan, now):
        return 0
    waiting = await session.scalar(
        select(func.count())
        .select_from(Signup)
        .join(Member, Member.id == Signup.member_id)
        .where(
            Signup.kegiatan_id == kegiatan.id,
            Signup.status == "waiting",
            Member.erased_at.is_(None),
        )
    )
    if kuota is None:
        return waiting or 0
    return min(max(0, kuota - kegiatan.registered_count), waiting or 0)


async def withdraw_member(
    session: AsyncSession, member_id: int, now: datetime, *, when_text: WhenText | None = None
) -> int:
    """Cancel all her places in kegiatan not yet ended (e.g. when her data is erased), so her
    seats go to the waiting lists; returns how many were cancelled."""
    kegiatan_ids = list(
        await session.scalars(
            select(Signup.kegiatan_id)
            .join(Kegiatan, Kegiatan.id == Signup.kegiatan_id)
            .where(
                Signup.member_id == member_id,
                Signup.status.in_(ACTIVE_SIGNUP),
                Kegiatan.ends_at > now,
            )
            .order_by(Signup.kegiatan_id)  # one lock order for every caller
        )
    )
    cancelled = 0
    for kegiatan_id in kegiatan_ids:
        result = await cancel_signup(session, kegiatan_id, member_id, now, when_text=when_text)
        cancelled += result.outcome == "cancelled"
    return cancelled


async def waitlist_position(session: AsyncSession, kegiatan_id: int, member_id: int) -> int | None:
    """Her place on the waiting list (1 = next in line), or None if she is not waiting."""
    mine = await _signup_of(session, kegiatan_id, member_id)
    if mine is None or mine.status != "waiting":
        return None
    ahead_or_mine = or_(
        Signup.queued_at < mine.queued_at,
        and_(Signup.queued_at == mine.queued_at, Signup.id <= mine.id),
    )
    count = await session.scalar(
        select(func.count())
        .select_from(Signup)
        .where(Signup.kegiatan_id == kegiatan_id, Signup.status == "waiting", ahead_or_mine)
    )
    return int(count or 0)


async def is_for_kampung(session: AsyncSession, kegiatan_id: int, kampung_id: int | None) -> bool:
    """True when the kegiatan is for every kampung or names this one as sasaran."""
    targets = set(
        await session.scalars(
            select(KegiatanTarget.kampung_id).where(KegiatanTarget.kegiatan_id == kegiatan_id)
        )
    )
    return not targets or kampung_id in targets


async def lock_kegiatan(session: AsyncSession, kegiatan_id: int) -> Kegiatan | None:
    """Load the kegiatan fresh and hold its row until commit (a row lock on PostgreSQL;
    SQLite's BEGIN IMMEDIATE already holds the whole database)."""
    # FOR NO KEY UPDATE: rows that merely reference the kegiatan (reminders, attendance)
    # can still be written meanwhile; its id never changes.
    return await session.get(
        Kegiatan, kegiatan_id, with_for_update={"key_share": True}, populate_existing=True
    )


# --- internals -------------------------------------------------------------------------


def _refusal(kegiatan: Kegiatan, now: datetime) -> SignupOutcome | None:
    if kegiatan.status == "cancelled":
        return "not_open"
    if kegiatan.status == "done" or has_ended(kegiatan, now):
        return "finished"
    if kegiatan.status != "open":
        return "not_open"
    return None


async def _take_seat(session: AsyncSession, kegiatan_id: int) -> bool:
    """UPDATE … SET registered_count = registered_count + 1 WHERE there is a free seat."""
    k = Kegiatan
    result = await session.execute(
        update(k)
        .where(
            k.id == kegiatan_id,
            k.status == "open",
            or_(k.kuota.is_(None), k.registered_count < k.kuota),
        )
        .values(registered_count=k.registered_count + 1)
        .execution_options(synchronize_session=False)
    )
    return changed(result) == 1


async def _release_seat(session: AsyncSession, kegiatan_id: int) -> None:
    k = Kegiatan
    await session.execute(
        update(k)
        .where(k.id == kegiatan_id, k.registered_count > 0)
        .values(registered_count=k.registered_count - 1)
        .execution_options(synchronize_session=False)
    )


async def _signup_of(
    session: AsyncSession, kegiatan_id: int, member_id: int, *, for_update: bool = False
) -> Signup | None:
    stmt = select(Signup).where(Signup.kegiatan_id == kegiatan_id, Signup.member_id == member_id)
    if for_update:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt.execution_options(populate_existing=True))


async def _insert_signup(
    session: AsyncSession, kegiatan_id: int, member_id: int, status: str, now: datetime
) -> bool:
    """Insert her row; False if one appeared meanwhile (no error, so the transaction lives)."""
    result = await session.execute(
        insert_ignore(session, Signup, ["kegiatan_id", "member_id"])
        .values(
            kegiatan_id=kegiatan_id,
            member_id=member_id,
            status=status,
            queued_at=now,
            created_at=now,
            updated_at=now,
        )
        .returning(Signup.id)
    )
    return result.scalar_one_or_none() is not None


async def _reuse_signup(session: AsyncSession, signup_id: int, status: str, now: datetime) -> bool:
    """Turn her cancelled row back on; False if it was turned on meanwhile by another worker."""
    result = await session.execute(
        update(Signup)
        .where(Signup.id == signup_id, Signup.status == "cancelled")
        .values(status=status, queued_at=now, updated_at=now, cancelled_at=None)
        .execution_options(synchronize_session=False)
    )
    return changed(result) == 1


async def _already(session: AsyncSession, kegiatan: Kegiatan, signup: Signup) -> SignupResult:
    if signup.status == "registered":
        return SignupResult("already_registered", kegiatan)
    position = await waitlist_position(session, kegiatan.id, signup.member_id)
    return SignupResult("already_waiting", kegiatan, position)


def _set_status(signup: Signup, status: str, now: datetime) -> None:
    signup.status = status
    signup.updated_at = now
