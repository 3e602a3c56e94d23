"""The pure rules of attendance: what a check-in code looks like, reading a typed one
forgivingly, and when a kegiatan's check-in window is open."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal

from models.kegiatan.tables import Kegiatan

# Letters and digits that cannot be taken for one another when read out or written on a
# board: no 0/O/Q/D, 1/I/L, 2/Z, 5/S, 6/G, 8/B, U/V.
ALPHABET: Final = "ACEFHJKMNPRTWXY3479"
CODE_LENGTH: Final = 5
# What "hadir <code>" accepts as a code at all (others are refused without a look-up).
TYPED_CODE: Final = re.compile(r"^[A-Za-z0-9]{4,6}$")
# Statuses whose kegiatan take attendance (drafts are not shown, cancelled ones did not
# take place).
TAKES_ATTENDANCE: Final = ("open", "closed", "done")

Window = Literal["before", "open", "ended", "cancelled", "not_open"]


def new_code(length: int = CODE_LENGTH) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def clean_code(typed: str) -> str | None:
    """The code as stored (capitals), or None when it cannot be one: "hadir k7wfe",
    "hadir K7W-FE" and "hadir k 7 w f e" all read K7WFE."""
    code = re.sub(r"[\s\-.]", "", typed).upper()
    return code if TYPED_CODE.fullmatch(code) else None


@dataclass(frozen=True)
class CheckinWindow:
    """Check-in is open from `before` the start until the end (CHECKIN_BEFORE_MINUTES)."""

    before: timedelta = timedelta(minutes=60)

    def opens_at(self, kegiatan: Kegiatan) -> datetime:
        return kegiatan.starts_at - self.before

    def state(self, kegiatan: Kegiatan, now: datetime) -> Window:
        if kegiatan.status == "cancelled":
            return "cancelled"
        if kegiatan.status not in TAKES_ATTENDANCE:
            return "not_open"
        if now < self.opens_at(kegiatan):
            return "before"
        if now >= kegiatan.ends_at:
            return "ended"
        return "open"

    def is_open(self, kegiatan: Kegiatan, now: datetime) -> bool:
        return self.state(kegiatan, now) == "open"

    def hand_list_open(self, kegiatan: Kegiatan, now: datetime) -> bool:
        """The daftar hadir can be filled in from the window's opening on (also after
        the end, to correct it)."""
        return self.state(kegiatan, now) in ("open", "ended")
