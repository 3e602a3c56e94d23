"""Kegiatan for export: the kegiatan of a scope and everyone on their daftar hadir (seats,
the waiting list, walk-ins and names added by hand), as two sheets.

A kegiatan "of a kampung" is one for that kampung or for all kampung (as the chat shows
it); its people are then only those of that kampung, and its counts are theirs. Nobody's
phone number is in these sheets; an erased member is a line without her name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.attendance.tables import Attendance
from models.exports.scope import Scope
from models.kegiatan.queries import for_kampung
from models.kegiatan.tables import ACTIVE_SIGNUP, JENIS, Kegiatan, KegiatanTarget, Signup
from models.location import Location
from models.people.tables import Member
from models.sheets import Table, Value

KEGIATAN_STATUS: Final = {
    "draft": "draf",
    "open": "dibuka",
    "closed": "pendaftaran ditutup",
    "cancelled": "dibatalkan",
    "done": "selesai",
}
SIGNUP_STATUS: Final = {"registered": "terdaftar", "waiting": "daftar tunggu"}
METHOD: Final = {"code": "kode hadir", "hand": "dicatat kader/admin"}
ERASED_NAME: Final = "(data dihapus)"
ALL_KAMPUNG: Final = "Semua kampung"
# Kegiatan that count in recaps: published and not cancelled.
HELD: Final = ("open", "closed", "done")

KEGIATAN_HEADER: Final = (
    "id", "jenis", "judul", "OPD", "narasumber", "tempat", "sasaran", "mulai", "selesai",
    "status", "kuota", "terdaftar", "daftar tunggu", "hadir", "datang langsung", "tidak hadir",
)  # fmt: skip
PESERTA_HEADER: Final = (
    "id kegiatan", "kegiatan", "mulai", "nama", "kampung", "RT", "RW", "pendaftaran",
    "hadir", "datang langsung", "jam hadir", "dicatat lewat",
)  # fmt: skip


@dataclass(frozen=True)
class Taking:
    """One person on a kegiatan's daftar hadir."""

    kegiatan_id: int
    member_id: int | None  # None: a name added by hand
    name: str
    kampung_id: int | None
    rt: int | None
    rw: int | None
    signup: str | None  # registered | waiting | None (came without a sign-up)
    present: bool
    present_at: datetime | None
    method: str | None

    @property
    def walk_in(self) -> bool:
        return self.present and self.signup != "registered"


@dataclass(frozen=True)
class Counts:
    registered: int = 0
    waiting: int = 0
    present: int = 0
    walk_ins: int = 0

    @property
    def absent(self) -> int:
        return self.registered - (self.present - self.walk_ins)


def counts_of(takings: Sequence[Taking]) -> Counts:
    return Counts(
        registered=sum(t.signup == "registered" for t in takings),
        waiting=sum(t.signup == "waiting" for t in takings),
        present=sum(t.present for t in takings),
        walk_ins=sum(t.walk_in for t in takings),
    )


def kegiatan_where(
    scope: Scope, statuses: Sequence[str] | None = None
) -> list[ColumnElement[bool]]:
    where = scope.moments(Kegiatan.starts_at)
    if scope.kampung_id is not None:
        where.append(for_kampung(scope.kampung_id))
    if scope.started_by is not None:
        where.append(Kegiatan.starts_at <= scope.started_by)
    if statuses is not None:
        where.append(Kegiatan.status.in_(statuses))
    elif not scope.drafts:
        where.append(Kegiatan.status != "draft")
    return where


async def kegiatan_of(
    session: AsyncSession, scope: Scope, statuses: Sequence[str] | None = None
) -> list[Kegiatan]:
    found = await session.scalars(
        select(Kegiatan)
        .where(*kegiatan_where(scope, statuses))
        .order_by(Kegiatan.starts_at, Kegiatan.id)
    )
    return list(found)


async def place_names(session: AsyncSession) -> dict[int, str]:
    rows = await session.execute(select(Location.id, Location.name))
    return {int(i): str(n) for i, n in rows}


async def targets_of(session: AsyncSession, ids: Sequence[int]) -> dict[int, list[int]]:
    """kegiatan id -> its sasaran kampung ids (none: every kampung)."""
    out: dict[int, list[int]] = {}
    for start in range(0, len(ids), 500):
        rows = await session.execute(
            select(KegiatanTarget.kegiatan_id, KegiatanTarget.kampung_id).where(
                KegiatanTarget.kegiatan_id.in_(ids[start : start + 500])
            )
        )
        for kegiatan_id, kampung_id in rows:
            out.setdefault(int(kegiatan_id), []).append(int(kampung_id))
    return out


