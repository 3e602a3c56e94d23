"""One-time codes: kader invitations, linking an imported member to a chat, and the like.

A code works once, until it expires, unless revoked. Whoever redeems one (a deep link's
`/start <code>` or a typed "kode <code>") is limited per chat: wrong codes are counted on
the chat identity, and after `AttemptLimit.attempts` of them within the window no code is
looked up at all until the window has passed, so invitation codes cannot be guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, Literal

from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, changed, utcnow

if TYPE_CHECKING:
    from models.people.tables import ChannelIdentity

CodeState = Literal["usable", "used", "expired", "revoked"]
MAX_CODE: Final = 64


class OneTimeCode(Base):
    __tablename__ = "one_time_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(24), index=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    target: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_identity_id: Mapped[int | None] = mapped_column(
        ForeignKey("channel_identities.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and self.revoked_at is None and self.expires_at > now

    def state(self, now: datetime) -> CodeState:
        """Why it can (not) be used; revoked and used say more than expired."""
        if self.revoked_at is not None:
            return "revoked"
        if self.used_at is not None:
            return "used"
        return "expired" if self.expires_at <= now else "usable"


async def find_code(session: AsyncSession, code: str) -> OneTimeCode | None:
    """The code as given, else in capitals: typed codes are read case-insensitively
    ("kode ab7kq2mx"), codes made to be typed are stored in capitals."""
    if not code or len(code) > MAX_CODE:
        return None
    found = await session.scalar(select(OneTimeCode).where(OneTimeCode.code == code))
    if found is None and code.upper() != code:
        found = await session.scalar(select(OneTimeCode).where(OneTimeCode.code == code.upper()))
    return found


async def use_code(
    session: AsyncSession, code: OneTimeCode, identity_id: int | None, now: datetime
) -> bool:
    """Mark the code used, decided in the database: of two chats redeeming it at once,
    exactly one gets True."""
    result = await session.execute(
        update(OneTimeCode)
        .where(
            OneTimeCode.id == code.id,
            OneTimeCode.used_at.is_(None),
            OneTimeCode.revoked_at.is_(None),
            OneTimeCode.expires_at > now,
        )
        .values(used_at=now, used_by_identity_id=identity_id)
        .execution_options(synchronize_session=False)
    )
    # Read back either way: a chat that lost the race is told how the code stands now.
    await session.refresh(code)
    return changed(result) == 1


@dataclass(frozen=True)
class AttemptLimit:
    """Wrong codes one chat may try within `window` (CODE_ATTEMPTS,
    CODE_ATTEMPT_WINDOW_MINUTES)."""

    attempts: int = 5
    window: timedelta = timedelta(minutes=60)


def codes_refused(identity: ChannelIdentity, now: datetime, limit: AttemptLimit) -> bool:
    """Whether this chat has used up its wrong attempts; a window that has passed starts
    afresh."""
    since = identity.code_failures_since
    if since is not None and now - since >= limit.window:
        identity.code_failures = 0
        identity.code_failures_since = None
    return identity.code_failures >= limit.attempts


def note_wrong_code(identity: ChannelIdentity, now: datetime) -> None:
    """One more wrong code from this chat (the window starts at the first)."""
    if identity.code_failures_since is None or identity.code_failures == 0:
        identity.code_failures_since = now
    identity.code_failures = (identity.code_failures or 0) + 1
