"""Delivery results, and applying them to outbox rows.

What a channel's send answers (`Sent`, `RetryAfter`, `Blocked`, `OutsideWindow`,
`OptedOut`, `Failed`) and what a platform reports later (`Delivered`, `Read`, or a failure,
a pause or a refusal as above) are plain
data, defined here in the data layer that applies them, so this layer needs no channel;
`handlers.core.delivery` re-exports them next to the `Sender` interface.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, ScalarSelect, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from models.base import changed, one_of
from models.outbox.tables import (
    BLOCKED,
    DONE,
    MAX_ERROR,
    OPTED_OUT,
    OUTSIDE_WINDOW,
    OutboxMessage,
    finish_row,
    mark_unreachable,
)
from models.people.tables import ChannelIdentity

# A row parameter: the platform refused it as a free-form message, so the channel sends it
# as its template (WhatsApp: outside the 24-hour window).
AS_TEMPLATE = "as_template"

# --- delivery results (what a channel's send returns, or reports later) -------------------


@dataclass(frozen=True)
class Sent:
    provider_message_id: str


@dataclass(frozen=True)
class RetryAfter:
    seconds: float
    whole_channel: bool = True


@dataclass(frozen=True)
class Blocked:
    pass


@dataclass(frozen=True)
class OutsideWindow:
    """The platform takes no free-form message to this chat now (WhatsApp: 24 hours after
    her last message). With neither option the row fails."""

    # Wait for her next message (it opens the window again; see `release_waiting`), at
    # most this many seconds before the row is tried again.
    wait: float | None = None
    # Send it again at once, as the platform's pre-approved template.
    as_template: bool = False


@dataclass(frozen=True)
class OptedOut:
    """She stopped this kind of message on the platform itself (WhatsApp: marketing
    messages): the chat gets no more announcements, as after BERHENTI."""


@dataclass(frozen=True)
class Failed:
    reason: str
    retryable: bool = False
    # The retry's delay, instead of the exponential backoff (e.g. a per-day platform limit).
    retry_in: float | None = None


@dataclass(frozen=True)
class Delivered:
    pass


@dataclass(frozen=True)
class Read:
    pass


SendResult = Sent | RetryAfter | Blocked | OutsideWindow | OptedOut | Failed
StatusReport = Delivered | Read | Blocked | OutsideWindow | OptedOut | RetryAfter | Failed


def retry_delay(attempts: int, base: float = 2.0, cap: float = 600.0) -> float:
    """Exponential backoff after the n-th failed attempt: base, 2·base, 4·base… up to cap."""
    return float(min(cap, base * 2 ** max(0, attempts - 1)))


# --- applying results ----------------------------------------------------------------------


def _requeue(row: OutboxMessage, not_before: datetime, *, counted: bool, error: str) -> None:
    row.status = "queued"
    row.not_before = not_before
    row.lease_until = None
    row.last_error = error[:MAX_ERROR]
    if not counted:
        row.attempts = max(0, row.attempts - 1)


async def record_result(
    session: AsyncSession,
    row_id: int,
    result: SendResult,
    *,
    now: datetime,
    max_attempts: int,
    backoff: tuple[float, float] = (2.0, 600.0),
) -> str:
    """Apply what the channel answered to a claimed row; returns the row's new status."""
    row = await session.get(OutboxMessage, row_id, with_for_update=True)
    if row is None:
        return "missing"
    if isinstance(result, Sent):
        if row.status not in DONE:
            finish_row(row, "sent", None)
            row.provider_message_id = result.provider_message_id
            row.sent_at = now
        return row.status
    if row.status != "sending":
        return row.status  # a late answer for a row already settled elsewhere
    if isinstance(result, RetryAfter):
        # The platform asked us to slow down: a pause, not a failed attempt.
        _requeue(row, now + timedelta(seconds=result.seconds), counted=False, error="retry_after")
        return row.status
    await _apply_failure(session, row, result, now=now, max_attempts=max_attempts, backoff=backoff)
    return row.status


async def _apply_failure(
    session: AsyncSession,
    row: OutboxMessage,
    result: Blocked | OutsideWindow | OptedOut | Failed,
    *,
    now: datetime,
    max_attempts: int,
    backoff: tuple[float, float],
) -> None:
    if isinstance(result, Blocked):
        finish_row(row, "failed", BLOCKED)
        await session.flush()
        if row.identity_id is not None:  # None: the chat was erased meanwhile
            await mark_unreachable(session, row.identity_id, now)
    elif isinstance(result, OutsideWindow):
        if result.as_template:
            row.params = {**row.params, AS_TEMPLATE: True}
            _requeue(row, now, counted=False, error=OUTSIDE_WINDOW)
        elif result.wait is not None:
            _requeue(row, now + timedelta(seconds=result.wait), counted=False, error=OUTSIDE_WINDOW)
        else:
            finish_row(row, "failed", OUTSIDE_WINDOW)
    elif isinstance(result, OptedOut):
        finish_row(row, "skipped", OPTED_OUT)
        await session.flush()
        if row.identity_id is not None:
            await opt_out_announcements(session, row.identity_id, now)
    elif result.retryable and row.attempts < max_attempts:
        delay = (
            result.retry_in if result.retry_in is not None else retry_delay(row.attempts, *backoff)
        )
        _requeue(row, now + timedelta(seconds=delay), counted=True, error=result.reason)
    else:
        finish_row(row, "failed", result.reason)


