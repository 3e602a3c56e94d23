"""A message as it is read aloud: the text a speech synthesiser gets for "Dengarkan".

A synthesiser reads "09.00 WIB" as "nol sembilan titik nol nol", "OPD" as a word and an
emoji as nothing or noise, so the text is first put the way people say it:

- times: "pukul 09.00 WIB" > "jam sembilan pagi", "13.30" > "jam setengah dua siang";
- dates: "Selasa, 1 Desember 2026" > "Selasa, satu Desember" (the year only when it is
  not this one), "Kam 3 Des" > "Kamis, tiga Desember", "12/08/2026" > "dua belas Agustus";
- numbers in words ("200" > "dua ratus", "15.000" > "lima belas ribu", "2,5" > "dua koma
  lima", "ke-2" > "kedua", "1–4" > "satu sampai empat"), phone numbers and codes digit by
  digit, RT/RW as "er te tiga, er we lima";
- abbreviations as said ("Kel." > "Kelurahan", "KB" > "ka be", "UP2K" > "u pe dua ka");
- emoji, bullets, menu numbers at the start of a line and links left out; the screen's
  choices read as "Pilih satu untuk Kegiatan.".

`split_spoken` then cuts a long text into parts that each make sense (whole paragraphs,
else whole sentences), so no voice note is over `PART_LIMIT` characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date

from handlers.parse.spoken_words import (
    ACRONYMS,
    DOTTED,
    MONTH_NAMES,
    MONTHS,
    SHORT_WEEKDAYS,
    SHORT_WORDS,
    WEEKDAYS,
    ZONES,
    digit_words,
    number_words,
    ordinal_words,
    read_capitals,
    spell,
    time_words,
)

PART_LIMIT = 600
# A date this close to today is said without its year.
_NEAR_DAYS = 300

_H = r"[ \t]"  # spaces within a line (a line break ends a sentence)
_ZONE = r"(?:" + "|".join(ZONES) + r")"
_MONTH = r"(?P<month>" + "|".join(sorted(MONTH_NAMES, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?P<weekday>" + "|".join([*WEEKDAYS, "Jum'at"]) + "|" + "|".join(SHORT_WEEKDAYS) + ")"

_URL = re.compile(r"\b(?:https?://|www\.|t\.me/)\S+", re.IGNORECASE)
_KEYCAP = re.compile(r"[0-9#*]\ufe0f?\u20e3")
_LIST_MARK = re.compile(r"^[ \t]*(?:[•·▪●◦‣\-–—*>]+|\d{1,2}[.)](?=[ \t]))[ \t]*", re.MULTILINE)
_MARKUP = re.compile(r"[*_~`]+")
_PHONE = re.compile(r"(?<![\w+])(?:\+62|62|0)[ \t-]?8\d(?:[ \t-]?\d){7,11}(?!\d)")
_RT_RW_PAIR = re.compile(
    rf"\bRT{_H}*/{_H}*RW{_H}*:?{_H}*0*(\d{{1,3}}){_H}*/{_H}*0*(\d{{1,3}})\b"
    rf"|\bRT\.?{_H}*:?{_H}*0*(\d{{1,3}}){_H}*[/,]?{_H}*RW\.?{_H}*:?{_H}*0*(\d{{1,3}})\b",
    re.IGNORECASE,
)
_RT_OR_RW = re.compile(rf"\b(RT|RW)\.?{_H}*0*(\d{{1,3}})\b", re.IGNORECASE)
_BARE_PAIR = re.compile(r"(?<![\d/])0*(\d{1,3})[ \t]*/[ \t]*0*(\d{1,3})(?![\d/])")
_WORD_DATE = re.compile(
    rf"(?:\b{_WEEKDAY},?{_H}+)?(?<![\d.,])(?P<day>\d{{1,2}}){_H}+{_MONTH}"
    rf"(?:{_H}+(?P<year>\d{{4}}))?\b",
    re.IGNORECASE,
)
_NUMERIC_DATE = re.compile(
    r"(?<![\d.,/-])(?:(?P<y1>\d{4})-(?P<m1>\d{1,2})-(?P<d1>\d{1,2})"
    r"|(?P<d2>\d{1,2})/(?P<m2>\d{1,2})(?:/(?P<y2>\d{4}|\d{2}))?"
    r"|(?P<d3>\d{1,2})-(?P<m3>\d{1,2})-(?P<y3>\d{4}))(?![\d/-])"
)
_TIME = re.compile(
    rf"(?:\b(?:pukul|jam){_H}+)?(?<![\d.,])(?P<h>\d{{1,2}})[.:](?P<m>\d{{2}})(?![\d]|[.,]\d)"
    rf"(?:{_H}*{_ZONE}\b)?"
    rf"|\b(?:pukul|jam){_H}+(?P<h2>\d{{1,2}})(?![\d.,:])(?:{_H}*{_ZONE}\b)?",
    re.IGNORECASE,
)
_TIME_AHEAD = re.compile(rf"{_H}+(?:(?:pukul|jam){_H}+)?\d{{1,2}}[.:]\d{{2}}", re.IGNORECASE)
_TIME_RANGE = re.compile(r"(jam [a-z ]+?) (pagi|siang|sore|malam)[ \t]*[–—-][ \t]*(?=jam )")
# "jam 7 malam" said "jam tujuh pagi malam" by the clock: her own part of the day wins.
_TWO_PARTS = re.compile(r"\b(?:pagi|siang|sore|malam) (pagi|siang|sore|malam)\b")
_RT_SLASH_RW = re.compile(r"\bRT[ \t]*/[ \t]*RW\b", re.IGNORECASE)
_MONEY = re.compile(r"\bRp\.?[ \t]*(\d{1,3}(?:\.\d{3})+|\d+)(?:,(?:-|00))?", re.IGNORECASE)
_PERCENT = re.compile(r"(\d+(?:,\d+)?)[ \t]*%")
_ORDINAL = re.compile(r"\b([Kk])e-(\d{1,3})\b")
_RANGE = re.compile(r"(?<![\d.,])(\d+)[ \t]*[–—-][ \t]*(?=\d)")
_TIMES = re.compile(r"\b(\d+)[ \t]?[x×](?![\w])")
_NUMBER_SIGN = re.compile(r"#[ \t]*(?=\d)")
_DECIMAL = re.compile(r"(?<![\d.,])(\d+),(\d+)(?![\d,])")
_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+(?![\d.]|,\d)")
_NUMBER = re.compile(r"\d+")
_CODE = re.compile(r"\b(?=[A-Z0-9-]*[A-Z])(?=[A-Z0-9-]*\d)[A-Z0-9]+(?:-[A-Z0-9]+)*\b")
_CAPITALS = re.compile(r"\b[A-Z][A-Z-]*[A-Z]\b")
_DOTTED = re.compile(
    r"(?<![\w.])(" + "|".join(re.escape(k) for k in sorted(DOTTED, key=len, reverse=True)) + ")",
    re.IGNORECASE,
)
_SHORT_WORD = re.compile(
    r"(?<![\w/])(" + "|".join(re.escape(k) for k in sorted(SHORT_WORDS, key=len, reverse=True))
    + r")(?![\w/])",
    re.IGNORECASE,
)  # fmt: skip
_SYMBOLS = {
    "&": " dan ",
    "+": " dan ",
    "±": " kurang lebih ",
    "@": " et ",
    "=": " sama dengan ",
    "/": " atau ",
    "·": ", ",
    "|": ", ",
    "→": ", ",
    "»": " ",
    "«": " ",
    "<": " ",
    ">": " ",
    "(": ", ",
    ")": ", ",
    "[": ", ",
    "]": ", ",
    "…": ". ",
    '"': " ",
    "“": " ",
    "”": " ",
    "‘": " ",
    "’": " ",
    "–": ", ",
    "—": ", ",
}
_SPACES = re.compile(r"[ \t]+")
_PUNCT_RUN = re.compile(r"[ \t]*([,.;:!?])(?:[ \t]*[,;:])*(?:[ \t]*([.!?]))?[ \t]*")
_LEADING_PUNCT = re.compile(r"^[ \t,.;:]+", re.MULTILINE)


def spoken(
    text: str, choices: Sequence[str] = (), *, lang: str = "id", today: date | None = None
) -> str:
    """The text and the screen's choices as they are read aloud, one sentence or
    paragraph a line."""
    day = today or date.today()
    norm = _spoken_id if lang != "en" else _spoken_en
    lines = [norm(text, day)]
    for n, label in enumerate(choices, start=1):
        said = norm(_label(label), day).replace("\n", " ").rstrip(".!?")
        if said:
            lines.append(_choice_sentence(n, said, lang))
    return "\n".join(line for line in lines if line)


def _choice_sentence(n: int, label: str, lang: str) -> str:
    if lang == "en":
        return f"Choose {n} for {label}."
    return f"Pilih {number_words(n)} untuk {label}."


def _label(label: str) -> str:
    """A button label cut short with "…": the cut word is left out."""
    label = label.strip()
    if label.endswith("…"):
        label = label[:-1].rsplit(" ", 1)[0] if " " in label else label[:-1]
        label = label.replace("(", " ")
    return label


# -- Indonesian ----------------------------------------------------------------------------------


def _spoken_id(text: str, today: date) -> str:
    text = _clean(text)
    text = _SHORT_WORD.sub(lambda m: SHORT_WORDS[m.group(1).casefold()], text)
    text = _DOTTED.sub(lambda m: DOTTED[m.group(1).casefold()], text)
    text = _PHONE.sub(lambda m: _phone(m.group(0)), text)
    text = _RT_RW_PAIR.sub(_rt_rw_pair, text)
    if _RT_SLASH_RW.search(text):
        # "RT/RW Ibu berapa? Contoh: 3/5": a bare pair is her RT and RW.
        text = _BARE_PAIR.sub(lambda m: _rt_rw(m.group(1), m.group(2)), text)
        text = _RT_SLASH_RW.sub("RT RW", text)
    text = _RT_OR_RW.sub(lambda m: f"{m.group(1).upper()} {number_words(int(m.group(2)))}", text)
    text = _WORD_DATE.sub(lambda m: _word_date(m, today), text)
    text = _NUMERIC_DATE.sub(lambda m: _numeric_date(m, today), text)
    text = _TWO_PARTS.sub(r"\1", _TIME.sub(_time, text))
    text = _TIME_RANGE.sub(r"\1 \2 sampai ", text)
    text = _CODE.sub(lambda m: ACRONYMS.get(m.group(0)) or spell(m.group(0)), text)
    text = _MONEY.sub(lambda m: f"{_amount(m.group(1))} rupiah", text)
    text = _PERCENT.sub(lambda m: f"{_decimal_or_int(m.group(1))} persen", text)
    text = _ORDINAL.sub(lambda m: _ordinal(m.group(1), int(m.group(2))), text)
    text = _RANGE.sub(r"\1 sampai ", text)
    text = _TIMES.sub(lambda m: f"{_integer(m.group(1))} kali", text)
    text = _NUMBER_SIGN.sub("nomor ", text)
    text = _DECIMAL.sub(lambda m: f"{_integer(m.group(1))} koma {digit_words(m.group(2))}", text)
    text = _THOUSANDS.sub(lambda m: number_words(int(m.group(0).replace(".", ""))), text)
    text = _NUMBER.sub(lambda m: _integer(m.group(0)), text)
    text = _CAPITALS.sub(lambda m: _capitals(m.group(0)), text)
    return _tidy(text)


def _clean(text: str) -> str:
    """Without links, markup, emoji, bullets and menu numbers at the start of lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _URL.sub(" tautan ", text)
    text = _KEYCAP.sub("", text)
    text = "".join(ch for ch in text if not _dropped(ch))
    text = _LIST_MARK.sub("", text)
    return _MARKUP.sub("", text)


