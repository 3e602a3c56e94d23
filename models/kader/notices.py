"""Outbox rows about the kader role: a new request for the admins (with buttons to
approve or reject it), the decision for her, and the removal of her role.

Rows carry the kind and its parameters, never rendered text (the chat layer's catalog
holds ``outbox.<kind>``). A chat that acts for several members names whom a notice is
about (`for_name`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.kader.tables import KaderRequest
from models.location import Location
from models.outbox.broadcasts import member_chat
from models.outbox.tables import PRIORITY_NOTICE, enqueue
from models.people.tables import IdentityMember, Member

KIND_REQUEST: Final = "kader_request"
KIND_APPROVED: Final = "kader_approved"
KIND_REJECTED: Final = "kader_rejected"
KIND_REMOVED: Final = "kader_removed"

# Catalog keys of the buttons on the admins' notice.
BUTTON_APPROVE: Final = "kader.btn_approve"
BUTTON_REJECT: Final = "kader.btn_reject"


def approve_action(request_id: int) -> str:
    return f"a:kd.approve:{request_id}"


def reject_action(request_id: int) -> str:
    return f"a:kd.reject:{request_id}"


async def kampung_name(session: AsyncSession, kampung_id: int | None) -> str:
    place = await session.get(Location, kampung_id or 0)
    return place.name if place is not None else "-"


async def admin_ids(session: AsyncSession) -> list[int]:
    found = await session.scalars(
        select(Member.id)
        .where(Member.role == "admin", Member.erased_at.is_(None))
        .order_by(Member.id)
    )
    return list(found)


async def _for_her(session: AsyncSession, identity_id: int, member: Member,
                   params: dict[str, Any]) -> None:  # fmt: skip
    """On a chat that acts for several members, say whom the notice is about."""
    count = await session.scalar(
        select(func.count())
        .select_from(IdentityMember)
        .join(Member, Member.id == IdentityMember.member_id)
        .where(IdentityMember.identity_id == identity_id, Member.erased_at.is_(None))
    )
    if int(count or 0) > 1:
        params["for_name"] = member.full_name or "-"


async def notify_admins(
    session: AsyncSession, request: KaderRequest, member: Member, now: datetime
) -> int:
    """Each admin's chat gets the request with "Setujui" and "Tolak"."""
    kampung = await kampung_name(session, request.kampung_id)
    written = 0
    for admin_id in await admin_ids(session):
        chat = await member_chat(session, admin_id)
        if chat is None:
            continue
        params: dict[str, Any] = {
            "name": member.full_name or "-",
            "kampung": kampung,
            "request_id": request.id,
            "lang": chat.language,
            "choices": [
                {"id": approve_action(request.id), "key": BUTTON_APPROVE},
                {"id": reject_action(request.id), "key": BUTTON_REJECT},
            ],
        }
        new_id = await enqueue(
            session,
            identity_id=chat.identity_id,
            channel=chat.channel,
            member_id=admin_id,
            kind=KIND_REQUEST,
            params=params,
            idempotency_key=f"kader_request:{request.id}:admin{admin_id}",
            priority=PRIORITY_NOTICE,
            now=now,
        )
        written += new_id is not None
    return written


async def notify_member(
    session: AsyncSession, member: Member, kind: str, kampung_id: int | None, key: str,
    now: datetime, *, about_her: bool = True,
) -> int | None:  # fmt: skip
    """Tell her the outcome (approved, rejected, role removed) in her chat. A row not
    `about_her` names no member, so it still goes after her member is erased."""
    chat = await member_chat(session, member.id)
    if chat is None:
        return None
    params: dict[str, Any] = {
        "name": member.full_name or "-",
        "kampung": await kampung_name(session, kampung_id),
        "lang": chat.language,
    }
    await _for_her(session, chat.identity_id, member, params)
    return await enqueue(
        session,
        identity_id=chat.identity_id,
        channel=chat.channel,
        member_id=member.id if about_her else None,
        kind=kind,
        params=params,
        idempotency_key=key,
        priority=PRIORITY_NOTICE,
        now=now,
    )


def stamp(moment: datetime) -> str:
    """A compact UTC stamp for idempotency keys."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%S%f")
