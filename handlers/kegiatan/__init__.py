"""Kegiatan: the mothers' side (browse, sign up, waiting list, give up a seat, Jadwal saya,
the .ics file) and the admins' side (Kelola kegiatan, the creation wizard, changes and
cancellation), as two features. Old button names ("a:signup:42") stay valid through the
aliases: they are still on sent Telegram messages and in outbox rows."""

from handlers.core.feature import ADMIN, ANYONE, MEMBERS, Action, Feature, MenuEntry
from handlers.kegiatan import edit, manage, mothers

KEGIATAN = Feature(
    name="kegiatan",
    prefix="kg",
    actions=(
        Action("kg.list", mothers.list_upcoming, ANYONE),
        Action("kg.show", mothers.show_detail, ANYONE),
        Action("kg.signup", mothers.signup, MEMBERS),
        Action("kg.unsignup", mothers.unsignup, MEMBERS),
        Action("kg.give_up", mothers.choose_give_up, MEMBERS),
        Action("kg.mine", mothers.mine, MEMBERS),
        Action("kg.ics", mothers.calendar, MEMBERS),
    ),
    flows=(mothers.GIVE_UP,),
    menu=(
        # Guests may browse before registering; signing up asks them to register. Admins
        # plan kegiatan under "Kelola kegiatan" instead (the action itself stays open).
        MenuEntry("kg.list", "menu.kegiatan", frozenset({"guest", "ibu", "kader"}), 20),
        MenuEntry("kg.mine", "menu.mine", MEMBERS, 25, personal=True),
    ),
    aliases={
        "kg": "kg.show",
        "kg_list": "kg.list",
        "signup": "kg.signup",
        "unsignup": "kg.unsignup",
        "kg_mine": "kg.mine",
        "kg_ics": "kg.ics",
    },
)

KEGIATAN_ADMIN = Feature(
    name="kegiatan-admin",
    prefix="kga",
    actions=(
        Action("kga.list", manage.list_all, ADMIN),
        Action("kga.new", manage.new, ADMIN),
        Action("kga.show", manage.manage, ADMIN),
        Action("kga.publish", manage.publish_draft, ADMIN),
        Action("kga.edit", edit.edit, ADMIN),
        Action("kga.cancel", edit.cancel, ADMIN),
    ),
    flows=(manage.NEW, manage.LIST, edit.EDIT, edit.CANCEL),
    menu=(MenuEntry("kga.list", "menu.manage_kegiatan", ADMIN, 30),),
    aliases={
        "kgm_new": "kga.new",
        "kgm_list": "kga.list",
        "kgm": "kga.show",
        "kgm_pub": "kga.publish",
        "kgm_edit": "kga.edit",
        "kgm_cancel": "kga.cancel",
    },
)

__all__ = ["KEGIATAN", "KEGIATAN_ADMIN"]
