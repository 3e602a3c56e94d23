"""A kegiatan as an iCalendar file (RFC 5545) a mother can add to her phone's calendar.

Written with the `icalendar` library, which does the escaping, the folding of long lines
(by octets, never inside a character), the CRLF line ends and the VTIMEZONE. Times are
written in the deployment's zone with a TZID and that zone's VTIMEZONE, so a phone shows
"09.00" whatever zone it is set to. Indonesian zones (WIB, WITA, WIT) have no daylight
saving and need one STANDARD rule; for a zone with daylight saving the times are written
in UTC ("…Z") instead, which every calendar understands and keeps the file small.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

from models.kegiatan.tables import JENIS, Kegiatan

PRODID = "-//P2WKSS//p2wkss-bot//ID"
UID_DOMAIN = "p2wkss-bot"


def kegiatan_ics(kegiatan: Kegiatan, tz_name: str) -> bytes:
    """The calendar file for one kegiatan: UTF-8, CRLF line ends, long lines folded.

    UID is stable per kegiatan and SEQUENCE follows its version, so a calendar that already
    holds it updates the event (new time, cancelled) instead of adding a second one."""
    tz = ZoneInfo(tz_name)
    local = _fixed_offset(tz, kegiatan.starts_at) is not None
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if local:
        zone = Timezone.from_tzinfo(tz, tz_name)
        # "only works from 1970 to 2038": the library's note on its own span, not true of a
        # zone with one fixed offset, and not a property RFC 5545 lists for a VTIMEZONE.
        zone.pop("COMMENT", None)
        calendar.add_component(zone)
    shown_in = tz if local else UTC
    jenis = JENIS.get(kegiatan.jenis, kegiatan.jenis)
    event = Event()
    event.add("uid", f"kegiatan-{kegiatan.id}@{UID_DOMAIN}")
    event.add("dtstamp", kegiatan.updated_at.astimezone(UTC))
    event.add("sequence", max(0, kegiatan.version - 1))
    event.add("dtstart", kegiatan.starts_at.astimezone(shown_in))
    event.add("dtend", kegiatan.ends_at.astimezone(shown_in))
    event.add("summary", kegiatan.judul)
    event.add("location", kegiatan.tempat)
    event.add("description", _description(kegiatan))
    event.add("categories", [jenis])
    event.add("status", "CANCELLED" if kegiatan.status == "cancelled" else "CONFIRMED")
    calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data


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
