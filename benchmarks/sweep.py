"""Benchmark: one kegiatan-reminder sweep on a big database, when nothing is due and when
1,000 reminders are due.

A figure, not a test. It makes a fresh SQLite file migrated by the project's own code,
adds M mothers (each with her own chat) and K kegiatan: the first starts in two days with
1,000 registered mothers, the others spread every 4 hours from a few days later with 10
sign-ups each (the rest of the mothers). Then it times, with the sweep's own `now`:

- due: one sweep two hours before the first kegiatan (its 1,000 reminders are due: the
  day-before ones are superseded by the 2-hour ones, which are written);
- idle: the sweep 15 s later, when nothing is due any more (the steady state: every sweep
  but a few finds nothing), best of 5.

It prints one line:

    sweep members=20000 kegiatan=2000 idle_ms=A due_ms=B written=1000

    .venv/bin/python benchmarks/sweep.py --members 20000 --kegiatan 2000
"""

# ruff: noqa: E402  (the repository root goes on sys.path before the project's imports)
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert

from bot.app import migrate_and_seed
from models import (
    ChannelIdentity,
    IdentityMember,
    Kegiatan,
    Member,
    Signup,
    make_engine,
    make_sessionmaker,
)
from models.base import transaction
from models.reminders.kegiatan import HOURS_BEFORE, ReminderPlan
from scheduler.sweeps import kegiatan_reminders_once

TZ = ZoneInfo("Asia/Jakarta")
DUE = 1000
CHUNK = 2000


async def _insert(session: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(table), rows[start : start + CHUNK])


async def fill(sessions: Any, members: int, kegiatan: int, now: datetime) -> datetime:
    """The database described above; returns the first kegiatan's start."""
    first_start = datetime(2027, 3, 3, 10, 0, tzinfo=TZ).astimezone(UTC)
    async with transaction(sessions) as s:
        await _insert(
            s,
            Member,
            [
                {"id": i, "full_name": f"Ibu {i}", "role": "ibu", "language": "id",
                 "consent_at": now, "created_at": now, "updated_at": now}
                for i in range(1, members + 1)
            ],
        )  # fmt: skip
        await _insert(
            s,
            ChannelIdentity,
            [
                {"id": i, "channel": "telegram", "external_id": str(7_000_000_000 + i),
                 "language": "id", "created_at": now}
                for i in range(1, members + 1)
            ],
        )  # fmt: skip
        await _insert(
            s,
            IdentityMember,
            [{"identity_id": i, "member_id": i, "created_at": now} for i in range(1, members + 1)],
        )
        rows = []
        for k in range(1, kegiatan + 1):
            start = first_start if k == 1 else first_start + timedelta(days=3, hours=4 * k)
            rows.append(
                {"id": k, "jenis": "penyuluhan", "judul": f"Kegiatan {k}", "opd": "DP3AKB",
                 "tempat": "Balai Warga", "starts_at": start, "ends_at": start + timedelta(hours=2),
                 "kuota": None, "description": "", "status": "open",
                 "registered_count": DUE if k == 1 else 10, "created_at": now,
                 "updated_at": now, "published_at": now, "version": 1}
            )  # fmt: skip
        await _insert(s, Kegiatan, rows)
        signups = []
        for m in range(1, members + 1):
            k = 1 if m <= DUE else 2 + (m - DUE - 1) // 10
            if k > kegiatan:
                break
            signups.append(
                {"kegiatan_id": k, "member_id": m, "status": "registered", "queued_at": now,
                 "created_at": now, "updated_at": now}
            )  # fmt: skip
        await _insert(s, Signup, signups)
    return first_start


async def main(members: int, kegiatan: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        db = make_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'sweep.db'}")
        try:
            await migrate_and_seed(db)
            sessions = make_sessionmaker(db)
            now = datetime(2027, 2, 1, 3, 0, tzinfo=UTC)
            start = await fill(sessions, members, kegiatan, now)
            plan = ReminderPlan(tz=TZ)
            at = plan.due_at(HOURS_BEFORE, start) + timedelta(minutes=1)
            t0 = time.perf_counter()
            result = await kegiatan_reminders_once(sessions, at, plan)
            due_ms = (time.perf_counter() - t0) * 1000
            idle = []
            for i in range(5):
                t0 = time.perf_counter()
                again = await kegiatan_reminders_once(
                    sessions, at + timedelta(seconds=15 * i), plan
                )
                idle.append((time.perf_counter() - t0) * 1000)
                assert again.written == 0
        finally:
            await db.dispose()
    return (
        f"sweep members={members} kegiatan={kegiatan} idle_ms={min(idle):.1f} "
        f"due_ms={due_ms:.1f} written={result.written}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=20000)
    parser.add_argument("--kegiatan", type=int, default=2000)
    args = parser.parse_args()
    if args.members < DUE:
        parser.error(f"--members must be at least {DUE}")
    print(asyncio.run(main(args.members, args.kegiatan)))
