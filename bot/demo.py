"""`p2wkss-bot chat --demo`: a living demo on its own database file (never the
production one), with a few kegiatan in the coming weeks, an example admin and an
example kader of Kampung Sumberan.

The kegiatan are placed relative to today each time the demo starts without upcoming
ones, so the demo never shows an empty or stale schedule.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import IdentityMember, Kegiatan, Member, transaction, utcnow
from models.kegiatan.admin import create_kegiatan, publish
from models.kegiatan.tables import KegiatanDraft
from models.location import active_kampung
from models.people.members import CONSENT_VERSION, ensure_identity, household
from models.people.roles import grant_admin

DEMO_DB = Path("p2wkss-demo.db")
DEMO_ADMIN = "admin"  # `p2wkss-bot chat --demo --user admin` opens the admin's chat
DEMO_KADER = "kader"  # `p2wkss-bot chat --demo --user kader` opens the kader's chat
DEMO_KADER_NAME = "Ani Lestari (contoh kader)"

# (days from today, start hour, hours, jenis, judul, opd, tempat, kuota, kampung or None)
EXAMPLES = [
    (
        3,
        9,
        3,
        "pelatihan",
        "Pelatihan menjahit",
        "DP3AKB Kota Serang",
        "Balai Warga Sumberan",
        3,
        "Sumberan",
    ),
    (
        5,
        9,
        2,
        "penyuluhan",
        "Penyuluhan gizi balita",
        "Dinas Kesehatan Kota Serang",
        "Posyandu Melati, Cibening",
        None,
        None,
    ),
    (
        8,
        13,
        2,
        "sosialisasi",
        "Sosialisasi PHBS (hidup bersih dan sehat)",
        "Puskesmas Kasemen",
        "Aula Kelurahan Bendung",
        30,
        None,
    ),
    (
        12,
        9,
        4,
        "pembentukan_kelompok",
        "Pembentukan kelompok UP2K",
        "DP3AKB Kota Serang",
        "Rumah Ibu RT 03 Cibening",
        15,
        "Cibening",
    ),
    (
        16,
        8,
        3,
        "pelayanan",
        "Pelayanan KB gratis",
        "DP3AKB Kota Serang",
        "Puskesmas Kasemen",
        20,
        None,
    ),
]


async def seed_demo(sessions: async_sessionmaker[AsyncSession], tz: ZoneInfo) -> int:
    """Add the example admin and, if nothing is coming up, the example kegiatan."""
    now = utcnow()
    async with transaction(sessions) as session:
        await grant_admin(session, "console", DEMO_ADMIN, actor="demo")
        places = {p.name: p.id for p in await active_kampung(session)}
        await _demo_kader(session, places.get("Sumberan"))
        upcoming = await session.scalar(
            select(func.count())
            .select_from(Kegiatan)
            .where(Kegiatan.status == "open", Kegiatan.starts_at > now)
        )
        if upcoming:
            return 0
        today = now.astimezone(tz).date()
        for days, hour, hours, jenis, judul, opd, tempat, kuota, kampung in EXAMPLES:
            start = datetime.combine(today + timedelta(days=days), time(hour), tzinfo=tz)
            draft = KegiatanDraft(
                jenis=jenis,
                judul=judul,
                opd=opd,
                tempat=tempat,
                starts_at=start,
                ends_at=start + timedelta(hours=hours),
                kuota=kuota,
                sasaran=(places[kampung],) if kampung in places else (),
                description="Contoh kegiatan untuk demo.",
            )
            k = await create_kegiatan(session, draft, now=now, actor="demo")
            await publish(session, k.id, now=now, actor="demo")
        return len(EXAMPLES)


async def _demo_kader(session: AsyncSession, kampung_id: int | None) -> None:
    """A kader as an invitation would make her (granted, not claimed), registered."""
    identity_id = await ensure_identity(session, "console", DEMO_KADER)
    if await household(session, identity_id):
        return
    kader = Member(
        full_name=DEMO_KADER_NAME,
        role="kader",
        kampung_id=kampung_id,
        language="id",
        consent_at=utcnow(),
        consent_version=CONSENT_VERSION,
        consent_method="chat",
    )
    session.add(kader)
    await session.flush()
    session.add(IdentityMember(identity_id=identity_id, member_id=kader.id))
