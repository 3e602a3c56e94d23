"""Kegiatan (activities run by an OPD for the KK binaan), their sasaran and the sign-ups.

Tables and the pure rules on them. The operations live next door: `models.kegiatan.admin`
(create, publish, edit, cancel), `models.kegiatan.signups` (sign up, cancel, waiting list),
`models.kegiatan.queries` (lists for the chat) and `models.kegiatan.notices` (outbox rows).

`kegiatan.registered_count` is the seat counter. It is only ever changed by conditional
UPDATEs inside the transaction that changes a sign-up, so the database decides who gets the
last seat; the CHECK constraints are the last line of defence if a code path ever forgets.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, Literal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Select,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, check_in, utcnow

# Short ASCII codes stored in the database -> the Indonesian name used in files and the .ics.
JENIS: Final[dict[str, str]] = {
    "pembinaan": "Pembinaan",
    "penyuluhan": "Penyuluhan",
    "sosialisasi": "Sosialisasi",
    "pelatihan": "Pelatihan",
    "bintek": "Bimbingan teknis (bintek)",
    "pelayanan": "Pelayanan",
    "pembentukan_kelompok": "Pembentukan kelompok kegiatan",
    "infrastruktur": "Pembangunan infrastruktur",
}
KEGIATAN_STATUSES: Final = ("draft", "open", "closed", "cancelled", "done")
SIGNUP_STATUSES: Final = ("registered", "waiting", "cancelled")
ACTIVE_SIGNUP: Final = ("registered", "waiting")

MAX_JUDUL = 120
MAX_OPD = 120
MAX_NARASUMBER = 120
MAX_TEMPAT = 160
MAX_DESCRIPTION = 2000

KegiatanStatus = Literal["draft", "open", "closed", "cancelled", "done"]
SignupStatus = Literal["registered", "waiting", "cancelled"]


class Kegiatan(Base):
    __tablename__ = "kegiatan"
    __table_args__ = (
        CheckConstraint(check_in("jenis", tuple(JENIS)), name="jenis_known"),
        CheckConstraint(check_in("status", KEGIATAN_STATUSES), name="status_known"),
        CheckConstraint("kuota IS NULL OR kuota > 0", name="kuota_positive"),
        CheckConstraint("registered_count >= 0", name="registered_not_negative"),
        CheckConstraint(
            "kuota IS NULL OR registered_count <= kuota", name="registered_within_kuota"
        ),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_kegiatan_status_starts", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jenis: Mapped[str] = mapped_column(String(24))
    judul: Mapped[str] = mapped_column(String(MAX_JUDUL))
    opd: Mapped[str] = mapped_column(String(MAX_OPD))
    narasumber: Mapped[str | None] = mapped_column(String(MAX_NARASUMBER))
    tempat: Mapped[str] = mapped_column(String(MAX_TEMPAT))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    kuota: Mapped[int | None]  # None: no limit
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="draft")
    registered_count: Mapped[int] = mapped_column(default=0)
    created_by_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    # Bumped by every admin change; change notices carry it in their idempotency key.
    version: Mapped[int] = mapped_column(default=1)


class KegiatanTarget(Base):
    """Sasaran: the kampung a kegiatan is for. No rows means every kampung."""

    __tablename__ = "kegiatan_targets"

    kegiatan_id: Mapped[int] = mapped_column(
        ForeignKey("kegiatan.id", ondelete="CASCADE"), primary_key=True
    )
    # No cascade from locations: a vanished target must not turn into "all kampung".
    kampung_id: Mapped[int] = mapped_column(
        ForeignKey("locations.id"), primary_key=True, index=True
    )


class Signup(Base):
    """One member's place on one kegiatan; the row is reused if she signs up again."""

    __tablename__ = "signups"
    __table_args__ = (
        UniqueConstraint("kegiatan_id", "member_id", name="uq_signups_kegiatan_member"),
        CheckConstraint(check_in("status", SIGNUP_STATUSES), name="status_known"),
        Index("ix_signups_kegiatan_status_queue", "kegiatan_id", "status", "queued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kegiatan_id: Mapped[int] = mapped_column(ForeignKey("kegiatan.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    # When she last joined (registered or waiting): the waiting list is ordered by it.
    queued_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
    promoted_at: Mapped[datetime | None]


# --- pure rules ------------------------------------------------------------------------


@dataclass(frozen=True)
class KegiatanDraft:
    """What an admin (wizard or import) gives to create a kegiatan; times are aware."""

    jenis: str
    judul: str
    opd: str
    tempat: str
    starts_at: datetime
    ends_at: datetime
    kuota: int | None = None
    narasumber: str | None = None
    description: str = ""
    sasaran: tuple[int, ...] = field(default=())  # kampung ids; empty = all kampung


class KegiatanInvalid(ValueError):
    """A draft breaks a rule; `problems` holds the codes of `validate_draft`."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__(", ".join(problems))
        self.problems = tuple(problems)


def validate_draft(draft: KegiatanDraft, now: datetime) -> list[str]:
    """Every rule the draft breaks, as short codes, so a form or a file can list them all:
    unknown_jenis, empty_<field>, <field>_too_long, naive_time, in_past, ends_before_start,
    bad_kuota."""
    problems: list[str] = []
    if draft.jenis not in JENIS:
        problems.append("unknown_jenis")
    texts = {
        "judul": (draft.judul, MAX_JUDUL, True),
        "opd": (draft.opd, MAX_OPD, True),
        "tempat": (draft.tempat, MAX_TEMPAT, True),
        "narasumber": (draft.narasumber or "", MAX_NARASUMBER, False),
        "description": (draft.description, MAX_DESCRIPTION, False),
    }
    for name, (value, limit, required) in texts.items():
        if required and not value.strip():
            problems.append(f"empty_{name}")
        elif len(value.strip()) > limit:
            problems.append(f"{name}_too_long")
    problems.extend(time_problems(draft.starts_at, draft.ends_at, now))
    if not kuota_ok(draft.kuota):
        problems.append("bad_kuota")
    return problems


def time_problems(starts_at: datetime, ends_at: datetime, now: datetime) -> list[str]:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        return ["naive_time"]
    problems: list[str] = []
    if starts_at < now:
        problems.append("in_past")
    if ends_at <= starts_at:
        problems.append("ends_before_start")
    return problems


def kuota_ok(kuota: int | None) -> bool:
    # bool is an int in Python; a True quota is a bug in the caller, not a quota of 1.
    return kuota is None or (isinstance(kuota, int) and not isinstance(kuota, bool) and kuota > 0)


def seats_left(kegiatan: Kegiatan) -> int | None:
    """Free seats as of the row's last load; None when the kegiatan has no quota."""
    if kegiatan.kuota is None:
        return None
    return max(0, kegiatan.kuota - kegiatan.registered_count)


def has_ended(kegiatan: Kegiatan, now: datetime) -> bool:
    return kegiatan.ends_at <= now


_JENIS_WORDS: Final[dict[str, str]] = {
    **{code.replace("_", " "): code for code in JENIS},
    **{name.casefold(): code for code, name in JENIS.items()},
    "bimtek": "bintek",
    "bimbingan teknis": "bintek",
    "pembentukan kelompok kegiatan": "pembentukan_kelompok",
    "pembangunan infrastruktur": "infrastruktur",
}


def participant_ids(kegiatan_id: int, *, include_waiting: bool = False) -> Select[int]:
    """Member ids taking part, for composing an audience (`Member.id.in_(...)`): the
    broadcast audience "participants of a kegiatan"."""
    statuses = ACTIVE_SIGNUP if include_waiting else ("registered",)
    return select(Signup.member_id).where(
        Signup.kegiatan_id == kegiatan_id, Signup.status.in_(statuses)
    )


def jenis_from_text(text: str) -> str | None:
    """The jenis code for a typed or imported name ("Pelatihan", "bimtek", "pembentukan
    kelompok kegiatan"), or None when it is not one of the eight."""
    words = " ".join(re.sub(r"[_\-/]", " ", text).casefold().split())
    return _JENIS_WORDS.get(words)
