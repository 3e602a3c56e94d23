"""Stories of kegiatan at the data layer, on a real database: create, publish, list for her
kampung, sign up, full, waiting list, cancel, promotion through the outbox, changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from handlers.core.delivery import render_outbox
from models import Member
from models.base import transaction
from models.kegiatan.admin import (
    KEEP,
    cancel_kegiatan,
    create_kegiatan,
    edit_kegiatan,
    publish,
)
from models.kegiatan.queries import my_schedule, overlapping, participants, upcoming_for_member
from models.kegiatan.signups import give_seat_back, waitlist_position, withdraw_member
from models.kegiatan.tables import KegiatanInvalid, Signup, participant_ids, seats_left
from models.outbox.tables import PRIORITY_URGENT
from models.people.members import erase_member
from tests.support.fakes.kegiatan import (
    NOW,
    START,
    draft,
    join,
    leave,
    load,
    mother,
    new_kegiatan,
    notices,
)
from tests.support.fakes.outbox import link


async def upcoming(app: App, member_id: int, offset: int = 0, limit: int = 5) -> list[str]:
    async with app.sessions() as s:
        member = await s.get_one(Member, member_id)
        page = await upcoming_for_member(s, member, NOW, offset, limit)
        return [k.judul for k in page.items]


async def test_create_publish_sign_up_full_waiting_cancel_promote_give_back(app: App) -> None:
    kid = await new_kegiatan(app, "Pelatihan menjahit", kuota=2, published=False)
    ani, ani_chat = await mother(app, "tg-ani")
    assert await upcoming(app, ani) == []  # a draft is not shown
    assert (await join(app, kid, ani)).outcome == "not_open"
    async with transaction(app.sessions) as s:
        assert (await publish(s, kid, now=NOW, actor="test")).outcome == "ok"
    assert await upcoming(app, ani) == ["Pelatihan menjahit"]

    budi, _ = await mother(app, "tg-budi")
    cici, cici_chat = await mother(app, "tg-cici")
    dewi, dewi_chat = await mother(app, "tg-dewi")
    first = await join(app, kid, ani)
    assert first.outcome == "registered" and first.kegiatan is not None
    assert seats_left(first.kegiatan) == 1
    full = await join(app, kid, budi)
    assert full.outcome == "registered" and full.kegiatan and seats_left(full.kegiatan) == 0
    waiting = await join(app, kid, cici)
    assert (waiting.outcome, waiting.position) == ("waiting", 1)
    assert (await join(app, kid, dewi)).position == 2

    cancelled = await leave(app, kid, ani)
    assert (cancelled.outcome, cancelled.was, cancelled.promoted) == (
        "cancelled",
        "registered",
        (cici,),
    )
    [row] = await notices(app, "signup_promoted")
    assert (row.identity_id, row.member_id, row.channel) == (cici_chat, cici, "telegram")
    assert row.params["kegiatan_id"] == kid and row.params["judul"] == "Pelatihan menjahit"
    assert row.params["starts_at"] == START.isoformat()
    assert row.params["choices"] == [
        {"id": f"a:kg.unsignup:{kid}:{cici}", "key": "kegiatan.btn_give_seat_back"}
    ]
    reply = render_outbox(row)
    assert "Pelatihan menjahit" in reply.text
    assert reply.choices[0].id == f"a:kg.unsignup:{kid}:{cici}"
    async with app.sessions() as s:
        assert await waitlist_position(s, kid, dewi) == 1

    async with transaction(app.sessions) as s:
        back = await give_seat_back(s, kid, cici, NOW + timedelta(hours=1))
    assert back.promoted == (dewi,)
    rows = await notices(app, "signup_promoted")
    assert [(r.member_id, r.identity_id) for r in rows] == [(cici, cici_chat), (dewi, dewi_chat)]
    async with app.sessions() as s:
        schedule = await my_schedule(s, dewi, NOW)
        assert [(e.kegiatan.id, e.status) for e in schedule] == [(kid, "registered")]
        assert await my_schedule(s, cici, NOW) == []
        assert [p.member_id for p in await participants(s, kid)] == [budi, dewi]
        audience = select(Member.id).where(Member.id.in_(participant_ids(kid))).order_by(Member.id)
        assert list(await s.scalars(audience)) == [budi, dewi]
    assert (await load(app, kid)).registered_count == 2
    assert ani_chat  # her chat got nothing: she cancelled herself


async def test_signing_up_twice_is_idempotent(app: App) -> None:
    kid = await new_kegiatan(app, kuota=1)
    ani, _ = await mother(app, "tg-ani")
    budi, _ = await mother(app, "tg-budi")
    assert (await join(app, kid, ani)).outcome == "registered"
    assert (await join(app, kid, ani)).outcome == "already_registered"
    assert (await join(app, kid, budi)).outcome == "waiting"
    again = await join(app, kid, budi)
    assert (again.outcome, again.position) == ("already_waiting", 1)
    assert (await load(app, kid)).registered_count == 1
    async with app.sessions() as s:
        rows = list(await s.scalars(select(Signup).where(Signup.kegiatan_id == kid)))
    assert len(rows) == 2


async def test_signing_up_again_after_cancelling_goes_to_the_end_of_the_list(app: App) -> None:
    kid = await new_kegiatan(app, kuota=1)
    ani, _ = await mother(app, "tg-ani")
    budi, _ = await mother(app, "tg-budi")
    cici, _ = await mother(app, "tg-cici")
    await join(app, kid, ani)
    await join(app, kid, budi)
    await join(app, kid, cici)
    assert (await leave(app, kid, budi)).was == "waiting"
    back = await join(app, kid, budi, NOW + timedelta(minutes=5))
    assert (back.outcome, back.position) == ("waiting", 2)


async def test_cancelled_finished_missing_and_other_kampung_are_refused(app: App) -> None:
    ani, _ = await mother(app, "tg-ani", "Sumberan")
    eka, _ = await mother(app, "tg-eka", "Cibening")
    gone = await new_kegiatan(app, "Dibatalkan")
    async with transaction(app.sessions) as s:
        assert (await cancel_kegiatan(s, gone, now=NOW, actor="test")).outcome == "ok"
    result = await join(app, gone, ani)
    assert (
        result.outcome == "not_open" and result.kegiatan and result.kegiatan.status == "cancelled"
    )

    short = await new_kegiatan(app, "Sudah lewat", hours=1)
    assert (await join(app, short, ani, START + timedelta(hours=2))).outcome == "finished"
    assert (await join(app, short, ani, START + timedelta(minutes=30))).outcome == "registered"
    assert (await join(app, 999_999, ani)).outcome == "not_found"

    only_sumberan = await new_kegiatan(app, "Khusus Sumberan", kampung=("Sumberan",))
    assert (await join(app, only_sumberan, eka)).outcome == "not_for_her_kampung"
    assert await upcoming(app, eka) == ["Sudah lewat"]  # for every kampung; not the other
    assert (await join(app, only_sumberan, ani)).outcome == "registered"


async def test_cancelling_what_she_is_not_registered_for(app: App) -> None:
    kid = await new_kegiatan(app)
    ani, _ = await mother(app, "tg-ani")
    assert (await leave(app, kid, ani)).outcome == "not_registered"
    assert (await leave(app, 999_999, ani)).outcome == "not_registered"
    await join(app, kid, ani)
    assert (await leave(app, kid, ani)).outcome == "cancelled"
    assert (await leave(app, kid, ani)).outcome == "not_registered"
    assert (await load(app, kid)).registered_count == 0
    assert await notices(app) == []


async def test_a_larger_quota_promotes_and_a_smaller_one_than_taken_is_refused(app: App) -> None:
    kid = await new_kegiatan(app, kuota=1)
    people = [(await mother(app, f"tg-{n}"))[0] for n in range(4)]
    for member_id in people:
        await join(app, kid, member_id)
    async with transaction(app.sessions) as s:
        grown = await edit_kegiatan(s, kid, now=NOW, actor="test", kuota=3)
    assert grown.outcome == "ok" and grown.promoted == (people[1], people[2])
    assert grown.notified == 0  # a quota change alone is no news for the others
    assert [r.member_id for r in await notices(app, "signup_promoted")] == people[1:3]
    async with transaction(app.sessions) as s:
        shrunk = await edit_kegiatan(s, kid, now=NOW, actor="test", kuota=2)
        assert (shrunk.outcome, shrunk.problems) == ("invalid", ("kuota_below_registered",))
        zero = await edit_kegiatan(s, kid, now=NOW, actor="test", kuota=0)
        assert zero.problems == ("bad_kuota",)
        unlimited = await edit_kegiatan(s, kid, now=NOW, actor="test", kuota=None)
    assert unlimited.promoted == (people[3],)
    assert (await load(app, kid)).registered_count == 4


async def test_a_new_time_or_place_and_a_cancellation_reach_every_registered_and_waiting(
    app: App,
) -> None:
    kid = await new_kegiatan(app, kuota=1)
    ani, ani_chat = await mother(app, "tg-ani")
    budi, budi_chat = await mother(app, "tg-budi")
    cici, _ = await mother(app, "tg-cici")
    for member_id in (ani, budi, cici):
        await join(app, kid, member_id)
    await leave(app, kid, cici)  # left the waiting list: not told any more
    later = START + timedelta(days=1)
    async with transaction(app.sessions) as s:
        moved = await edit_kegiatan(
            s, kid, now=NOW, actor="test", starts_at=later,
            when_text=lambda at, lang: f"{lang}:{at:%d/%m %H.%M}",
        )  # fmt: skip
    assert (moved.outcome, moved.notified) == ("ok", 2)
    kegiatan = await load(app, kid)
    assert (kegiatan.starts_at, kegiatan.ends_at) == (later, later + timedelta(hours=3))
    changed = await notices(app, "kegiatan_changed")
    assert [(r.member_id, r.identity_id) for r in changed] == [(ani, ani_chat), (budi, budi_chat)]
    assert [r.params["signup"] for r in changed] == ["registered", "waiting"]
    assert changed[0].params["when"] == "id:04/12 03.00"  # the new time, as the caller formats it
    assert all(r.priority == PRIORITY_URGENT and not r.respects_quiet_hours for r in changed)

    async with transaction(app.sessions) as s:
        place = await edit_kegiatan(s, kid, now=NOW, actor="test", tempat="Aula Kelurahan")
        same = await edit_kegiatan(s, kid, now=NOW, actor="test", tempat="Aula Kelurahan")
    assert (place.notified, same.outcome) == (2, "unchanged")
    assert len(await notices(app, "kegiatan_changed")) == 4  # the version is in the key

    async with transaction(app.sessions) as s:
        gone = await cancel_kegiatan(s, kid, now=NOW, actor="test")
        again = await cancel_kegiatan(s, kid, now=NOW, actor="test")
    assert (gone.notified, again.outcome) == (2, "unchanged")
    rows = await notices(app, "kegiatan_cancelled")
    assert [r.member_id for r in rows] == [ani, budi]
    assert "dibatalkan" in render_outbox(rows[0]).text
    async with app.sessions() as s:
        assert [e.kegiatan.status for e in await my_schedule(s, ani, NOW)] == ["cancelled"]


async def test_bad_edits_and_drafts_save_nothing(app: App) -> None:
    kid = await new_kegiatan(app)
    async with transaction(app.sessions) as s:
        past = await edit_kegiatan(s, kid, now=NOW, actor="t", starts_at=NOW - timedelta(hours=1))
        backwards = await edit_kegiatan(
            s, kid, now=NOW, actor="t", ends_at=START - timedelta(hours=1)
        )
        blank = await edit_kegiatan(s, kid, now=NOW, actor="t", tempat="  ", kuota=KEEP)
    assert past.problems == ("in_past",)
    assert backwards.problems == ("ends_before_start",)
    assert blank.problems == ("empty_tempat",)
    assert (await load(app, kid)).version == 2  # created 1, published 2, nothing since
    bad = draft(judul=" ", kuota=0, starts_at=NOW - timedelta(days=1), hours=-1)
    with pytest.raises(KegiatanInvalid) as err:
        async with transaction(app.sessions) as s:
            await create_kegiatan(s, bad, now=NOW, actor="t")
    assert set(err.value.problems) == {"empty_judul", "bad_kuota", "in_past", "ends_before_start"}


async def test_upcoming_is_for_her_kampung_soonest_first_and_paged(app: App) -> None:
    ani, _ = await mother(app, "tg-ani", "Sumberan")
    for day in (5, 1, 3, 2, 4, 6, 7):
        await new_kegiatan(app, f"hari {day}", starts_at=NOW + timedelta(days=day))
    await new_kegiatan(app, "Cibening saja", kampung=("Cibening",))
    await new_kegiatan(app, "Dua kampung", kampung=("Cibening", "Sumberan"), starts_at=NOW)
    await new_kegiatan(app, "draft", published=False)
    first = await upcoming(app, ani, 0, 5)
    assert first == ["Dua kampung", "hari 1", "hari 2", "hari 3", "hari 4"]
    assert await upcoming(app, ani, 5, 5) == ["hari 5", "hari 6", "hari 7"]
    async with app.sessions() as s:
        member = await s.get_one(Member, ani)
        page = await upcoming_for_member(s, member, NOW, 0, 5)
        later = await upcoming_for_member(s, member, NOW + timedelta(days=1, hours=4), 0, 5)
    assert (page.total, page.has_more) == (8, True)
    assert later.items[0].judul == "hari 2"  # ended ones drop off


async def test_overlapping_kegiatan_are_found(app: App) -> None:
    ani, _ = await mother(app, "tg-ani")
    morning = await new_kegiatan(app, "Pagi", starts_at=START, hours=3)
    await new_kegiatan(app, "Siang", starts_at=START + timedelta(hours=2), hours=2)
    afternoon = await new_kegiatan(app, "Sore", starts_at=START + timedelta(hours=3), hours=2)
    await join(app, morning, ani)
    async with app.sessions() as s:
        siang = (await upcoming_for_member(s, await s.get_one(Member, ani), NOW)).items[1]
        assert [k.judul for k in await overlapping(s, ani, siang)] == ["Pagi"]
        sore = await s.get_one(type(siang), afternoon)
        assert await overlapping(s, ani, sore) == []  # back to back is fine


async def test_the_promotion_goes_to_her_most_recently_seen_chat(app: App) -> None:
    kid = await new_kegiatan(app, kuota=1)
    ani, _ = await mother(app, "tg-ani")
    budi, old_chat = await mother(app, "tg-budi-old", seen_at=NOW - timedelta(days=3))
    async with transaction(app.sessions) as s:
        new_chat = await link(s, budi, "tg-budi-new", seen_at=NOW - timedelta(hours=1))
    await join(app, kid, ani)
    await join(app, kid, budi)
    await leave(app, kid, ani)
    [row] = await notices(app, "signup_promoted")
    assert row.identity_id == new_chat != old_chat


async def test_an_erased_mother_leaves_her_seat_to_the_next_one_still_here(app: App) -> None:
    kid = await new_kegiatan(app, kuota=1)
    ani, _ = await mother(app, "tg-ani")
    budi, _ = await mother(app, "tg-budi")
    cici, _ = await mother(app, "tg-cici")
    for member_id in (ani, budi, cici):
        await join(app, kid, member_id)
    async with transaction(app.sessions) as s:
        await erase_member(s, await s.get_one(Member, budi))  # waiting, then erased
    async with transaction(app.sessions) as s:
        await erase_member(s, await s.get_one(Member, ani))
        assert await withdraw_member(s, ani, NOW) == 1
    assert [r.member_id for r in await notices(app, "signup_promoted")] == [cici]
    async with app.sessions() as s:
        assert [p.member_id for p in await participants(s, kid, include_waiting=True)] == [cici]
