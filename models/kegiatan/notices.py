"""Outbox rows about kegiatan: a seat came free for her, the kegiatan changed, or it was
cancelled. Written in the caller's transaction, next to the change that causes them.

Rows carry the kind and its parameters, never rendered text. A chat that acts for several
mothers (a shared phone) gets each notice with the parameter `for_name`, shown as a first
line naming the mother it is about; every button carries her member id, and the action checks
that the chat may still act for her. Dates are shown the Indonesian
way by the chat layer, which this layer may not import, so the caller hands in `when_text`
(e.g. `lambda at, lang: format_datetime_local(at, lang, settings.tz)`); the parameters also
keep `starts_at` in ISO 8601 UTC so a channel can render a template from it later.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.kegiatan.tables import ACTIVE_SIGNUP, Kegiatan, Signup
from models.outbox.broadcasts import Recipient, member_chat
from models.outbox.tables import PRIORITY_NOTICE, PRIORITY_URGENT, enqueue
from models.people.tables import IdentityMember, Member

WhenText = Callable[[datetime, str], str]

KIND_PROMOTED: Final = "signup_promoted"
KIND_CHANGED: Final = "kegiatan_changed"
KIND_CANCELLED: Final = "kegiatan_cancelled"
# On a chat that serves several members, the parameter naming whom a notice is about
# (every channel renders it as a first line "Untuk Ibu …").
FOR_NAME: Final = "for_name"

# Catalog keys of the button labels the notices carry (the chat layer's catalogs hold them).
BUTTON_GIVE_SEAT_BACK: Final = "kegiatan.btn_give_seat_back"
BUTTON_UNSIGNUP: Final = "kegiatan.btn_unsignup"
BUTTON_LEAVE_WAITLIST: Final = "kegiatan.btn_leave_waitlist"


def unsignup_action(kegiatan_id: int, member_id: int | None = None) -> str:
    """The self-contained choice id that cancels her place (or gives a seat back), naming
    the member it is for ("a:kg.unsignup:42:7")."""
    tail = f":{member_id}" if member_id else ""
    return f"a:kg.unsignup:{kegiatan_id}{tail}"


async def _shared(session: AsyncSession, identity_id: int) -> bool:
    """Whether this chat acts for more than one (not erased) member."""
    count = await session.scalar(
        select(func.count())
        .select_from(IdentityMember)
        .join(Member, Member.id == IdentityMember.member_id)
        .where(IdentityMember.identity_id == identity_id, Member.erased_at.is_(None))
    )
    return int(count or 0) > 1


async def _kind_for(
    session: AsyncSession, kind: str, chat: Recipient, member_id: int, params: dict[str, Any]
) -> str:
    """The kind to write; on a shared phone, or her kader's chat, the row also names the
    mother it is about."""
    if chat.via_kader or await _shared(session, chat.identity_id):
        name = await session.scalar(select(Member.full_name).where(Member.id == member_id))
        params[FOR_NAME] = name or "-"
    return kind


def utc_when_text(when: datetime, lang: str) -> str:
    """Fallback when no formatter is handed in: plain and unambiguous, if not pretty."""
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _params(kegiatan: Kegiatan, lang: str, when_text: WhenText) -> dict[str, Any]:
    return {
        "kegiatan_id": kegiatan.id,
        "judul": kegiatan.judul,
        "tempat": kegiatan.tempat,
        "when": when_text(kegiatan.starts_at, lang),
        "starts_at": kegiatan.starts_at.astimezone(UTC).isoformat(),
        "lang": lang,
    }


async def notify_promoted(
    session: AsyncSession,
    kegiatan: Kegiatan,
    signup: Signup,
    now: datetime,
    when_text: WhenText | None = None,
) -> int | None:
    """Tell her she moved from the waiting list to a seat, with a button to give it back.

    One row per promotion: the key names the moment she joined the list, so a mother who
    gives the seat back, waits again and is promoted again is told again."""
    chat = await member_chat(session, signup.member_id)
    if chat is None:
        return None  # no reachable chat (nor a kader who still serves her)
    params = _params(kegiatan, chat.language, when_text or utc_when_text)
    params["choices"] = [
        {"id": unsignup_action(kegiatan.id, signup.member_id), "key": BUTTON_GIVE_SEAT_BACK}
    ]
    kind = await _kind_for(session, KIND_PROMOTED, chat, signup.member_id, params)
    queued = signup.queued_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S%f")
    return await enqueue(
        session,
        identity_id=chat.identity_id,
        channel=chat.channel,
        member_id=signup.member_id,
        kind=kind,
        params=params,
        idempotency_key=f"kegiatan:{kegiatan.id}:promoted:m{signup.member_id}:{queued}",
        priority=PRIORITY_NOTICE,
        now=now,
    )


async def notify_participants(
    session: AsyncSession,
    kegiatan: Kegiatan,
    kind: str,
    now: datetime,
    when_text: WhenText | None = None,
) -> int:
    """One row per registered and waiting member about a change or the cancellation.

    Urgent and not held by quiet hours: she may be about to leave the house. The key holds
    the kegiatan's version, so each change is told once and a later change again."""
    rows = await session.execute(
        select(Signup.member_id, Signup.status)
        .join(Member, Member.id == Signup.member_id)
        .where(
            Signup.kegiatan_id == kegiatan.id,
            Signup.status.in_(ACTIVE_SIGNUP),
            Member.erased_at.is_(None),
        )
        .order_by(Signup.queued_at, Signup.id)
    )
    written = 0
    for member_id, status in list(rows):
        chat = await member_chat(session, member_id)
        if chat is None:
            continue
        params = _params(kegiatan, chat.language, when_text or utc_when_text)
        params["signup"] = status
        if kind == KIND_CHANGED:
            # Waiting-list mothers are offered to leave the list, not to "cancel coming".
            label = BUTTON_LEAVE_WAITLIST if status == "waiting" else BUTTON_UNSIGNUP
            params["choices"] = [{"id": unsignup_action(kegiatan.id, member_id), "key": label}]
        written_kind = await _kind_for(session, kind, chat, member_id, params)
        new_id = await enqueue(
            session,
            identity_id=chat.identity_id,
            channel=chat.channel,
            member_id=member_id,
            kind=written_kind,
            params=params,
            idempotency_key=f"kegiatan:{kegiatan.id}:v{kegiatan.version}:{kind}:m{member_id}",
            priority=PRIORITY_URGENT,
            respects_quiet_hours=False,
            now=now,
        )
        written += new_id is not None
    return written
