"""The numbers behind the "Rekap" charts, over the last twelve months (this one included):
kegiatan per month and jenis, attendance per kampung, sign-ups per month, and reports
sent and approved per kader. With a kampung in the scope (a kader's), only its own.

Months are local (TIMEZONE) and grouped here rather than in SQL, so SQLite and
PostgreSQL agree without date functions of their own.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.exports.activities import HELD, kegiatan_of, takings_of
from models.exports.laporan import kader_names, reports_of
from models.exports.scope import Scope
from models.kegiatan.tables import JENIS, Signup
from models.location import active_kampung
from models.people.tables import Member

MONTHS: Final = 12
MOST_KADER: Final = 10


@dataclass(frozen=True)
class Rekap:
    months: list[date]  # the first day of each month, oldest first
    # jenis code -> kegiatan per month
    kegiatan: dict[str, list[int]]
    # (kampung, seats taken on kegiatan that ended, of those present)
    attendance: list[tuple[str, int, int]]
    signups: list[int]
    # (kader, reports sent, of those approved), most reports first
    reports: list[tuple[str, int, int]]


def last_months(today: date, count: int = MONTHS) -> list[date]:
    months: list[date] = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


async def rekap_data(
    session: AsyncSession, tz: ZoneInfo, now: datetime, kampung_id: int | None = None
) -> Rekap:
    months = last_months(now.astimezone(tz).date())
    index = {m: i for i, m in enumerate(months)}
    scope = Scope(tz, since=months[0], kampung_id=kampung_id, drafts=False)

    def slot(moment: datetime) -> int | None:
        return index.get(moment.astimezone(tz).date().replace(day=1))

    kegiatan = {code: [0] * len(months) for code in JENIS}
    found = await kegiatan_of(session, scope, HELD)
    for k in found:
        at = slot(k.starts_at)
        if at is not None:
            kegiatan[k.jenis][at] += 1

    ended = {k.id for k in found if k.ends_at <= now}
    seats: Counter[int] = Counter()
    came: Counter[int] = Counter()
    for t in await takings_of(session, scope, HELD):
        if t.kegiatan_id in ended and t.signup == "registered" and t.kampung_id is not None:
            seats[t.kampung_id] += 1
            came[t.kampung_id] += t.present
    places = [p for p in await active_kampung(session) if kampung_id in (None, p.id)]
    attendance = [(p.name, seats[p.id], came[p.id]) for p in places]

    signups = [0] * len(months)
    where = [*scope.moments(Signup.created_at)]
    if kampung_id is not None:
        where.append(Member.kampung_id == kampung_id)
    made = await session.scalars(
        select(Signup.created_at).join(Member, Member.id == Signup.member_id).where(*where)
    )
    for moment in made:
        at = slot(moment)
        if at is not None:
            signups[at] += 1

    sent = await reports_of(session, scope)
    names = await kader_names(session, sent)
    per: dict[int, list[int]] = {}
    for r in sent:
        counts = per.setdefault(r.kader_member_id or 0, [0, 0])
        counts[0] += 1
        counts[1] += r.status == "approved"
    reports = sorted(
        ((names.get(kader, "-"), c[0], c[1]) for kader, c in per.items()),
        key=lambda x: (-x[1], x[0]),
    )
    return Rekap(months, kegiatan, attendance, signups, reports[:MOST_KADER])
