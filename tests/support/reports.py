"""Set-up for laporan kegiatan stories: a kader or an admin in chat, kegiatan that took
place, photos sent on the test channel (stored by a downloader like a real channel's),
and reading back the reports, their photos and the outbox."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from bot.app import App
from handlers.core.media import MediaDownloadError, register_downloader, unregister_downloader
from handlers.core.types import Incoming, Kind, Media
from models import (
    ChannelIdentity,
    ConversationState,
    Kegiatan,
    KegiatanTarget,
    Member,
    OutboxMessage,
    Report,
    ReportPhoto,
)
from models.base import transaction, utcnow
from models.people.roles import grant_admin
from tests.support.chat import Chat, register
from tests.support.fakes.outbox import kampung_ids

KADER = "tg-kader"
ADMIN = "tg-admin"


async def kader_chat(
    app: App, identity: str = KADER, name: str = "Rina Kader", kampung: str = "Sumberan"
) -> Chat:
    """A registered member made kader of a kampung (role and kampung set directly)."""
    chat = Chat(app.engine, identity=identity)
    await register(chat, name=name)
    async with transaction(app.sessions) as s:
        places = await kampung_ids(s)
        await s.execute(
            update(Member)
            .where(Member.full_name == name)
            .values(role="kader", kampung_id=places[kampung])
        )
    return chat


async def admin_chat(app: App, identity: str = ADMIN) -> Chat:
    async with transaction(app.sessions) as s:
        await grant_admin(s, "test", identity, actor="test")
    return Chat(app.engine, identity=identity)


async def held_kegiatan(
    app: App,
    judul: str = "Penyuluhan gizi balita",
    *,
    days_ago: float = 2,
    jenis: str = "penyuluhan",
    opd: str = "Dinas Kesehatan Kota Serang",
    kampung: tuple[str, ...] = (),
) -> int:
    """A kegiatan that took place `days_ago` (rows written directly: the admin rules
    refuse to plan one in the past)."""
    starts = utcnow() - timedelta(days=days_ago)
    async with transaction(app.sessions) as s:
        places = await kampung_ids(s)
        k = Kegiatan(
            jenis=jenis,
            judul=judul,
            opd=opd,
            tempat="Balai Warga",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            status="closed",
        )
        s.add(k)
        await s.flush()
        for name in kampung:
            s.add(KegiatanTarget(kegiatan_id=k.id, kampung_id=places[name]))
        return k.id


def photo(chat: Chat, ref: str, *, size: int | None = None) -> Incoming:
    return chat._incoming(Kind.PHOTO, media=Media(file_ref=ref, size=size))


def document(chat: Chat, ref: str, mime: str) -> Incoming:
    return chat._incoming(Kind.DOCUMENT, media=Media(file_ref=ref, mime_type=mime))


@contextmanager
def photo_downloader(channel: str = "test") -> Iterator[list[Media]]:
    """A downloader for the test channel, storing each file under the folder it is given,
    named from its content (like the Telegram one). A ref "huge" is too large, "pdf" is
    not a picture."""
    asked: list[Media] = []

    async def download(media: Media, folder: Path, *, max_bytes: int) -> Path:
        asked.append(media)
        if media.file_ref == "huge":
            raise MediaDownloadError("too_large")
        if media.file_ref == "pdf":
            raise MediaDownloadError("not_a_photo")
        data = b"\xff\xd8photo-" + media.file_ref.encode()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / (hashlib.sha256(data).hexdigest()[:32] + ".jpg")
        path.write_bytes(data)
        return path

    register_downloader(channel, download)
    try:
        yield asked
    finally:
        unregister_downloader(channel)


async def reports(app: App) -> list[Report]:
    async with app.sessions() as s:
        return list(await s.scalars(select(Report).order_by(Report.id)))


async def report_photos(app: App, report_id: int) -> list[ReportPhoto]:
    async with app.sessions() as s:
        rows = await s.scalars(
            select(ReportPhoto)
            .where(ReportPhoto.report_id == report_id)
            .order_by(ReportPhoto.position)
        )
        return list(rows)


async def outbox(app: App, kind: str | None = None) -> list[OutboxMessage]:
    async with app.sessions() as s:
        stmt = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind is not None:
            stmt = stmt.where(OutboxMessage.kind == kind)
        return list(await s.scalars(stmt))


async def age_state(app: App, identity: str, hours: float) -> None:
    """Her conversation was last touched `hours` ago (for the idle expiry)."""
    async with transaction(app.sessions) as s:
        ident = await s.scalar(
            select(ChannelIdentity.id).where(ChannelIdentity.external_id == identity)
        )
        await s.execute(
            update(ConversationState)
            .where(ConversationState.identity_id == ident)
            .values(updated_at=datetime.now(UTC) - timedelta(hours=hours))
        )
