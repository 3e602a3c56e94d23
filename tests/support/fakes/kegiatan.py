"""Set-up for kegiatan stories: a kegiatan in one call, mothers with chats, and short
wrappers that run one domain operation in its own transaction (as a chat message would)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.app import App
from models.base import transaction, utcnow
from models.kegiatan.admin import create_kegiatan, publish
from models.kegiatan.signups import CancelResult, SignupResult, cancel_signup, sign_up
from models.kegiatan.tables import Kegiatan, KegiatanDraft
from models.outbox.tables import OutboxMessage
from tests.support.fakes.outbox import add_member, kampung_ids

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # Selasa 1 Desember 2026, 10.00 WIB
START = NOW + timedelta(days=2)  # Kamis 3 Desember, 10.00 WIB


def draft(
    judul: str = "Penyuluhan gizi balita",
    *,
    kuota: int | None = 2,
    starts_at: datetime = START,
    hours: float = 3,
    sasaran: tuple[int, ...] = (),
    tempat: str = "Balai Warga Sumberan",
) -> KegiatanDraft:
    return KegiatanDraft(
        jenis="penyuluhan",
        judul=judul,
        opd="Dinas Kesehatan Kota Serang",
        tempat=tempat,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        kuota=kuota,
        narasumber="dr. Rina",
        description="Membawa buku KIA.",
        sasaran=sasaran,
    )


async def kegiatan(
    app: App,
    judul: str,
    *,
    kuota: int | None = 1,
    kampung: tuple[str, ...] = (),
    days: float = 2,
    published: bool = True,
) -> int:
    now = utcnow()
    async with transaction(app.sessions) as s:
        places = await kampung_ids(s)
        spec = draft(
            judul,
            kuota=kuota,
            starts_at=now + timedelta(days=days),
            sasaran=tuple(places[k] for k in kampung),
        )
        k = await create_kegiatan(s, spec, now=now, actor="test")
        if published:
            await publish(s, k.id, now=now, actor="test")
        return k.id


async def new_kegiatan(
    app: App,
    judul: str = "Penyuluhan gizi balita",
    *,
    kuota: int | None = 2,
    starts_at: datetime = START,
    hours: float = 3,
    kampung: tuple[str, ...] = (),
    published: bool = True,
) -> int:
    async with transaction(app.sessions) as s:
        places = await kampung_ids(s)
        sasaran = tuple(places[name] for name in kampung)
        spec = draft(judul, kuota=kuota, starts_at=starts_at, hours=hours, sasaran=sasaran)
        kegiatan = await create_kegiatan(s, spec, now=NOW, actor="test")
        if published:
            await publish(s, kegiatan.id, now=NOW, actor="test")
        return kegiatan.id


async def mother(
    app: App, chat: str, kampung: str | None = "Sumberan", *, seen_at: datetime | None = None
) -> tuple[int, int]:
    """A mother in a kampung with her own chat; returns (member id, identity id)."""
    async with transaction(app.sessions) as s:
        places = await kampung_ids(s)
        kampung_id = places[kampung] if kampung else None
        return await add_member(s, chat, kampung_id=kampung_id, seen_at=seen_at)


async def join(app: App, kegiatan_id: int, member_id: int, now: datetime = NOW) -> SignupResult:
    async with transaction(app.sessions) as s:
        return await sign_up(s, kegiatan_id, member_id, now)


async def leave(app: App, kegiatan_id: int, member_id: int, now: datetime = NOW) -> CancelResult:
    async with transaction(app.sessions) as s:
        return await cancel_signup(s, kegiatan_id, member_id, now)


async def load(app: App, kegiatan_id: int) -> Kegiatan:
    async with app.sessions() as s:
        return await s.get_one(Kegiatan, kegiatan_id)


async def notices(app: App, kind: str | None = None) -> list[OutboxMessage]:
    async with app.sessions() as s:
        stmt = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind is not None:
            stmt = stmt.where(OutboxMessage.kind == kind)
        return list(await s.scalars(stmt))
