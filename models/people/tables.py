"""Members (people in the programme) and the channel identities (chats) that reach them.

A chat is not a person: one shared phone may act for several mothers of a household,
and one mother may write from Telegram and WhatsApp. Whether a chat blocked the bot or
silenced announcements therefore lives on the identity, not on the member.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow
from models.location import Location

ROLES = ("ibu", "kader", "admin")


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (CheckConstraint("role IN ('ibu', 'kader', 'admin')", name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Personal fields are nullable: erasure clears them and keeps the anonymous row for counts.
    full_name: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(8), default="ibu", index=True)
    kampung_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    rt: Mapped[int | None]
    rw: Mapped[int | None]
    dasa_wisma: Mapped[str | None] = mapped_column(String(60))
    phone_e164: Mapped[str | None] = mapped_column(String(20), index=True)
    phone_verified: Mapped[bool] = mapped_column(default=False)
    language: Mapped[str] = mapped_column(String(5), default="id")
    consent_at: Mapped[datetime | None]
    consent_version: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    last_active_at: Mapped[datetime | None]
    erased_at: Mapped[datetime | None]
    # A mother with no chat of her own, registered by her kader: her notices go to the
    # kader's chat, naming her. She is not a member of the kader's chat (not a shared phone).
    reached_via_kader_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    # "chat" (she agreed in the chat) or "spoken" (she told her kader, who recorded it).
    consent_method: Mapped[str | None] = mapped_column(String(8))
    registered_by_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    # Her choice under "Lainnya" > "Saluran": proactive messages go to her chat on this
    # channel while she has a reachable one there; None: to the chat she used last.
    preferred_channel: Mapped[str | None] = mapped_column(String(16))
    # "Selalu kirim suara": her messages also come as voice notes (she or her kader chose).
    voice_always: Mapped[bool] = mapped_column(default=False, server_default=false())

    kampung: Mapped[Location | None] = relationship(lazy="joined", foreign_keys=[kampung_id])

    @property
    def erased(self) -> bool:
        return self.erased_at is not None


class ChannelIdentity(Base):
    __tablename__ = "channel_identities"
    __table_args__ = (
        UniqueConstraint("channel", "external_id", name="uq_channel_identities_channel_external"),
        Index("ix_channel_identities_channel_alias", "channel", "external_alias"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(5))
    unreachable: Mapped[bool] = mapped_column(default=False)
    unreachable_at: Mapped[datetime | None]
    announcements_opted_out: Mapped[bool] = mapped_column(default=False)
    opted_out_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Wrong one-time codes typed or opened from this chat, counted from the first of a
    # window, so nobody can guess invitation codes by trying many.
    code_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    code_failures_since: Mapped[datetime | None]
    # Another id of the same chat on its platform: on WhatsApp the phone's wa_id beside the
    # business-scoped user id the chat is keyed by (a message may carry either, or both).
    external_alias: Mapped[str | None] = mapped_column(String(64))
    # Her last message as the platform stamped it: WhatsApp lets free-form messages reach
    # her only within 24 hours of it (after that, approved templates only).
    last_inbound_at: Mapped[datetime | None]


class IdentityMember(Base):
    """Which members a chat may act for (a shared household phone has several)."""

    __tablename__ = "identity_members"
    __table_args__ = (Index("ix_identity_members_member", "member_id"),)

    identity_id: Mapped[int] = mapped_column(
        ForeignKey("channel_identities.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
