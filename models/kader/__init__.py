"""Kader: how the role is granted (invitations, requests approved by an admin) and removed.

Import from here outside models/; inside models/, import the submodule.
"""

from models.kader.invites import (
    INVITE_PURPOSE,
    Invite,
    InviteInvalid,
    create_invite,
    find_invite,
    open_invites,
    revoke_invite,
)
from models.kader.notices import (
    KIND_APPROVED,
    KIND_REJECTED,
    KIND_REMOVED,
    KIND_REQUEST,
    approve_action,
    reject_action,
)
from models.kader.requests import (
    Asking,
    Decision,
    decide_request,
    pending_request,
    pending_requests,
    request_kader,
)
from models.kader.roles import (
    Redemption,
    chats_of,
    kader_since,
    list_kader,
    make_kader,
    redeem_invite,
    remove_kader,
)
from models.kader.tables import REQUEST_STATUSES, KaderRequest

__all__ = [
    "INVITE_PURPOSE",
    "KIND_APPROVED",
    "KIND_REJECTED",
    "KIND_REMOVED",
    "KIND_REQUEST",
    "REQUEST_STATUSES",
    "Asking",
    "Decision",
    "Invite",
    "InviteInvalid",
    "KaderRequest",
    "Redemption",
    "approve_action",
    "chats_of",
    "create_invite",
    "decide_request",
    "find_invite",
    "kader_since",
    "list_kader",
    "make_kader",
    "open_invites",
    "pending_request",
    "pending_requests",
    "redeem_invite",
    "reject_action",
    "remove_kader",
    "request_kader",
    "revoke_invite",
]
