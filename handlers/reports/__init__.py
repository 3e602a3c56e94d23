"""Laporan kegiatan: kader (and admins, for any kampung) report an activity quickly with
a declared wizard (jenis, kegiatan, day, OPD, participants, summary, up to three photos),
kept as a draft as she goes; admins review what was sent (approve, or return with a
note); a kader sees her own reports and fixes a returned one."""

from handlers.core.feature import ADMIN, KADER, STAFF, Action, Feature, MenuEntry
from handlers.reports import review, show, start
from handlers.reports.wizard import REPORT

REPORTS_FEATURE = Feature(
    name="reports",
    prefix="lp",
    actions=(
        Action("lp.new", start.new, STAFF),
        Action("lp.fresh", start.fresh, STAFF),
        Action("lp.resume", start.resume, STAFF),
        Action("lp.drop", start.drop, STAFF),
        Action("lp.fix", start.fix, STAFF),
        Action("lp.mine", show.mine, STAFF),
        Action("lp.show", show.show, STAFF),
        Action("lp.inbox", review.inbox, ADMIN),
        Action("lp.list", review.list_waiting, ADMIN),
        Action("lp.approve", review.approve_report, ADMIN),
        Action("lp.return", review.ask_return, ADMIN),
    ),
    flows=(REPORT, review.RETURN),
    menu=(
        # First on a kader's menu: reporting from the field is her frequent job.
        MenuEntry("lp.new", "lapor.menu_report", KADER, 12),
        MenuEntry("lp.mine", "lapor.menu_mine", KADER, 45, group="more"),
        MenuEntry("lp.inbox", "lapor.menu_inbox", ADMIN, 35),
        # Admins report seldom, for any kampung.
        MenuEntry("lp.new", "lapor.menu_report", ADMIN, 85, group="more"),
        MenuEntry("lp.mine", "lapor.menu_mine", ADMIN, 86, group="more"),
    ),
)

__all__ = ["REPORTS_FEATURE"]
