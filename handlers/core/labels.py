"""Short display texts that several features show: kampung names and labels cut to fit a
button or a list line."""

from __future__ import annotations

from handlers.core.i18n import t
from models.location import Location


def kampung_label(lang: str, place: Location) -> str:
    """ "Sumberan (Kel. Warung Jaud)": the kelurahan tells apart kampung of the same name."""
    if place.parent is None:
        return place.name
    return t(lang, "common.kampung_label", kampung=place.name, kelurahan=place.parent.name)


def shorten(text: str, limit: int = 40) -> str:
    """One line of at most `limit` characters, ending in "…" when cut."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
