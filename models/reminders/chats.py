"""Which chat reaches each of many members, in a few queries (a sweep may write a
thousand reminders at once): her most recently seen reachable chat, its language, and
whether that chat serves several mothers (then messages name her). A mother with no chat
of her own, reached through her kader, is reached at her kader's chat, named."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.people.binaan import kader_routes
from models.people.tables import ChannelIdentity, IdentityMember, Member

CHUNK = 500


@dataclass(frozen=True)
class MemberChat:
    member_id: int
    identity_id: int
    channel: str
    language: str
    name: str
    # The chat serves others too (a shared phone, or her kader's chat): messages name her.
    shared: bool
    # The chat is her kader's: she has none of her own.
    via_kader: bool = False


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


async def member_chats(session: AsyncSession, member_ids: Iterable[int]) -> dict[int, MemberChat]:
    """The chat for each (not erased) member that has a reachable one: her own, or, for a
    mother reached through her kader, the kader's most recently seen reachable chat (then
    in the kader's language, and marked `via_kader` and `shared` so messages name her)."""
    ids = sorted(set(member_ids))
    best = await _own_chats(session, ids)
    identities = sorted({v[0] for v in best.values()})
    sizes: dict[int, int] = {}
    for chunk in _chunks(identities):
        rows2 = await session.execute(
            select(IdentityMember.identity_id, func.count())
            .join(Member, Member.id == IdentityMember.member_id)
            .where(IdentityMember.identity_id.in_(chunk), Member.erased_at.is_(None))
            .group_by(IdentityMember.identity_id)
        )
        sizes.update({int(i): int(n) for i, n in rows2})
    found = {
        member_id: MemberChat(member_id, ident, channel, lang, name, sizes.get(ident, 0) > 1)
        for member_id, (ident, channel, lang, name) in best.items()
    }
    routes = await kader_routes(session, [m for m in ids if m not in found])
    if routes:
        kaders = await _own_chats(session, set(routes.values()))
        names: dict[int, str | None] = {}
        for chunk in _chunks(sorted(routes)):
            rows3 = await session.execute(
                select(Member.id, Member.full_name).where(Member.id.in_(chunk))
            )
            names.update({int(i): n for i, n in rows3})
        for mother, kader in routes.items():
            if kader in kaders:
                ident, channel, lang, _ = kaders[kader]
                name = names.get(mother) or "-"
                found[mother] = MemberChat(mother, ident, channel, lang, name, True, True)
    return found


async def _own_chats(
    session: AsyncSession, member_ids: Iterable[int]
) -> dict[int, tuple[int, str, str, str]]:
    """member -> (identity, channel, language, name) of her most recently seen reachable
    chat among her own (identity_members); a chat on the channel she chose comes first."""
    ids = sorted(set(member_ids))
    best: dict[int, tuple[_Rank, tuple[int, str, str, str]]] = {}
    for chunk in _chunks(ids):
        rows = await session.execute(
            select(
                IdentityMember.member_id,
                ChannelIdentity.id,
                ChannelIdentity.channel,
                ChannelIdentity.language,
                ChannelIdentity.last_seen_at,
                Member.language,
                Member.full_name,
                Member.preferred_channel,
            )
            .join(ChannelIdentity, ChannelIdentity.id == IdentityMember.identity_id)
            .join(Member, Member.id == IdentityMember.member_id)
            .where(
                IdentityMember.member_id.in_(chunk),
                ChannelIdentity.unreachable.is_(False),
                Member.erased_at.is_(None),
            )
        )
        for member_id, ident, channel, ident_lang, seen, member_lang, name, chosen in rows:
            # Her chosen channel first, then the most recently seen (never seen last),
            # then the newest identity.
            rank = (channel == chosen, seen is not None, seen, ident)
            old = best.get(member_id)
            if old is None or _later(rank, old[0]):
                lang = ident_lang or member_lang or "id"
                best[member_id] = (rank, (ident, channel, lang, name or "-"))
    return {member_id: chat for member_id, (_, chat) in best.items()}


_Rank = tuple[bool, bool, datetime | None, int]


def _later(a: _Rank, b: _Rank) -> bool:
    if a[0] != b[0]:
        return a[0]
    if a[1] != b[1]:
        return a[1]
    if a[2] != b[2] and a[2] is not None and b[2] is not None:
        return a[2] > b[2]
    return a[3] > b[3]
