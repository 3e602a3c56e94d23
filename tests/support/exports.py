"""A small programme's worth of data for export stories, written straight to the database
(kegiatan that took place cannot be planned through the rules, which refuse the past).

Two kampung (Sumberan, Cibening); three kegiatan held in the two months before this one,
of two jenis (plus one cancelled and one draft, which recaps leave out); sign-ups, the
daftar hadir with walk-ins and a name added by hand; reports with photos on disk. The
figures the stories check are worked out by hand in the comments below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import App
from models import Attendance, Kegiatan, KegiatanTarget, Member, Report, ReportPhoto, Signup
from models.base import transaction, utcnow
from tests.support.fakes.outbox import kampung_ids, link

WIB = ZoneInfo("Asia/Jakarta")
PHOTO_BYTES = 3000


@dataclass
class Dataset:
    kegiatan: dict[str, int] = field(default_factory=dict)
    members: dict[str, int] = field(default_factory=dict)
    reports: dict[str, int] = field(default_factory=dict)
    months: tuple[date, date] = (date(2000, 1, 1), date(2000, 1, 1))


def months_back(today: date) -> tuple[date, date]:
    """The first day of the month before last, and of last month."""
    last = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    before = (last - timedelta(days=1)).replace(day=1)
    return before, last


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=WIB).astimezone(UTC)


MEMBERS = [
    # name, kampung, RT, RW, phone, Dasa Wisma, role, with a chat
    ("Siti Aminah", "Sumberan", 3, 5, "+6281234567890", "Melati", "ibu", True),
    ("Dewi Lestari", "Sumberan", 3, 5, "+6281234567890", "Melati", "ibu", False),
    ("Yuli Astuti", "Sumberan", 1, 1, None, None, "ibu", False),
    ("Nur Aini", "Cibening", 2, 4, "+6281322223333", "Mawar", "ibu", True),
    ("Rina Kader", "Sumberan", 3, 5, "+6281311112222", None, "kader", True),
    ("Ani Cibening", "Cibening", 2, 4, None, None, "kader", False),
]


async def build_dataset(app: App, media_dir: Path) -> Dataset:
    data = Dataset(months=months_back(utcnow().astimezone(WIB).date()))
    before, last = data.months
    async with transaction(app.sessions) as s:
        places = await kampung_ids(s)
        for name, kampung, rt, rw, phone, dawis, role, chat in MEMBERS:
            m = Member(full_name=name, kampung_id=places[kampung], rt=rt, rw=rw,
                       phone_e164=phone, dasa_wisma=dawis, role=role, language="id")  # fmt: skip
            s.add(m)
            await s.flush()
            data.members[name] = m.id
            if chat:
                await link(s, m.id, f"tg-data-{m.id}")

        async def kegiatan(judul: str, jenis: str, opd: str, day: date, status: str,
                           kampung: tuple[str, ...] = ()) -> int:  # fmt: skip
            k = Kegiatan(jenis=jenis, judul=judul, opd=opd, tempat="Balai Warga",
                         starts_at=at(day), ends_at=at(day, 12), status=status)  # fmt: skip
            s.add(k)
            await s.flush()
            for name in kampung:
                s.add(KegiatanTarget(kegiatan_id=k.id, kampung_id=places[name]))
            data.kegiatan[judul] = k.id
            return k.id

        k1 = await kegiatan("Penyuluhan gizi balita", "penyuluhan", "Dinas Kesehatan Kota Serang",
                            before + timedelta(days=9), "done", ("Sumberan",))  # fmt: skip
        # For every kampung; its title starts like a formula.
        k2 = await kegiatan("-Pelatihan menjahit", "pelatihan", "DP3AKB Kota Serang",
                            last + timedelta(days=4), "closed")  # fmt: skip
        k3 = await kegiatan("Penyuluhan PHBS", "penyuluhan", "Puskesmas Kasemen",
                            last + timedelta(days=14), "done", ("Cibening",))  # fmt: skip
        await kegiatan("Pelatihan yang batal", "pelatihan", "DP3AKB Kota Serang",
                       last + timedelta(days=6), "cancelled")  # fmt: skip
        await kegiatan("Rencana sosialisasi", "sosialisasi", "DP3AKB Kota Serang",
                       utcnow().date() + timedelta(days=20), "draft")  # fmt: skip

        ids = data.members

        def signup(kegiatan_id: int, member: str, status: str) -> None:
            s.add(Signup(kegiatan_id=kegiatan_id, member_id=ids[member], status=status,
                         queued_at=at(before)))  # fmt: skip

        def hadir(kegiatan_id: int, member: str | None, status: str = "present", *,
                  walk_in: bool = False, name: str | None = None,
                  kampung: str | None = None) -> None:  # fmt: skip
            s.add(Attendance(
                kegiatan_id=kegiatan_id, member_id=ids[member] if member else None, name=name,
                kampung_id=places[kampung] if kampung else None, status=status,
                walk_in=walk_in, method="code" if member else "hand",
                present_at=at(before) if status == "present" else None,
            ))  # fmt: skip

        # K1 (Sumberan): 2 seats (Siti came, Dewi did not), Yuli came off the waiting list
        # and Bu Karsih (no record) was added by hand: registered 2, present 3, walk-ins 2.
        signup(k1, "Siti Aminah", "registered")
        signup(k1, "Dewi Lestari", "registered")
        signup(k1, "Yuli Astuti", "waiting")
        hadir(k1, "Siti Aminah")
        hadir(k1, "Yuli Astuti", walk_in=True)
        hadir(k1, None, walk_in=True, name="Karsih", kampung="Sumberan")
        # K2 (all kampung): Siti and Nur came; Dewi cancelled: registered 2, present 2.
        signup(k2, "Siti Aminah", "registered")
        signup(k2, "Nur Aini", "registered")
        signup(k2, "Dewi Lestari", "cancelled")
        hadir(k2, "Siti Aminah")
        hadir(k2, "Nur Aini")
        # K3 (Cibening): Nur had a seat and was marked absent: registered 1, present 0.
        signup(k3, "Nur Aini", "registered")
        hadir(k3, "Nur Aini", "absent")
        await s.flush()

        folder = media_dir / "reports"
        folder.mkdir(parents=True, exist_ok=True)

        async def report(key: str, kader: str, kegiatan_id: int | None, status: str,
                         women: int, men: int, photos: int, ringkasan: str = "Berjalan baik",
                         ) -> None:  # fmt: skip
            k = await s.get_one(Kegiatan, kegiatan_id) if kegiatan_id else None
            kader_row = await s.get_one(Member, ids[kader])
            r = Report(
                kader_member_id=ids[kader], kampung_id=kader_row.kampung_id, status=status,
                jenis=k.jenis if k else "penyuluhan", kegiatan_id=kegiatan_id,
                title=k.judul if k else None,
                held_on=k.starts_at.astimezone(WIB).date() if k else None, opd=k.opd if k else None,
                women=women, men=men, ringkasan=ringkasan,
                submitted_at=utcnow() if status != "draft" else None,
            )  # fmt: skip
            s.add(r)
            await s.flush()
            for position in range(1, photos + 1):
                path = folder / f"r{r.id}-{position}.jpg"
                path.write_bytes(b"\xff\xd8" + bytes([position]) * (PHOTO_BYTES - 2))
                s.add(ReportPhoto(report_id=r.id, position=position,
                                  path=str(path.relative_to(media_dir))))  # fmt: skip
            data.reports[key] = r.id

        # Sent: R1 (K1, approved, 2 photos), R2 (K2, waiting, 1), R3 (Cibening, approved, 1):
        # women 12 + 8 + 5 = 25, men 0 + 2 + 1 = 3. The draft R4 is the kader's own.
        await report("R1", "Rina Kader", k1, "approved", 12, 0, 2)
        await report("R2", "Rina Kader", k2, "submitted", 8, 2, 1, ringkasan="=SUM(A1:A9)")
        await report("R3", "Ani Cibening", k3, "approved", 5, 1, 1)
        await report("R4", "Rina Kader", None, "draft", 3, 3, 1)
    return data
