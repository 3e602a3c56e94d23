"""Reading the audit log: what admins see in `p2wkss-bot audit` and the web console's
"Jejak audit" page (role changes, broadcasts, exports by default; other kinds on request).

Lines name ids and the actor's role, never a name; anything in an entry's detail that
looks like a phone number (eight or more digits, with or without +, spaces or dashes) is
masked, whatever wrote it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.audit import AuditEntry
from models.people.tables import Member

# Kind -> the action prefixes it covers.
KINDS: Final[dict[str, tuple[str, ...]]] = {
    "role": ("role.", "kader."),
    "broadcast": ("broadcast.",),
    "export": ("export.",),
    "login": ("web.",),
    "member": ("member.",),
    "report": ("report.",),
    "kegiatan": ("kegiatan.", "attendance.", "deadline."),
    "question": ("question.",),
}
DEFAULT_KINDS: Final = ("role", "broadcast", "export")
MOST: Final = 1000
PHONE_LIKE = re.compile(r"\+?\d(?:[\s-]?\d){7,}")
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
MASK = "[***]"  # no words: the same in every language


@dataclass(frozen=True)
class TrailLine:
    at: datetime
    actor: str  # "cli", "settings", "member:12 (admin)"
    action: str
    object: str  # "member 34", "broadcast 7", "export"
    detail: str  # "role=kader kampung_id=3"


def mask(text: str) -> str:
    """Phone-like digit runs masked; a date (2026-11-30) is a date, not a number."""
    return PHONE_LIKE.sub(lambda m: m[0] if ISO_DAY.fullmatch(m[0]) else MASK, text)


def describe(detail: dict[str, Any], prefix: str = "") -> str:
    """A detail dict as `key=value` words (nested keys joined with dots), phone-like
    values masked."""
    words: list[str] = []
    for key in sorted(detail):
        value = detail[key]
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            inner = describe(value, f"{name}.")
            if inner:
                words.append(inner)
        elif isinstance(value, list | tuple):
            words.append(f"{name}={','.join(str(v) for v in value)}")
        elif value is not None:
            words.append(f"{name}={value}")
    return mask(" ".join(words))


def kinds_of(action: str) -> str | None:
    """The kind an action belongs to (None: none of KINDS)."""
    for kind, prefixes in KINDS.items():
        if action.startswith(prefixes):
            return kind
    return None


async def audit_trail(
    session: AsyncSession,
    *,
    since: datetime,
    kinds: Iterable[str] = DEFAULT_KINDS,
    most: int = MOST,
) -> list[TrailLine]:
    """Entries since `since` of these kinds ("all": every entry), newest first."""
    wanted = list(kinds)
    stmt = select(AuditEntry).where(AuditEntry.at >= since)
    if "all" not in wanted:
        prefixes = [p for kind in wanted for p in KINDS[kind]]
        stmt = stmt.where(or_(*(AuditEntry.action.startswith(p) for p in prefixes)))
    entries = list(
        await session.scalars(stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(most))
    )
    ids: list[int | None] = [e.actor_member_id for e in entries]
    roles = await _roles(session, [*ids, *_actor_ids(entries)])
    return [_line(entry, roles) for entry in entries]


def _actor_ids(entries: Sequence[AuditEntry]) -> list[int]:
    found = []
    for entry in entries:
        head, _, tail = entry.actor.partition(":")
        if head == "member" and tail.isdigit():
            found.append(int(tail))
    return found


async def _roles(session: AsyncSession, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await session.execute(select(Member.id, Member.role).where(Member.id.in_(wanted)))
    return {member_id: role for member_id, role in rows}


def _line(entry: AuditEntry, roles: dict[int, str]) -> TrailLine:
    actor = mask(entry.actor)
    head, _, tail = entry.actor.partition(":")
    member_id = entry.actor_member_id or (
        int(tail) if head == "member" and tail.isdigit() else None
    )
    if member_id is not None:
        role = roles.get(member_id)
        actor = f"member:{member_id}" + (f" ({role})" if role else "")
    target = entry.object_type + (f" {mask(entry.object_id)}" if entry.object_id else "")
    return TrailLine(entry.at, actor, entry.action, target, describe(entry.detail or {}))
