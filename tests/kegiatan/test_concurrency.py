"""The last seat, taken by several mothers at the same moment: concurrent tasks, each in its
own transaction on its own connection, on SQLite and on PostgreSQL (ARCHITECTURE decision 8).

On PostgreSQL the tasks first all read the kegiatan and see the free seat, and only then
sign up (a barrier holds them together): a read-count-then-write implementation would hand
out every seat twice here. SQLite's BEGIN IMMEDIATE lets one writer in at a time, so there
the tasks simply race; a barrier would wait on a transaction that is waiting on it.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from models.base import transaction
from models.kegiatan.signups import SignupResult, cancel_signup, sign_up
from models.kegiatan.tables import Kegiatan, Signup, seats_left
from tests.support.fakes.kegiatan import NOW, join, load, mother, new_kegiatan, notices


async def race(app: App, kegiatan_id: int, member_ids: list[int]) -> list[SignupResult]:
    together = app.db.dialect.name == "postgresql"
    barrier = asyncio.Barrier(len(member_ids))

    async def one(member_id: int) -> SignupResult:
        async with transaction(app.sessions) as s:
            if together:
                seen = await s.get_one(Kegiatan, kegiatan_id)
                assert seats_left(seen) == 1  # everyone saw the last seat free
                await barrier.wait()
            return await sign_up(s, kegiatan_id, member_id, NOW)

    return list(await asyncio.gather(*(one(m) for m in member_ids)))


@pytest.mark.parametrize("mothers", [2, 10])
async def test_mothers_taking_the_last_seat_at_once_get_one_seat(app: App, mothers: int) -> None:
    kid = await new_kegiatan(app, kuota=3)
    for n in range(2):
        await join(app, kid, (await mother(app, f"tg-early-{n}"))[0])
    racers = [(await mother(app, f"tg-racer-{n}"))[0] for n in range(mothers)]

    results = await race(app, kid, racers)

    outcomes = Counter(r.outcome for r in results)
    assert outcomes == {"registered": 1, "waiting": mothers - 1}
    positions = sorted(r.position or 0 for r in results if r.outcome == "waiting")
    assert positions == list(range(1, mothers))
    kegiatan = await load(app, kid)
    assert (kegiatan.registered_count, seats_left(kegiatan)) == (3, 0)
    async with app.sessions() as s:
        statuses = Counter(await s.scalars(select(Signup.status).where(Signup.kegiatan_id == kid)))
    assert statuses == {"registered": 3, "waiting": mothers - 1}


async def test_a_seat_freed_while_another_mother_signs_up_is_never_lost(app: App) -> None:
    """A cancel and a sign-up at the same moment: whichever runs first, the newcomer ends
    with the seat (straight away, or promoted from the list with a message)."""
    for round_ in range(5):
        kid = await new_kegiatan(app, f"ronde {round_}", kuota=1)
        holder, _ = await mother(app, f"tg-holder-{round_}")
        newcomer, _ = await mother(app, f"tg-new-{round_}")
        await join(app, kid, holder)

        async def cancel(kid: int = kid, holder: int = holder) -> None:
            async with transaction(app.sessions) as s:
                await cancel_signup(s, kid, holder, NOW + timedelta(minutes=1))

        async def sign(kid: int = kid, newcomer: int = newcomer) -> SignupResult:
            async with transaction(app.sessions) as s:
                return await sign_up(s, kid, newcomer, NOW + timedelta(minutes=1))

        _, result = await asyncio.gather(cancel(), sign())
        async with app.sessions() as s:
            status = await s.scalar(
                select(Signup.status).where(Signup.kegiatan_id == kid, Signup.member_id == newcomer)
            )
        assert status == "registered", (round_, result)
        assert (await load(app, kid)).registered_count == 1
        promoted = [r for r in await notices(app, "signup_promoted") if r.member_id == newcomer]
        assert len(promoted) == (1 if result.outcome == "waiting" else 0)
