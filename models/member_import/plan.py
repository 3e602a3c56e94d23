"""Importing a kelurahan's list of KK binaan: check every row, then add the new members.

`plan_import` reads the rows (from `models.sheets.read_rows`) against the database and
says what would change: the members to add, the duplicates left out, the bad rows (row
number as the spreadsheet shows it, column, reason) and the columns ignored. Nothing is
written; that is the dry run. `apply_plan` adds the members of a plan with no bad rows, or
with `skip_bad` the good ones only, in the caller's transaction.

Duplicates are the same name in the same kampung and RT, or the same name with the same
phone, whether earlier in the file or already in the database; they are reported, not
added twice. The same phone under different names is a household's shared phone: normal.
An imported member has no chat and has given no consent yet; she links her chat later
(`models.member_import.links`). A kader made by a file is written to the audit log.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.audit import audit
from models.location import active_kampung
from models.member_import.columns import (
    ADMIN_WORDS,
    DASA_WISMA_MAX,
    HEADER_NAMES,
    REQUIRED,
    ROLE_WORDS,
    SHOWN,
    SILENT,
    Number,
    name_key,
    phone_text,
    place_key,
    rt_and_rw,
    rt_or_rw,
    text,
)
from models.people.rules import check_name, check_phone
from models.people.tables import Member
from models.sheets import Cell, Header, Row, find_header, is_empty

REASONS = {
    "no_header": "no header row naming the columns nama and kampung",
    "missing_column": "missing column",
    "no_rows": "no members in the file",
    "empty": "empty",
    "name_digits": "a name has no digits",
    "name_too_long": "name too long",
    "name_no_letters": "not a name",
    "name_characters": "a name has only letters and . , ' -",
    "name_empty": "empty",
    "unknown_kampung": "unknown kampung",
    "ambiguous_kampung": "several kampung have this name",
    "bad_number": "not a number",
    "out_of_range": "must be 1 to 999",
    "phone_invalid": "not a phone number",
    "phone_not_indonesian": "not an Indonesian number",
    "phone_not_mobile": "not a mobile number",
    "too_long": "too long",
    "role_admin": "the admin role is never given by a file",
    "unknown_role": "peran is ibu or kader",
}
DUPLICATES = {
    "file_place": "same name, kampung and RT as row {row}",
    "file_phone": "same name and phone as row {row}",
    "db_place": "already registered (member {member}): same name, kampung and RT",
    "db_phone": "already registered (member {member}): same name and phone",
}


@dataclass(frozen=True)
class RowProblem:
    row: int  # as a spreadsheet numbers it; 0 for the file as a whole
    column: str | None  # as shown in messages ("no HP")
    reason: str  # a code of REASONS
    value: str = ""

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else "file"
        where += f", {self.column}" if self.column else ""
        shown = f": {self.value!r}" if self.value else ""
        return f"{where}: {REASONS.get(self.reason, self.reason)}{shown}"


@dataclass(frozen=True)
class NewMember:
    row: int
    full_name: str
    kampung_id: int
    rt: int | None
    rw: int | None
    phone: str | None
    dasa_wisma: str | None
    role: str  # "ibu" or "kader"


@dataclass(frozen=True)
class Duplicate:
    row: int
    name: str
    reason: str  # a code of DUPLICATES
    other_row: int | None = None
    member_id: int | None = None

    def __str__(self) -> str:
        why = DUPLICATES[self.reason].format(row=self.other_row, member=self.member_id)
        return f"row {self.row}: {self.name}: {why}"


@dataclass
class ImportPlan:
    header_row: int = 1
    rows: int = 0  # rows with something in them, below the header
    new: list[NewMember] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    created: list[int] = field(default_factory=list)

    @property
    def bad_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems})

    def roles(self) -> Counter[str]:
        return Counter(m.role for m in self.new)


class ImportFileError(Exception):
    """The file as a whole cannot be imported (no header, a missing column, no rows)."""

    def __init__(self, *problems: RowProblem) -> None:
        super().__init__("; ".join(map(str, problems)))
        self.problems = list(problems)


def _columns(header: Header) -> list[str | None]:
    """An "RT/RW" header merged over two columns: RT in the first, RW in the second."""
    columns = list(header.columns)
    for i, name in enumerate(columns[:-1]):
        merged = name == "rtrw" and columns[i + 1] is None and not header.texts[i + 1]
        if merged and "rt" not in columns and "rw" not in columns:
            columns[i], columns[i + 1] = "rt", "rw"
    return columns


def _header(rows: list[Row]) -> tuple[Header, list[str | None]]:
    header = find_header(rows, HEADER_NAMES, REQUIRED, silent=SILENT)
    if header is None:
        raise ImportFileError(RowProblem(0, None, "no_header"))
    columns = _columns(header)
    if "rtrw" not in columns and not {"rt", "rw"} <= set(columns):
        missing = [c for c in ("rt", "rw") if c not in columns]
        problems = (RowProblem(header.row, SHOWN[c], "missing_column") for c in missing)
        raise ImportFileError(*problems)
    return header, columns


async def _places(session: AsyncSession) -> dict[str, list[int]]:
    places: dict[str, list[int]] = {}
    for place in await active_kampung(session):
        places.setdefault(place_key(place.name), []).append(place.id)
    return places


class _Known:
    """Names already taken: (name, kampung, RT) and (name, phone) -> where."""

    def __init__(self) -> None:
        self.place: dict[tuple[str, int, int | None], tuple[int | None, int | None]] = {}
        self.phone: dict[tuple[str, str], tuple[int | None, int | None]] = {}

    def add(self, name: str, kampung: int | None, rt: int | None, phone: str | None,
            row: int | None, member: int | None) -> None:  # fmt: skip
        if kampung is not None:
            self.place.setdefault((name_key(name), kampung, rt), (row, member))
        if phone:
            self.phone.setdefault((name_key(name), phone), (row, member))

    def find(self, m: NewMember) -> tuple[str, int | None, int | None] | None:
        found = self.place.get((name_key(m.full_name), m.kampung_id, m.rt))
        if found is not None:
            return ("file_place" if found[0] is not None else "db_place", *found)
        found = self.phone.get((name_key(m.full_name), m.phone)) if m.phone else None
        if found is not None:
            return ("file_phone" if found[0] is not None else "db_phone", *found)
        return None


async def _known(session: AsyncSession) -> _Known:
    known = _Known()
    rows = await session.execute(
        select(Member.id, Member.full_name, Member.kampung_id, Member.rt, Member.phone_e164).where(
            Member.erased_at.is_(None), Member.full_name.is_not(None)
        )
    )
    for member_id, name, kampung, rt, phone in rows:
        if name is None:
            continue
        known.add(name, kampung, rt, phone, None, member_id)
    return known


async def plan_import(session: AsyncSession, rows: list[Row]) -> ImportPlan:
    """What importing these rows would change; raises ImportFileError for the file."""
    header, columns = _header(rows)
    plan = ImportPlan(header_row=header.row, ignored_columns=list(header.unknown))
    places = await _places(session)
    known = await _known(session)
    for number, cells in enumerate(rows[header.row :], start=header.row + 1):
        if is_empty(cells):
            continue
        plan.rows += 1
        values = {c: v for c, v in zip(columns, cells, strict=False) if c is not None}
        member, problems = _check_row(number, values, places)
        plan.problems += problems
        if member is None:
            continue
        dup = known.find(member)
        if dup is not None:
            reason, row, member_id = dup
            plan.duplicates.append(Duplicate(number, member.full_name, reason, row, member_id))
            continue
        known.add(member.full_name, member.kampung_id, member.rt, member.phone, number, None)
        plan.new.append(member)
    if plan.rows == 0:
        raise ImportFileError(RowProblem(0, None, "no_rows"))
    return plan


def _check_row(
    number: int, values: dict[str, Cell], places: dict[str, list[int]]
) -> tuple[NewMember | None, list[RowProblem]]:
    problems: list[RowProblem] = []

    def fail(column: str, reason: str, value: Cell = None) -> None:
        shown = text(value) if value is not None else ""
        problems.append(RowProblem(number, SHOWN[column], reason, shown[:80]))

    raw_name = text(values.get("nama"))
    name = check_name(raw_name)
    if name.error:
        fail("nama", f"name_{name.error}" if raw_name else "empty", raw_name or None)
    raw_role = text(values.get("peran")).casefold()
    role = ROLE_WORDS.get(raw_role)  # said last: the columns' order
    raw_place = text(values.get("kampung"))
    ids = places.get(place_key(raw_place), []) if raw_place else []
    if len(ids) != 1:
        reason = "empty" if not raw_place else ("ambiguous_kampung" if ids else "unknown_kampung")
        fail("kampung", reason, raw_place or None)
    rt, rw = _rt_rw(values)
    for column, got in (("rt", rt), ("rw", rw)):
        if got.error:
            fail(column, got.error, values.get(column) or values.get("rtrw"))
        elif got.value is None and role == "ibu":
            fail(column, "empty")  # a mother's RT/RW is how her kader finds her
    phone: str | None = None
    raw_phone = phone_text(values.get("hp"))
    if raw_phone:
        checked = check_phone(raw_phone)
        phone = checked.value
        if checked.error:
            fail("hp", f"phone_{checked.error}", raw_phone)
    dasa = text(values.get("dasa_wisma"))
    if len(dasa) > DASA_WISMA_MAX:
        fail("dasa_wisma", "too_long", dasa)
    if role is None:
        fail("peran", "role_admin" if raw_role in ADMIN_WORDS else "unknown_role", raw_role)
    if problems or name.value is None or role is None:
        return None, problems
    return NewMember(number, name.value, ids[0], rt.value, rw.value, phone, dasa or None, role), []


def _rt_rw(values: dict[str, Cell]) -> tuple[Number, Number]:
    pair = values.get("rtrw")
    rt_cell, rw_cell = values.get("rt"), values.get("rw")
    if pair is not None and text(pair):
        both = rt_and_rw(pair)
        return both if both is not None else (Number(error="bad_number"), Number())
    if rt_cell is not None and not text(rw_cell):
        both = rt_and_rw(rt_cell)
        if both is not None:  # "3/5" written in the RT column alone
            return both
    return rt_or_rw(rt_cell), rt_or_rw(rw_cell)


async def apply_plan(
    session: AsyncSession,
    plan: ImportPlan,
    *,
    now: datetime,
    actor_member_id: int | None = None,
    skip_bad: bool = False,
) -> list[int]:
    """Add the plan's new members (none while it has bad rows, unless `skip_bad`)."""
    if plan.problems and not skip_bad:
        return []
    actor = f"member:{actor_member_id}" if actor_member_id is not None else "cli"
    for new in plan.new:
        member = Member(
            full_name=new.full_name,
            role=new.role,
            kampung_id=new.kampung_id,
            rt=new.rt,
            rw=new.rw,
            dasa_wisma=new.dasa_wisma,
            phone_e164=new.phone,
            phone_verified=False,
            language="id",
            registered_by_member_id=actor_member_id,
            created_at=now,
            updated_at=now,
        )
        session.add(member)
        await session.flush()
        plan.created.append(member.id)
        await audit(
            session, actor=actor, actor_member_id=actor_member_id, action="member.import",
            object_type="member", object_id=member.id, detail={"row": new.row},
        )  # fmt: skip
        if new.role == "kader":
            await audit(
                session, actor=actor, actor_member_id=actor_member_id, action="role.grant",
                object_type="member", object_id=member.id,
                detail={"role": "kader", "kampung_id": new.kampung_id, "via": "import"},
            )  # fmt: skip
    return plan.created
