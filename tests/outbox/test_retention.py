"""UU PDP, the retention period: what the outbox said is kept no longer than
OUTBOX_RETENTION_DAYS. Siti got a reminder naming her 100 days ago and another yesterday;
an announcement went out 100 days ago. After the housekeeping sweep the old texts are
gone (the rows stay, for the counts), the recent ones and anything still to be sent stay."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.app import App
from models import OutboxMessage, transaction
from models.outbox.broadcasts import Broadcast
from scheduler.housekeeping import housekeeping_once
from tests.support.fakes.kegiatan import NOW
from tests.support.fakes.outbox import add_member

RETENTION = timedelta(days=90)


def row(member: int, identity_id: int, key: str, status: str, days_ago: float) -> OutboxMessage:
    at = NOW - timedelta(days=days_ago)
    return OutboxMessage(
        member_id=member, identity_id=identity_id, channel="telegram", kind="announcement",
        params={"text": f"Pengingat untuk Siti Aminah ({key})", "lang": "id"},
        media_path="/media/poster.jpg", idempotency_key=key, status=status,
        created_at=at, not_before=at, sent_at=at if status == "sent" else None,
    )  # fmt: skip


async def test_old_texts_go_after_the_retention_period_and_the_rows_stay(app: App) -> None:
    async with transaction(app.sessions) as s:
        member, chat = await add_member(s, "tg-siti")
        s.add_all([
            row(member, chat, "old-sent", "sent", 100),
            row(member, chat, "old-failed", "failed", 100),
            row(member, chat, "yesterday", "sent", 1),
            row(member, chat, "old-but-waiting", "queued", 100),  # held back: still to be sent
        ])  # fmt: skip
        old_at, new_at = NOW - timedelta(days=100), NOW - timedelta(days=1)
        s.add_all([
            Broadcast(actor="test", text="Lomba P2WKSS, juara: Ibu Siti Aminah", audience={},
                      status="sent", created_at=old_at, finished_at=old_at),
            Broadcast(actor="test", text="Posyandu besok", audience={}, status="sent",
                      created_at=new_at, finished_at=new_at),
            Broadcast(actor="test", text="Nanti saja", audience={}, status="scheduled",
                      created_at=old_at, scheduled_at=NOW + timedelta(days=1)),
        ])  # fmt: skip

    await housekeeping_once(app.sessions, NOW, retention=RETENTION)

    async with app.sessions() as s:
        rows = {r.idempotency_key: r for r in await s.scalars(select(OutboxMessage))}
        texts = list(await s.scalars(select(Broadcast.text).order_by(Broadcast.id)))
    kept = {key: (r.params.get("text") is not None, r.media_path is not None)
            for key, r in rows.items()}  # fmt: skip
    assert kept == {
        "old-sent": (False, False),
        "old-failed": (False, False),
        "yesterday": (True, True),
        "old-but-waiting": (True, True),
    }
    # The record of who was reached stays (the broadcast counts); only the words go.
    assert (rows["old-sent"].status, rows["old-sent"].member_id) == ("sent", member)
    assert texts == ["", "Posyandu besok", "Nanti saja"]
    database = app.db.url.database
    if app.db.dialect.name == "sqlite" and database:
        # Gone from the files too, the WAL included (secure_delete and a checkpoint).
        files = b"".join(
            path.read_bytes() for path in (Path(database), Path(f"{database}-wal")) if path.exists()
        )
        assert b"juara: Ibu Siti Aminah" not in files and b"(old-sent)" not in files
        assert b"(yesterday)" in files
