"""Message catalogs (gettext .po files under `locales/`, read with Babel) and WIB dates.

Keys are stable ids ("reg.ask_name"); Bahasa Indonesia is the source of truth and the
fallback, English the second language. Placeholders use `str.format` names.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"
LANGUAGES = ("id", "en")
FALLBACK = "id"

# Indonesians name their zones by these abbreviations in both languages.
ZONE_ABBREVIATIONS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


def catalog_files(lang: str) -> list[Path]:
    """One .po file per feature (messages.po is the core), so features don't collide."""
    return sorted((LOCALES_DIR / lang / "LC_MESSAGES").glob("*.po"))


@cache
def catalog(lang: str) -> dict[str, str]:
    messages: dict[str, str] = {}
    for path in catalog_files(lang):
        with path.open("rb") as fh:
            po = read_po(fh, locale=lang)
        for m in po:
            if m.id and m.string:
                if str(m.id) in messages:
                    raise ValueError(f"message {m.id!r} is defined twice in {lang}")
                messages[str(m.id)] = str(m.string)
    return messages


def normalize_language(lang: str | None) -> str:
    return lang if lang in LANGUAGES else FALLBACK


def t(lang: str, key: str, **values: object) -> str:
    text = catalog(normalize_language(lang)).get(key) or catalog(FALLBACK).get(key)
    if text is None:
        raise KeyError(f"message {key!r} is missing from the catalog")
    return text.format(**values) if values else text


def zone_name(tz: ZoneInfo, when: datetime) -> str:
    return ZONE_ABBREVIATIONS.get(tz.key) or when.astimezone(tz).strftime("%Z")


def format_datetime_local(when: datetime, lang: str, tz: ZoneInfo) -> str:
    """'Selasa, 31 Juli 2018 pukul 09.00 WIB' (the pattern lives in the catalog)."""
    lang = normalize_language(lang)
    local = when.astimezone(tz)
    text = format_datetime(local, t(lang, "fmt.datetime"), tzinfo=tz, locale=lang)
    return f"{text} {zone_name(tz, when)}"


def format_date_local(when: datetime, lang: str, tz: ZoneInfo) -> str:
    lang = normalize_language(lang)
    return format_datetime(when.astimezone(tz), t(lang, "fmt.date"), tzinfo=tz, locale=lang)


def format_time_local(when: datetime, lang: str, tz: ZoneInfo) -> str:
    """'12.00 WIB': for an end on the same day as its start."""
    lang = normalize_language(lang)
    text = format_datetime(when.astimezone(tz), t(lang, "fmt.time"), tzinfo=tz, locale=lang)
    return f"{text} {zone_name(tz, when)}"
