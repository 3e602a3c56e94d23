"""A mother's name as she types it and as it is kept (models.people.rules.check_name)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.people.rules import NAME_MAX, check_name

KEPT = [
    # spaces squeezed
    ("  Siti   Aminah  ", "Siti Aminah"),
    ("Siti\tAminah\n", "Siti Aminah"),
    # a leading form of address dropped, any case, with or without the dot
    ("Ibu Siti Aminah", "Siti Aminah"),
    ("ibu. Siti", "Siti"),
    ("IBU SITI", "Siti"),
    ("Bu Siti", "Siti"),
    ("bu.Siti", "Siti"),
    ("Bu. Dewi Lestari", "Dewi Lestari"),
    ("Bu Ibu Siti", "Siti"),
    # ... but only as a word of its own
    ("Budi Astuti", "Budi Astuti"),
    ("Ibunda Siti", "Ibunda Siti"),
    ("Siti Ibu", "Siti Ibu"),
    # one case only: written the usual way, apostrophes do not start a word
    ("siti aminah", "Siti Aminah"),
    ("SITI NUR'AINI", "Siti Nur'aini"),
    ("siti nur’aini", "Siti Nur’aini"),
    ("hj. siti", "Hj. Siti"),
    ("DEWI S.", "Dewi S."),
    ("ana-maria", "Ana-Maria"),
    ("éka", "Éka"),
    # any mix of capitals is kept as she typed it
    ("Siti binti Ahmad", "Siti binti Ahmad"),
    ("siti AMINAH", "siti AMINAH"),
    ("Nur'Aini", "Nur'Aini"),
    ("McDonald Siti", "McDonald Siti"),
    # emoji and pictographs dropped, not refused
    ("Siti 😊", "Siti"),
    ("😊Siti😊 Aminah", "Siti Aminah"),
    ("Siti 👩🏽‍🍳 Aminah", "Siti Aminah"),  # skin tone and zero-width joiner
    ("Siti 🇮🇩", "Siti"),  # flag
    ("Siti ❤️", "Siti"),  # variation selector
    ("Siti 1️⃣", "Siti"),  # keycap: the digit goes with it
    ("Siti ★ ™ ‼", "Siti"),
    ("ibu siti 🌸", "Siti"),
    # what was there before
    ("Hj. Siti Nur'aini", "Hj. Siti Nur'aini"),
    ("Dewi S.", "Dewi S."),
    ("Ana-Maria", "Ana-Maria"),
    ("Ni Luh Putu Ayu", "Ni Luh Putu Ayu"),
    ("e\u0301ka", "Éka"),  # a combining accent from some keyboards is one letter
]

REFUSED = [
    ("", "empty"),
    ("   ", "empty"),
    ("Ibu", "empty"),  # only the form of address: her name is missing
    ("bu.", "empty"),
    ("Ibu 😊🌸", "empty"),
    ("😊", "no_letters"),  # only emoji: "type your name with letters", as before
    ("😀🙏 ✨", "no_letters"),
    ("Siti 2", "digits"),
    ("S", "no_letters"),
    ("Ibu S", "no_letters"),
    ("Siti @home", "characters"),
    ("Siti + Aminah", "characters"),
    ("x" * (NAME_MAX + 1), "too_long"),
]


@pytest.mark.parametrize(("typed", "kept"), KEPT)
def test_a_name_is_kept_tidied(typed: str, kept: str) -> None:
    checked = check_name(typed)
    assert (checked.value, checked.error) == (kept, None)


@pytest.mark.parametrize(("typed", "error"), REFUSED)
def test_a_name_that_is_not_one_is_refused(typed: str, error: str) -> None:
    checked = check_name(typed)
    assert (checked.value, checked.error) == (None, error)


def test_the_length_limit_counts_what_is_kept() -> None:
    name = "Siti " + "a" * (NAME_MAX - 5)
    assert check_name("Ibu " + name + " 😊😊😊").value == name


EMOJI = ["😊", "👩🏽‍🍳", "🇮🇩", "❤️", "1️⃣", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "👍🏿", "✨", "🙏", "☺", "™", "‼️", "ℹ️"]
EMOJI_CHARS = {ch for e in EMOJI for ch in e if not ch.isascii()}
WORDS = ["Siti", "siti", "NUR'AINI", "Ibu", "bu.", "Hj.", "binti", "Aminah", "ana-maria", "S."]


def _emoji_free(value: str) -> bool:
    return not any(ch in EMOJI_CHARS or unicodedata.category(ch) == "So" for ch in value)


@settings(database=None, max_examples=300)
@given(st.text())
def test_any_text_gives_a_name_or_an_error_and_never_an_emoji(text: str) -> None:
    checked = check_name(text)
    assert (checked.value is None) != (checked.error is None)
    if checked.value is not None:
        assert _emoji_free(checked.value)
        assert checked.value == " ".join(checked.value.split())
        assert 0 < len(checked.value) <= NAME_MAX


@settings(database=None, max_examples=300)
@given(st.lists(st.sampled_from(WORDS + EMOJI) | st.text(max_size=3), max_size=8))
def test_names_with_emoji_lose_the_emoji_and_a_kept_name_stays_as_it_is(parts: list[str]) -> None:
    checked = check_name(" ".join(parts))
    if checked.value is not None:
        assert _emoji_free(checked.value)
        assert check_name(checked.value).value == checked.value  # tidying it again changes nothing
