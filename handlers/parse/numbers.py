"""Whole numbers typed in chat: digits, Indonesian number words, English one..twenty.

Mothers answer "berapa anak?" with "3", "tiga", "dua belas" or "duapuluh lima", often with a
stray full stop. `parse_int` accepts all of those and returns None for anything it cannot read
with certainty ("banyak", "3.5", "1e3", an emoji), so the flow can ask again instead of guessing.
Negative numbers are returned as such ("-3", "minus tiga") so callers can say "harus positif".
"""

from __future__ import annotations

import re

_UNITS: dict[str, int] = {
    "nol": 0, "satu": 1, "dua": 2, "tiga": 3, "empat": 4,
    "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8, "sembilan": 9,
}  # fmt: skip
_ENGLISH: dict[str, int] = {
    word: value
    for value, word in enumerate((
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
        "eighteen", "nineteen", "twenty",
    ))
}  # fmt: skip

# Longest first so "sembilan" wins over the prefix "se" (as in "sepuluh", "seratus").
_MORPHEME = re.compile(
    "|".join(sorted([*_UNITS, "belas", "puluh", "ratus", "ribu", "se"], key=len, reverse=True))
)
_SIGN = re.compile(r"(?:-|minus\b)\s*")
# Chat answers come wrapped in all sorts of punctuation; "-" and "+" are kept on purpose.
_STRIP = " \t\r\n.,!?;:'\"()[]{}<>*_~`…“”‘’"


# Digits read as they are, at most; a longer run of digits reads as HUGE.
MAX_DIGITS = 100
HUGE = 10**MAX_DIGITS


def parse_int(text: str) -> int | None:
    """Read a whole number from a chat answer, or return None if it is not clearly one."""
    s = " ".join(text.strip(_STRIP).lower().split())
    sign = 1
    if match := _SIGN.match(s):
        sign, s = -1, s[match.end() :]
    if re.fullmatch(r"[0-9]+", s):
        # Python refuses int() of thousands of digits (ValueError); such a run is just
        # "too big" for every question, so it reads as HUGE.
        return sign * (int(s) if len(s) <= MAX_DIGITS else HUGE)
    if s in _ENGLISH:
        return sign * _ENGLISH[s]
    morphemes = _morphemes(s)
    if not morphemes:
        return None
    value = _indonesian(morphemes)
    return None if value is None else sign * value


def is_number_word(word: str) -> bool:
    """True if a single word could be (part of) a number, e.g. "sembilan", "duapuluh", "nine"."""
    return word.lower() in _ENGLISH or bool(_morphemes(word.lower()))


def _morphemes(text: str) -> list[str] | None:
    """Split "duapuluh lima" into ["dua", "puluh", "lima"]; None if any piece is not a number."""
    out: list[str] = []
    for word in text.split():
        pos = 0
        while pos < len(word):
            match = _MORPHEME.match(word, pos)
            if match is None:
                return None
            out.append(match.group())
            pos = match.end()
    return out


def _indonesian(m: list[str]) -> int | None:
    if m == ["nol"]:
        return 0
    total, pos = 0, 0
    if m[:2] == ["se", "ribu"]:
        total, pos = 1000, 2
    else:
        value, after = _group(m, 0)
        if 0 < after < len(m) and m[after] == "ribu":
            total, pos = value * 1000, after + 1
    value, after = _group(m, pos)
    # Everything must be consumed: "dua dua" or "puluh" alone are not numbers.
    return total + value if after == len(m) and after > 0 else None


def _group(m: list[str], pos: int) -> tuple[int, int]:
    """Read one group below a thousand at pos: [u ratus] [u belas | u puluh [u] | u]."""
    value = 0
    unit = _unit(m, pos)
    if unit is not None and _next_is(m, pos, "ratus"):
        value, pos = unit * 100, pos + 2
        unit = _unit(m, pos)
    if unit is not None and _next_is(m, pos, "belas"):
        return value + 10 + unit, pos + 2
    if unit is not None and _next_is(m, pos, "puluh"):
        value, pos = value + unit * 10, pos + 2
        unit = _unit(m, pos)
    if unit is not None and not _next_is(m, pos, "ratus", "puluh", "belas"):
        value, pos = value + unit, pos + 1
    return value, pos


def _unit(m: list[str], pos: int) -> int | None:
    if pos >= len(m) or m[pos] == "nol":
        return None
    if m[pos] == "se":
        # "se" means one only when glued to a multiplier: sebelas, sepuluh, seratus.
        return 1 if _next_is(m, pos, "belas", "puluh", "ratus") else None
    return _UNITS.get(m[pos])


def _next_is(m: list[str], pos: int, *words: str) -> bool:
    return pos + 1 < len(m) and m[pos + 1] in words


# Words people add after a count: "25 orang", "sepuluh peserta", "30 kursi".
_COUNT_UNITS = re.compile(
    r"\s+(?:orang|org|ibu|peserta|kursi|tempat|kk|keluarga|people|persons?|seats?)$"
)
# Keycap emoji: a digit, the variation selector, the combining keycap ("1️⃣" is "1").
_KEYCAP = re.compile(r"([0-9])\ufe0f?\u20e3")


def parse_count(text: str) -> int | None:
    """A number of people or seats: like `parse_int`, also "25 orang" and "2️⃣5️⃣"."""
    s = _KEYCAP.sub(r"\1", text).strip(_STRIP).lower()
    return parse_int(_COUNT_UNITS.sub("", s))
