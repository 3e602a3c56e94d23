"""The audit trail's masking: a phone number written any usual way is hidden, a date in
an export's span is not."""

from __future__ import annotations

import pytest

from models.audit_trail import describe, mask


@pytest.mark.parametrize(
    "phone", ["+6281234567890", "081234567890", "0812-3456-7890", "+62 812 3456 7890"]
)
def test_a_phone_number_is_masked_however_it_is_written(phone: str) -> None:
    assert mask(f"nomor {phone} baru") == "nomor [***] baru"


def test_an_export_span_keeps_its_dates_and_small_ids() -> None:
    detail = {"kind": "members", "since": "2026-11-01", "until": "2026-11-30", "kampung_id": 4,
              "audience": {"kind": "kampung", "kampung_ids": [3, 4]}}  # fmt: skip
    assert describe(detail) == (
        "audience.kampung_ids=3,4 audience.kind=kampung kampung_id=4 kind=members "
        "since=2026-11-01 until=2026-11-30"
    )
