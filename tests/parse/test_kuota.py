"""The kuota reader shared by the chat's Kuota step and the web console's kuota field."""

from __future__ import annotations

import pytest

from handlers.parse.kuota import MAX_KUOTA, parse_kuota


@pytest.mark.parametrize(
    ("typed", "seats"),
    [
        ("25", 25),
        ("25 orang", 25),
        ("dua puluh lima", 25),
        ("satu", 1),
        (str(MAX_KUOTA), MAX_KUOTA),
    ],
)
def test_a_number_of_seats_as_admins_type_it(typed: str, seats: int) -> None:
    assert parse_kuota(typed).seats == seats


@pytest.mark.parametrize("typed", ["tanpa batas", "Tanpa Batas", "bebas", "unlimited", "Tak usah"])
def test_no_limit_by_a_word_or_the_buttons_own_label(typed: str) -> None:
    assert parse_kuota(typed, no_limit_label="Tak usah").no_limit


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("banyak", "not_number"),
        ("", "not_number"),
        ("0", "not_positive"),
        ("-3", "not_positive"),
        (str(MAX_KUOTA + 1), "too_many"),
        ("9" * 40, "too_many"),
    ],
)
def test_what_is_no_kuota_says_why(typed: str, error: str) -> None:
    found = parse_kuota(typed)
    assert (found.seats, found.error, found.no_limit) == (None, error, False)
