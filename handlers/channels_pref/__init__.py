"""Which app her messages come to ("Lainnya" > "WhatsApp / Telegram"): a mother who chats
on both chooses where reminders, notices and announcements go, or leaves it to the one
she used last. One message either way, never one per app."""

from handlers.channels_pref import screen
from handlers.core.feature import MEMBERS, Action, Feature, MenuEntry

CHANNELS_FEATURE = Feature(
    name="channels",
    prefix="ch",
    actions=(
        Action("ch.show", screen.show, MEMBERS),
        Action("ch.set", screen.choose, MEMBERS),
    ),
    menu=(MenuEntry("ch.show", "saluran.menu", MEMBERS, 96, personal=True, group="more"),),
)

__all__ = ["CHANNELS_FEATURE"]
