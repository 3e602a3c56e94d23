"""Domain operations on members and chat identities: register, edit, erase, households."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.audit import audit
from models.base import insert_ignore, utcnow
from models.conversation import ConversationState
from models.people.tables import ChannelIdentity, IdentityMember, Member

CONSENT_VERSION = "2026-11-v1"


@dataclass(frozen=True)
class MemberDetails:
    full_name: str
    kampung_id: int
    rt: int
    rw: int
    phone_e164: str | None
    phone_verified: bool
    language: str


async def ensure_identity(session: AsyncSession, channel: str, external_id: str) -> int:
    """Create the identity and its state row if new, race-free; returns the identity id."""
    await session.execute(
        insert_ignore(session, ChannelIdentity, ["channel", "external_id"]).values(
            channel=channel, external_id=external_id, created_at=utcnow()
        )
    )
    identity_id = await session.scalar(
        select(ChannelIdentity.id).where(
            ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id
        )
    )
    assert identity_id is not None
    await session.execute(
        insert_ignore(session, ConversationState, ["identity_id"]).values(
            identity_id=identity_id, data={}, offered={}, version=0, updated_at=utcnow()
        )
    )
    return identity_id


_HOUSEHOLD_OF = (
    IdentityMember.identity_id == bindparam("b_identity"),
    Member.erased_at.is_(None),
)
# Built once: the menu asks on every message, and building a statement (and its cache
# key) costs more than running it.
_HOUSEHOLD = (
    select(Member)
    .join(IdentityMember, IdentityMember.member_id == Member.id)
    .where(*_HOUSEHOLD_OF)
    .order_by(IdentityMember.created_at, Member.id)
)
_HOUSEHOLD_SIZE = (
    select(func.count())
    .select_from(Member)
    .join(IdentityMember, IdentityMember.member_id == Member.id)
    .where(*_HOUSEHOLD_OF)
)


async def household(session: AsyncSession, identity_id: int) -> list[Member]:
    """The members this chat acts for, oldest first; erased members are not listed."""
    rows = await session.scalars(_HOUSEHOLD, {"b_identity": identity_id})
    return list(rows.unique())


async def household_size(session: AsyncSession, identity_id: int) -> int:
    """How many members this chat acts for (no member rows loaded: the menu's question)."""
    return int(await session.scalar(_HOUSEHOLD_SIZE, {"b_identity": identity_id}) or 0)


async def register_member(
    session: AsyncSession, identity: ChannelIdentity, details: MemberDetails, consent_at: datetime
) -> Member:
    member = Member(
        full_name=details.full_name,
        role="ibu",
        kampung_id=details.kampung_id,
        rt=details.rt,
        rw=details.rw,
        phone_e164=details.phone_e164,
        phone_verified=details.phone_verified,
        language=details.language,
        consent_at=consent_at,
        consent_version=CONSENT_VERSION,
        last_active_at=utcnow(),
    )
    session.add(member)
    await session.flush()
    session.add(IdentityMember(identity_id=identity.id, member_id=member.id))
    await audit(
        session,
        actor=f"{identity.channel}-identity:{identity.id}",
        action="member.register",
        object_type="member",
        object_id=member.id,
        actor_member_id=member.id,
    )
    return member


async def update_member(session: AsyncSession, member: Member, details: MemberDetails) -> None:
    member.full_name = details.full_name
    member.kampung_id = details.kampung_id
    member.rt, member.rw = details.rt, details.rw
    if details.phone_e164 != member.phone_e164 or details.phone_verified:
        member.phone_e164 = details.phone_e164
        member.phone_verified = details.phone_verified
    member.updated_at = utcnow()
    await audit(
        session,
        actor=f"member:{member.id}",
        action="member.update",
        object_type="member",
        object_id=member.id,
        actor_member_id=member.id,
    )


async def erase_member(session: AsyncSession, member: Member, actor: str | None = None) -> None:
    """Remove her personal data (UU PDP); keep an anonymous row so counts stay right.
    `actor` is who asked, when not she herself (her kader, for a mother without a phone)."""
    member.full_name = None
    member.rt = member.rw = None
    member.dasa_wisma = None
    member.phone_e164 = None
    member.phone_verified = False
    member.erased_at = utcnow()
    await session.execute(delete(IdentityMember).where(IdentityMember.member_id == member.id))
    await audit(
        session,
        actor=actor or f"member:{member.id}",
        action="member.erase",
        object_type="member",
        object_id=member.id,
    )


async def household_member(
    session: AsyncSession, identity_id: int, member_id: int
) -> Member | None:
    """The member, if this chat acts for her and she has not erased her data; a forged or
    old id for anyone else gives None."""
    member = await session.get(Member, member_id) if member_id else None
    if member is None or member.erased or not await belongs_to(session, identity_id, member_id):
        return None
    return member


async def belongs_to(session: AsyncSession, identity_id: int, member_id: int) -> bool:
    link = await session.get(IdentityMember, (identity_id, member_id))
    return link is not None


# -- acting for someone: her own chat, her household's chat, or her kader's chat -------------


def kader_serves(kader: Member | None, mother: Member) -> bool:
    """Whether this kader reaches the mother now: not erased, and a kader of her kampung (or
    an admin, for every kampung). A kader who lost the role serves nobody."""
    if kader is None or kader.erased or mother.erased:
        return False
    if kader.role == "admin":
        return True
    return (
        kader.role == "kader"
        and kader.kampung_id is not None
        and (kader.kampung_id == mother.kampung_id)
    )


async def acting_kader_id(session: AsyncSession, identity_id: int, member: Member) -> int | None:
    """Her kader's member id when this chat acts for her as her kader: she is reached through
    a kader who still serves her and this chat is one of that kader's. She is not a member
    of the kader's chat (the kader does not become her), so this is a separate check."""
    kader_id = member.reached_via_kader_id
    if kader_id is None or member.erased:
        return None
    kader = await session.get(Member, kader_id)
    if not kader_serves(kader, member) or not await belongs_to(session, identity_id, kader_id):
        return None
    return kader_id


async def acting_member(session: AsyncSession, identity_id: int, member_id: int) -> Member | None:
    """The member a button names, if this chat may act for her (own chat, household chat,
    or her kader's chat); a forged or old id for anyone else gives None. Switching the
    chat to her ("Ganti ibu") stays `household_member`: a kader acts for her, never as her."""
    member = await household_member(session, identity_id, member_id)
    if member is not None:
        return member
    found = await session.get(Member, member_id) if member_id else None
    if found is None or await acting_kader_id(session, identity_id, found) is None:
        return None
    return found
