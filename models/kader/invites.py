"""Kader invitations: one-time codes (purpose ``kader_invite``) an admin makes for a named
woman of one kampung. A code works once, expires after KADER_INVITE_DAYS and can be
revoked; making and revoking one is written to the audit log.

Codes are made to be typed on a cheap phone as well as opened as a link: eight capitals
and digits without the look-alikes (0/O, 1/I/L), about 8.5·10^11 of them, against a
few wrong tries an hour per chat (`models.codes.AttemptLimit`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.audit import audit
from models.codes import OneTimeCode
from models.location import Location
from models.people.rules import check_name

INVITE_PURPOSE: Final = "kader_invite"
ALPHABET: Final = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH: Final = 8


class InviteInvalid(ValueError):
    """The invitation cannot be made as asked (the message says why, in English)."""


@dataclass(frozen=True)
class Invite:
    """What an invitation names: the woman (as the admin wrote her name) and her kampung."""

    code: OneTimeCode
    name: str
    kampung_id: int

    @classmethod
    def of(cls, code: OneTimeCode) -> Invite:
        target = code.target or {}
        return cls(code, str(target.get("name") or ""), int(target.get("kampung_id") or 0))


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def actor_of(member_id: int | None) -> str:
    """How the audit log names who acted: an admin in chat, or the command line."""
    return f"member:{member_id}" if member_id is not None else "cli"


async def create_invite(
    session: AsyncSession,
    *,
    name: str,
    kampung_id: int,
    now: datetime,
    days: int,
    actor_member_id: int | None = None,
) -> Invite:
    """A new invitation, valid `days` days from `now`."""
    checked = check_name(name)
    if checked.error or checked.value is None:
        raise InviteInvalid(f"the name is not usable ({checked.error})")
    place = await session.get(Location, kampung_id)
    if place is None or place.level != "kampung" or not place.active:
        raise InviteInvalid("no such kampung")
    if days < 1:
        raise InviteInvalid("an invitation must be valid at least one day")
    code = new_code()
    while await session.scalar(select(OneTimeCode.id).where(OneTimeCode.code == code)):
        code = new_code()  # drawn before (about once in 10^11): draw again
    row = OneTimeCode(
        purpose=INVITE_PURPOSE,
        code=code,
        target={"name": checked.value, "kampung_id": place.id},
        created_by_member_id=actor_member_id,
        expires_at=now + timedelta(days=days),
        created_at=now,
    )
    session.add(row)
    await session.flush()
    await audit(
        session, actor=actor_of(actor_member_id), actor_member_id=actor_member_id,
        action="kader.invite", object_type="code", object_id=row.id,
        detail={"kampung_id": place.id},
    )  # fmt: skip
    return Invite.of(row)


async def find_invite(session: AsyncSession, code: str) -> OneTimeCode | None:
    text = code.strip().upper()
    if not text or len(text) > 64:
        return None
    return await session.scalar(
        select(OneTimeCode).where(OneTimeCode.code == text, OneTimeCode.purpose == INVITE_PURPOSE)
    )


async def revoke_invite(
    session: AsyncSession, code: str, *, now: datetime, actor_member_id: int | None = None
) -> OneTimeCode | None:
    """Revoke an unused invitation; None when there is no such invitation. A used or
    already revoked one is returned unchanged (the caller says so)."""
    row = await find_invite(session, code)
    if row is None or row.used_at is not None or row.revoked_at is not None:
        return row
    row.revoked_at = now
    await audit(
        session, actor=actor_of(actor_member_id), actor_member_id=actor_member_id,
        action="kader.invite_revoke", object_type="code", object_id=row.id,
    )  # fmt: skip
    return row


async def open_invites(session: AsyncSession, now: datetime) -> list[Invite]:
    """Invitations not used, not revoked and not expired, newest first."""
    rows = await session.scalars(
        select(OneTimeCode)
        .where(
            OneTimeCode.purpose == INVITE_PURPOSE,
            OneTimeCode.used_at.is_(None),
            OneTimeCode.revoked_at.is_(None),
            OneTimeCode.expires_at > now,
        )
        .order_by(OneTimeCode.created_at.desc(), OneTimeCode.id.desc())
    )
    return [Invite.of(r) for r in rows]
