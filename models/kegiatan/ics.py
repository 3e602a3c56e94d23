"""A kegiatan as an iCalendar file (RFC 5545) a mother can add to her phone's calendar.

Standard library only: one VEVENT needs escaping, folding and a VTIMEZONE, which is less
code than a dependency is worth. Times are written in the deployment's zone with a TZID
and a VTIMEZONE block, so a phone shows "09.00" whatever zone it is set to. Indonesian
zones (WIB, WITA, WIT) have no daylight saving and get one STANDARD rule; a zone with
transitions would need them all, so there we fall back to UTC times ("…Z"), which every
calendar understands.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from models.kegiatan.tables import JENIS, Kegiatan

PRODID = "-//P2WKSS//p2wkss-bot//ID"
UID_DOMAIN = "p2wkss-bot"
MAX_OCTETS = 75  # per content line, CRLF not counted (RFC 5545 §3.1)


def kegiatan_ics(kegiatan: Kegiatan, tz_name: str) -> bytes:
    """The calendar file for one kegiatan: UTF-8, CRLF line ends, long lines folded.

    UID is stable per kegiatan and SEQUENCE follows its version, so a calendar that already
    holds it updates the event (new time, cancelled) instead of adding a second one."""
    tz = ZoneInfo(tz_name)
    fixed = _fixed_offset(tz, kegiatan.starts_at)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    if fixed is not None:
        lines += _vtimezone(tz_name, fixed, tz.tzname(kegiatan.starts_at) or "")
    lines += [
        "BEGIN:VEVENT",
        f"UID:kegiatan-{kegiatan.id}@{UID_DOMAIN}",
        f"DTSTAMP:{_utc(kegiatan.updated_at)}",
        f"SEQUENCE:{max(0, kegiatan.version - 1)}",
        _when("DTSTART", kegiatan.starts_at, tz, tz_name, fixed is not None),
        _when("DTEND", kegiatan.ends_at, tz, tz_name, fixed is not None),
        f"SUMMARY:{escape_text(kegiatan.judul)}",
        f"LOCATION:{escape_text(kegiatan.tempat)}",
        f"DESCRIPTION:{escape_text(_description(kegiatan))}",
        f"CATEGORIES:{escape_text(JENIS.get(kegiatan.jenis, kegiatan.jenis))}",
        f"STATUS:{'CANCELLED' if kegiatan.status == 'cancelled' else 'CONFIRMED'}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return b"".join(fold(line) + b"\r\n" for line in lines)


def escape_text(value: str) -> str:
    """TEXT value escaping (RFC 5545 §3.3.11): backslash, semicolon, comma, newline."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    for raw, escaped in (("\\", "\\\\"), (";", "\\;"), (",", "\\,"), ("\n", "\\n")):
        value = value.replace(raw, escaped)
    return value


def fold(line: str) -> bytes:
    """Split a content line into pieces of at most 75 octets, continuation lines starting
    with one space, never inside a UTF-8 character (RFC 5545 §3.1)."""
    out: list[bytes] = []
    current = b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > MAX_OCTETS:
            out.append(current)
            current = b" "  # the leading space counts towards the next line's 75
        current += encoded
    out.append(current)
    return b"\r\n".join(out)


def _description(kegiatan: Kegiatan) -> str:
    parts = [f"Jenis: {JENIS.get(kegiatan.jenis, kegiatan.jenis)}", f"OPD: {kegiatan.opd}"]
    if kegiatan.narasumber:
        parts.append(f"Narasumber: {kegiatan.narasumber}")
    if kegiatan.description:
        parts.append("")
        parts.append(kegiatan.description)
    return "\n".join(parts)


def _fixed_offset(tz: ZoneInfo, around: datetime) -> timedelta | None:
    """The zone's offset if it is the same all through the event's year and the next
    (no daylight saving), else None."""
    year = around.astimezone(tz).year
    probes = [datetime(y, m, 1, 12, tzinfo=UTC) for y in (year, year + 1) for m in range(1, 13)]
    offsets = {p.astimezone(tz).utcoffset() for p in [*probes, around]}
    return offsets.pop() if len(offsets) == 1 else None


def _vtimezone(tz_name: str, offset: timedelta, abbreviation: str) -> list[str]:
    text = _offset(offset)
    lines = [
        "BEGIN:VTIMEZONE",
        f"TZID:{tz_name}",
        "BEGIN:STANDARD",
        "DTSTART:19700101T000000",
        f"TZOFFSETFROM:{text}",
        f"TZOFFSETTO:{text}",
    ]
    # zoneinfo gives "+07" for zones without a letter abbreviation; only names are useful.
    if abbreviation.isalpha():
        lines.append(f"TZNAME:{abbreviation}")
    return [*lines, "END:STANDARD", "END:VTIMEZONE"]


def _offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}{mins:02d}"


def _when(name: str, at: datetime, tz: ZoneInfo, tz_name: str, local: bool) -> str:
    if not local:
        return f"{name}:{_utc(at)}"
    return f"{name};TZID={tz_name}:{at.astimezone(tz).strftime('%Y%m%dT%H%M%S')}"


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
