"""The report rules and operations on their own: what a report must meet, which kegiatan
count as recent for a kampung, the OPDs offered, and changes that happen only once."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import update

from bot.app import App
from models import Kegiatan, utcnow
from models.base import transaction
from models.reports import (
    MAX_PARTICIPANTS,
    ReportInvalid,
    ReportValues,
    approve,
    long_ago,
    new_draft,
    opd_names,
    participants_ok,
    recent_kegiatan,
    report_problems,
    return_for_fix,
    submit,
)
from tests.support.fakes.outbox import add_member, kampung_ids
from tests.support.reports import held_kegiatan

TODAY = date(2026, 12, 1)
GOOD = ReportValues(
    kampung_id=1,
    jenis="penyuluhan",
    title="Penyuluhan gizi",
    held_on=TODAY,
    opd="Puskesmas",
    women=10,
    men=0,
    ringkasan="Menu gizi.",
)


def test_a_good_report_breaks_no_rule_and_each_bad_field_is_named() -> None:
    assert report_problems(GOOD, TODAY) == []
    bad = replace(
        GOOD,
        jenis="arisan",
        title=" ",
        held_on=TODAY + timedelta(days=1),
        opd="x" * 121,
        women=-3,
        men=MAX_PARTICIPANTS + 1,
        ringkasan="y" * 1001,
        photos=("a", "b", "c", "d"),
    )
    assert report_problems(bad, TODAY) == [
        "unknown_jenis",
        "empty_title",
        "opd_too_long",
        "ringkasan_too_long",
        "in_future",
        "bad_women",
        "bad_men",
        "too_many_photos",
    ]


@pytest.mark.parametrize(
    ("count", "ok"), [(0, True), (1000, True), (-1, False), (1001, False), (True, False)]
)
def test_participants_are_whole_numbers_from_0_to_1000(count: object, ok: bool) -> None:
    assert participants_ok(count) is ok


def test_more_than_60_days_back_is_long_ago() -> None:
    assert not long_ago(TODAY - timedelta(days=60), TODAY)
    assert long_ago(TODAY - timedelta(days=61), TODAY)


async def test_recent_kegiatan_are_of_her_kampung_took_place_and_not_cancelled(
    app: App,
) -> None:
    mine = await held_kegiatan(app, "Untuk Sumberan", days_ago=3, kampung=("Sumberan",))
    everyone = await held_kegiatan(app, "Untuk semua", days_ago=1)
    await held_kegiatan(app, "Untuk Cibening", days_ago=2, kampung=("Cibening",))
    await held_kegiatan(app, "Terlalu lama", days_ago=70)
    await held_kegiatan(app, "Jenis lain", days_ago=1, jenis="pelatihan")
    cancelled = await held_kegiatan(app, "Dibatalkan", days_ago=1)
    coming = await held_kegiatan(app, "Belum mulai", days_ago=-2)
    async with transaction(app.sessions) as s:
        await s.execute(update(Kegiatan).where(Kegiatan.id == cancelled).values(status="cancelled"))
        await s.execute(update(Kegiatan).where(Kegiatan.id == coming).values(status="open"))
        place = (await kampung_ids(s))["Sumberan"]
        found = await recent_kegiatan(s, place, "penyuluhan", utcnow())
    assert [k.id for k in found] == [everyone, mine]  # newest first


async def test_opds_offered_once_each_the_kegiatans_own_first(app: App) -> None:
    await held_kegiatan(app, days_ago=1, opd="Dinas Kesehatan")
    await held_kegiatan(app, days_ago=2, opd="dinas  kesehatan")
    await held_kegiatan(app, days_ago=3, opd="Kecamatan Kasemen")
    async with app.sessions() as s:
        names = await opd_names(s, first="Kecamatan Kasemen")
    assert names[:2] == ["Kecamatan Kasemen", "Dinas Kesehatan"]
    assert len({n.casefold().replace(" ", "") for n in names}) == len(names)
    assert {"DP3AKB", "Dinas Sosial", "Puskesmas"} <= set(names)


async def test_a_common_opd_is_not_offered_beside_its_full_name(app: App) -> None:
    """Found trying the demo: "DP3AKB Kota Serang" and "DP3AKB" were both offered."""
    await held_kegiatan(app, days_ago=1, opd="DP3AKB Kota Serang")
    await held_kegiatan(app, days_ago=2, opd="Puskesmas  Kasemen")
    async with app.sessions() as s:
        names = await opd_names(s)
    assert names == ["DP3AKB Kota Serang", "Puskesmas Kasemen", "Dinas Kesehatan", "Dinas Sosial"]


async def test_sending_and_deciding_happen_once(app: App) -> None:
    now = utcnow()
    async with transaction(app.sessions) as s:
        place = (await kampung_ids(s))["Sumberan"]
        kader, _ = await add_member(s, "k1", role="kader", kampung_id=place)
        other, _ = await add_member(s, "k2", role="kader", kampung_id=place)
        admin, _ = await add_member(s, "a1", role="admin")
        report = await new_draft(s, reporter_id=kader, kampung_id=place, now=now)
        values = replace(GOOD, kampung_id=place, held_on=now.date())
        with pytest.raises(ReportInvalid) as bad:
            await submit(s, report.id, kader, replace(values, women=-1), today=now.date(), now=now)
        assert bad.value.problems == ("bad_women",)
        assert await submit(s, report.id, other, values, today=now.date(), now=now) is None
        sent = await submit(s, report.id, kader, values, today=now.date(), now=now)
        assert sent is not None and sent.status == "submitted"
        assert await submit(s, report.id, kader, values, today=now.date(), now=now) is None
        returned = await return_for_fix(s, report.id, admin, "Foto kurang jelas", now)
        assert returned is not None and returned.status == "needs_fix"
        assert await approve(s, report.id, admin, now) is None  # not waiting any more
        again = await submit(s, report.id, kader, values, today=now.date(), now=now)
        assert again is not None and again.status == "submitted"
        approved = await approve(s, report.id, admin, now)
        assert approved is not None and approved.status == "approved"
        assert await return_for_fix(s, report.id, admin, "Terlambat", now) is None
        with pytest.raises(ReportInvalid):
            await return_for_fix(s, report.id, admin, "   ", now)
