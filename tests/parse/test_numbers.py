"""How `parse_int` reads counts that mothers type: digits, Indonesian or English words."""

from __future__ import annotations

import pytest

from handlers.parse import parse_int
from handlers.parse.numbers import HUGE, MAX_DIGITS, parse_count


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", 3),
        (" 12 ", 12),
        ("03", 3),
        ("0", 0),
        ("120", 120),
        ("9999", 9999),
    ],
)
def test_a_count_typed_in_digits_is_read(text: str, expected: int) -> None:
    assert parse_int(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nol", 0),
        ("satu", 1),
        ("dua", 2),
        ("tiga", 3),
        ("empat", 4),
        ("lima", 5),
        ("enam", 6),
        ("tujuh", 7),
        ("delapan", 8),
        ("sembilan", 9),
        ("sepuluh", 10),
        ("sebelas", 11),
        ("dua belas", 12),
        ("sembilan belas", 19),
        ("dua puluh", 20),
        ("dua puluh lima", 25),
        ("seratus", 100),
        ("seratus sebelas", 111),
        ("seratus dua puluh", 120),
        ("dua ratus lima", 205),
        ("seribu", 1000),
        ("seribu dua ratus", 1200),
        ("sembilan ribu sembilan ratus sembilan puluh sembilan", 9999),
        ("sepuluh ribu", 10000),
        ("sebelas ribu dua", 11002),
        ("Dua Puluh", 20),
        ("dua  puluh   lima", 25),
        ("duapuluh lima", 25),
        ("duapuluhlima", 25),
        ("satu ratus", 100),
    ],
)
def test_a_count_typed_in_indonesian_words_is_read(text: str, expected: int) -> None:
    assert parse_int(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("zero", 0), ("one", 1), ("seven", 7), ("ten", 10), ("Twelve", 12), ("twenty", 20)],
)
def test_a_count_typed_in_english_words_is_read(text: str, expected: int) -> None:
    assert parse_int(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("3.", 3), ("3!", 3), ("(3)", 3), ('"tiga"', 3), ("12,", 12), ("…5…", 5), ("*4*", 4)],
)
def test_punctuation_around_the_number_is_ignored(text: str, expected: int) -> None:
    assert parse_int(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("-3", -3), ("- 3", -3), ("minus 3", -3), ("Minus tiga", -3), ("-0", 0)],
)
def test_a_negative_answer_stays_negative_so_the_flow_can_object(text: str, expected: int) -> None:
    assert parse_int(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "banyak",
        "3.5",
        "3,5",
        "1e3",
        "👍",
        "3 anak",
        "+3",
        "３",  # full-width digit from some keyboards: not guessed
        "-",
        "minus",
        "--3",
        "3-",
        "dua dua",
        "puluh",
        "se",
        "belas",
        "ribu",
        "dua puluh seribu",
        "nol nol",
        "satu dua tiga",
        "twenty one",
    ],
)
def test_an_answer_that_is_not_clearly_a_whole_number_is_not_guessed(text: str) -> None:
    assert parse_int(text) is None


def _spell(n: int) -> str:
    """Spell 1..9999 the way an Indonesian speaker writes it, independently of the parser."""
    units = ["satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"]
    parts: list[str] = []
    for value, word in ((1000, "ribu"), (100, "ratus")):
        count, n = divmod(n, value)
        if count:
            parts.append(f"se{word}" if count == 1 else f"{units[count - 1]} {word}")
    if n == 10:
        parts.append("sepuluh")
    elif n == 11:
        parts.append("sebelas")
    elif 12 <= n <= 19:
        parts.append(f"{units[n - 11]} belas")
    else:
        tens, n = divmod(n, 10)
        if tens:
            parts.append(f"{units[tens - 1]} puluh")
        if n:
            parts.append(units[n - 1])
    return " ".join(parts)


def test_every_number_up_to_9999_written_in_words_is_read() -> None:
    wrong = {n: parse_int(_spell(n)) for n in range(1, 10000) if parse_int(_spell(n)) != n}
    assert wrong == {}


def test_a_run_of_thousands_of_digits_is_a_huge_number_not_a_crash() -> None:
    """Python refuses int() of more than 4300 digits; a paste of them reads as too big."""
    assert parse_int("9" * 5000) == HUGE
    assert parse_int("-" + "9" * 5000) == -HUGE
    assert parse_count("9" * 5000 + " orang") == HUGE
    assert parse_int("1" * MAX_DIGITS) == int("1" * MAX_DIGITS)
