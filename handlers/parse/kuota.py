"""A kegiatan's seats (kuota) as an admin types them, in chat or in the web console: a
number ("25", "25 orang", "dua puluh lima") or a word for no limit ("tanpa batas").

One reader for both places, so the console accepts exactly what the chat accepts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from handlers.parse.numbers import parse_count
from handlers.parse.words import norm

# Typed words that mean "no limit", besides the button's own label (in her language).
NO_LIMIT_WORDS: Final = (
    "tanpa batas", "tidak dibatasi", "tidak terbatas", "tak terbatas", "bebas", "no limit",
    "unlimited",
)  # fmt: skip

# More seats than any kegiatan has: a slip of the keyboard (and the database's integer
# has limits: "99999999999" would fail to save).
MAX_KUOTA: Final = 999_999

KuotaError = Literal["not_number", "not_positive", "too_many"]


@dataclass(frozen=True, slots=True)
class KuotaResult:
    seats: int | None = None  # None without an error: no limit
    error: KuotaError | None = None

    @property
    def no_limit(self) -> bool:
        return self.error is None and self.seats is None


def parse_kuota(text: str, no_limit_label: str = "") -> KuotaResult:
    """Seats from what she typed: a whole number from one to MAX_KUOTA, or no limit when
    she typed one of NO_LIMIT_WORDS or the no-limit button's label."""
    typed = norm(text)
    if typed and typed in {norm(no_limit_label), *NO_LIMIT_WORDS}:
        return KuotaResult()
    number = parse_count(text)
    if number is None:
        return KuotaResult(error="not_number")
    if number < 1:
        return KuotaResult(error="not_positive")
    if number > MAX_KUOTA:
        return KuotaResult(error="too_many")
    return KuotaResult(number)
