"""Mothers reached through their kader ("ibu binaan lewat kader"): a mother with no chat of
her own (no phone, or a shared phone with no chat app), registered by her kader with her
spoken consent.

She is not linked to the kader's chat in identity_members: the kader does not become her,
and "Ganti ibu" never lists her. Her notices go to the chat of the kader who serves her
(`kader_routes`), named. A kader serves her while not erased and still a kader of her
kampung (an admin serves any kampung). When the kader loses the role or is erased nothing
is rewritten: her mothers are then reachable by no chat (the kader's list shows them as
such) until another kader of the kampung, or an admin, takes them over (`take_over`); if
the role comes back, so does the route.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models.audit import audit
from models.base import utcnow
from models.people.members import CONSENT_VERSION, MemberDetails, kader_serves
from models.people.tables import ChannelIdentity, IdentityMember, Member

CHUNK = 500
SPOKEN = "spoken"


def in_scope(staff: Member, mother: Member) -> bool:
    """A kader sees and acts on the mothers of her own kampung; an admin on all."""
    if staff.erased or mother.erased:
        return False
    if staff.role == "admin":
        return True
    return (
        staff.role == "kader"
        and staff.kampung_id is not None
        and (staff.kampung_id == mother.kampung_id)
    )


def _served_by(kader: Any) -> ColumnElement[bool]:
    """SQL for `kader_serves`: the kader row (an alias) still serves the mother (Member)."""
    return and_(
        kader.erased_at.is_(None),
        or_(
            kader.role == "admin",
            and_(kader.role == "kader", kader.kampung_id == Member.kampung_id),
        ),
    )


async def kader_routes(session: AsyncSession, member_ids: Iterable[int]) -> dict[int, int]:
    """mother id -> the kader whose chat reaches her, for each (not erased) mother reached
    through a kader who still serves her."""
    ids = sorted(set(member_ids))
    kader = aliased(Member)
    routes: dict[int, int] = {}
    for start in range(0, len(ids), CHUNK):
        rows = await session.execute(
            select(Member.id, kader.id)
            .join(kader, kader.id == Member.reached_via_kader_id)
            .where(
                Member.id.in_(ids[start : start + CHUNK]),
                Member.erased_at.is_(None),
                _served_by(kader),
            )
        )
        routes.update({int(m): int(k) for m, k in rows})
    return routes


async def register_spoken(
    session: AsyncSession, kader: Member, details: MemberDetails, consent_at: datetime
) -> Member:
    """A mother registered by her kader: spoken consent, reached through the kader's chat,
    and no chat of her own (nothing is linked in identity_members)."""
    mother = Member(
        full_name=details.full_name,
        role="ibu",
        kampung_id=details.kampung_id,
        rt=details.rt,
        rw=details.rw,
        phone_e164=details.phone_e164,
        phone_verified=False,
        language=details.language,
        consent_at=consent_at,
        consent_version=CONSENT_VERSION,
        consent_method=SPOKEN,
        reached_via_kader_id=kader.id,
        registered_by_member_id=kader.id,
    )
    session.add(mother)
    await session.flush()
    await audit(
        session,
        actor=f"member:{kader.id}",
        actor_member_id=kader.id,
        action="member.register_by_kader",
        object_type="member",
        object_id=mother.id,
        detail={"consent": SPOKEN, "consent_version": CONSENT_VERSION},
    )
    return mother


async def acted_for(
    session: AsyncSession, kader_id: int, mother_id: int, action: str, **detail: object
) -> None:
    """Audit an action her kader did for her (sign-up, giving up a seat, confirming)."""
    await audit(
        session,
        actor=f"member:{kader_id}",
        actor_member_id=kader_id,
        action=action,
        object_type="member",
        object_id=mother_id,
        detail={"by": "kader", **detail},
    )


@dataclass(frozen=True)
class MotherLine:
    """One mother on a kader's list: how she is reached."""

    member: Member
    # Channels of her own reachable chats ("telegram", "test", …); empty: none.
    channels: tuple[str, ...]
    # Reached through a kader: that kader's id and whether the kader still serves her.
    kader_id: int | None
    kader_active: bool
    kader_name: str | None


