"""One-time links into the web console: a `web_login` one-time code naming the staff
member it signs in, valid 10 minutes, used once (by the "Masuk" POST, never by opening
the link: chat apps fetch links for previews)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.audit import audit
from models.codes import OneTimeCode, find_code, use_code
from models.people.tables import Member

PURPOSE: Final = "web_login"
VALID_FOR: Final = timedelta(minutes=10)
STAFF_ROLES: Final = frozenset({"admin", "kader"})
# Links one member, and one chat, may ask for within an hour ("Masuk web" typed again and
# again): counted per member (she may have two chats) and per chat identity (a chat may
# serve several members), like the per-chat limit on wrong codes (models/codes.py).
LINKS_PER_HOUR: Final = 5
LINK_WINDOW: Final = timedelta(hours=1)


@dataclass(frozen=True)
class LinkLimit:
    """Whether she may have another link now; if not, when she may (`next_at`) and until
    when her newest link, still unused, works (`live_until`, None if none does)."""

    next_at: datetime | None
    live_until: datetime | None = None

    @property
    def allowed(self) -> bool:
        return self.next_at is None


def is_staff(member: Member | None) -> bool:
    """Whether this member may use the console now (admin, or kader of a kampung)."""
    if member is None or member.erased or member.role not in STAFF_ROLES:
        return False
    return member.role == "admin" or member.kampung_id is not None


async def link_limit(
    session: AsyncSession, member_id: int, identity_id: int | None, now: datetime
) -> LinkLimit:
    """At most LINKS_PER_HOUR links within an hour for this member and for this chat.
    The links of the last hour are few (each member at most LINKS_PER_HOUR), so they are
    read and counted here rather than by a JSON query that SQLite and PostgreSQL spell
    differently."""
    recent = list(
        await session.scalars(
            select(OneTimeCode)
            .where(OneTimeCode.purpose == PURPOSE, OneTimeCode.created_at > now - LINK_WINDOW)
            .order_by(OneTimeCode.created_at.desc(), OneTimeCode.id.desc())
        )
    )
    mine = [c for c in recent if c.created_by_member_id == member_id]
    chat = [
        c for c in recent if identity_id is not None and c.target.get("identity_id") == identity_id
    ]
    frees = [
        made[LINKS_PER_HOUR - 1].created_at + LINK_WINDOW
        for made in (mine, chat)
        if len(made) >= LINKS_PER_HOUR
    ]
    if not frees:
        return LinkLimit(None)
    live = [c.expires_at for c in mine if c.usable(now)]
    return LinkLimit(max(frees), max(live) if live else None)


async def new_login_code(
    session: AsyncSession, member: Member, now: datetime, *, identity_id: int | None = None
) -> str | None:
    """A fresh login code for a staff member; None for anyone else (mothers have no console).
    Her older links that were not used stop working: one live link at a time. The chat
    that asked (`identity_id`) is noted, for the per-chat limit."""
    if not is_staff(member):
        return None
    await session.execute(
        update(OneTimeCode)
        .where(
            OneTimeCode.purpose == PURPOSE,
            OneTimeCode.created_by_member_id == member.id,
            OneTimeCode.used_at.is_(None),
            OneTimeCode.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    code = secrets.token_urlsafe(32)
    target: dict[str, int] = {"member_id": member.id}
    if identity_id is not None:
        target["identity_id"] = identity_id
    session.add(
        OneTimeCode(
            purpose=PURPOSE, code=code, target=target,
            created_by_member_id=member.id, expires_at=now + VALID_FOR, created_at=now,
        )
    )  # fmt: skip
    await session.flush()
    return code


async def peek_login(session: AsyncSession, code: str, now: datetime) -> bool:
    """Whether the code could sign in now (shown before the "Masuk" button; not used up)."""
    found = await find_code(session, code)
    return found is not None and found.purpose == PURPOSE and found.usable(now)


async def redeem_login(session: AsyncSession, code: str, now: datetime) -> Member | None:
    """Use the code up and return its staff member; None when it is unknown, of another
    purpose, expired, used, or its member is no longer staff."""
    found = await find_code(session, code)
    if found is None or found.purpose != PURPOSE or found.code != code:
        return None
    if not await use_code(session, found, None, now):
        return None
    member = await session.get(Member, int(found.target.get("member_id", 0)))
    if not is_staff(member):
        return None
    assert member is not None
    await audit(
        session, actor=f"member:{member.id}", actor_member_id=member.id, action="web.login",
        object_type="member", object_id=member.id,
    )  # fmt: skip
    return member
