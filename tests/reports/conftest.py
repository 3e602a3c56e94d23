"""Photos on the test channel for every report story that sends some."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from handlers.core.types import Media
from tests.support.reports import photo_downloader


@pytest.fixture
def photos() -> Iterator[list[Media]]:
    with photo_downloader() as asked:
        yield asked
