"""The words a number, a time, a date or an abbreviation is spoken as in Indonesian.

Pure functions and tables for `handlers.parse.spoken`: 1500 is "seribu lima ratus",
13.30 is "jam setengah dua siang", "Kel." is "Kelurahan" and "PHBS" is spelled the way
people say it ("pe ha be es"), since a speech synthesiser reads an unknown capitalised
word as a word.
"""

from __future__ import annotations

_UNITS = (
    "nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
    "sepuluh", "sebelas",
)  # fmt: skip
_SCALES = ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"))

MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
    "Oktober", "November", "Desember",
)  # fmt: skip
# The short forms the bot writes on buttons ("Kam 3 Des 10.00") and people type.
SHORT_MONTHS = {m[:3].casefold(): m for m in MONTHS} | {"agt": "Agustus", "sept": "September"}
MONTH_NAMES = {m.casefold(): m for m in MONTHS} | SHORT_MONTHS
WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
SHORT_WEEKDAYS = {
    "sen": "Senin", "sel": "Selasa", "rab": "Rabu", "kam": "Kamis", "jum": "Jumat",
    "sab": "Sabtu", "min": "Minggu",
}  # fmt: skip

# Letters as Indonesians name them when spelling an abbreviation.
LETTERS = {
    "a": "a", "b": "be", "c": "ce", "d": "de", "e": "e", "f": "ef", "g": "ge", "h": "ha",
    "i": "i", "j": "je", "k": "ka", "l": "el", "m": "em", "n": "en", "o": "o", "p": "pe",
    "q": "ki", "r": "er", "s": "es", "t": "te", "u": "u", "v": "ve", "w": "we", "x": "eks",
    "y": "ye", "z": "zet",
}  # fmt: skip

# Abbreviations written with a full stop, as said in full (matched case-insensitively,
# the full stop included).
DOTTED = {
    "kel.": "Kelurahan",
    "kec.": "Kecamatan",
    "kab.": "Kabupaten",
    "kp.": "Kampung",
    "ds.": "Desa",
    "jl.": "Jalan",
    "jln.": "Jalan",
    "gg.": "Gang",
    "no.": "nomor",
    "bpk.": "Bapak",
    "ny.": "Nyonya",
    "tn.": "Tuan",
    "sdr.": "Saudara",
    "hj.": "Hajah",
    "dr.": "dokter",
    "drg.": "dokter gigi",
    "tgl.": "tanggal",
    "dll.": "dan lain-lain",
    "dsb.": "dan sebagainya",
    "dst.": "dan seterusnya",
    "tsb.": "tersebut",
    "yth.": "yang terhormat",
    "a.n.": "atas nama",
    "s.d.": "sampai dengan",
    "u.p.": "untuk perhatian",
}
# The same without the full stop, as typed in chat (whole words, any case).
SHORT_WORDS = {
    "dll": "dan lain-lain",
    "dsb": "dan sebagainya",
    "dst": "dan seterusnya",
    "tsb": "tersebut",
    "yth": "yang terhormat",
    "tgl": "tanggal",
    "yg": "yang",
    "dgn": "dengan",
    "utk": "untuk",
    "krn": "karena",
    "sdh": "sudah",
    "blm": "belum",
    "bln": "bulan",
    "thn": "tahun",
    "org": "orang",
    "kg": "kilogram",
    "gr": "gram",
    "km": "kilometer",
    "cm": "sentimeter",
    "ml": "mililiter",
    "s/d": "sampai dengan",
}
# Abbreviations in capitals: spelled letter by letter, or said as a word, the way people
# say them. Anything else in capitals follows `read_capitals`.
ACRONYMS = {
    "P2WKSS": "pe dua we ka es es",
    "UP2K": "u pe dua ka",
    "DP3AKB": "de pe tiga a ka be",
    "TP-PKK": "te pe pe ka ka",
    "PKK": "pe ka ka",
    "KB": "ka be",
    "KK": "ka ka",
    "PHBS": "pe ha be es",
    "OPD": "o pe de",
    "RT": "er te",
    "RW": "er we",
    "HP": "ha pe",
    "WA": "we a",
    "KTP": "ka te pe",
    "KIA": "ka i a",
    "BPJS": "be pe je es",
    "UMKM": "u em ka em",
    "RSUD": "er es u de",
    "TK": "te ka",
    "SD": "es de",
    "SMP": "es em pe",
    "SMA": "es em a",
    "DBD": "de be de",
    "TBC": "te be ce",
    "MCK": "em ce ka",
    "BKB": "be ka be",
    "PMT": "pe em te",
    "WIB": "waktu Indonesia barat",
    "WITA": "waktu Indonesia tengah",
    "WIT": "waktu Indonesia timur",
    "NIK": "nik",
    "ASI": "asi",
    "PAUD": "paud",
    "POKJA": "pokja",
    "DASA": "dasa",
    "OK": "oke",
}
ZONES = ("WIB", "WITA", "WIT")


