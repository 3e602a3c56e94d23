"""Kampung names typed with small typos or a leading "kampung" (handlers.parse.match_place)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.parse import PlaceMatch, match_place

KASEMEN = ["Sumberan", "Cibening"]


def names(found: list[PlaceMatch]) -> list[str]:
    return [m.name for m in found]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Sumberan", ["Sumberan"]),
        ("sumberan", ["Sumberan"]),
        ("  SUMBERAN. ", ["Sumberan"]),
        ("Kp. Sumberan", ["Sumberan"]),
        ("kp sumberan", ["Sumberan"]),
        ("Kp.Sumberan", ["Sumberan"]),
        ("kampung sumberan", ["Sumberan"]),
        ("Kamp. Cibening", ["Cibening"]),
        ("Cibéning", ["Cibening"]),  # accents do not matter
        # small typos: a letter missing, extra, wrong, or two swapped
        ("sumbran", ["Sumberan"]),
        ("sumberaan", ["Sumberan"]),
        ("sumberen", ["Sumberan"]),
        ("sumebran", ["Sumberan"]),
        ("cibenin", ["Cibening"]),
        ("kp cibenin", ["Cibening"]),
        ("cibening.", ["Cibening"]),
        # the name inside a longer answer, as a whole word
        ("Sumberan, Warung Jaud", ["Sumberan"]),
        ("kampung sumberan rt 3", ["Sumberan"]),
        # far from every name, or not a name at all
        ("Jakarta", []),
        ("smbrn", []),
        ("an", []),  # not a piece of "Sumberan"
        ("ci", []),
        ("kampung", []),
        ("kp.", []),
        ("", []),
        ("   ", []),
        ("1", []),
        ("😊", []),
    ],
)
def test_kasemen(typed: str, expected: list[str]) -> None:
    assert names(match_place(typed, KASEMEN)) == expected


def test_the_exact_name_scores_one_and_a_typo_less() -> None:
    [exact] = match_place("kp. sumberan", KASEMEN)
    [typo] = match_place("sumbran", KASEMEN)
    assert exact.score == 1.0 and 0.75 <= typo.score < 1.0
    assert (exact.index, typo.index) == (0, 0)


@pytest.mark.parametrize(
    ("typed", "places", "expected"),
    [
        # about as close to two: both, best first, so she can be asked which
        ("sukaaya", ["Sukajaya", "Sukaraya"], ["Sukajaya", "Sukaraya"]),
        ("cibenng", ["Cibening", "Cibeuning"], ["Cibening", "Cibeuning"]),
        ("cibening", ["Cibening Hilir", "Cibening Girang"], ["Cibening Hilir", "Cibening Girang"]),
        # one is exact: only that one
        ("cibening", ["Cibeuning", "Cibening"], ["Cibening"]),
        ("cibening", ["Cibening Hilir", "Cibening"], ["Cibening"]),
        # one clearly closer: only that one
        ("sukamaj", ["Sukamaju", "Sukamulya"], ["Sukamaju"]),
        ("hilir", ["Cibening Hilir", "Cibening Girang"], ["Cibening Hilir"]),
        ("warung jaud", ["Warung Jaud", "Warung Jati"], ["Warung Jaud"]),
        # the same name in two kelurahan: both (the index tells them apart)
        ("sukamaju", ["Sukamaju", "Sukamaju"], ["Sukamaju", "Sukamaju"]),
        # a place named "Kampung …" is found with or without the word
        ("baru", ["Kampung Baru", "Kampung Lama"], ["Kampung Baru"]),
        ("kp baru", ["Kampung Baru", "Kampung Lama"], ["Kampung Baru"]),
    ],
)
def test_ambiguous_or_clear(typed: str, places: list[str], expected: list[str]) -> None:
    found = match_place(typed, places)
    assert names(found) == expected
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)


def test_two_places_with_one_name_keep_their_own_index() -> None:
    found = match_place("Sukamaju", ["Sukamaju", "Bendung", "Sukamaju"])
    assert [m.index for m in found] == [0, 2]


def test_no_names_no_match() -> None:
    assert match_place("Sumberan", []) == []


@settings(database=None, max_examples=300)
@given(st.text(max_size=120), st.lists(st.text(max_size=30), max_size=6))
def test_any_text_and_names_never_crash_and_only_give_names_from_the_list(
    typed: str, places: list[str]
) -> None:
    for m in match_place(typed, places):
        assert places[m.index] == m.name
        assert 0.75 <= m.score <= 1.0


@settings(database=None, max_examples=200)
@given(st.sampled_from(["Sumberan", "Cibening", "Warung Jaud", "Bendung"]), st.booleans())
def test_a_name_typed_right_is_always_found_alone(name: str, with_prefix: bool) -> None:
    places = ["Sumberan", "Cibening", "Warung Jaud", "Bendung"]
    typed = ("Kp. " if with_prefix else "") + name.upper()
    assert names(match_place(typed, places)) == [name]
