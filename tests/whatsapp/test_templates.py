"""The template registry: every proactive kind has an approved template to register, the
README lists each with its text, and filling one keeps Meta's rules."""

from __future__ import annotations

import re
import string

import pytest

from bot.channels.whatsapp_templates import (
    BODY_MAX,
    DEFAULT_TEMPLATES,
    FOR,
    MARKETING,
    UTILITY,
    build_registry,
    fill,
    parse_overrides,
)
from bot.settings import ConfigError, load_settings
from handlers.core.i18n import catalog
from tests.support import REPO

OUTBOX_KINDS = sorted(k.removeprefix("outbox.") for k in catalog("id") if k.startswith("outbox."))


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_proactive_kind_has_a_template_with_its_own_parameters() -> None:
    kinds = [k for k in OUTBOX_KINDS if k != "for_member"]  # a prefix, not a kind
    assert sorted(DEFAULT_TEMPLATES) == kinds
    for kind, template in DEFAULT_TEMPLATES.items():
        names = placeholders(catalog("id")[f"outbox.{kind}"])
        assert {p for p in template.params if p != FOR} <= names, kind
        numbers = [int(n) for n in re.findall(r"\{\{(\d+)\}\}", template.body)]
        assert numbers == list(range(1, len(template.params) + 1)), kind
        # Meta refuses a body that starts or ends with a parameter.
        assert not template.body.startswith("{{") and not template.body.endswith("}}"), kind
        assert len(template.body) < BODY_MAX and all(len(b) <= 25 for b in template.buttons)
        expected = MARKETING if kind == "announcement" else UTILITY
        assert template.category == expected, kind


def test_the_readme_lists_every_template_with_its_text() -> None:
    readme = (REPO / "README.md").read_text()
    for kind, template in DEFAULT_TEMPLATES.items():
        body = template.body.replace("<", "&lt;").replace("\n", "<br>").replace("|", "\\|")
        assert f"| `{template.name}` ({template.category}) | `{kind}` | {body} |" in readme


def test_filling_flattens_lines_names_her_and_fits_the_body() -> None:
    reminder = DEFAULT_TEMPLATES["kegiatan_reminder"]
    params = {"judul": "Posyandu\nMelati", "when": "Kamis", "tempat": "Balai\t\tWarga"}
    assert fill(reminder, params, "Ibu Siti", None) == [
        "Ibu Siti", "Posyandu · Melati", "Kamis", "Balai  Warga",
    ]  # fmt: skip
    announcement = DEFAULT_TEMPLATES["announcement"]
    [text] = fill(announcement, {"text": "Kerja bakti " * 200}, "Ibu", "👤 Untuk Ibu Siti")
    assert text.startswith("👤 Untuk Ibu Siti · Kerja bakti") and text.endswith("bakti…")
    body = announcement.body.replace("{{1}}", text)
    assert len(body) <= BODY_MAX
    assert fill(announcement, {}, "Ibu", None) == ["-"]  # never an empty parameter


def test_the_registry_can_drop_or_rename_a_template_and_refuses_nonsense() -> None:
    registry = build_registry(
        parse_overrides('{"announcement": null, "kader_nudge": {"name": "sapaan_v2"}}')
    )
    assert "announcement" not in registry
    assert registry["kader_nudge"].name == "sapaan_v2"
    assert registry["kader_nudge"].params == DEFAULT_TEMPLATES["kader_nudge"].params
    for bad in ('{"x": {"params": [1]}}', '{"new_kind": {}}', "[1]", "{nope"):
        with pytest.raises(ConfigError, match="WHATSAPP_TEMPLATES"):
            load_settings(whatsapp_templates=bad)
