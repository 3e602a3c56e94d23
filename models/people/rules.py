"""Rules for the personal data a member gives: name, RT/RW and phone number.

Each check returns the cleaned value or an error code; handlers turn the code into a
kind message in the member's language. Names are kept as typed (only trimmed).
"""

from __future__ import annotations

import re
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


def check_name(text: str) -> Checked:
    name = text.strip()
    if not name:
        return Checked(error="empty")
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