def _dropped(ch: str) -> bool:
    """Emoji and other pictures, their joiners and variation selectors, control codes."""
    if ch in "\n\t":
        return False
    category = unicodedata.category(ch)
    return category in ("So", "Sk", "Cc", "Cf", "Co", "Cs", "Mn") and not ch.isalnum()


def _phone(raw: str) -> str:
    digits = "".join(c for c in raw if c.isdigit())
    lead = "plus enam dua, " if raw.startswith("+") else ""
    if raw.startswith("+"):
        digits = digits[2:]
    groups = [digits[i : i + 4] for i in range(0, len(digits), 4)]
    return lead + ", ".join(digit_words(g) for g in groups)


def _rt_rw(rt: str, rw: str) -> str:
    return f"RT {number_words(int(rt))}, RW {number_words(int(rw))}"


def _rt_rw_pair(m: re.Match[str]) -> str:
    rt, rw = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    return _rt_rw(rt, rw)


def _word_date(m: re.Match[str], today: date) -> str:
    day, month_name = int(m.group("day")), MONTH_NAMES[m.group("month").casefold().rstrip(".")]
    year = int(m.group("year")) if m.group("year") else None
    if not 1 <= day <= 31:
        return m.group(0)
    weekday = m.group("weekday")
    said = f"{number_words(day)} {month_name}"
    if weekday:
        full = SHORT_WEEKDAYS.get(weekday.casefold(), weekday.replace("'", "").capitalize())
        said = f"{full}, {said}"
    if year is not None and not _near(today, year, _month_number(month_name), day):
        said += f" {number_words(year)}"
    return said + _pause_before_time(m)


