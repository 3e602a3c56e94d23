"""The .ics file of a kegiatan: RFC 5545 line ends, folding, escaping, time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from models.kegiatan.ics import kegiatan_ics
from models.kegiatan.tables import Kegiatan

START = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)  # 09.00 WIB


def kegiatan(**kw: object) -> Kegiatan:
    values: dict[str, object] = {
        "id": 42,
        "jenis": "penyuluhan",
        "judul": "Penyuluhan gizi balita",
        "opd": "Dinas Kesehatan Kota Serang",
        "narasumber": "dr. Rina, Sp.A",
        "tempat": "Balai Warga Sumberan; RT 02/RW 05",
        "starts_at": START,
        "ends_at": START + timedelta(hours=3),
        "kuota": 30,
        "description": "Membawa buku KIA\\KMS.\nGratis.",
        "status": "open",
        "version": 3,
        "updated_at": datetime(2026, 12, 1, 3, 0, tzinfo=UTC),
    }
    values.update(kw)
    return Kegiatan(**values)


def unfold(data: bytes) -> list[str]:
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")


def physical_lines(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n")
    return data.split(b"\r\n")[:-1]


def test_the_event_is_in_jakarta_time_with_a_vtimezone() -> None:
    data = kegiatan_ics(kegiatan(), "Asia/Jakarta")
    lines = unfold(data)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2:] == ["END:VCALENDAR", ""]
    assert "DTSTART;TZID=Asia/Jakarta:20261203T090000" in lines
    assert "DTEND;TZID=Asia/Jakarta:20261203T120000" in lines
    zone = lines[lines.index("BEGIN:VTIMEZONE") : lines.index("END:VTIMEZONE") + 1]
    assert zone[:2] == ["BEGIN:VTIMEZONE", "TZID:Asia/Jakarta"]
    assert zone.count("BEGIN:STANDARD") == 1 and "BEGIN:DAYLIGHT" not in zone
    standard = zone[zone.index("BEGIN:STANDARD") + 1 : zone.index("END:STANDARD")]
    assert {"TZOFFSETFROM:+0700", "TZOFFSETTO:+0700", "TZNAME:WIB"} <= set(standard)
    assert any(line.startswith("DTSTART:") for line in standard)
    assert lines.index("END:VTIMEZONE") < lines.index("BEGIN:VEVENT")
    # A calendar reading the file puts it at 09.00 WIB (02.00 UTC).
    event = Calendar.from_ical(data).walk("VEVENT")[0]
    assert event.decoded("DTSTART").astimezone(UTC) == START
    assert "UID:kegiatan-42@p2wkss-bot" in lines
    assert "DTSTAMP:20261201T030000Z" in lines
    assert "SEQUENCE:2" in lines and "STATUS:CONFIRMED" in lines
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)


def test_every_line_ends_in_crlf_and_is_at_most_75_octets() -> None:
    long_title = "Pelatihan pengolahan pangan lokal: keripik, abon ikan, dan olahan singkong " * 2
    data = kegiatan_ics(kegiatan(judul=long_title, description="é" * 200), "Asia/Jakarta")
    assert b"\n" not in data.replace(b"\r\n", b"")  # no bare LF or CR anywhere
    physical = physical_lines(data)
    assert all(len(line) <= 75 for line in physical)
    assert any(line.startswith(b" ") for line in physical)  # something was folded
    for line in physical:
        line.decode("utf-8")  # never split inside a character
    summary = next(line for line in unfold(data) if line.startswith("SUMMARY:"))
    assert summary == "SUMMARY:" + long_title.replace(",", "\\,")
    assert Calendar.from_ical(data).walk("VEVENT")[0]["SUMMARY"] == long_title


def test_text_is_escaped() -> None:
    lines = unfold(kegiatan_ics(kegiatan(), "Asia/Jakarta"))
    assert "LOCATION:Balai Warga Sumberan\\; RT 02/RW 05" in lines
    description = next(line for line in lines if line.startswith("DESCRIPTION:"))
    assert description == (
        "DESCRIPTION:Jenis: Penyuluhan\\nOPD: Dinas Kesehatan Kota Serang\\n"
        "Narasumber: dr. Rina\\, Sp.A\\n\\nMembawa buku KIA\\\\KMS.\\nGratis."
    )
    odd = unfold(kegiatan_ics(kegiatan(judul="a,b;c\\d\r\ne"), "Asia/Jakarta"))
    assert "SUMMARY:a\\,b\\;c\\\\d\\ne" in odd


def test_the_uid_is_stable_and_a_cancellation_updates_the_same_event() -> None:
    first = kegiatan_ics(kegiatan(), "Asia/Jakarta")
    assert first == kegiatan_ics(kegiatan(), "Asia/Jakarta")
    cancelled = unfold(kegiatan_ics(kegiatan(status="cancelled", version=4), "Asia/Jakarta"))
    assert "UID:kegiatan-42@p2wkss-bot" in cancelled
    assert "STATUS:CANCELLED" in cancelled and "SEQUENCE:3" in cancelled


def test_other_indonesian_zones_and_a_zone_with_daylight_saving() -> None:
    makassar = unfold(kegiatan_ics(kegiatan(), "Asia/Makassar"))
    assert "DTSTART;TZID=Asia/Makassar:20261203T100000" in makassar
    assert "TZOFFSETTO:+0800" in makassar
    berlin = unfold(kegiatan_ics(kegiatan(), "Europe/Berlin"))
    assert "BEGIN:VTIMEZONE" not in berlin
    assert "DTSTART:20261203T020000Z" in berlin


@pytest.mark.parametrize("xs", range(62, 70))
def test_folding_counts_octets_not_characters(xs: int) -> None:
    """Two-octet é and four-octet emoji around the 75-octet limit are never cut in half."""
    title = "X" * xs + "é" + "😊" + "é" * 40
    data = kegiatan_ics(kegiatan(judul=title), "Asia/Jakarta")
    for line in physical_lines(data):
        assert len(line) <= 75
        line.decode("utf-8")
    assert "SUMMARY:" + title in unfold(data)
    assert "UID:kegiatan-42@p2wkss-bot" in data.decode().split("\r\n")  # short: not folded
