"""Deliveries for export (admins only): every outbox row of a span, what became of it and
why, by ids only (no names, no phone numbers, no message text)."""

from __future__ import annotations

from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.exports.activities import place_names
from models.exports.scope import Scope
from models.outbox.tables import OutboxMessage
from models.people.tables import Member
from models.sheets import Table, Value

DELIVERY_STATUS: Final = {
    "queued": "antre",
    "sending": "sedang dikirim",
    "sent": "terkirim",
    "delivered": "sampai",
    "read": "dibaca",
    "failed": "gagal",
    "skipped": "dilewati",
}
DELIVERIES_HEADER: Final = (
    "id", "dibuat", "jenis pesan", "saluran", "status", "percobaan", "terkirim", "alasan",
    "id anggota", "kampung", "id pengumuman",
)  # fmt: skip


async def deliveries_table(session: AsyncSession, scope: Scope) -> Table:
    m = OutboxMessage
    where = scope.moments(m.created_at)
    if scope.kampung_id is not None:
        where.append(Member.kampung_id == scope.kampung_id)
    found = await session.execute(
        select(m, Member.kampung_id)
        .outerjoin(Member, Member.id == m.member_id)
        .where(*where)
        .order_by(m.created_at, m.id)
    )
    places = await place_names(session)
    rows: list[list[Value]] = []
    for row, kampung_id in found:
        rows.append([
            row.id, row.created_at, row.kind, row.channel,
            DELIVERY_STATUS.get(row.status, row.status), row.attempts, row.sent_at,
            row.last_error, row.member_id, places.get(kampung_id or 0), row.broadcast_id,
        ])  # fmt: skip
    return Table("Pengiriman", DELIVERIES_HEADER, rows)
