"""Linking a member who has no chat of her own (imported from a kelurahan's list, or
registered by her kader) to the chat she writes from, with her consent given there.

Two ways: on Telegram she shares her own contact while registering and it carries the
number on her record (`link_candidates`: several members of a household may share it; she
says which she is); on any channel she types a one-time code her kader or an admin made
for her (purpose ``member_link``, valid LINK_DAYS days; a new code replaces an unused
one). Either way the chat is linked only after she agreed to the privacy note, and it is
written to the audit log.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Final, Literal

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.audit import audit
from models.codes import OneTimeCode, use_code
from models.people.members import CONSENT_VERSION
from models.people.tables import ChannelIdentity, IdentityMember, Member

LINK_PURPOSE: Final = "member_link"
LINK_DAYS: Final = 7
LINK_ROLES: Final = ("ibu", "kader")
# Codes are typed on cheap phones: capitals and digits without look-alikes (0/O, 1/I/L).
ALPHABET: Final = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH: Final = 8
CANDIDATES: Final = 8  # members offered for one shared phone, at most

Via = Literal["contact", "code"]


class LinkRefused(ValueError):
    """No code for this member: erased, an admin, or she has a chat already."""


def _no_chat() -> object:
    return ~exists().where(IdentityMember.member_id == Member.id)


async def linkable(session: AsyncSession, member: Member | None) -> bool:
    """Whether she may still be linked: not erased, ibu or kader, and no chat of her own."""
    if member is None or member.erased or member.role not in LINK_ROLES:
        return False
    linked = await session.scalar(
        select(IdentityMember.member_id).where(IdentityMember.member_id == member.id).limit(1)
    )
    return linked is None


def may_make_code(staff: Member | None, member: Member) -> bool:
    """An admin for anyone; a kader for the mothers of her own kampung."""
    if staff is None or staff.erased or member.erased:
        return False
    if staff.role == "admin":
        return True
    return (
        staff.role == "kader"
        and member.role == "ibu"
        and staff.kampung_id is not None
        and staff.kampung_id == member.kampung_id
    )


def _new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def code_member_id(code: OneTimeCode) -> int:
    return int((code.target or {}).get("member_id") or 0)


async def create_link_code(
    session: AsyncSession,
    member: Member,
    *,
    now: datetime,
    actor_member_id: int | None = None,
    days: int = LINK_DAYS,
) -> OneTimeCode:
    """A code she types to link her chat; an earlier unused one for her is revoked."""
    if not await linkable(session, member):
        raise LinkRefused("she cannot be linked (erased, an admin, or linked already)")
    await session.execute(
        update(OneTimeCode)
        .where(
            OneTimeCode.purpose == LINK_PURPOSE,
            OneTimeCode.used_at.is_(None),
            OneTimeCode.revoked_at.is_(None),
            OneTimeCode.target["member_id"].as_integer() == member.id,
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    code = _new_code()
    while await session.scalar(select(OneTimeCode.id).where(OneTimeCode.code == code)):
        code = _new_code()  # drawn before (about once in 10^11): draw again
    row = OneTimeCode(
        purpose=LINK_PURPOSE,
        code=code,
        target={"member_id": member.id},
        created_by_member_id=actor_member_id,
        expires_at=now + timedelta(days=days),
        created_at=now,
    )
    session.add(row)
    await session.flush()
    await audit(
        session, actor=f"member:{actor_member_id}" if actor_member_id else "cli",
        actor_member_id=actor_member_id, action="member.link_code", object_type="member",
        object_id=member.id, detail={"code_id": row.id},
    )  # fmt: skip
    return row


async def link_candidates(session: AsyncSession, phone_e164: str) -> list[Member]:
    """Members with this number and no chat yet, by name (a shared phone may have several)."""
    rows = await session.scalars(
        select(Member)
        .where(
            Member.phone_e164 == phone_e164,
            Member.erased_at.is_(None),
            Member.role.in_(LINK_ROLES),
            _no_chat(),  # type: ignore[arg-type]
        )
        .order_by(Member.full_name, Member.id)
        .limit(CANDIDATES)
    )
    return list(rows.unique())


async def link_member(
    session: AsyncSession,
    member_id: int,
    identity: ChannelIdentity,
    *,
    now: datetime,
    via: Via,
    language: str,
    code: OneTimeCode | None = None,
) -> Member | None:
    """Link her to this chat with her consent given now; None when she can no longer be
    linked (another chat was first, she was erased) or the code was spent meanwhile."""
    # Locked alone: FOR UPDATE cannot cover the kampung joined in with the member.
    await session.execute(select(Member.id).where(Member.id == member_id).with_for_update())
    member = await session.get(Member, member_id, populate_existing=True)
    if member is None or not await linkable(session, member):
        return None
    if code is not None and not await use_code(session, code, identity.id, now):
        return None
    member.consent_at = now
    member.consent_version = CONSENT_VERSION
    member.consent_method = "chat"
    member.reached_via_kader_id = None  # her own chat reaches her now
    member.language = language
    member.last_active_at = now
    member.updated_at = now
    if via == "contact":
        member.phone_verified = True
    session.add(IdentityMember(identity_id=identity.id, member_id=member.id, created_at=now))
    detail: dict[str, object] = {"via": via, "consent_version": CONSENT_VERSION}
    if code is not None:
        detail["code_id"] = code.id
    await audit(
        session, actor=f"{identity.channel}-identity:{identity.id}", actor_member_id=member.id,
        action="member.link", object_type="member", object_id=member.id, detail=detail,
    )  # fmt: skip
    return member
