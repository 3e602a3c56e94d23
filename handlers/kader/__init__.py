"""Kader: becoming one (an admin's invitation, or her request approved by an admin) and
losing the role (removed by an admin). Admins invite, decide requests and remove the
role in chat; a registered mother asks under "Lainnya". Every grant and removal is in
the audit log (`models.kader`). What a kader does (reports, her mothers, questions) is
in the features that offer it."""

from handlers.core.feature import ADMIN, Action, Feature, MenuEntry
from handlers.kader import invite, manage, redeem, requests
from models.kader import INVITE_PURPOSE

IBU = frozenset({"ibu"})

KADER_FEATURE = Feature(
    name="kader",
    prefix="kd",
    actions=(
        Action("kd.invite", invite.start_invite, ADMIN),
        Action("kd.requests", requests.list_requests, ADMIN),
        Action("kd.request", requests.show_request, ADMIN),
        Action("kd.approve", requests.approve, ADMIN),
        Action("kd.reject", requests.reject, ADMIN),
        Action("kd.list", manage.list_places, ADMIN),
        Action("kd.kampung", manage.list_place, ADMIN),
        Action("kd.member", manage.show_kader, ADMIN),
        Action("kd.remove", manage.ask_remove, ADMIN),
        Action("kd.ask", requests.ask, IBU),
    ),
    flows=(invite.INVITE, redeem.ACCEPT, requests.ASK, manage.REMOVE),
    menu=(
        MenuEntry("kd.invite", "kader.menu_invite", ADMIN, 82, group="more"),
        MenuEntry("kd.requests", "kader.menu_requests", ADMIN, 83, group="more"),
        MenuEntry("kd.list", "kader.menu_list", ADMIN, 84, group="more"),
        MenuEntry("kd.ask", "kader.menu_ask", IBU, 85, personal=True, group="more"),
    ),
    codes={INVITE_PURPOSE: redeem.redeem},
)

__all__ = ["KADER_FEATURE"]