def _pause_before_time(m: re.Match[str]) -> str:
    """ "Sabtu, lima Desember, jam sembilan pagi": a pause between a date and its time."""
    return "," if _TIME_AHEAD.match(m.string, m.end()) else ""


def _month_number(name: str) -> int:
    return MONTHS.index(name) + 1


def _near(today: date, year: int, month: int, day: int) -> bool:
    try:
        return abs((date(year, month, day) - today).days) <= _NEAR_DAYS
    except ValueError:
        return year == today.year


def _numeric_date(m: re.Match[str], today: date) -> str:
    day = m.group("d1") or m.group("d2") or m.group("d3")
    month = m.group("m1") or m.group("m2") or m.group("m3")
    raw = m.group("y1") or m.group("y2") or m.group("y3")
    year = int(raw) + (2000 if len(raw) == 2 else 0) if raw else None
    d, mo = int(day), int(month)
    if not (1 <= d <= 31 and 1 <= mo <= 12):
        return m.group(0)
    said = f"{number_words(d)} {MONTHS[mo - 1]}"
    if year is not None and not _near(today, year, mo, d):
        said += f" {number_words(year)}"
    return said + _pause_before_time(m)


def _time(m: re.Match[str]) -> str:
    hour = int(m.group("h") if m.group("h") is not None else m.group("h2"))
    minute = int(m.group("m") or 0)
    if hour > 24 or minute > 59:
        return m.group(0)
    return time_words(hour, minute)


