"""Members: registration, editing her data, several mothers on one phone, erasure."""

from handlers.core.feature import ANYONE, MEMBERS, STAFF, Action, Feature, MenuEntry
from handlers.members.erasure import ERASURE, erase, erase_for
from handlers.members.household import choose_member, switch_to, use_member
from handlers.members.registration import REGISTRATION, edit, register, register_other

MEMBERS_FEATURE = Feature(
    name="members",
    prefix="mb",
    actions=(
        Action("mb.register", register, ANYONE),
        Action("mb.new", register_other, ANYONE),
        Action("mb.edit", edit, MEMBERS),
        Action("mb.erase", erase, MEMBERS),
        Action("mb.erase_for", erase_for, STAFF),
        Action("mb.switch", choose_member, MEMBERS),
        Action("mb.use", use_member, ANYONE),
    ),
    flows=(REGISTRATION, ERASURE),
    menu=(
        MenuEntry("mb.register", "menu.register", frozenset({"guest"}), 10),
        MenuEntry("mb.switch", "menu.switch", MEMBERS, 60, visible=lambda size: size > 1),
        MenuEntry("mb.edit", "menu.edit", MEMBERS, 40, personal=True, group="more"),
        MenuEntry("mb.register", "menu.register_other", MEMBERS, 50, personal=True, group="more"),
        MenuEntry("mb.erase", "menu.erase", MEMBERS, 98, personal=True, group="more"),
    ),
    aliases={
        "reg": "mb.register",
        "edit": "mb.edit",
        "erase": "mb.erase",
        "switch": "mb.switch",
        "use": "mb.use",
    },
)

__all__ = ["ERASURE", "MEMBERS_FEATURE", "REGISTRATION", "switch_to"]
