"""How `parse_yes_no` reads yes/no answers typed in chat."""

from __future__ import annotations

import pytest

from handlers.parse import parse_yes_no

YES = ["ya", "iya", "y", "yes", "ok", "oke", "boleh", "setuju", "betul", "benar", "siap", "yup"]
YES += ["iyaa", "yaa", "👍"]
NO = ["tidak", "tdk", "gak", "ga", "nggak", "enggak", "engga", "no", "n", "jangan"]
NO += ["tidak setuju", "bukan", "belum"]


@pytest.mark.parametrize("text", YES)
def test_a_mother_saying_yes_is_understood(text: str) -> None:
    assert parse_yes_no(text) is True


@pytest.mark.parametrize("text", NO)
def test_a_mother_saying_no_is_understood(text: str) -> None:
    assert parse_yes_no(text) is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("YA", True),
        ("Iya.", True),
        ("  oke!!  ", True),
        ("Siap, bu", None),  # "bu" is not a yes word: better to ask again
        ("'boleh'", True),
        ("TIDAK", False),
        ("Gak.", False),
        ("belum...", False),
        ("(no)", False),
    ],
)
def test_case_punctuation_and_spaces_do_not_matter(text: str, expected: bool | None) -> None:
    assert parse_yes_no(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("iyaaaa", True),
        ("yaaa", True),
        ("okeee", True),
        ("yesss", True),
        ("nggaaak", False),
        ("gaaa", False),
        ("tidaaak", False),
        ("noooo", False),
    ],
)
def test_stretched_words_typed_with_feeling_are_understood(text: str, expected: bool) -> None:
    assert parse_yes_no(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\U0001f44d\U0001f3fd", True),  # thumbs up with a skin tone
        ("\U0001f44d\ufe0f", True),  # thumbs up with the emoji variation selector
        ("👍👍", True),
        ("ok 👍", True),
        ("👎", False),
    ],
)
def test_a_thumbs_emoji_counts_as_an_answer(text: str, expected: bool) -> None:
    assert parse_yes_no(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("iya boleh", True),
        ("ya ya", True),
        ("gak gak", False),
        ("gak boleh", False),
        ("belum siap", False),
        ("tidak benar", False),
        ("bukan, betul", False),
    ],
)
def test_short_phrases_of_one_meaning_are_understood(text: str, expected: bool) -> None:
    assert parse_yes_no(text) is expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "?",
        "mungkin",
        "nanti",
        "ya ga?",  # "yes or no?": she is asking, not answering
        "ok tidak",
        "tidak apa-apa",  # means "it's fine", too risky to read as either
        "setuju tidak",
        "1",
        "😀",
        "yaudah lah",
        "iya tapi nanti",
    ],
)
def test_an_unclear_answer_is_not_guessed(text: str) -> None:
    assert parse_yes_no(text) is None
