"""Places where the programme runs: kota > kecamatan > kelurahan > kampung.

Locations are data, not code: a new P2WKSS period elsewhere is a CSV import.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow

LEVELS = ("kota", "kecamatan", "kelurahan", "kampung")


class Location(Base):
    __tablename__ = "locations"
    __table_args__ = (
        UniqueConstraint("parent_id", "level", "name", name="uq_locations_parent_level_name"),
        CheckConstraint(
            "level IN ('kota', 'kecamatan', 'kelurahan', 'kampung')", name="level_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(80))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Location | None] = relationship(remote_side=[id], lazy="joined", join_depth=3)


SEED_FILE = Path(__file__).parent / "data" / "locations_kasemen.csv"
REQUIRED_COLUMNS = ("kecamatan", "kelurahan", "kampung")
MAX_NAME = 80


@dataclass(frozen=True)
class LocationRow:
    kota: str | None
    kecamatan: str
    kelurahan: str
    kampung: str


class LocationFileError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def parse_locations_csv(text: str) -> list[LocationRow]:
    """Read a locations CSV (kota optional; kecamatan, kelurahan, kampung required).

    Raises LocationFileError listing every bad row, so a file is imported whole or not at all.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise LocationFileError([f"missing column(s): {', '.join(missing)}"])
    reader.fieldnames = header
    rows: list[LocationRow] = []
    problems: list[str] = []
    for lineno, raw in enumerate(reader, start=2):
        values = {k: (v or "").strip() for k, v in raw.items() if k}
        if not any(values.values()):
            continue
        empty = [c for c in REQUIRED_COLUMNS if not values.get(c)]
        too_long = [c for c, v in values.items() if len(v) > MAX_NAME]
        if empty:
            problems.append(f"row {lineno}: empty {', '.join(empty)}")
        elif too_long:
            names = ", ".join(too_long)
            problems.append(f"row {lineno}: longer than {MAX_NAME} characters: {names}")
        else:
            rows.append(
                LocationRow(
                    kota=values.get("kota") or None,
                    kecamatan=values["kecamatan"],
                    kelurahan=values["kelurahan"],
                    kampung=values["kampung"],
                )
            )
    if problems:
        raise LocationFileError(problems)
    if not rows:
        raise LocationFileError(["no locations in the file"])
    return rows


async def _get_or_add(
    session: AsyncSession, level: str, name: str, parent: Location | None
) -> tuple[Location, bool]:
    parent_id = parent.id if parent else None
    found = await session.scalar(
        select(Location).where(
            Location.level == level,
            func.lower(Location.name) == name.lower(),
            Location.parent_id.is_(None) if parent_id is None else Location.parent_id == parent_id,
        )
    )
    if found is not None:
        return found, False
    loc = Location(level=level, name=name, parent_id=parent_id)
    session.add(loc)
    await session.flush()
    return loc, True


async def import_locations(session: AsyncSession, rows: list[LocationRow]) -> int:
    """Add the rows' places that are not there yet; returns how many kampung were new."""
    new_kampung = 0
    for row in rows:
        parent: Location | None = None
        if row.kota:
            parent, _ = await _get_or_add(session, "kota", row.kota, None)
        kec, _ = await _get_or_add(session, "kecamatan", row.kecamatan, parent)
        kel, _ = await _get_or_add(session, "kelurahan", row.kelurahan, kec)
        _, created = await _get_or_add(session, "kampung", row.kampung, kel)
        new_kampung += created
    return new_kampung


async def seed_default_locations(session: AsyncSession) -> int:
    """Seed Kasemen when the database has no location at all (fresh embedded default)."""
    if await session.scalar(select(func.count()).select_from(Location)):
        return 0
    return await import_locations(session, parse_locations_csv(SEED_FILE.read_text("utf-8")))


async def active_kampung(session: AsyncSession) -> list[Location]:
    """Kampung a member can choose, in a stable order (kelurahan, then kampung name)."""
    result = await session.scalars(
        select(Location).where(Location.level == "kampung", Location.active.is_(True))
    )
    places = list(result.unique())
    return sorted(places, key=lambda k: (k.parent.name if k.parent else "", k.name))