def _mothers(kampung_id: int | None, name: str | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [Member.role == "ibu", Member.erased_at.is_(None)]
    if kampung_id is not None:
        where.append(Member.kampung_id == kampung_id)
    if name:
        escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(Member.full_name.ilike(f"%{escaped}%", escape="\\"))
    return where


async def mothers_page(
    session: AsyncSession,
    kampung_id: int | None,
    offset: int,
    limit: int,
    *,
    name: str | None = None,
) -> tuple[list[MotherLine], int]:
    """Mothers (role ibu, not erased) of a kampung (None: all), by name; and how many."""
    where = _mothers(kampung_id, name)
    total = await session.scalar(select(func.count()).select_from(Member).where(*where))
    found = list(
        await session.scalars(
            select(Member)
            .where(*where)
            .order_by(func.lower(Member.full_name), Member.id)
            .offset(offset)
            .limit(limit)
        )
    )
    return await _lines(session, found), int(total or 0)


def through_kader(mother: Member) -> bool:
    """Registered or reached through a kader (her kader row may be gone)."""
    return mother.reached_via_kader_id is not None or mother.consent_method == SPOKEN


async def mother_line(session: AsyncSession, mother: Member) -> MotherLine:
    """How one mother is reached (her detail screen)."""
    return (await _lines(session, [mother]))[0]


async def _lines(session: AsyncSession, found: list[Member]) -> list[MotherLine]:
    ids = [m.id for m in found]
    channels: dict[int, set[str]] = {}
    if ids:
        rows = await session.execute(
            select(IdentityMember.member_id, ChannelIdentity.channel)
            .join(ChannelIdentity, ChannelIdentity.id == IdentityMember.identity_id)
            .where(IdentityMember.member_id.in_(ids), ChannelIdentity.unreachable.is_(False))
        )
        for member_id, channel in rows:
            channels.setdefault(member_id, set()).add(channel)
    kader_ids = {m.reached_via_kader_id for m in found if m.reached_via_kader_id}
    kaders = {
        k.id: k for k in await session.scalars(select(Member).where(Member.id.in_(kader_ids)))
    }
    return [
        MotherLine(
            member=m,
            channels=tuple(sorted(channels.get(m.id, ()))),
            kader_id=m.reached_via_kader_id,
            kader_active=kader_serves(kaders.get(m.reached_via_kader_id or 0), m),
            kader_name=(k.full_name if (k := kaders.get(m.reached_via_kader_id or 0)) else None),
        )
        for m in found
    ]


async def unserved(session: AsyncSession, kampung_id: int | None) -> int:
    """Mothers reached through a kader who no longer serves them (lost the role, erased,
    moved): no chat reaches them until someone takes them over."""
    kader = aliased(Member)
    orphaned = or_(
        and_(Member.reached_via_kader_id.is_not(None), ~_served_by(kader)),
        and_(Member.reached_via_kader_id.is_(None), Member.consent_method == SPOKEN),
    )
    no_own_chat = ~exists().where(IdentityMember.member_id == Member.id)
    count = await session.scalar(
        select(func.count())
        .select_from(Member)
        .outerjoin(kader, kader.id == Member.reached_via_kader_id)
        .where(*_mothers(kampung_id, None), orphaned, no_own_chat)
    )
    return int(count or 0)


async def take_over(session: AsyncSession, kader: Member, mother: Member) -> bool:
    """Another kader of her kampung (or an admin) becomes her kader, when the one she had
    no longer serves her. False when that is not so (nothing changes)."""
    if not through_kader(mother) or not in_scope(kader, mother):
        return False
    old = await session.get(Member, mother.reached_via_kader_id or 0)
    if kader_serves(old, mother):
        return False
    mother.reached_via_kader_id = kader.id
    mother.updated_at = utcnow()
    await audit(
        session,
        actor=f"member:{kader.id}",
        actor_member_id=kader.id,
        action="member.kader_takeover",
        object_type="member",
        object_id=mother.id,
        detail={"from_member_id": old.id if old is not None else None},
    )
    return True


async def same_name(session: AsyncSession, kampung_id: int, name: str) -> Member | None:
    """A mother of this kampung already registered under this name (any case)."""
    return await session.scalar(
        select(Member)
        .where(
            *_mothers(kampung_id, None),
            func.lower(Member.full_name) == name.lower(),
        )
        .order_by(Member.id)
        .limit(1)
    )
