"""Rules for the personal data a member gives: name, RT/RW and phone number.

Each check returns the cleaned value or an error code; handlers turn the code into a
kind message in the member's language. A name is tidied, not rewritten: spaces squeezed,
a leading "Ibu"/"Bu" dropped, emoji dropped, and one typed all in small letters or all in
capitals written the usual way ("SITI NUR'AINI" -> "Siti Nur'aini"); any other mix of
capitals is kept as she typed it ("Siti binti Ahmad").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

NAME_MAX = 80
NAME_MIN_LETTERS = 2
# Letters from any script plus what real names use: "Hj. Siti Nur'aini", "Dewi S.", "Ana-Maria".
_NAME_PUNCTUATION = set(" .,'’`-")
RT_RW_MAX = 999


@dataclass(frozen=True)
class Checked:
    value: str | None = None
    error: str | None = None


# "Ibu Siti", "bu. Siti": a form of address, not part of her name.
_ADDRESS = re.compile(r"^(?:ibu|bu)(?:\.\s*|\s+|$)", re.IGNORECASE)
# Keycaps ("1️⃣"): the digit goes with the emoji, it is not part of a name.
_KEYCAP = re.compile(r"[0-9#*]\ufe0f?\u20e3")
# Emoji that Unicode does not file under "other symbol" (So): ‼ ⁉ ℹ ↔ ↕ ◻ ◼ ◽ ◾ ⤴ ⤵ 〰 〽.
_PICTOGRAPHS_ELSEWHERE = frozenset("\u203c\u2049\u2139\u2194\u2195\u25fb\u25fc\u25fd\u25fe")
_PICTOGRAPHS_ELSEWHERE |= frozenset("\u2934\u2935\u3030\u303d")
_WORD_START = frozenset(" -.")  # a capital follows these; not an apostrophe: "Nur'aini"


def _emoji_part(ch: str) -> bool:
    """Pictographs, and the invisible pieces that build emoji sequences: skin tones,
    zero-width joiner, variation selectors, the keycap mark, flag tags."""
    code = ord(ch)
    return (
        unicodedata.category(ch) == "So"
        or ch in _PICTOGRAPHS_ELSEWHERE
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
        or code in (0x200D, 0x20E3)  # zero-width joiner, combining keycap
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0xE0000 <= code <= 0xE007F  # tags (subdivision flags)
    )


def _without_emoji(text: str) -> str:
    """Emoji dropped, spaces squeezed, a combining accent joined to its letter."""
    name = _KEYCAP.sub("", unicodedata.normalize("NFC", text))
    return " ".join("".join(ch for ch in name if not _emoji_part(ch)).split())


def _without_address(name: str) -> str:
    while (address := _ADDRESS.match(name)) is not None:
        name = name[address.end() :].strip()
    return name


def _in_usual_case(name: str) -> str:
    """ "siti aminah" and "SITI NUR'AINI" -> "Siti Aminah", "Siti Nur'aini"; a name with
    both small letters and capitals is left alone."""
    cased = [ch for ch in name if ch.islower() or ch.isupper()]
    if not cased or (any(ch.islower() for ch in cased) and any(ch.isupper() for ch in cased)):
        return name
    out: list[str] = []
    previous = " "
    for ch in name:
        changed = ch.upper() if previous in _WORD_START else ch.lower()
        # Keep a letter whose other case is not one letter ("ß" -> "SS", "İ" -> "i̇").
        out.append(changed if len(changed) == 1 else ch)
        previous = ch
    return "".join(out)


def check_name(text: str) -> Checked:
    """The name as it will be kept (emoji dropped, spaces squeezed, a leading "Ibu"/"Bu"
    dropped, capitals tidied when typed in one case), or why it cannot be a name."""
    if not text.strip():
        return Checked(error="empty")
    name = _without_emoji(text)
    if not name:
        return Checked(error="no_letters")  # only emoji: "type your name with letters"
    name = _without_address(name)
    if not name:
        return Checked(error="empty")  # only "Ibu": her name is still missing
    name = _in_usual_case(name)
    if len(name) > NAME_MAX:
        return Checked(error="too_long")
    if any(ch.isdigit() for ch in name):
        return Checked(error="digits")
    if sum(ch.isalpha() for ch in name) < NAME_MIN_LETTERS:
        return Checked(error="no_letters")
    if any(not (ch.isalpha() or ch in _NAME_PUNCTUATION) for ch in name):
        return Checked(error="characters")
    return Checked(value=name)


_RT_RW = re.compile(
    r"^\s*(?:rt\.?\s*)?0*(\d{1,3})\s*(?:[/\-.,\s]|\s*rw\.?)\s*(?:rw\.?\s*)?0*(\d{1,3})\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RtRw:
    rt: int | None = None
    rw: int | None = None
    error: str | None = None


def check_rt_rw(text: str) -> RtRw:
    """Accept '3/5', '003/005', 'RT 3 RW 5', 'rt03/rw05', '3 5'."""
    match = _RT_RW.match(text)
    if not match:
        return RtRw(error="format")
    rt, rw = int(match.group(1)), int(match.group(2))
    if not (1 <= rt <= RT_RW_MAX and 1 <= rw <= RT_RW_MAX):
        return RtRw(error="range")
    return RtRw(rt=rt, rw=rw)


def format_rt_rw(rt: int | None, rw: int | None) -> str:
    return f"RT {rt:03d}/RW {rw:03d}" if rt and rw else "-"


_MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


def check_phone(text: str) -> Checked:
    """Normalise an Indonesian mobile number ('0812…', '+62812…', '62812…') to E.164."""
    raw = text.strip()
    if not raw:
        return Checked(error="empty")
    if any(ch.isalpha() for ch in raw) or len(raw) > 25:
        return Checked(error="invalid")
    digits = re.sub(r"[\s\-.()]", "", raw)
    if digits.startswith("62"):
        digits = "+" + digits
    try:
        number = phonenumbers.parse(digits, "ID")
    except NumberParseException:
        return Checked(error="invalid")
    if number.country_code != 62:
        return Checked(error="not_indonesian")
    if not phonenumbers.is_valid_number(number):
        return Checked(error="invalid")
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        return Checked(error="not_mobile")
    return Checked(value=phonenumbers.format_number(number, PhoneNumberFormat.E164))


def format_phone(e164: str | None) -> str:
    """Show a stored number the way Indonesians write it: 0812-3456-7890."""
    if not e164:
        return "-"
    number = phonenumbers.parse(e164, None)
    return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL).replace(" ", "-")
