"""What admins do to a kegiatan: create a draft, publish it, change time, place or quota,
close registration, cancel; and the sweep that marks ended kegiatan done.

Each change locks the kegiatan row first (see `models.kegiatan.signups` for the lock order), bumps
`version`, writes the audit log and, where people are affected, the outbox rows, all in
the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Final, Literal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.audit import audit
from models.base import changed
from models.kegiatan.notices import KIND_CANCELLED, KIND_CHANGED, WhenText, notify_participants
from models.kegiatan.signups import lock_kegiatan, promote_waiting
from models.kegiatan.tables import (
    MAX_TEMPAT,
    Kegiatan,
    KegiatanDraft,
    KegiatanInvalid,
    KegiatanTarget,
    has_ended,
    kuota_ok,
    time_problems,
    validate_draft,
)
from models.location import Location

AdminOutcome = Literal["ok", "unchanged", "not_found", "not_editable", "invalid"]


class Keep(Enum):
    """The type of KEEP, for annotations: `tempat: str | Keep = KEEP`."""

    KEEP = "keep"


KEEP: Final = Keep.KEEP  # "leave this field as it is" (kuota=None means unlimited)


@dataclass(frozen=True)
class AdminResult:
    outcome: AdminOutcome
    kegiatan: Kegiatan | None = None
    problems: tuple[str, ...] = ()  # codes, see validate_draft (+ kuota_below_registered)
    notified: int = 0  # outbox rows written for participants
    promoted: tuple[int, ...] = ()  # member ids moved from the waiting list to a seat


async def create_kegiatan(
    session: AsyncSession,
    draft: KegiatanDraft,
    *,
    now: datetime,
    actor: str,
    created_by_member_id: int | None = None,
) -> Kegiatan:
    """Store a draft (not yet visible to mothers). Raises KegiatanInvalid with every
    problem, including "unknown_kampung" for a sasaran id that is not an active kampung."""
    problems = validate_draft(draft, now)
    sasaran = sorted(set(draft.sasaran))
    if sasaran:
        known = set(
            await session.scalars(
                select(Location.id).where(
                    Location.id.in_(sasaran), Location.level == "kampung", Location.active
                )
            )
        )
        if known != set(sasaran):
            problems.append("unknown_kampung")
    if problems:
        raise KegiatanInvalid(problems)
    narasumber = (draft.narasumber or "").strip() or None
    kegiatan = Kegiatan(
        jenis=draft.jenis,
        judul=draft.judul.strip(),
        opd=draft.opd.strip(),
        narasumber=narasumber,
        tempat=draft.tempat.strip(),
        starts_at=draft.starts_at,
        ends_at=draft.ends_at,
        kuota=draft.kuota,
        description=draft.description.strip(),
        status="draft",
        registered_count=0,
        created_by_member_id=created_by_member_id,
        created_at=now,
        updated_at=now,
        version=1,
    )
    session.add(kegiatan)
    await session.flush()
    session.add_all(KegiatanTarget(kegiatan_id=kegiatan.id, kampung_id=k) for k in sasaran)
    await session.flush()
    await _audit(session, "kegiatan.create", kegiatan, actor, created_by_member_id)
    return kegiatan


async def publish(
    session: AsyncSession,
    kegiatan_id: int,
    *,
    now: datetime,
    actor: str,
    actor_member_id: int | None = None,
) -> AdminResult:
    """Open a draft for sign-up; an already open one is "unchanged"."""
    kegiatan = await lock_kegiatan(session, kegiatan_id)
    if kegiatan is None:
        return AdminResult("not_found")
    if kegiatan.status == "open":
        return AdminResult("unchanged", kegiatan)
    if kegiatan.status != "draft":
        return AdminResult("not_editable", kegiatan)
    if has_ended(kegiatan, now):
        return AdminResult("invalid", kegiatan, ("in_past",))
    kegiatan.status = "open"
    kegiatan.published_at = now
    _touch(kegiatan, now)
    await _audit(session, "kegiatan.publish", kegiatan, actor, actor_member_id)
    await session.flush()
    return AdminResult("ok", kegiatan)


async def edit_kegiatan(
    session: AsyncSession,
    kegiatan_id: int,
    *,
    now: datetime,
    actor: str,
    actor_member_id: int | None = None,
    starts_at: datetime | Keep = KEEP,
    ends_at: datetime | Keep = KEEP,
    tempat: str | Keep = KEEP,
    kuota: int | Keep | None = KEEP,
    when_text: WhenText | None = None,
) -> AdminResult:
    """Change time, place and/or quota.

    Moving only the start keeps the duration. A new time or place is told to every
    registered and waiting member; a larger quota promotes from the waiting list; a quota
    below the number already registered is refused (nobody loses a seat she was given)."""
    kegiatan = await lock_kegiatan(session, kegiatan_id)
    if kegiatan is None:
        return AdminResult("not_found")
    if kegiatan.status in ("cancelled", "done") or has_ended(kegiatan, now):
        return AdminResult("not_editable", kegiatan)
    new_start = kegiatan.starts_at if starts_at is KEEP else starts_at
    if ends_at is not KEEP:
        new_end = ends_at
    else:
        new_end = new_start + (kegiatan.ends_at - kegiatan.starts_at)
    new_tempat = kegiatan.tempat if tempat is KEEP else tempat.strip()
    new_kuota = kegiatan.kuota if kuota is KEEP else kuota

    problems: list[str] = []
    time_changed = (new_start, new_end) != (kegiatan.starts_at, kegiatan.ends_at)
    if time_changed:
        problems += time_problems(new_start, new_end, now)
    if not new_tempat:
        problems.append("empty_tempat")
    elif len(new_tempat) > MAX_TEMPAT:
        problems.append("tempat_too_long")
    if not kuota_ok(new_kuota):
        problems.append("bad_kuota")
    elif new_kuota is not None and new_kuota < kegiatan.registered_count:
        problems.append("kuota_below_registered")
    if problems:
        return AdminResult("invalid", kegiatan, tuple(problems))
    place_changed = new_tempat != kegiatan.tempat
    kuota_changed = new_kuota != kegiatan.kuota
    if not (time_changed or place_changed or kuota_changed):
        return AdminResult("unchanged", kegiatan)

    kegiatan.starts_at, kegiatan.ends_at = new_start, new_end
    kegiatan.tempat, kegiatan.kuota = new_tempat, new_kuota
    _touch(kegiatan, now)
    await session.flush()
    # Promote first, so the change notice tells each member where she now stands.
    promoted = await promote_waiting(session, kegiatan, now, when_text=when_text)
    notified = 0
    if (time_changed or place_changed) and kegiatan.status in ("open", "closed"):
        notified = await notify_participants(session, kegiatan, KIND_CHANGED, now, when_text)
    changed = [name for name, hit in (("time", time_changed), ("tempat", place_changed),
               ("kuota", kuota_changed)) if hit]  # fmt: skip
    await _audit(session, "kegiatan.edit", kegiatan, actor, actor_member_id, changed=changed)
    return AdminResult("ok", kegiatan, notified=notified, promoted=tuple(promoted))


async def close_registration(
    session: AsyncSession,
    kegiatan_id: int,
    *,
    now: datetime,
    actor: str,
    actor_member_id: int | None = None,
) -> AdminResult:
    """Stop new sign-ups (those signed up keep their places)."""
    kegiatan = await lock_kegiatan(session, kegiatan_id)
    if kegiatan is None:
        return AdminResult("not_found")
    if kegiatan.status == "closed":
        return AdminResult("unchanged", kegiatan)
    if kegiatan.status != "open":
        return AdminResult("not_editable", kegiatan)
    kegiatan.status = "closed"
    _touch(kegiatan, now)
    await _audit(session, "kegiatan.close", kegiatan, actor, actor_member_id)
    await session.flush()
    return AdminResult("ok", kegiatan)


async def cancel_kegiatan(
    session: AsyncSession,
    kegiatan_id: int,
    *,
    now: datetime,
    actor: str,
    actor_member_id: int | None = None,
    when_text: WhenText | None = None,
) -> AdminResult:
    """Call it off and tell every registered and waiting member. Sign-ups are kept as they
    were, as a record of who was affected."""
    kegiatan = await lock_kegiatan(session, kegiatan_id)
    if kegiatan is None:
        return AdminResult("not_found")
    if kegiatan.status == "cancelled":
        return AdminResult("unchanged", kegiatan)
    if kegiatan.status == "done" or has_ended(kegiatan, now):
        return AdminResult("not_editable", kegiatan)
    was_public = kegiatan.status in ("open", "closed")
    kegiatan.status = "cancelled"
    kegiatan.cancelled_at = now
    _touch(kegiatan, now)
    await session.flush()
    notified = 0
    if was_public:
        notified = await notify_participants(session, kegiatan, KIND_CANCELLED, now, when_text)
    await _audit(session, "kegiatan.cancel", kegiatan, actor, actor_member_id)
    return AdminResult("ok", kegiatan, notified=notified)


async def finish_ended(
    session: AsyncSession, now: datetime, *, grace: timedelta = timedelta()
) -> int:
    """Sweep: mark open or closed kegiatan that ended (more than `grace` ago) as done."""
    result = await session.execute(
        update(Kegiatan)
        .where(Kegiatan.status.in_(("open", "closed")), Kegiatan.ends_at <= now - grace)
        .values(status="done", updated_at=now, version=Kegiatan.version + 1)
        .execution_options(synchronize_session=False)
    )
    return changed(result)


def _touch(kegiatan: Kegiatan, now: datetime) -> None:
    kegiatan.updated_at = now
    kegiatan.version += 1


async def _audit(
    session: AsyncSession,
    action: str,
    kegiatan: Kegiatan,
    actor: str,
    actor_member_id: int | None,
    **detail: object,
) -> None:
    await audit(
        session,
        actor=actor,
        actor_member_id=actor_member_id,
        action=action,
        object_type="kegiatan",
        object_id=kegiatan.id,
        detail={"version": kegiatan.version, **detail},
    )
