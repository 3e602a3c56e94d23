"""Kader: how the role is granted (invitations, requests approved by an admin) and removed."""

from models.kader.tables import REQUEST_STATUSES, KaderRequest

__all__ = ["REQUEST_STATUSES", "KaderRequest"]
