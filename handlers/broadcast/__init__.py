"""Admin broadcasts: write an announcement (text, photo, audience, preview, now or later),
the list of scheduled and recent ones, cancelling and the delivery report."""

from handlers.broadcast.audience import describe_audience, match_kampung
from handlers.broadcast.compose import COMPOSE, check_text, new
from handlers.broadcast.manage import CANCEL, cancel, list_broadcasts, report
from handlers.core.feature import ADMIN, Action, Feature, MenuEntry

BROADCAST_FEATURE = Feature(
    name="broadcast",
    prefix="bc",
    actions=(
        Action("bc.new", new, ADMIN),
        Action("bc.list", list_broadcasts, ADMIN),
        Action("bc.cancel", cancel, ADMIN),
        Action("bc.report", report, ADMIN),
    ),
    flows=(COMPOSE, CANCEL),
    menu=(
        MenuEntry("bc.new", "broadcast.menu_send", ADMIN, 70),
        MenuEntry("bc.list", "broadcast.menu_list", ADMIN, 72),
    ),
    # Buttons on messages sent before the rename.
    aliases={
        "bc_new": "bc.new",
        "bc_list": "bc.list",
        "bc_cancel": "bc.cancel",
        "bc_report": "bc.report",
    },
)

__all__ = ["BROADCAST_FEATURE", "COMPOSE", "check_text", "describe_audience", "match_kampung"]
