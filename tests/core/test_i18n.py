"""Message catalogs and the Indonesian way of writing dates."""

from __future__ import annotations

import re
import string
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from handlers.core.i18n import LANGUAGES, catalog, format_datetime_local, t
from tests.support import REPO

KEY_USE = re.compile(r"""\bt\(\s*(?:[a-z_.]+,\s*)?f?["']([a-z_]+\.[a-z_.{}]+)["']""")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_each_feature_catalog_exists_in_both_languages() -> None:
    from handlers.core.i18n import catalog_files

    assert [p.name for p in catalog_files("id")] == [p.name for p in catalog_files("en")]


def test_both_languages_have_the_same_messages_and_placeholders() -> None:
    ids, en = catalog("id"), catalog("en")
    assert set(ids) == set(en)
    for key in ids:
        assert placeholders(ids[key]) == placeholders(en[key]), key


def test_every_message_the_code_uses_is_in_the_catalogs() -> None:
    used: set[str] = set()
    for path in [*REPO.glob("handlers/**/*.py"), *REPO.glob("bot/**/*.py")]:
        used |= set(KEY_USE.findall(path.read_text()))
    assert used, "the pattern found no message keys at all"
    for key in used:
        if "{" in key:  # an f-string key: check every catalog key with that prefix exists
            prefix = key.split("{")[0]
            assert any(k.startswith(prefix) for k in catalog("id")), key
        else:
            for lang in LANGUAGES:
                assert key in catalog(lang), f"{key} missing in {lang}"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("id", "Selasa, 31 Juli 2018 pukul 09.00 WIB"), ("en", "Tuesday, 31 July 2018 at 09:00 WIB")],
)
def test_dates_are_written_the_indonesian_way(lang: str, expected: str) -> None:
    when = datetime(2018, 7, 31, 2, 0, tzinfo=UTC)  # 09.00 in Jakarta
    assert format_datetime_local(when, lang, ZoneInfo("Asia/Jakarta")) == expected


def test_other_indonesian_zones_have_their_own_names() -> None:
    when = datetime(2018, 7, 31, 2, 0, tzinfo=UTC)
    assert format_datetime_local(when, "id", ZoneInfo("Asia/Makassar")).endswith("10.00 WITA")
    assert format_datetime_local(when, "id", ZoneInfo("Asia/Jayapura")).endswith("11.00 WIT")


def test_an_unknown_language_falls_back_to_bahasa_indonesia() -> None:
    assert t("fr", "menu.help") == "Bantuan"
    with pytest.raises(KeyError):
        t("id", "no.such.message")


def test_catalog_keys_named_in_declarations_exist() -> None:
    """Wizards name their texts in declarations (ask="reg.ask_name", Option(…, "reg.save",
    …)), not only in t(…) calls: every such literal must be in both catalogs."""
    import ast

    namespaces = {key.split(".")[0] for key in catalog("id")}
    key_like = re.compile(r"^[a-z_]+(\.[a-z_]+)*\.[a-z_]*[a-z]$")  # "x_" ends a prefix
    named: set[str] = set()
    for path in REPO.glob("handlers/**/*.py"):
        tree = ast.parse(path.read_text())
        # Pieces of f-strings ("broadcast.aud_{kind}") are prefixes, checked above.
        pieces = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
        for node in ast.walk(tree):
            if id(node) in pieces:
                continue
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                value = node.value
                if key_like.match(value) and value.split(".")[0] in namespaces:
                    named.add(value)
    assert len(named) > 50, "the scan found too few keys"
    for key in sorted(named):
        for lang in LANGUAGES:
            assert key in catalog(lang), f"{key} missing in {lang}"