def _amount(raw: str) -> str:
    return number_words(int(raw.replace(".", "")))


def _decimal_or_int(raw: str) -> str:
    whole, _, part = raw.partition(",")
    said = _integer(whole)
    return f"{said} koma {digit_words(part)}" if part else said


def _integer(raw: str) -> str:
    """A number as said; one with leading zeros ("007") digit by digit."""
    if len(raw) > 1 and raw.startswith("0"):
        return digit_words(raw)
    return number_words(int(raw))


def _ordinal(k: str, n: int) -> str:
    said = ordinal_words(n)
    return said.capitalize() if k == "K" else said


def _capitals(word: str) -> str:
    if word in ACRONYMS:
        return ACRONYMS[word]
    return " ".join(read_capitals(part) for part in word.split("-") if part)


def _tidy(text: str, symbols: dict[str, str] = _SYMBOLS) -> str:
    """Symbols as words or pauses, each line one sentence or more, no doubled marks."""
    text = "".join(symbols.get(ch, ch) for ch in text)
    lines = []
    for raw in text.split("\n"):
        line = _SPACES.sub(" ", raw).strip()
        line = _PUNCT_RUN.sub(_punct, line)
        line = _LEADING_PUNCT.sub("", line).strip()
        if not line or not any(ch.isalnum() for ch in line):
            continue
        if line[-1] in ",;:":
            line = line[:-1].rstrip()
        if line[-1] not in ".!?":
            line += "."
        lines.append(line)
    return "\n".join(lines)