async def takings_of(
    session: AsyncSession, scope: Scope, statuses: Sequence[str] | None = None
) -> list[Taking]:
    """Everyone on the daftar hadir of the scope's kegiatan (of its kampung only, when it
    has one): seats and waiting list in the order they joined, then those who came
    without a sign-up."""
    ids = select(Kegiatan.id).where(*kegiatan_where(scope, statuses)).scalar_subquery()
    a = Attendance
    line = and_(a.kegiatan_id == Signup.kegiatan_id, a.member_id == Signup.member_id)
    where: list[ColumnElement[bool]] = [
        Signup.kegiatan_id.in_(ids),
        Signup.status.in_(ACTIVE_SIGNUP),
    ]
    if scope.kampung_id is not None:
        where.append(Member.kampung_id == scope.kampung_id)
    seated = await session.execute(
        select(Signup.kegiatan_id, Signup.status, Member, a.status, a.present_at, a.method)
        .join(Member, Member.id == Signup.member_id)
        .outerjoin(a, line)
        .where(*where)
        .order_by(Signup.kegiatan_id, Signup.status, Signup.queued_at, Signup.id)
    )
    out = [
        _taking(int(kid), member, status, astatus, at, method)
        for kid, status, member, astatus, at, method in seated
    ]
    has_seat = exists().where(
        Signup.kegiatan_id == a.kegiatan_id,
        Signup.member_id == a.member_id,
        Signup.status.in_(ACTIVE_SIGNUP),
    )
    extra: list[ColumnElement[bool]] = [a.kegiatan_id.in_(ids), ~has_seat]
    if scope.kampung_id is not None:
        extra.append(func.coalesce(Member.kampung_id, a.kampung_id) == scope.kampung_id)
    came = await session.execute(
        select(a, Member)
        .outerjoin(Member, Member.id == a.member_id)
        .where(*extra)
        .order_by(a.kegiatan_id, a.created_at, a.id)
    )
    for row, joined in came:
        member: Member | None = joined  # None for a name added by hand
        if member is None:
            out.append(
                Taking(row.kegiatan_id, None, row.name or "-", row.kampung_id, None, None, None,
                       row.status == "present", row.present_at, row.method)
            )  # fmt: skip
        else:
            out.append(
                _taking(row.kegiatan_id, member, None, row.status, row.present_at, row.method)
            )
    return out


def _taking(
    kegiatan_id: int,
    member: Member,
    signup: str | None,
    status: str | None,
    present_at: datetime | None,
    method: str | None,
) -> Taking:
    erased = member.erased
    return Taking(
        kegiatan_id=kegiatan_id,
        member_id=member.id,
        name=ERASED_NAME if erased else (member.full_name or "-"),
        kampung_id=member.kampung_id,
        rt=None if erased else member.rt,
        rw=None if erased else member.rw,
        signup=signup,
        present=status == "present",
        present_at=present_at if status == "present" else None,
        method=method if status is not None else None,
    )


def yes_no(value: bool) -> str:
    return "ya" if value else "tidak"


def sasaran_text(ids: Sequence[int], places: dict[int, str]) -> str:
    return ", ".join(sorted(places.get(i, "-") for i in ids)) if ids else ALL_KAMPUNG


def peserta_rows(
    found: Sequence[Kegiatan], takings: Sequence[Taking], places: dict[int, str]
) -> list[list[Value]]:
    by_id = {k.id: k for k in found}
    rows: list[list[Value]] = []
    for t in sorted(takings, key=lambda t: (by_id[t.kegiatan_id].starts_at, t.kegiatan_id)):
        k = by_id[t.kegiatan_id]
        rows.append([
            k.id, k.judul, k.starts_at, t.name, places.get(t.kampung_id or 0, "-"), t.rt, t.rw,
            SIGNUP_STATUS.get(t.signup or "", "-"), yes_no(t.present), yes_no(t.walk_in),
            t.present_at, METHOD.get(t.method or "", "-"),
        ])  # fmt: skip
    return rows


async def kegiatan_tables(session: AsyncSession, scope: Scope) -> tuple[Table, Table]:
    """Sheet "Kegiatan" (one row each, with the counts of the scope's people) and sheet
    "Peserta" (one row per person on a daftar hadir)."""
    found = await kegiatan_of(session, scope)
    takings = await takings_of(session, scope)
    places = await place_names(session)
    targets = await targets_of(session, [k.id for k in found])
    per: dict[int, list[Taking]] = {}
    for t in takings:
        per.setdefault(t.kegiatan_id, []).append(t)
    rows: list[list[Value]] = []
    for k in found:
        c = counts_of(per.get(k.id, []))
        rows.append([
            k.id, JENIS.get(k.jenis, k.jenis), k.judul, k.opd, k.narasumber, k.tempat,
            sasaran_text(targets.get(k.id, []), places), k.starts_at, k.ends_at,
            KEGIATAN_STATUS.get(k.status, k.status), k.kuota, c.registered, c.waiting,
            c.present, c.walk_ins, c.absent,
        ])  # fmt: skip
    return (
        Table("Kegiatan", KEGIATAN_HEADER, rows),
        Table("Peserta", PESERTA_HEADER, peserta_rows(found, takings, places)),
    )
