"""Benchmark: voice notes of 50 typical messages, made cold (an empty cache) and warm.

A figure, not a test. The messages are the bot's own texts from its catalogs with
realistic values: kegiatan reminders (also on the waiting list), changes and
cancellations, her main menu, a kegiatan's details, announcements and short answers. Each
is made the way "Dengarkan" makes it (`VoiceNotes.make`: spoken form, parts of at most 600
characters, espeak-ng on the voice thread, OGG/Opus at 12 kHz, or `--sample-rate`), one
after another, and timed from the call to the files; then all again from the cache.
`bytes_per_s` is the size of the files over the length of their speech.

    voice messages=50 cold_ms_p50=M warm_ms_p50=W bytes_per_s=B

    .venv/bin/python benchmarks/voice.py [-v] [--sample-rate 16000]
"""

# ruff: noqa: E402  (the repository root goes on sys.path before the project's imports)
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from handlers.core.i18n import format_datetime_local, t
from handlers.voice.notes import Screen, VoiceNotes
from models.voice.synth import Synthesizer, VoiceFile

WIB = ZoneInfo("Asia/Jakarta")
TODAY = date(2026, 11, 30)
KEGIATAN = [
    ("Penyuluhan gizi balita", "Posyandu Melati, Cibening"),
    ("Sosialisasi PHBS (hidup bersih dan sehat)", "Balai Warga Sumberan"),
    ("Pembentukan kelompok UP2K", "Aula Kel. Warung Jaud"),
    ("Pelayanan KB gratis", "Puskesmas Kasemen"),
    ("Pelatihan membuat keripik singkong", "Rumah Ibu RT 003/RW 005"),
    ("Bintek pencatatan keuangan keluarga", "Kantor Kec. Kasemen"),
    ("Pemeriksaan kesehatan ibu hamil", "Posyandu Mawar, Sumberan"),
    ("Penyuluhan stunting bersama OPD", "Balai Warga Cibening"),
    ("Pelatihan menjahit untuk UP2K", "Gedung PKK Kota Serang"),
    ("Sosialisasi pencegahan DBD", "Masjid Al-Ikhlas, Sumberan"),
]
NAMES = ["Siti Aminah", "Dewi Lestari", "Nur Hasanah", "Rina Wati", "Euis Sumarni"]
MENU = ["Kegiatan", "Jadwal saya", "Tanya kader", "Bantuan", "Lainnya"]
ANNOUNCEMENTS = [
    "Besok ada pembagian bibit sayur di balai warga mulai pukul 08.00 WIB. Bawa kantong sendiri.",
    "Posyandu bulan ini pindah ke rumah Ibu RT 002/RW 004. Jangan lupa bawa buku KIA.",
    "Terima kasih kepada 120 ibu yang sudah hadir pada penyuluhan kemarin.",
    "Pendaftaran pelatihan UP2K dibuka sampai 15 Desember. Kuota 25 orang.",
    "Ada pemeriksaan gratis untuk balita: timbang, ukur tinggi badan dan vitamin A.",
    "Kerja bakti membersihkan saluran air hari Minggu pukul 07.00 WIB. Mari ikut!",
    "Bagi ibu yang belum punya BPJS, petugas kelurahan datang hari Kamis pukul 10.00 WIB.",
    "Lomba P2WKSS tahun ini: kampung kita dinilai bulan Maret. Mari siapkan bersama.",
    "Harga paket sembako murah Rp 50.000, bisa diambil di kantor Kel. Bendung.",
    "Jadwal imunisasi bulan Desember sudah ada. Ketik Kegiatan untuk melihatnya.",
]


def when(n: int) -> str:
    start = datetime(2026, 12, 3, 2, 0, tzinfo=UTC) + timedelta(days=n, hours=n % 4)
    return format_datetime_local(start, "id", WIB)


def messages() -> list[Screen]:
    """50 messages a mother typically gets, in Bahasa Indonesia."""
    out: list[Screen] = []
    keep = (t("id", "reminders.btn_keep"), t("id", "kegiatan.btn_unsignup"))
    for n, (judul, tempat) in enumerate(KEGIATAN):
        text = t("id", "outbox.kegiatan_reminder", judul=judul, when=when(n), tempat=tempat)
        out.append(Screen(text, keep))
    for n, (judul, tempat) in enumerate(KEGIATAN[:5]):
        text = t("id", "outbox.kegiatan_reminder_waiting", judul=judul, when=when(n),
                 tempat=tempat, position=n + 1)  # fmt: skip
        out.append(Screen(text, (t("id", "kegiatan.btn_unsignup"),)))
    for n, (judul, tempat) in enumerate(KEGIATAN[5:]):
        out.append(Screen(t("id", "outbox.kegiatan_changed", judul=judul, when=when(n + 5),
                            tempat=tempat), keep))  # fmt: skip
    for n, name in enumerate(NAMES):
        text = "\n".join([t("id", "menu.as_member", name=name), t("id", "menu.title")])
        out.append(Screen(text, tuple(MENU[: 4 + n % 2])))
    for n, (judul, tempat) in enumerate(KEGIATAN):
        text = (
            f"{judul}\nJenis: Penyuluhan\nMulai: {when(n)}\nSelesai: pukul 11.00 WIB\n"
            f"Tempat: {tempat}\nPenyelenggara: Dinas Kesehatan Kota Serang\n"
            f"Sisa tempat: {n + 3} dari 30."
        )
        out.append(Screen(text, ("Daftar", "Kegiatan lain", "Menu utama")))
    for text in ANNOUNCEMENTS:
        out.append(Screen(t("id", "outbox.announcement", text=text)))
    for judul, _ in KEGIATAN[:5]:
        out.append(Screen(f"Ibu terdaftar di {judul}. Sampai jumpa!", ("Menu utama",)))
    assert len(out) == 50
    return out


async def timed(notes: VoiceNotes, screens: list[Screen]) -> tuple[list[float], list[VoiceFile]]:
    spent: list[float] = []
    files: list[VoiceFile] = []
    for screen in screens:
        started = time.perf_counter()
        made = await notes.make([screen], "id", TODAY)
        spent.append((time.perf_counter() - started) * 1000)
        files += made
    return spent, files


async def benchmark(verbose: bool, sample_rate: int | None) -> tuple[float, float, float]:
    screens = messages()
    with tempfile.TemporaryDirectory(prefix="p2wkss-voice-") as tmp:
        notes = VoiceNotes(Synthesizer(Path(tmp) / "voice"), sample_rate=sample_rate)
        cold, files = await timed(notes, screens)
        warm, again = await timed(notes, screens)
        assert [f.path for f in files] == [f.path for f in again]
    seconds = sum(f.seconds for f in files)
    size = sum(f.size for f in files)
    if verbose:
        detail = f"cold_ms_max={max(cold):.0f} warm_ms_max={max(warm):.2f}"
        print(f"files={len(files)} speech_s={seconds:.0f} bytes={size} {detail}", file=sys.stderr)
    return statistics.median(cold), statistics.median(warm), size / seconds


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python benchmarks/voice.py")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--sample-rate", type=int, choices=(8000, 12000, 16000))
    args = parser.parse_args(argv)
    cold, warm, rate = asyncio.run(benchmark(args.verbose, args.sample_rate))
    print(f"voice messages=50 cold_ms_p50={cold:.0f} warm_ms_p50={warm:.2f} bytes_per_s={rate:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