def number_words(n: int) -> str:
    """1 > "satu", 11 > "sebelas", 1500 > "seribu lima ratus", 2_500_000 > "dua juta
    lima ratus ribu"; a number too large to say is read digit by digit."""
    if n < 0:
        return "minus " + number_words(-n)
    if n >= 10**15:
        return digit_words(str(n))
    if n < 12:
        return _UNITS[n]
    if n < 20:
        return f"{_UNITS[n - 10]} belas"
    if n < 100:
        return _join(f"{_UNITS[n // 10]} puluh", n % 10)
    if n < 1000:
        head = "seratus" if n < 200 else f"{_UNITS[n // 100]} ratus"
        return _join(head, n % 100)
    if n < 10**6:
        head = "seribu" if n < 2000 else f"{number_words(n // 1000)} ribu"
        return _join(head, n % 1000)
    for scale, name in _SCALES:
        if n >= scale:
            return _join(f"{number_words(n // scale)} {name}", n % scale)
    raise AssertionError("unreachable")  # pragma: no cover


def _join(head: str, rest: int) -> str:
    return f"{head} {number_words(rest)}" if rest else head


def digit_words(digits: str) -> str:
    """ "0812" > "nol delapan satu dua": codes, phone numbers, numbers with leading zeros."""
    return " ".join(_UNITS[int(d)] for d in digits if d.isdigit())


def ordinal_words(n: int) -> str:
    """ke-1 > "pertama", ke-2 > "kedua"."""
    return "pertama" if n == 1 else "ke" + number_words(n)


def hour_words(hour: int) -> str:
    """The hour on a twelve-hour clock: 13 > "satu", 0 and 12 > "dua belas"."""
    return number_words(hour % 12 or 12)


def day_part(hour: int) -> str:
    """The part of the day people add to a time: 9 > "pagi", 13 > "siang", 16 > "sore"."""
    if 3 <= hour < 11:
        return "pagi"
    if 11 <= hour < 15:
        return "siang"
    if 15 <= hour < 19:
        return "sore"
    return "malam"


def time_words(hour: int, minute: int) -> str:
    """09.00 > "jam sembilan pagi", 13.30 > "jam setengah dua siang", 09.15 > "jam
    sembilan lewat seperempat pagi", 10.45 > "jam sebelas kurang seperempat pagi"."""
    if minute == 0:
        clock = hour_words(hour)
    elif minute == 30:
        clock = "setengah " + hour_words(hour + 1)
    elif minute == 15:
        clock = hour_words(hour) + " lewat seperempat"
    elif minute == 45:
        clock = hour_words(hour + 1) + " kurang seperempat"
    else:
        clock = f"{hour_words(hour)} lewat {number_words(minute)} menit"
    return f"jam {clock} {day_part(hour % 24)}"


def spell(token: str) -> str:
    """ "K7WFE" > "ka tujuh we ef e": letters by their names, digits as words."""
    out = []
    for ch in token:
        if ch.isdigit():
            out.append(_UNITS[int(ch)])
        elif ch.casefold() in LETTERS:
            out.append(LETTERS[ch.casefold()])
    return " ".join(out)


def read_capitals(word: str) -> str:
    """A word in capitals the table does not know: said as a word when it looks like one
    ("BERHENTI", "PENTING"), spelled when short or without vowels ("RSIA", "BLT")."""
    if word in ACRONYMS:
        return ACRONYMS[word]
    letters = "".join(c for c in word if c.isalpha())
    vowels = sum(c in "AEIOU" for c in letters)
    opening = letters[:2]
    cluster = not any(c in "AEIOU" for c in opening) and opening not in _CLUSTERS
    if any(c.isdigit() for c in word) or len(letters) <= 3 or vowels < 2 or cluster:
        return spell(word)
    return word.lower()


# Two consonants an Indonesian word may start with ("GRATIS", "PRAKTIK", "STUNTING").
_CLUSTERS = frozenset({"PR", "TR", "KR", "BR", "GR", "DR", "KL", "PL", "BL", "ST", "SP", "SK"})
