"""The rules a laporan kegiatan must meet before it goes to review, as pure functions.

A form (chat wizard) or any other source hands a `ReportValues`; `report_problems` lists
every rule it breaks as a short code, so a caller can say all of them at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from models.kegiatan.tables import JENIS
from models.reports.tables import MAX_NOTE, MAX_PHOTOS, MAX_RINGKASAN

# A kampung gathering of a few hundred is already large; more is a typing slip.
MAX_PARTICIPANTS: Final = 1000
MAX_TITLE: Final = 160
MAX_OPD: Final = 120
MAX_FOLLOW_UP: Final = 1000
# A report about a kegiatan longer ago than this is asked about once more ("benar?").
LONG_AGO_DAYS: Final = 60

# A short constant list offered beside the OPDs already named on kegiatan.
COMMON_OPDS: Final = ("DP3AKB", "Dinas Kesehatan", "Dinas Sosial", "Puskesmas")


@dataclass(frozen=True)
class ReportValues:
    kampung_id: int
    jenis: str
    title: str
    held_on: date
    opd: str
    women: int
    men: int
    ringkasan: str
    kegiatan_id: int | None = None
    kendala: str | None = None
    tindak_lanjut: str | None = None
    # Paths under MEDIA_DIR, in the order she sent them.
    photos: tuple[str, ...] = ()


class ReportInvalid(ValueError):
    """A report breaks a rule; `problems` holds the codes of `report_problems`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(", ".join(problems))
        self.problems = tuple(problems)


def participants_ok(count: object) -> bool:
    # bool is an int in Python; True is a caller's bug, not one participant.
    return isinstance(count, int) and not isinstance(count, bool) and 0 <= count <= MAX_PARTICIPANTS


def long_ago(held_on: date, today: date) -> bool:
    return (today - held_on).days > LONG_AGO_DAYS


def report_problems(values: ReportValues, today: date) -> list[str]:
    """Every rule broken, as codes: unknown_jenis, empty_<field>, <field>_too_long,
    in_future, bad_women, bad_men, too_many_photos."""
    problems: list[str] = []
    if values.jenis not in JENIS:
        problems.append("unknown_jenis")
    texts = {
        "title": (values.title, MAX_TITLE, True),
        "opd": (values.opd, MAX_OPD, True),
        "ringkasan": (values.ringkasan, MAX_RINGKASAN, True),
        "kendala": (values.kendala or "", MAX_FOLLOW_UP, False),
        "tindak_lanjut": (values.tindak_lanjut or "", MAX_FOLLOW_UP, False),
    }
    for name, (text, limit, required) in texts.items():
        if required and not text.strip():
            problems.append(f"empty_{name}")
        elif len(text.strip()) > limit:
            problems.append(f"{name}_too_long")
    if values.held_on > today:
        problems.append("in_future")
    if not participants_ok(values.women):
        problems.append("bad_women")
    if not participants_ok(values.men):
        problems.append("bad_men")
    if len(values.photos) > MAX_PHOTOS:
        problems.append("too_many_photos")
    return problems


def check_note(note: str) -> str | None:
    """The admin's note on a returned report, trimmed; None when empty or too long."""
    note = note.strip()
    return note if 0 < len(note) <= MAX_NOTE else None
