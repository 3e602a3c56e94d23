"""Deadlines (tenggat), the admins' side in chat: list them, add one with a declared
wizard (title, due date, what to prepare, audience, reminder days, summary), change one
(the same summary) and delete
one after a fresh confirmation. Reminders are written by the sweep (`scheduler/sweeps.py`)."""

from handlers.core.feature import ADMIN, Action, Feature, MenuEntry
from handlers.deadlines import chat

DEADLINES_FEATURE = Feature(
    name="deadlines",
    prefix="dl",
    actions=(
        Action("dl.list", chat.list_all, ADMIN),
        Action("dl.new", chat.new, ADMIN),
        Action("dl.show", chat.show, ADMIN),
        Action("dl.edit", chat.edit, ADMIN),
        Action("dl.delete", chat.ask_delete, ADMIN),
    ),
    flows=(chat.NEW, chat.DELETE),
    menu=(MenuEntry("dl.list", "tenggat.menu", ADMIN, 80, group="more"),),
)

__all__ = ["DEADLINES_FEATURE"]
