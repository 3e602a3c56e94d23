"""People: members, the chats (channel identities) that reach them, the rules for the
personal data they give, and roles.

Import from here outside models/; inside models/, import the submodule
(`from models.people.tables import Member`) so packages do not load each other whole.
"""

from models.people.members import (
    CONSENT_VERSION,
    MemberDetails,
    belongs_to,
    ensure_identity,
    erase_member,
    household,
    household_member,
    register_member,
    update_member,
)
from models.people.roles import grant_admin, revoke_admin, set_reachable, staff_chats
from models.people.rules import (
    NAME_MAX,
    NAME_MIN_LETTERS,
    RT_RW_MAX,
    Checked,
    RtRw,
    check_name,
    check_phone,
    check_rt_rw,
    format_phone,
    format_rt_rw,
)
from models.people.tables import ROLES, ChannelIdentity, IdentityMember, Member

__all__ = [
    "CONSENT_VERSION",
    "NAME_MAX",
    "NAME_MIN_LETTERS",
    "ROLES",
    "RT_RW_MAX",
    "ChannelIdentity",
    "Checked",
    "IdentityMember",
    "Member",
    "MemberDetails",
    "RtRw",
    "belongs_to",
    "check_name",
    "check_phone",
    "check_rt_rw",
    "ensure_identity",
    "erase_member",
    "format_phone",
    "format_rt_rw",
    "grant_admin",
    "household",
    "household_member",
    "register_member",
    "revoke_admin",
    "set_reachable",
    "staff_chats",
    "update_member",
]
