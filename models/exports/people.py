"""Members for export (admins only): the KK binaan list with the columns of the import
template first (nama, kampung, RT, RW, no HP, Dasa Wisma, peran), so an exported list
imports again as it is; then the member id, how she is reached, and since when.

Only mothers and kader: admins are staff, not KK binaan (and a file never makes one).
Erased members are not listed.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.exports.activities import place_names
from models.exports.scope import Scope
from models.member_import.columns import TEMPLATE_HEADER
from models.people.rules import format_phone
from models.people.tables import IdentityMember, Member
from models.sheets import Table, Value

MEMBERS_HEADER: Final = (*TEMPLATE_HEADER, "id anggota", "tersambung", "terdaftar")
REACHED: Final = {"chat": "chat sendiri", "kader": "lewat kader", "none": "belum tersambung"}
BINAAN_ROLES: Final = ("ibu", "kader")


async def members_table(session: AsyncSession, scope: Scope) -> Table:
    has_chat = exists().where(IdentityMember.member_id == Member.id)
    where = [
        Member.erased_at.is_(None),
        Member.role.in_(BINAAN_ROLES),
        *scope.moments(Member.created_at),
    ]
    if scope.kampung_id is not None:
        where.append(Member.kampung_id == scope.kampung_id)
    found = list(await session.execute(select(Member, has_chat).where(*where)))
    places = await place_names(session)
    found.sort(
        key=lambda row: (
            places.get(row[0].kampung_id or 0, ""),
            row[0].rt or 0,
            row[0].rw or 0,
            (row[0].full_name or "").casefold(),
            row[0].id,
        )
    )
    rows: list[list[Value]] = []
    for member, chat in found:
        reached = "chat" if chat else ("kader" if member.reached_via_kader_id else "none")
        rows.append([
            member.full_name, places.get(member.kampung_id or 0), member.rt, member.rw,
            format_phone(member.phone_e164) if member.phone_e164 else None,
            member.dasa_wisma, member.role, member.id, REACHED[reached], member.created_at,
        ])  # fmt: skip
    return Table("Anggota", MEMBERS_HEADER, rows)
