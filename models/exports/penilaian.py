"""Bahan penilaian (the assessment pack): one workbook for the Tim Penilai.

Sheets: the kegiatan recapped per jenis, per OPD, per kampung and per month (kegiatan
held, seats taken, people present, walk-ins, reports and the women and men they count),
the daftar hadir of every kegiatan, the reports, and the members per kampung and role.
Kegiatan counted are those published, not cancelled and started by the time of the
export (what took place; `Scope.started_by`); a kegiatan for every kampung
counts once for each kampung in the per-kampung sheet. Each recap ends with a total row.
The photos of the reports go in a ZIP beside it (`models.exports.photos`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Final

from babel.dates import format_date
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.exports.activities import (
    HELD,
    PESERTA_HEADER,
    Taking,
    counts_of,
    kegiatan_of,
    peserta_rows,
    place_names,
    takings_of,
    targets_of,
)
from models.exports.laporan import PhotoFile, laporan_sheet
from models.exports.people import BINAAN_ROLES
from models.exports.scope import Scope
from models.kegiatan.tables import JENIS, Kegiatan
from models.location import active_kampung
from models.people.tables import Member
from models.reports.tables import Report
from models.sheets import Table, Value

RECAP_COLUMNS: Final = (
    "kegiatan", "terdaftar", "hadir", "datang langsung", "laporan",
    "peserta perempuan (laporan)", "peserta laki-laki (laporan)",
)  # fmt: skip
TOTAL: Final = "Jumlah"


@dataclass
class Recap:
    """One row of a recap sheet."""

    kegiatan: int = 0
    registered: int = 0
    present: int = 0
    walk_ins: int = 0
    reports: int = 0
    women: int = 0
    men: int = 0

    def add_takings(self, takings: Iterable[Taking]) -> None:
        c = counts_of(list(takings))
        self.registered += c.registered
        self.present += c.present
        self.walk_ins += c.walk_ins

    def add_report(self, report: Report) -> None:
        self.reports += 1
        self.women += report.women or 0
        self.men += report.men or 0

    def numbers(self) -> list[int]:
        return [self.kegiatan, self.registered, self.present, self.walk_ins, self.reports,
                self.women, self.men]  # fmt: skip


@dataclass
class Pack:
    tables: list[Table]
    photos: list[PhotoFile]
    counts: dict[str, int] = field(default_factory=dict)


def month_label(day: date) -> str:
    return format_date(day, "LLLL yyyy", locale="id")


def _sheet(title: str, first: str, groups: dict[str, Recap], order: Sequence[str]) -> Table:
    numbers = [groups[key].numbers() for key in order]
    total = [sum(column) for column in zip(*numbers, strict=True)] or Recap().numbers()
    rows: list[list[Value]] = [[key, *n] for key, n in zip(order, numbers, strict=True)]
    rows.append([TOTAL, *total])
    return Table(title, (first, *RECAP_COLUMNS), rows)


def _grouped(
    found: Sequence[Kegiatan],
    per: dict[int, list[Taking]],
    reports: Sequence[Report],
    kegiatan_key: Callable[[Kegiatan], str],
    report_key: Callable[[Report], str | None],
    groups: dict[str, Recap] | None = None,
) -> dict[str, Recap]:
    out: dict[str, Recap] = groups if groups is not None else {}
    for k in found:
        recap = out.setdefault(kegiatan_key(k), Recap())
        recap.kegiatan += 1
        recap.add_takings(per.get(k.id, []))
    for r in reports:
        key = report_key(r)
        if key is not None:
            out.setdefault(key, Recap()).add_report(r)
    return out


def _opd_key(names: dict[str, str]) -> Callable[[str | None], str]:
    """One row per OPD whatever its case and spacing, named as first written."""

    def key(opd: str | None) -> str:
        shown = " ".join((opd or "-").split())
        return names.setdefault(shown.casefold(), shown)

    return key


async def member_counts(session: AsyncSession, scope: Scope) -> Table:
    where: list[ColumnElement[bool]] = [
        Member.erased_at.is_(None),
        Member.role.in_(BINAAN_ROLES),
    ]
    if scope.kampung_id is not None:
        where.append(Member.kampung_id == scope.kampung_id)
    rows = await session.execute(
        select(Member.kampung_id, Member.role, func.count())
        .where(*where)
        .group_by(Member.kampung_id, Member.role)
    )
    counts: dict[int | None, Counter[str]] = {}
    for kampung_id, role, count in rows:
        counts.setdefault(kampung_id, Counter())[str(role)] += int(count)
    places = await place_names(session)
    order = sorted(counts, key=lambda i: (i is None, places.get(i or 0, "")))
    out: list[list[Value]] = []
    total = Counter[str]()
    for kampung_id in order:
        c = counts[kampung_id]
        total.update(c)
        out.append([places.get(kampung_id or 0, "-"), c["ibu"], c["kader"], c["ibu"] + c["kader"]])
    out.append([TOTAL, total["ibu"], total["kader"], total["ibu"] + total["kader"]])
    return Table("Anggota", ("kampung", "ibu", "kader", "jumlah"), out)


async def penilaian_pack(session: AsyncSession, scope: Scope) -> Pack:
    found = await kegiatan_of(session, scope, HELD)
    takings = await takings_of(session, scope, HELD)
    sent = await laporan_sheet(session, scope)
    reports, photos = sent.reports, sent.photos
    places = await place_names(session)
    per: dict[int, list[Taking]] = {}
    for t in takings:
        per.setdefault(t.kegiatan_id, []).append(t)

    by_jenis = _grouped(
        found, per, reports, lambda k: JENIS.get(k.jenis, k.jenis),
        lambda r: JENIS.get(r.jenis or "", r.jenis or "-"),
        {name: Recap() for name in JENIS.values()},
    )  # fmt: skip
    opd_names: dict[str, str] = {}
    opd = _opd_key(opd_names)
    by_opd = _grouped(found, per, reports, lambda k: opd(k.opd), lambda r: opd(r.opd))

    months: dict[date, Recap] = {}
    for k in found:
        local = k.starts_at.astimezone(scope.tz).date().replace(day=1)
        recap = months.setdefault(local, Recap())
        recap.kegiatan += 1
        recap.add_takings(per.get(k.id, []))
    for r in reports:
        if r.held_on is not None:
            months.setdefault(r.held_on.replace(day=1), Recap()).add_report(r)
    by_month = {month_label(m): months[m] for m in sorted(months)}

    kampung = [p for p in await active_kampung(session)
               if scope.kampung_id is None or p.id == scope.kampung_id]  # fmt: skip
    targets = await targets_of(session, [k.id for k in found])
    by_kampung: dict[str, Recap] = {}
    for place in kampung:
        recap = by_kampung.setdefault(place.name, Recap())
        for k in found:
            aimed = targets.get(k.id)
            if not aimed or place.id in aimed:
                recap.kegiatan += 1
        recap.add_takings(t for t in takings if t.kampung_id == place.id)
        for r in reports:
            if r.kampung_id == place.id:
                recap.add_report(r)

    hadir = Table("Daftar hadir", PESERTA_HEADER, peserta_rows(found, takings, places))
    tables = [
        _sheet("Rekap jenis", "jenis", by_jenis, list(by_jenis)),
        _sheet("Rekap OPD", "OPD", by_opd, sorted(by_opd, key=str.casefold)),
        _sheet("Rekap kampung", "kampung", by_kampung, list(by_kampung)),
        _sheet("Rekap bulan", "bulan", by_month, list(by_month)),
        hadir,
        sent.table,
        await member_counts(session, scope),
    ]
    counts = {"kegiatan": len(found), "laporan": len(reports), "foto": len(photos)}
    return Pack(tables, photos, counts)
