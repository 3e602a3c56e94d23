"""What an export covers and who asked for it: the span of days and the kampung (`Scope`),
the kampung named on the command line, file names, and the audit row every export writes.

Scope is decided by the caller from the role: an admin (or the command line) may export
every kampung; a kader gets a scope fixed to her own kampung, never one she names.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from models.audit import audit
from models.location import Location, active_kampung
from models.member_import.columns import place_key

KINDS: Final = ("members", "kegiatan", "laporan", "deliveries", "penilaian", "rekap")
# Shown in file names and sheet titles (the files are for Indonesian offices).
FILE_WORDS: Final = {
    "members": "anggota",
    "kegiatan": "kegiatan",
    "laporan": "laporan",
    "deliveries": "pengiriman",
    "penilaian": "bahan-penilaian",
    "rekap": "rekap",
}


@dataclass(frozen=True)
class Scope:
    """Days `since`..`until` (local, both included; None: open) and one kampung (None: all).
    `drafts`: kegiatan not yet published are listed (admins only)."""

    tz: ZoneInfo
    since: date | None = None
    until: date | None = None
    kampung_id: int | None = None
    drafts: bool = True
    # Only kegiatan that started by then (the assessment counts what took place).
    started_by: datetime | None = None

    def start(self) -> datetime | None:
        return _midnight(self.since, self.tz) if self.since else None

    def end(self) -> datetime | None:
        """The first moment after the span (midnight after `until`)."""
        return _midnight(self.until + timedelta(days=1), self.tz) if self.until else None

    def moments(self, column: InstrumentedAttribute[datetime]) -> list[ColumnElement[bool]]:
        """Conditions keeping a timestamp column inside the span."""
        where: list[ColumnElement[bool]] = []
        start, end = self.start(), self.end()
        if start is not None:
            where.append(column >= start)
        if end is not None:
            where.append(column < end)
        return where

    def days(self, column: InstrumentedAttribute[date | None]) -> list[ColumnElement[bool]]:
        """Conditions keeping a date column inside the span."""
        where: list[ColumnElement[bool]] = []
        if self.since is not None:
            where.append(column >= self.since)
        if self.until is not None:
            where.append(column <= self.until)
        return where

    def detail(self) -> dict[str, Any]:
        """For the audit row: ids and dates only."""
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "kampung_id": self.kampung_id,
        }


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=tz)


async def kampung_named(session: AsyncSession, name: str) -> list[Location]:
    """The active kampung a typed name means (none, one, or several with that name)."""
    key = place_key(name)
    return [place for place in await active_kampung(session) if place_key(place.name) == key]


def slug(text: str, most: int = 40) -> str:
    """ "Penyuluhan Gizi: Balita!" -> "penyuluhan-gizi-balita" (ASCII, for file names)."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = plain.encode("ascii", "ignore").decode("ascii")
    words = re.sub(r"[^a-z0-9]+", " ", plain).split()
    out = "-".join(words)[:most].strip("-")
    return out or "tanpa-judul"


def file_name(kind: str, suffix: str, today: date, place: str | None = None) -> str:
    """ "kegiatan_sumberan_2026-12-01.xlsx" """
    parts = [FILE_WORDS.get(kind, kind), *([slug(place)] if place else []), today.isoformat()]
    return "_".join(parts) + suffix


async def record_export(
    session: AsyncSession,
    kind: str,
    scope: Scope,
    *,
    actor: str,
    actor_member_id: int | None = None,
    **detail: Any,
) -> None:
    """Every export is in the audit log: who, what (kind, span, kampung, counts), when."""
    await audit(
        session,
        actor=actor,
        actor_member_id=actor_member_id,
        action=f"export.{kind}",
        object_type="export",
        object_id=scope.kampung_id,
        detail={"kind": kind, **scope.detail(), **detail},
    )