def _punct(m: re.Match[str]) -> str:
    """ "a , , b" > "a, b"; "ya ,." > "ya."; a sentence end wins over a pause."""
    end = m.group(2) or (m.group(1) if m.group(1) in ".!?" else None)
    return (end or m.group(1)) + " "


# -- English (the second language): the same cleaning, numbers left to the voice -----------------


_EN_TIME = re.compile(rf"\b(?:at{_H}+)?(\d{{1,2}}):(\d{{2}})(?:{_H}*{_ZONE}\b)?")


def _spoken_en(text: str, today: date) -> str:
    text = _clean(text)
    text = _RT_RW_PAIR.sub(_rt_rw_en, text)
    text = _EN_TIME.sub(_en_time, text)
    return _tidy(text, {**_SYMBOLS, "/": " or ", "+": " and ", "&": " and "})


def _rt_rw_en(m: re.Match[str]) -> str:
    rt, rw = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    return f"RT {int(rt)}, RW {int(rw)}"


def _en_time(m: re.Match[str]) -> str:
    hour, minute = int(m.group(1)), int(m.group(2))
    if hour > 24 or minute > 59:
        return m.group(0)
    clock = f"{hour % 12 or 12}" + (f" {minute:02d}" if minute else "")
    hour %= 24
    part = "in the morning" if hour < 12 else "in the afternoon" if hour < 18 else "at night"
    return f"at {clock} {part}"


# -- long texts in parts ---------------------------------------------------------------------------


def split_spoken(text: str, limit: int = PART_LIMIT) -> list[str]:
    """Parts of at most `limit` characters: whole paragraphs where they fit, else whole
    sentences, else clauses, else words (a word longer than a part is cut)."""
    pieces: list[tuple[str, str]] = []
    for paragraph in text.split("\n"):
        if paragraph.strip():
            _pieces(paragraph.strip(), "\n", limit, 0, pieces)
    parts: list[str] = []
    for piece, sep in pieces:
        if parts and len(parts[-1]) + len(sep) + len(piece) <= limit:
            parts[-1] += sep + piece
        else:
            parts.append(piece)
    return parts


_FINER = (
    re.compile(r"(?<=[.!?])[ \t]+"),  # sentences
    re.compile(r"(?<=[,;:])[ \t]+"),  # clauses
    re.compile(r"[ \t]+"),  # words
)


def _pieces(text: str, sep: str, limit: int, level: int, out: list[tuple[str, str]]) -> None:
    """`text` as pieces of at most `limit`, each with what joins it to the one before."""
    if len(text) <= limit:
        out.append((text, sep))
        return
    if level == len(_FINER):
        for start in range(0, len(text), limit):
            out.append((text[start : start + limit], sep if start == 0 else " "))
        return
    for n, piece in enumerate(p for p in _FINER[level].split(text) if p):
        _pieces(piece, sep if n == 0 else " ", limit, level + 1, out)
