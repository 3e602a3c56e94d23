"""A fixed today for the deadline stories: their dates ("15 Maret 2027", "25/1/2027") are
typed in the future and shown with their weekday and the days left, so they must not move
with the real clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

WIB = ZoneInfo("Asia/Jakarta")
TODAY = date(2027, 1, 4)  # a Monday


@pytest.fixture
def monday_4_january_2027() -> Iterator[None]:
    """Now is Monday 4 January 2027, 10.00 WIB, and the clock goes on from there."""
    with time_machine.travel(datetime.combine(TODAY, time(10, 0), tzinfo=WIB), tick=True):
        yield
