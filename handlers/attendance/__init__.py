"""Attendance on the day (daftar hadir): "hadir KODE" typed anywhere or "Hadir" on the
kegiatan's screen (a household chat picks which mothers came), the check-in code shown to
the kader of the kampung and admins (who can rotate it), the daftar hadir by hand
(present/absent, walk-ins by name) and "Daftar hadir" on the staff menu."""

from handlers.attendance import checkin, hand, walkin
from handlers.core.feature import MEMBERS, STAFF, Action, Feature, MenuEntry

ATTENDANCE_FEATURE = Feature(
    name="attendance",
    prefix="hd",
    actions=(
        Action("hd.ask", checkin.ask, MEMBERS),
        Action("hd.in", checkin.pick, MEMBERS),
        Action("hd.today", hand.today, STAFF),
        Action("hd.list", hand.open_list, STAFF),
        Action("hd.mark", hand.mark, STAFF),
        Action("hd.markn", hand.mark_name, STAFF),
        Action("hd.rotate", hand.rotate, STAFF),
        Action("hd.add", walkin.start, STAFF),
    ),
    flows=(checkin.CODE, walkin.WALK_IN),
    menu=(MenuEntry("hd.today", "attendance.menu", STAFF, 24, group="more"),),
    commands={"hadir": checkin.command},
)

__all__ = ["ATTENDANCE_FEATURE"]
