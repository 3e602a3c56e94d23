"""Attendance on the day (daftar hadir): check-in codes, mothers checking in, kader and
admins marking the list by hand, walk-ins, the counts and the summary after the end.

Import from here outside models/; inside models/, import the submodule.
"""

from models.attendance.codes import NoFreeCode, code_of, kegiatan_of_code, rotate_code
from models.attendance.ops import (
    CheckIn,
    add_by_name,
    check_in,
    has_seat,
    line_of,
    toggle_line,
    toggle_member,
)
from models.attendance.queries import (
    Line,
    Tally,
    daftar_hadir,
    ended_between,
    for_attendance,
    tally,
    tally_of,
)
from models.attendance.rules import ALPHABET, CheckinWindow, clean_code, new_code
from models.attendance.summary import (
    OUTBOX_KIND,
    SummarySweep,
    list_action,
    recipients,
    sweep_summaries,
)
from models.attendance.tables import Attendance, CheckinCode

__all__ = [
    "ALPHABET",
    "OUTBOX_KIND",
    "Attendance",
    "CheckIn",
    "CheckinCode",
    "CheckinWindow",
    "Line",
    "NoFreeCode",
    "SummarySweep",
    "Tally",
    "add_by_name",
    "check_in",
    "clean_code",
    "code_of",
    "daftar_hadir",
    "ended_between",
    "for_attendance",
    "has_seat",
    "kegiatan_of_code",
    "line_of",
    "list_action",
    "new_code",
    "recipients",
    "rotate_code",
    "sweep_summaries",
    "tally",
    "tally_of",
    "toggle_line",
    "toggle_member",
]
