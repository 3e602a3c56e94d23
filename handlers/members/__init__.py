"""Members: registration, editing her data, several mothers on one phone, erasure; admins
importing the KK binaan list, and an imported member linking her chat."""

from handlers.core.feature import ADMIN, ANYONE, MEMBERS, STAFF, Action, Feature, MenuEntry
from handlers.members.erasure import ERASE_FOR, ERASURE, erase, erase_for
from handlers.members.household import choose_member, switch_to, use_member
from handlers.members.importing import IMPORT, start_import
from handlers.members.linking import LINK, redeem
from handlers.members.registration import REGISTRATION, edit, register, register_other
from models.member_import import LINK_PURPOSE

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
        Action("mb.import", start_import, ADMIN),
    ),
    flows=(REGISTRATION, ERASURE, ERASE_FOR, IMPORT, LINK),
    menu=(
        MenuEntry("mb.register", "menu.register", frozenset({"guest"}), 10),
        MenuEntry("mb.switch", "menu.switch", MEMBERS, 60, visible=lambda size: size > 1),
        MenuEntry("mb.edit", "menu.edit", MEMBERS, 40, personal=True, group="more"),
        MenuEntry("mb.register", "menu.register_other", MEMBERS, 50, personal=True, group="more"),
        MenuEntry("mb.erase", "menu.erase", MEMBERS, 98, personal=True, group="more"),
        MenuEntry("mb.import", "imp.menu", ADMIN, 87, group="more"),
    ),
    codes={LINK_PURPOSE: redeem},
    aliases={
        "reg": "mb.register",
        "edit": "mb.edit",
        "erase": "mb.erase",
        "switch": "mb.switch",
        "use": "mb.use",
    },
)

__all__ = ["ERASURE", "MEMBERS_FEATURE", "REGISTRATION", "switch_to"]
