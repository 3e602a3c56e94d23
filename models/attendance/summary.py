"""After a kegiatan ends, its admins and kader get a short summary of the daftar hadir
(registered, present, walk-ins, absent), once, through the outbox.

The leader's sweep (`scheduler/attendance.py`) looks at kegiatan that ended within the
look-back and not cancelled; for each, the recipients (every admin, and the kader of its
sasaran kampung, or every kader when it is for all kampung) without a `ReminderLog` row
(source "attendance", kind "summary", keyed by the end it was computed for) are claimed
with that row and written in the same transaction: nothing is sent twice, a restart
skips nothing, and a kegiatan moved to a later end gets a fresh summary then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.attendance.queries import Tally, tally
from models.attendance.rules import TAKES_ATTENDANCE
from models.base import insert_ignore
from models.kegiatan.tables import Kegiatan, KegiatanTarget
from models.outbox.tables import PRIORITY_NOTICE, enqueue_many, outbox_row
from models.people.tables import Member
from models.reminders.chats import member_chats
from models.reminders.tables import ReminderLog

WhenText = Callable[[datetime, str], str]

SOURCE: Final = "attendance"
KIND: Final = "summary"
OUTBOX_KIND: Final = "attendance_summary"
BUTTON_LIST: Final = "attendance.btn_list"
# After downtime, kegiatan that ended at most this long ago still get their summary.
LOOKBACK: Final = timedelta(days=2)


def list_action(kegiatan_id: int) -> str:
    """ "Lihat daftar hadir" on the summary ("a:hd.list:42:0")."""
    return f"a:hd.list:{kegiatan_id}:0"


@dataclass
class SummarySweep:
    kegiatan: int = 0
    written: int = 0
    no_chat: int = 0


async def recipients(session: AsyncSession, kegiatan_id: int) -> list[int]:
    """Every admin, and the kader of the kegiatan's sasaran (every kader when it has none)."""
    targets = select(KegiatanTarget.kampung_id).where(KegiatanTarget.kegiatan_id == kegiatan_id)
    has_targets = select(KegiatanTarget.kegiatan_id).where(
        KegiatanTarget.kegiatan_id == kegiatan_id
    )
    kader = and_(
        Member.role == "kader",
        or_(Member.kampung_id.in_(targets), ~has_targets.exists()),
    )
    found = await session.scalars(
        select(Member.id)
        .where(Member.erased_at.is_(None), or_(Member.role == "admin", kader))
        .order_by(Member.id)
    )
    return list(found)


async def sweep_summaries(
    session: AsyncSession, now: datetime, when_text: WhenText, lookback: timedelta = LOOKBACK
) -> SummarySweep:
    result = SummarySweep()
    ended = await session.scalars(
        select(Kegiatan)
        .where(
            Kegiatan.status.in_(TAKES_ATTENDANCE),
            Kegiatan.ends_at <= now,
            Kegiatan.ends_at > now - lookback,
        )
        .order_by(Kegiatan.ends_at, Kegiatan.id)
    )
    for k in list(ended):
        written, no_chat = await _one(session, k, now, when_text)
        if written or no_chat:
            result.kegiatan += 1
            result.written += written
            result.no_chat += no_chat
    return result


async def _one(
    session: AsyncSession, k: Kegiatan, now: datetime, when_text: WhenText
) -> tuple[int, int]:
    log = ReminderLog
    had = set(
        await session.scalars(
            select(log.member_id).where(
                log.source == SOURCE, log.ref_id == k.id, log.kind == KIND, log.due_for == k.ends_at
            )
        )
    )
    todo = [m for m in await recipients(session, k.id) if m not in had]
    if not todo:
        return 0, 0
    chats = await member_chats(session, todo)
    # Claim first: a row another sweep wrote meanwhile is not written twice.
    claimed = set(
        await session.scalars(
            insert_ignore(
                session, log, ["source", "ref_id", "member_id", "kind", "due_for"]
            ).returning(log.member_id),
            [
                {
                    "source": SOURCE,
                    "ref_id": k.id,
                    "member_id": m,
                    "kind": KIND,
                    "due_for": k.ends_at,
                    "outcome": "written" if m in chats else "no_chat",
                    "created_at": now,
                }
                for m in todo
            ],
        )
    )
    counts = await tally(session, k.id)
    rows = [
        outbox_row(
            identity_id=chat.identity_id,
            member_id=m,
            channel=chat.channel,
            kind=OUTBOX_KIND,
            params=_params(k, counts, chat.language, when_text, chat.name if chat.shared else None),
            idempotency_key=f"attendance:summary:{k.id}:m{m}:{_stamp(k.ends_at)}",
            priority=PRIORITY_NOTICE,
            now=now,
            respects_quiet_hours=True,
        )
        for m in todo
        if m in claimed and (chat := chats.get(m)) is not None
    ]
    written = len(await enqueue_many(session, rows))
    return written, len([m for m in claimed if m not in chats])


def _params(
    k: Kegiatan, counts: Tally, lang: str, when_text: WhenText, for_name: str | None
) -> dict[str, Any]:
    params: dict[str, Any] = {
        "kegiatan_id": k.id,
        "judul": k.judul,
        "when": when_text(k.starts_at, lang),
        "registered": counts.registered,
        "present": counts.present,
        "walk_ins": counts.walk_ins,
        "absent": counts.absent,
        "lang": lang,
        "choices": [{"id": list_action(k.id), "key": BUTTON_LIST}],
    }
    if for_name:
        params["for_name"] = for_name
    return params


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M")