async def apply_status_callback(
    session: AsyncSession,
    channel: str,
    provider_message_id: str,
    report: StatusReport,
    *,
    now: datetime,
    max_attempts: int = 5,
    backoff: tuple[float, float] = (2.0, 600.0),
) -> bool:
    """A late report from the platform (WhatsApp status webhook); False if the id is unknown."""
    row = await session.scalar(
        select(OutboxMessage)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.provider_message_id == provider_message_id,
        )
        .with_for_update()
    )
    if row is None:
        return False
    if isinstance(report, Delivered):
        if row.status == "sent":
            row.status = "delivered"
    elif isinstance(report, Read):
        if row.status in ("sent", "delivered"):
            row.status = "read"
    elif row.status in DONE or row.status == "sending":
        if isinstance(report, RetryAfter | OutsideWindow) or (
            isinstance(report, Failed) and report.retryable
        ):
            row.provider_message_id = None  # a fresh send gets a fresh id
        if isinstance(report, RetryAfter):
            _requeue(
                row, now + timedelta(seconds=report.seconds), counted=False, error="retry_after"
            )
        else:
            await _apply_failure(
                session, row, report, now=now, max_attempts=max_attempts, backoff=backoff
            )
    return True


async def opt_out_announcements(session: AsyncSession, identity_id: int, now: datetime) -> None:
    """The chat wants no more announcements (as after BERHENTI); those queued are withdrawn."""
    await session.execute(
        update(ChannelIdentity)
        .where(
            ChannelIdentity.id == identity_id, ChannelIdentity.announcements_opted_out.is_(False)
        )
        .values(announcements_opted_out=True, opted_out_at=now)
    )
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.identity_id == identity_id,
            OutboxMessage.status == "queued",
            OutboxMessage.respects_opt_out.is_(True),
        )
        .values(status="skipped", last_error=OPTED_OUT)
    )


async def release_waiting(session: AsyncSession, identity_ids: Sequence[int], now: datetime) -> int:
    """She wrote: rows that waited for her next message (outside the platform's window)
    are due now. Returns how many."""
    if not identity_ids:
        return 0
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.identity_id.in_(list(identity_ids)),
            OutboxMessage.status == "queued",
            OutboxMessage.last_error == OUTSIDE_WINDOW,
        )
        .values(not_before=now)
    )
    return changed(result)


async def delivered_since(session: AsyncSession, identity_id: int, since: datetime) -> bool:
    """Whether a proactive message reached this chat after `since` (a notice between a
    question and its answer makes a typed "ok" or "1" ambiguous)."""
    found = await session.scalar(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.identity_id == identity_id,
            one_of(OutboxMessage.status, DONE),
            OutboxMessage.sent_at > since,
        )
        .limit(1)
    )
    return found is not None


async def last_delivered_since(
    session: AsyncSession, identity_id: int, since: datetime
) -> OutboxMessage | None:
    """The newest proactive message delivered to this chat after `since`: the screen she
    is looking at now, whose buttons typed numbers refer to. Answered without a query
    when the session was told already (`remember_latest_delivered`)."""
    known = session.info.get(_LATEST_DELIVERED, {}).get((identity_id, since), _UNKNOWN)
    if known is None:
        return None
    if isinstance(known, int):
        return await session.get(OutboxMessage, known)
    row: OutboxMessage | None = await session.scalar(
        select(OutboxMessage)
        .where(
            OutboxMessage.identity_id == identity_id,
            OutboxMessage.status.in_(DONE),
            OutboxMessage.sent_at > since,
        )
        .order_by(OutboxMessage.sent_at.desc(), OutboxMessage.id.desc())
        .limit(1)
    )
    return row


def latest_delivered_id(
    identity_id: ColumnElement[int] | InstrumentedAttribute[int],
    since: ColumnElement[datetime] | InstrumentedAttribute[datetime],
) -> ScalarSelect[int]:
    """`last_delivered_since` as a subquery (its row's id, or NULL), for a query that
    reads the chat anyway; correlate it to the tables of `identity_id` and `since`."""
    return (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.identity_id == identity_id,
            one_of(OutboxMessage.status, DONE),
            OutboxMessage.sent_at > since,
        )
        .order_by(OutboxMessage.sent_at.desc(), OutboxMessage.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def remember_latest_delivered(
    session: AsyncSession, identity_id: int, since: datetime, row_id: int | None
) -> None:
    """What `latest_delivered_id` found, kept for this session's `last_delivered_since`
    (one transaction: nothing else is delivered to her chat while it handles her)."""
    session.info.setdefault(_LATEST_DELIVERED, {})[(identity_id, since)] = row_id


_LATEST_DELIVERED = "outbox.latest_delivered"
_UNKNOWN = object()
