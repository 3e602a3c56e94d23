"""A member asks to be a kader of her kampung; an admin approves or rejects it.

One pending request per member. The admins are told through the outbox, and so is she
of the decision. The decision is recorded on the request (who, when) and in the audit
log; an approval grants the role (`models.kader.roles.make_kader`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.audit import audit
from models.kader.notices import KIND_APPROVED, KIND_REJECTED, notify_admins, notify_member
from models.kader.roles import make_kader
from models.kader.tables import KaderRequest
from models.people.tables import Member

Asked = Literal["sent", "pending", "not_ibu", "no_kampung"]
Decided = Literal["approved", "rejected", "not_found", "decided", "withdrawn", "not_allowed"]


async def pending_request(session: AsyncSession, member_id: int) -> KaderRequest | None:
    return await session.scalar(
        select(KaderRequest)
        .where(KaderRequest.member_id == member_id, KaderRequest.status == "pending")
        .order_by(KaderRequest.id)
        .limit(1)
    )


@dataclass(frozen=True)
class Asking:
    outcome: Asked
    request: KaderRequest | None = None


async def request_kader(session: AsyncSession, member: Member, now: datetime) -> Asking:
    """Her request for the kampung she lives in, unless one is already waiting."""
    # Her row locked first (PostgreSQL; SQLite writes one at a time anyway), so two
    # chats of hers asking at once leave one request, not two.
    await session.execute(select(Member.id).where(Member.id == member.id).with_for_update())
    waiting = await pending_request(session, member.id)
    if waiting is not None:
        return Asking("pending", waiting)
    if member.role != "ibu" or member.erased:
        return Asking("not_ibu")
    if member.kampung_id is None:
        return Asking("no_kampung")
    request = KaderRequest(
        member_id=member.id, kampung_id=member.kampung_id, status="pending", created_at=now
    )
    session.add(request)
    await session.flush()
    await audit(
        session, actor=f"member:{member.id}", actor_member_id=member.id,
        action="kader.request", object_type="kader_request", object_id=request.id,
        detail={"kampung_id": member.kampung_id},
    )  # fmt: skip
    await notify_admins(session, request, member, now)
    return Asking("sent", request)


async def pending_requests(session: AsyncSession) -> list[tuple[KaderRequest, Member]]:
    """Requests waiting for a decision, oldest first."""
    rows = await session.execute(
        select(KaderRequest, Member)
        .join(Member, Member.id == KaderRequest.member_id)
        .where(KaderRequest.status == "pending", Member.erased_at.is_(None))
        .order_by(KaderRequest.created_at, KaderRequest.id)
    )
    return [(r, m) for r, m in rows.unique()]


@dataclass(frozen=True)
class Decision:
    outcome: Decided
    request: KaderRequest | None = None
    member: Member | None = None


async def decide_request(
    session: AsyncSession, request_id: int, admin: Member, *, approve: bool, now: datetime
) -> Decision:
    """Approve or reject a waiting request. Only an admin decides; a request decided
    already (by another admin, or a tap twice) is left as it is."""
    if admin.role != "admin" or admin.erased:
        return Decision("not_allowed")
    request = await session.get(KaderRequest, request_id, with_for_update=True)
    if request is None:
        return Decision("not_found")
    if request.status != "pending":
        return Decision("decided", request)
    member = await session.get(Member, request.member_id)
    if member is None or member.erased or member.role != "ibu":
        # Erased since, or made a kader (an invitation) or an admin meanwhile.
        request.status = "withdrawn"
        request.decided_at = now
        request.decided_by_member_id = admin.id
        return Decision("withdrawn", request, member)
    outcome: Decided = "approved" if approve else "rejected"
    request.status = outcome
    request.decided_at = now
    request.decided_by_member_id = admin.id
    await audit(
        session, actor=f"member:{admin.id}", actor_member_id=admin.id,
        action=f"kader.request_{request.status}", object_type="kader_request",
        object_id=request.id, detail={"member_id": member.id},
    )  # fmt: skip
    kampung_id = request.kampung_id or member.kampung_id
    if approve and kampung_id is not None:
        await make_kader(
            session, member, kampung_id, actor_member_id=admin.id, via="request", ref=request.id
        )
    await notify_member(
        session, member, KIND_APPROVED if approve else KIND_REJECTED, kampung_id,
        f"kader_request:{request.id}:{request.status}", now,
    )  # fmt: skip
    return Decision(outcome, request, member)
