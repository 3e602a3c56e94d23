"""Import a schedule of kegiatan from a CSV or XLSX file (`p2wkss-bot kegiatan import FILE`).

Columns (header row, any order, any case): jenis, judul, opd, narasumber (optional), tempat,
mulai, selesai, kuota (optional: empty = no limit), sasaran (optional: kampung names split
by ';', empty = every kampung), deskripsi (optional). Dates are read the way a person types
them ("3 Desember 2026 pukul 09.00", "Senin depan jam 9"), as ISO ("2026-12-03 09:00") or as
spreadsheet date cells, in the deployment's zone; "selesai" may be a time alone ("12.00"),
meaning the same day as "mulai".

Every row is checked and every problem listed with its row number (the header is row 1,
as a spreadsheet shows it). One bad row imports nothing; a good file is published at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.parse import parse_datetime, parse_time
from handlers.parse.kuota import MAX_KUOTA, parse_kuota
from models.kegiatan.admin import create_kegiatan, publish
from models.kegiatan.tables import JENIS, Kegiatan, KegiatanDraft, jenis_from_text, validate_draft
from models.location import active_kampung
from models.sheets import REASONS as SHEET_REASONS
from models.sheets import Cell, SheetError, read_rows

COLUMNS = ("jenis", "judul", "opd", "narasumber", "tempat", "mulai", "selesai", "kuota",
           "sasaran", "deskripsi")  # fmt: skip
REQUIRED = ("jenis", "judul", "opd", "tempat", "mulai", "selesai")
ALIASES = {"keterangan": "deskripsi", "deskripsi kegiatan": "deskripsi", "dinas": "opd"}
MAX_ROWS = 500
ALL_KAMPUNG_WORDS = frozenset({"semua", "semua kampung", "all"})

REASONS = {
    **SHEET_REASONS,
    "unsupported_file": "only .csv and .xlsx files can be imported",
    "unreadable": "the file cannot be read",
    "missing_column": "missing column",
    "no_rows": "no kegiatan in the file",
    "too_many_rows": f"more than {MAX_ROWS} rows; split the file",
    "empty": "empty",
    "too_long": "too long",
    "unknown_jenis": "unknown jenis (one of: " + ", ".join(JENIS.values()) + ")",
    "bad_date": "date or time not understood",
    "ambiguous_date": "unclear date: write e.g. 3 Desember 2026 09.00",
    "impossible_date": "no such date",
    "impossible_time": "no such time",
    "missing_time": "no time given",
    "past": "in the past",
    "ends_before_start": "ends before it starts",
    "bad_kuota": "quota must be a whole number above 0, or empty for no limit",
    "unknown_kampung": "unknown kampung",
    "ambiguous_kampung": "several kampung have this name",
    "duplicate_row": "same judul and start as an earlier row",
    "already_exists": "a kegiatan with this judul and start already exists",
}
# validate_draft's codes -> (column, reason) in the file's terms.
_DRAFT_PROBLEMS = {
    "unknown_jenis": ("jenis", "unknown_jenis"),
    "in_past": ("mulai", "past"),
    "ends_before_start": ("selesai", "ends_before_start"),
    "bad_kuota": ("kuota", "bad_kuota"),
    **{f"empty_{c}": (c, "empty") for c in ("judul", "opd", "tempat")},
    **{f"{c}_too_long": (c, "too_long") for c in ("judul", "opd", "tempat", "narasumber")},
    "description_too_long": ("deskripsi", "too_long"),
}
_ISO = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?:[ T].*)?")


@dataclass(frozen=True)
class RowError:
    row: int  # as a spreadsheet numbers it: the header is row 1; 0 for the file as a whole
    column: str | None
    reason: str  # a code of REASONS, for a translated message
    value: str = ""

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else "file"
        where += f", {self.column}" if self.column else ""
        shown = f": {self.value!r}" if self.value else ""
        return f"{where}: {REASONS.get(self.reason, self.reason)}{shown}"


@dataclass
class ImportReport:
    rows: int = 0
    imported: list[int] = field(default_factory=list)  # ids of the new, published kegiatan
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ScheduleFileError(Exception):
    """The file as a whole cannot be imported (type, columns, no rows, unreadable)."""

    def __init__(self, *errors: RowError) -> None:
        super().__init__(", ".join(map(str, errors)))
        self.errors = list(errors)


async def import_kegiatan(
    session: AsyncSession,
    path: Path,
    now: datetime,
    tz: ZoneInfo,
    *,
    actor: str = "import",
    created_by_member_id: int | None = None,
) -> ImportReport:
    """Check every row; when all are good, create and publish them in this transaction."""
    report = ImportReport()
    try:
        rows = read_schedule(path)
    except ScheduleFileError as err:
        report.errors = err.errors
        return report
    report.rows = len(rows)
    kampung = await _kampung_by_name(session)
    drafts: list[KegiatanDraft] = []
    seen: dict[tuple[str, datetime], int] = {}
    for number, values in rows:
        draft, errors = _check_row(number, values, now, tz, kampung)
        if draft is not None:
            key = (draft.judul.strip().casefold(), draft.starts_at)
            if key in seen:
                errors.append(RowError(number, "judul", "duplicate_row", f"row {seen[key]}"))
            elif await _exists(session, draft):
                errors.append(RowError(number, "judul", "already_exists", draft.judul))
            seen.setdefault(key, number)
            drafts.append(draft)
        report.errors += errors
    if report.errors:
        return report
    for draft in drafts:
        kegiatan = await create_kegiatan(
            session, draft, now=now, actor=actor, created_by_member_id=created_by_member_id
        )
        await publish(session, kegiatan.id, now=now, actor=actor,
                      actor_member_id=created_by_member_id)  # fmt: skip
        report.imported.append(kegiatan.id)
    return report


def read_schedule(path: Path) -> list[tuple[int, dict[str, Cell]]]:
    """(row number, {column: cell}) for every non-empty row; header names normalised.

    Raises ScheduleFileError when the file as a whole is wrong."""
    if path.suffix.lower() not in (".csv", ".xlsx", ".xlsm"):
        raise ScheduleFileError(RowError(0, None, "unsupported_file", path.suffix))
    try:
        # Lazily, within limits and through defusedxml (models.sheets): a small XLSX
        # claiming a million rows by 16k columns is refused, not unfolded in memory.
        table = read_rows(path)
    except SheetError as err:
        raise ScheduleFileError(RowError(0, None, err.reason, err.detail)) from err
    if not table:
        raise ScheduleFileError(RowError(0, None, "no_rows"))
    header = [_column_name(h) for h in table[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ScheduleFileError(*(RowError(1, c, "missing_column") for c in missing))
    rows: list[tuple[int, dict[str, Cell]]] = []
    for number, cells in enumerate(table[1:], start=2):
        values = {h: c for h, c in zip(header, cells, strict=False) if h in COLUMNS}
        if any(_text(v) for v in values.values()):
            rows.append((number, values))
    if not rows:
        raise ScheduleFileError(RowError(0, None, "no_rows"))
    if len(rows) > MAX_ROWS:
        raise ScheduleFileError(RowError(0, None, "too_many_rows", str(len(rows))))
    return rows


def _column_name(cell: Cell) -> str:
    name = " ".join(_text(cell).casefold().split())
    return ALIASES.get(name, name)


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _check_row(
    number: int, values: dict[str, Cell], now: datetime, tz: ZoneInfo, kampung: dict[str, list[int]]
) -> tuple[KegiatanDraft | None, list[RowError]]:
    errors: list[RowError] = []

    def fail(column: str, reason: str, value: Cell = None) -> None:
        errors.append(RowError(number, column, reason, _text(value)))

    raw_jenis = _text(values.get("jenis"))
    jenis = jenis_from_text(raw_jenis)
    if jenis is None:
        fail("jenis", "empty" if not raw_jenis else "unknown_jenis", raw_jenis)
    local_now = now.astimezone(tz)
    start, start_err = _when(values.get("mulai"), local_now, tz)
    if start_err:
        fail("mulai", start_err, values.get("mulai"))
    end: datetime | None = None
    if start is not None:
        end, end_err = _when(values.get("selesai"), local_now, tz, same_day_as=start)
        if end_err:
            fail("selesai", end_err, values.get("selesai"))
    kuota, kuota_ok = _kuota(values.get("kuota"))
    if not kuota_ok:
        fail("kuota", "bad_kuota", values.get("kuota"))
    sasaran: list[int] = []
    for name in _names(_text(values.get("sasaran"))):
        ids = kampung.get(name.casefold(), [])
        if len(ids) == 1:
            sasaran.append(ids[0])
        else:
            fail("sasaran", "ambiguous_kampung" if ids else "unknown_kampung", name)
    times_ok = start is not None and end is not None
    # Placeholder times when the file's failed, so validate_draft still checks the rest.
    placeholder = (now + timedelta(hours=1), now + timedelta(hours=2))
    starts_at, ends_at = (start, end) if start is not None and end is not None else placeholder
    draft = KegiatanDraft(
        jenis=jenis or raw_jenis,
        judul=_text(values.get("judul")),
        opd=_text(values.get("opd")),
        tempat=_text(values.get("tempat")),
        starts_at=starts_at,
        ends_at=ends_at,
        kuota=kuota if kuota_ok else None,
        narasumber=_text(values.get("narasumber")) or None,
        description=_text(values.get("deskripsi")),
        sasaran=tuple(sasaran),
    )
    for problem in validate_draft(draft, now):
        column, reason = _DRAFT_PROBLEMS.get(problem, (None, problem))
        if column == "jenis" and jenis is None:
            continue  # already said
        if column is not None:
            fail(column, reason, values.get(column) if reason != "empty" else None)
    return (draft if times_ok and not errors else None), errors


def _when(
    cell: Cell, local_now: datetime, tz: ZoneInfo, same_day_as: datetime | None = None
) -> tuple[datetime | None, str | None]:
    """An aware datetime from a cell, or the reason it is not one."""
    if isinstance(cell, datetime):
        if cell.time() == time(0) and cell.tzinfo is None:
            return None, "missing_time"  # a date-only spreadsheet cell, not a midnight start
        value = cell if cell.tzinfo else cell.replace(tzinfo=tz)
        return (None, "past") if value < local_now else (value, None)
    if isinstance(cell, time) and same_day_as is not None:
        return datetime.combine(same_day_as.astimezone(tz).date(), cell, tzinfo=tz), None
    if isinstance(cell, date | time):
        return None, "missing_time" if isinstance(cell, date) else "bad_date"
    text = _text(cell)
    if not text:
        return None, "empty"
    if _ISO.fullmatch(text):
        return _iso(text, local_now, tz)
    parsed = parse_datetime(text, local_now, "future")
    if parsed.error == "missing_date" and same_day_as is not None:
        clock = parse_time(text)
        if clock.value is None:
            return None, _date_reason(clock.error)
        day = same_day_as.astimezone(tz).date() + timedelta(days=clock.next_day)
        return datetime.combine(day, clock.value, tzinfo=tz), None
    if parsed.error:
        return None, _date_reason(parsed.error)
    if parsed.value is None:
        return None, "missing_time"
    return parsed.value, None


def _iso(text: str, local_now: datetime, tz: ZoneInfo) -> tuple[datetime | None, str | None]:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None, "impossible_date" if re.fullmatch(r"[\d\- :T.]+", text) else "bad_date"
    if len(text) <= len("2026-12-03"):
        return None, "missing_time"
    value = value if value.tzinfo else value.replace(tzinfo=tz)
    return (None, "past") if value < local_now else (value, None)


def _date_reason(code: str | None) -> str:
    known = {"past", "impossible_date", "impossible_time", "empty"}
    if code == "ambiguous":
        return "ambiguous_date"
    if code == "missing_date":
        return "bad_date"
    return code if code in known else "bad_date"


def _kuota(cell: Cell) -> tuple[int | None, bool]:
    """A kuota cell read as in chat (`parse_kuota`); empty or "-" is no limit."""
    if isinstance(cell, bool):
        return None, False
    if isinstance(cell, float):
        if not cell.is_integer():
            return None, False
        cell = int(cell)
    if isinstance(cell, int):
        return (cell, True) if 1 <= cell <= MAX_KUOTA else (None, False)
    text = _text(cell)
    if not text or text == "-":
        return None, True
    found = parse_kuota(text)
    return found.seats, found.error is None


def _names(text: str) -> list[str]:
    if text.casefold() in ALL_KAMPUNG_WORDS:
        return []
    return [n.strip() for n in re.split(r"[;,]", text) if n.strip()]


async def _kampung_by_name(session: AsyncSession) -> dict[str, list[int]]:
    names: dict[str, list[int]] = {}
    for place in await active_kampung(session):
        names.setdefault(place.name.casefold(), []).append(place.id)
    return names


async def _exists(session: AsyncSession, draft: KegiatanDraft) -> bool:
    found = await session.scalar(
        select(Kegiatan.id).where(
            func.lower(Kegiatan.judul) == draft.judul.strip().lower(),
            Kegiatan.starts_at == draft.starts_at,
            Kegiatan.status != "cancelled",
        )
    )
    return found is not None
