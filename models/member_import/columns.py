"""The columns of a KK binaan list and how each cell is read.

The template (models/data/template_kk_binaan.csv) has: nama, kampung, RT, RW, no HP,
Dasa Wisma, peran. Headers are matched in any case, with the usual other wordings ("Nama
Lengkap", "No. HP/WA", "RT/RW" in one column or merged over two). A column that is not one
of these (a NIK, a job, a husband's name) is never read: it is named in the report.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from models.people.rules import RT_RW_MAX, check_rt_rw
from models.sheets import Cell

TEMPLATE_FILE: Final = Path(__file__).resolve().parents[1] / "data" / "template_kk_binaan.csv"
TEMPLATE_HEADER: Final = ("nama", "kampung", "RT", "RW", "no HP", "Dasa Wisma", "peran")

PHONE_HEADERS: Final = ("no hp", "nomor hp", "hp", "no hp/wa", "no hp / wa", "no wa",
                        "nomor wa", "whatsapp", "no telp", "no telepon", "nomor telepon",
                        "telepon", "telp", "phone", "no hp (wa)")  # fmt: skip
# header text (see models.sheets.header_text) -> column
HEADER_NAMES: Final = {
    **dict.fromkeys(("nama", "nama lengkap", "nama ibu", "nama warga", "name"), "nama"),
    **dict.fromkeys(("kampung", "kp", "kampung binaan", "nama kampung"), "kampung"),
    **dict.fromkeys(("rt", "no rt"), "rt"),
    **dict.fromkeys(("rw", "no rw"), "rw"),
    **dict.fromkeys(("rt/rw", "rt / rw", "rt rw", "rt-rw"), "rtrw"),
    **dict.fromkeys(PHONE_HEADERS, "hp"),
    **dict.fromkeys(("dasa wisma", "dasawisma", "kelompok dasa wisma", "dawis"), "dasa_wisma"),
    **dict.fromkeys(("peran", "role", "jabatan"), "peran"),
}
# A column numbering the rows: neither read nor reported.
SILENT: Final = frozenset({"no", "nomor", "no urut", "#"})
REQUIRED: Final = ("nama", "kampung")
# How a column is named in messages.
SHOWN: Final = {
    "nama": "nama",
    "kampung": "kampung",
    "rt": "RT",
    "rw": "RW",
    "rtrw": "RT/RW",
    "hp": "no HP",
    "dasa_wisma": "Dasa Wisma",
    "peran": "peran",
}
DASA_WISMA_MAX: Final = 60

# "peran" cell -> role. The admin role is never granted by a file.
ROLE_WORDS: Final = {
    **dict.fromkeys(
        ("", "ibu", "warga", "ibu binaan", "warga binaan", "kk binaan", "anggota", "mother"),
        "ibu",
    ),
    **dict.fromkeys(("kader", "kader pkk", "kader posyandu", "cadre"), "kader"),
}
ADMIN_WORDS: Final = frozenset({"admin", "administrator", "petugas", "pembina"})


def text(cell: Cell) -> str:
    """A cell as text: 3.0 -> "3", spaces squeezed."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return " ".join(str(cell).split())


def place_key(name: str) -> str:
    """ "Kp. Sumberan", "KAMPUNG SUMBERAN", "sumberan" -> "sumberan"."""
    plain = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    words = re.sub(r"[\W_]+", " ", plain).split()
    if len(words) > 1 and words[0] in ("kampung", "kp", "kamp", "kmp", "kpg"):
        words = words[1:]
    return " ".join(words)


def name_key(name: str) -> str:
    return " ".join(name.casefold().split())


@dataclass(frozen=True)
class Number:
    value: int | None = None
    error: str | None = None


def rt_or_rw(cell: Cell) -> Number:
    """ "3", "003", 3, 3.0, "RT 3", "rw.05" -> the number; empty -> None, no error."""
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return Number()
    if isinstance(cell, bool):
        return Number(error="bad_number")
    if isinstance(cell, int | float):
        number = int(cell) if float(cell).is_integer() else -1
    else:
        found = re.fullmatch(r"(?:r[tw]\.?\s*)?0*(\d{1,4})", text(cell), re.IGNORECASE)
        number = int(found.group(1)) if found else -1
    if number < 0:
        return Number(error="bad_number")
    return Number(number) if 1 <= number <= RT_RW_MAX else Number(error="out_of_range")


def rt_and_rw(cell: Cell) -> tuple[Number, Number] | None:
    """Both from one cell ("3/5", "RT 003 RW 005"), or None when it holds no pair."""
    pair = check_rt_rw(text(cell))
    if pair.rt is None or pair.rw is None:
        return None
    return Number(pair.rt), Number(pair.rw)


def phone_text(cell: Cell) -> str:
    """A phone cell as typed; a number cell lost its leading 0 (81234567890) or is 62…"""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return text(cell)
