"""Granting and removing the kader role, and finding kader.

A kader serves one kampung: her member row's `kampung_id`. The role is granted by an
admin's decision only (an invitation she redeems, or her request approved), never
claimed; every grant and removal is written to the audit log as ``role.grant`` /
``role.revoke`` with ``{"role": "kader"}``, naming who decided and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.audit import AuditEntry, audit
from models.base import utcnow
from models.codes import OneTimeCode, use_code
from models.kader.invites import Invite, actor_of
from models.kader.notices import KIND_REMOVED, notify_member, stamp
from models.kader.tables import KaderRequest
from models.location import Location
from models.people.tables import ChannelIdentity, IdentityMember, Member

# The version of the privacy note a kader invited in chat agrees to (kader.privacy).
KADER_PRIVACY_VERSION: Final = "2026-11-kader-v1"

Granted = Literal["granted", "moved", "already", "admin"]
Redeemed = Literal["granted", "moved", "already", "admin", "gone"]


async def make_kader(
    session: AsyncSession,
    member: Member,
    kampung_id: int,
    *,
    actor_member_id: int | None,
    via: str,
    ref: int | None = None,
) -> Granted:
    """Make her the kader of this kampung ("moved": she was the kader of another one).
    An admin stays an admin."""
    if member.role == "admin":
        return "admin"
    if member.role == "kader" and member.kampung_id == kampung_id:
        return "already"
    outcome: Granted = "moved" if member.role == "kader" else "granted"
    detail: dict[str, object] = {"role": "kader", "kampung_id": kampung_id, "via": via}
    if ref is not None:
        detail["ref"] = ref
    if member.kampung_id not in (None, kampung_id):
        detail["previous_kampung_id"] = member.kampung_id
    member.role = "kader"
    member.kampung_id = kampung_id
    # A request of hers still waiting is answered by this grant (an invitation came first).
    await session.execute(
        update(KaderRequest)
        .where(KaderRequest.member_id == member.id, KaderRequest.status == "pending")
        .values(status="withdrawn", decided_at=utcnow(), decided_by_member_id=actor_member_id)
        .execution_options(synchronize_session=False)
    )
    await audit(
        session, actor=actor_of(actor_member_id), actor_member_id=actor_member_id,
        action="role.grant", object_type="member", object_id=member.id, detail=detail,
    )  # fmt: skip
    return outcome


@dataclass(frozen=True)
class Redemption:
    outcome: Redeemed
    member: Member | None


async def redeem_invite(
    session: AsyncSession,
    code: OneTimeCode,
    identity: ChannelIdentity,
    member: Member | None,
    *,
    now: datetime,
    language: str,
) -> Redemption:
    """The chat's member becomes the kader the invitation names. A chat with nobody yet
    gets a staff member with the invitation's name and kampung, once she has agreed to
    the kader privacy note in the chat (recorded in the audit log); like an admin made
    with `admin add` she is not registered as a mother (no RT/RW, no consent of the
    mothers' registration), and removing her role later erases her. The code is spent
    only when the role changes: an admin, or the kader of that kampung already, keeps it
    unused."""
    invite = Invite.of(code)
    if member is not None and member.role == "admin":
        return Redemption("admin", member)
    if member is not None and member.role == "kader" and member.kampung_id == invite.kampung_id:
        return Redemption("already", member)
    place = await session.get(Location, invite.kampung_id)
    if place is None or not place.active or not await use_code(session, code, identity.id, now):
        return Redemption("gone", member)
    if member is None:
        member = Member(
            full_name=invite.name,
            role="ibu",
            kampung_id=invite.kampung_id,
            language=language,
            last_active_at=now,
        )
        session.add(member)
        await session.flush()
        session.add(IdentityMember(identity_id=identity.id, member_id=member.id))
        await audit(
            session, actor=f"{identity.channel}-identity:{identity.id}", actor_member_id=member.id,
            action="kader.privacy_accept", object_type="member", object_id=member.id,
            detail={"version": KADER_PRIVACY_VERSION, "code_id": code.id},
        )  # fmt: skip
    granted = await make_kader(
        session, member, invite.kampung_id,
        actor_member_id=code.created_by_member_id, via="invite", ref=code.id,
    )  # fmt: skip
    return Redemption(granted, member)


async def remove_kader(
    session: AsyncSession, member_id: int, *, actor_member_id: int | None, now: datetime
) -> Member | None:
    """Take the kader role away and tell her; None when she is not a kader (any more).

    A registered mother stays a mother of her kampung. A kader who never registered as
    a mother (made from an invitation) has nothing left to keep: like a removed admin,
    her member is erased and her chat is a guest again."""
    # Locked alone: FOR UPDATE cannot cover the kampung joined in with the member.
    await session.execute(select(Member.id).where(Member.id == member_id).with_for_update())
    member = await session.get(Member, member_id, populate_existing=True)
    if member is None or member.erased or member.role != "kader":
        return None
    staff_only = member.consent_at is None
    member.role = "ibu"
    await audit(
        session, actor=actor_of(actor_member_id), actor_member_id=actor_member_id,
        action="role.revoke", object_type="member", object_id=member.id,
        detail={"role": "kader", "kampung_id": member.kampung_id, "erased": staff_only},
    )  # fmt: skip
    await notify_member(
        session, member, KIND_REMOVED, member.kampung_id,
        f"kader_removed:m{member.id}:{stamp(now)}", now, about_her=not staff_only,
    )  # fmt: skip
    if staff_only:
        member.full_name = None
        member.erased_at = now
        await session.execute(delete(IdentityMember).where(IdentityMember.member_id == member.id))
    return member


async def list_kader(session: AsyncSession, kampung_id: int | None = None) -> list[Member]:
    """Kader (of one kampung, or all), by kampung then name."""
    stmt = select(Member).where(Member.role == "kader", Member.erased_at.is_(None))
    if kampung_id is not None:
        stmt = stmt.where(Member.kampung_id == kampung_id)
    found = list((await session.scalars(stmt)).unique())
    return sorted(found, key=lambda m: (m.kampung_id or 0, (m.full_name or "").casefold(), m.id))


async def kader_since(session: AsyncSession, member_id: int) -> datetime | None:
    """When she last became a kader (from the audit log)."""
    rows = await session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.action == "role.grant",
            AuditEntry.object_type == "member",
            AuditEntry.object_id == str(member_id),
        )
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    return next((r.at for r in rows if (r.detail or {}).get("role") == "kader"), None)


async def chats_of(session: AsyncSession, member_id: int, channel: str) -> list[str]:
    """Her chats on one channel (to refresh their command menus after a role change)."""
    rows = await session.scalars(
        select(ChannelIdentity.external_id)
        .join(IdentityMember, IdentityMember.identity_id == ChannelIdentity.id)
        .where(IdentityMember.member_id == member_id, ChannelIdentity.channel == channel)
    )
    return list(rows)
