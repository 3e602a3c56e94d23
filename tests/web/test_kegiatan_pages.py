"""Kegiatan in the web console: the list filtered by kampung, jenis and month; a
kegiatan's page with its sign-ups, waiting list and attendance; and the changes the chat
gives admins (time, place, kuota, cancel). Each change is first shown with its new value,
then saved by a form carrying the session's CSRF token, through the chat's own model
functions: waiting mothers get the freed seats, mothers are told through the outbox, and
the audit log names the admin, as when she does it in chat. A kader sees her own kampung
and changes nothing, as in chat."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import select

from bot.app import App
from models import AuditEntry, Kegiatan, KegiatanTarget, Signup
from models.attendance.tables import Attendance
from models.base import transaction, utcnow
from models.kegiatan import KIND_CANCELLED, KIND_CHANGED, KIND_PROMOTED
from tests.support.fakes.outbox import add_member, kampung_ids
from tests.support.reports import admin_chat, kader_chat, outbox
from tests.support.web import csrf_of, member_named, sign_in

WIB = ZoneInfo("Asia/Jakarta")


async def posyandu_with_a_waiting_list(app: App, *, days: float = 5) -> dict[str, int]:
    """ "Posyandu Melati" for every kampung, 1 seat: Ibu siti (Sumberan) has it, Ibu wati
    (Cibening) then Ibu yuni (Sumberan) wait, in that order; each has a Telegram chat."""
    async with transaction(app.sessions) as s:
        places = await kampung_ids(s)
        siti, _ = await add_member(s, "siti", kampung_id=places["Sumberan"])
        wati, _ = await add_member(s, "wati", kampung_id=places["Cibening"])
        yuni, _ = await add_member(s, "yuni", kampung_id=places["Sumberan"])
        starts = (utcnow() + timedelta(days=days)).replace(second=0, microsecond=0)
        k = Kegiatan(jenis="pelayanan", judul="Posyandu Melati", opd="Dinkes", tempat="Balai RW 02",
                     starts_at=starts, ends_at=starts + timedelta(hours=2), status="open",
                     kuota=1, registered_count=1)  # fmt: skip
        s.add(k)
        await s.flush()
        queued = utcnow() - timedelta(hours=3)
        for i, (member, status) in enumerate(
            ((siti, "registered"), (wati, "waiting"), (yuni, "waiting"))
        ):
            at = queued + timedelta(minutes=i)
            s.add(Signup(kegiatan_id=k.id, member_id=member, status=status, queued_at=at))
        return {"kegiatan": k.id, "siti": siti, "wati": wati, "yuni": yuni}


async def kegiatan_for(
    app: App, judul: str, jenis: str, days: float, kampung: str | None = None
) -> int:
    async with transaction(app.sessions) as s:
        starts = utcnow() + timedelta(days=days)
        k = Kegiatan(jenis=jenis, judul=judul, opd="DP3AKB", tempat="Aula kelurahan",
                     starts_at=starts, ends_at=starts + timedelta(hours=2),
                     status="open")  # fmt: skip
        s.add(k)
        await s.flush()
        if kampung:
            s.add(KegiatanTarget(kegiatan_id=k.id, kampung_id=(await kampung_ids(s))[kampung]))
        return k.id


def row_of(html: str, judul: str) -> str:
    """The table row naming this kegiatan."""
    start = html.rindex("<tr>", 0, html.index(f">{judul}<"))
    return html[start : html.index("</tr>", start)]


async def signups(app: App, kegiatan_id: int) -> dict[int, str]:
    async with app.sessions() as s:
        rows = await s.execute(
            select(Signup.member_id, Signup.status).where(Signup.kegiatan_id == kegiatan_id)
        )
        return {m: st for m, st in rows}


async def kegiatan(app: App, kegiatan_id: int) -> Kegiatan:
    async with app.sessions() as s:
        found = await s.get(Kegiatan, kegiatan_id)
        assert found is not None
        return found


async def audit_of(app: App, kegiatan_id: int) -> list[AuditEntry]:
    async with app.sessions() as s:
        return list(
            await s.scalars(
                select(AuditEntry)
                .where(AuditEntry.object_type == "kegiatan")
                .where(AuditEntry.object_id == str(kegiatan_id))
                .order_by(AuditEntry.id)
            )
        )


async def preview(web: httpx.AsyncClient, k: int, **fields: str) -> httpx.Response:
    """The confirmation page of a change (nothing is saved)."""
    return await web.get(f"/admin/kegiatan/{k}/ubah", params=fields)


async def change(web: httpx.AsyncClient, k: int, csrf: str | None, **fields: str) -> httpx.Response:
    """Its "Simpan dan beri tahu" button (csrf None: a forged form without the token)."""
    data = fields if csrf is None else {**fields, "csrf": csrf}
    return await web.post(f"/admin/kegiatan/{k}/ubah", data=data)


async def signed_in_admin(app: App, web: httpx.AsyncClient) -> tuple[int, str]:
    await admin_chat(app)
    admin = await member_named(app, None, role="admin")
    return admin.id, await sign_in(web, app, admin)


async def test_admin_filters_kegiatan_by_kampung_jenis_and_month(
    app: App, web: httpx.AsyncClient
) -> None:
    await kegiatan_for(app, "Senam Sumberan", "pembinaan", 3, kampung="Sumberan")
    await kegiatan_for(app, "Penyuluhan Cibening", "penyuluhan", 3, kampung="Cibening")
    await kegiatan_for(app, "Pelatihan menjahit", "pelatihan", 45)  # every kampung
    await signed_in_admin(app, web)

    everything = (await web.get("/admin/kegiatan")).text
    for judul in ("Senam Sumberan", "Penyuluhan Cibening", "Pelatihan menjahit"):
        assert judul in everything
    assert "<td>Cibening</td>" in row_of(everything, "Penyuluhan Cibening")
    assert "semua kampung" in row_of(everything, "Pelatihan menjahit")
    async with app.sessions() as s:
        cibening = (await kampung_ids(s))["Cibening"]
    only = (await web.get("/admin/kegiatan", params={"kampung": cibening})).text
    assert "Penyuluhan Cibening" in only and "Pelatihan menjahit" in only
    assert "Senam Sumberan" not in only
    kind = (await web.get("/admin/kegiatan", params={"jenis": "pembinaan"})).text
    assert "Senam Sumberan" in kind and "Pelatihan menjahit" not in kind
    later = f"{datetime.now(WIB) + timedelta(days=45):%Y-%m}"
    month = (await web.get("/admin/kegiatan", params={"bulan": later})).text
    assert "Pelatihan menjahit" in month and "Senam Sumberan" not in month
    # Nonsense in the address is no filter, not an error.
    odd = await web.get("/admin/kegiatan", params={"bulan": "besok", "jenis": "x", "kampung": "z"})
    assert odd.status_code == 200 and "Senam Sumberan" in odd.text


async def test_a_kegiatan_page_shows_sign_ups_waiting_list_and_attendance(
    app: App, web: httpx.AsyncClient
) -> None:
    ids = await posyandu_with_a_waiting_list(app)
    async with transaction(app.sessions) as s:
        s.add(Attendance(kegiatan_id=ids["kegiatan"], member_id=ids["siti"], status="present",
                         method="hand", present_at=utcnow()))  # fmt: skip
    await signed_in_admin(app, web)
    page = (await web.get(f"/admin/kegiatan/{ids['kegiatan']}")).text
    assert "Terdaftar (1)" in page and "Daftar tunggu (2)" in page and "Hadir (1)" in page
    assert page.index("Ibu wati") < page.index("Ibu yuni")  # the waiting list in its order
    assert f'href="/admin/warga/{ids["siti"]}"' in page
    assert "Ubah waktu" in page and "Batalkan kegiatan" in page


async def test_admin_raises_the_kuota_and_waiting_mothers_get_the_seats(
    app: App, web: httpx.AsyncClient
) -> None:
    ids = await posyandu_with_a_waiting_list(app)
    admin_id, csrf = await signed_in_admin(app, web)
    k = ids["kegiatan"]

    shown = await web.get(f"/admin/kegiatan/{k}/ubah", params={"apa": "kuota", "kuota": "2"})
    assert shown.status_code == 200
    assert "Menjadi" in shown.text and "<strong>2</strong>" in shown.text
    assert "1 ibu dari daftar tunggu akan mendapat tempat" in shown.text
    assert (await kegiatan(app, k)).kuota == 1  # showing it changes nothing

    forged = await web.post(f"/admin/kegiatan/{k}/ubah", data={"apa": "kuota", "kuota": "2"})
    assert forged.status_code == 403 and (await kegiatan(app, k)).kuota == 1

    saved = await web.post(
        f"/admin/kegiatan/{k}/ubah",
        data={"csrf": csrf_of(shown.text), "apa": "kuota", "kuota": "2"},
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/admin/kegiatan/{k}?selesai=ubah&n=1"
    assert (
        "Perubahan disimpan. 1 ibu diberi tahu." in (await web.get(saved.headers["location"])).text
    )
    assert await signups(app, k) == {
        ids["siti"]: "registered",
        ids["wati"]: "registered",
        ids["yuni"]: "waiting",
    }
    changed = await kegiatan(app, k)
    assert (changed.kuota, changed.registered_count) == (2, 2)
    [told] = await outbox(app, KIND_PROMOTED)
    assert told.member_id == ids["wati"] and told.params["kegiatan_id"] == k
    [entry] = await audit_of(app, k)
    assert (entry.action, entry.actor, entry.actor_member_id) == (
        "kegiatan.edit",
        f"member:{admin_id}",
        admin_id,
    )
    assert entry.detail["changed"] == ["kuota"]

    # No limit at all: Ibu yuni gets hers too.
    assert (await change(web, k, csrf, apa="kuota", kuota="")).status_code == 303
    assert (await signups(app, k))[ids["yuni"]] == "registered"
    assert [m.member_id for m in await outbox(app, KIND_PROMOTED)] == [ids["wati"], ids["yuni"]]


async def test_a_closed_kegiatan_gives_no_seat_and_its_page_says_none_will(
    app: App, web: httpx.AsyncClient
) -> None:
    # Registration is closed: a larger kuota moves nobody from the waiting list (as in
    # chat), and the confirmation page counts what will happen, not the waiting list.
    ids = await posyandu_with_a_waiting_list(app)
    k = ids["kegiatan"]
    async with transaction(app.sessions) as s:
        found = await s.get(Kegiatan, k)
        assert found is not None
        found.status = "closed"
    _, csrf = await signed_in_admin(app, web)

    shown = await preview(web, k, apa="kuota", kuota="3")
    assert shown.status_code == 200
    assert "0 ibu dari daftar tunggu akan mendapat tempat" in shown.text
    assert (await change(web, k, csrf, apa="kuota", kuota="3")).status_code == 303
    assert (await kegiatan(app, k)).kuota == 3
    assert await signups(app, k) == {
        ids["siti"]: "registered",
        ids["wati"]: "waiting",
        ids["yuni"]: "waiting",
    }
    assert await outbox(app, KIND_PROMOTED) == []


async def test_a_kuota_below_the_mothers_signed_up_is_refused(
    app: App, web: httpx.AsyncClient
) -> None:
    ids = await posyandu_with_a_waiting_list(app)
    _, csrf = await signed_in_admin(app, web)
    k = ids["kegiatan"]
    await web.post(f"/admin/kegiatan/{k}/ubah", data={"csrf": csrf, "apa": "kuota", "kuota": "3"})
    for kuota, problem in (("1", "lebih kecil dari jumlah ibu"), ("nol", "kuota harus angka")):
        shown = await web.get(f"/admin/kegiatan/{k}/ubah", params={"apa": "kuota", "kuota": kuota})
        assert shown.status_code == 400 and problem in shown.text
        assert "Simpan dan beri tahu" not in shown.text
        sent = await web.post(
            f"/admin/kegiatan/{k}/ubah", data={"csrf": csrf, "apa": "kuota", "kuota": kuota}
        )
        assert sent.status_code == 400 and problem in sent.text
    assert (await kegiatan(app, k)).kuota == 3


async def test_admin_moves_the_time_and_the_place_and_mothers_are_told(
    app: App, web: httpx.AsyncClient
) -> None:
    ids = await posyandu_with_a_waiting_list(app)
    admin_id, csrf = await signed_in_admin(app, web)
    k = ids["kegiatan"]
    before = await kegiatan(app, k)
    day = (before.starts_at.astimezone(WIB) + timedelta(days=1)).date()

    ask = {"apa": "waktu", "tanggal": day.isoformat(), "jam": "10:00"}
    shown = await web.get(f"/admin/kegiatan/{k}/ubah", params=ask)
    assert shown.status_code == 200 and "pukul 10.00 WIB" in shown.text
    assert "3 ibu yang terdaftar atau menunggu akan diberi tahu" in shown.text
    past = {**ask, "tanggal": "2020-01-06"}
    late = await web.get(f"/admin/kegiatan/{k}/ubah", params=past)
    assert late.status_code == 400 and "waktu itu sudah lewat" in late.text
    assert (await change(web, k, csrf, **past)).status_code == 400
    assert await outbox(app, KIND_CHANGED) == []

    saved = await web.post(f"/admin/kegiatan/{k}/ubah", data={**ask, "csrf": csrf})
    assert saved.status_code == 303 and saved.headers["location"].endswith("n=3")
    moved = await kegiatan(app, k)
    assert moved.starts_at.astimezone(WIB) == datetime(day.year, day.month, day.day, 10, tzinfo=WIB)
    assert moved.ends_at - moved.starts_at == before.ends_at - before.starts_at
    told = await outbox(app, KIND_CHANGED)
    assert {m.member_id for m in told} == {ids["siti"], ids["wati"], ids["yuni"]}
    assert len(told) == 3
    assert all("10.00" in m.params["when"] for m in told)

    place = {"apa": "tempat", "tempat": "  Posyandu   Melati,  RW 03 "}
    shown = await web.get(f"/admin/kegiatan/{k}/ubah", params=place)
    assert "Posyandu Melati, RW 03" in shown.text and "Balai RW 02" in shown.text
    assert (await change(web, k, csrf, **place)).status_code == 303
    assert (await kegiatan(app, k)).tempat == "Posyandu Melati, RW 03"
    assert len(await outbox(app, KIND_CHANGED)) == 6
    entries = await audit_of(app, k)
    assert [(e.action, e.detail["changed"], e.actor_member_id) for e in entries] == [
        ("kegiatan.edit", ["time"], admin_id),
        ("kegiatan.edit", ["tempat"], admin_id),
    ]


async def test_admin_cancels_a_kegiatan_and_every_mother_is_told(
    app: App, web: httpx.AsyncClient
) -> None:
    ids = await posyandu_with_a_waiting_list(app)
    admin_id, csrf = await signed_in_admin(app, web)
    k = ids["kegiatan"]
    shown = await web.get(f"/admin/kegiatan/{k}/batalkan")
    assert "Batalkan Posyandu Melati" in shown.text and "3 ibu" in shown.text
    assert (await kegiatan(app, k)).status == "open"

    forged = await web.post(f"/admin/kegiatan/{k}/batalkan", data={"csrf": "tebakan"})
    assert forged.status_code == 403 and (await kegiatan(app, k)).status == "open"
    assert await outbox(app, KIND_CANCELLED) == []

    done = await web.post(f"/admin/kegiatan/{k}/batalkan", data={"csrf": csrf})
    assert done.status_code == 303
    assert (await kegiatan(app, k)).status == "cancelled"
    told = await outbox(app, KIND_CANCELLED)
    assert {m.member_id for m in told} == {ids["siti"], ids["wati"], ids["yuni"]}
    assert len(told) == 3
    [entry] = await audit_of(app, k)
    assert (entry.action, entry.actor_member_id) == ("kegiatan.cancel", admin_id)
    page = await web.get(f"/admin/kegiatan/{k}")
    assert "Dibatalkan" in page.text or "dibatalkan" in page.text
    assert "Ubah waktu" not in page.text
    # A cancelled kegiatan changes no more, and nobody is told twice.
    again = await change(web, k, csrf, apa="kuota", kuota="5")
    assert again.status_code == 409
    assert (await web.post(f"/admin/kegiatan/{k}/batalkan", data={"csrf": csrf})).status_code == 409
    assert len(await outbox(app, KIND_CANCELLED)) == 3


async def test_a_kader_sees_her_kampung_and_changes_nothing(
    app: App, web: httpx.AsyncClient
) -> None:
    ids = await posyandu_with_a_waiting_list(app)
    cibening = await kegiatan_for(app, "Penyuluhan Cibening", "penyuluhan", 3, kampung="Cibening")
    await kader_chat(app)  # Rina, kader of Sumberan
    csrf = await sign_in(web, app, await member_named(app, "Rina Kader"))
    async with app.sessions() as s:
        place = (await kampung_ids(s))["Cibening"]

    listing = await web.get("/admin/kegiatan", params={"kampung": place})  # asks for another
    assert "Posyandu Melati" in listing.text and "Penyuluhan Cibening" not in listing.text
    assert (await web.get(f"/admin/kegiatan/{cibening}")).status_code == 404
    page = await web.get(f"/admin/kegiatan/{ids['kegiatan']}")
    assert "Ibu siti" in page.text and "Ibu yuni" in page.text and "Ibu wati" not in page.text
    assert "Ubah waktu" not in page.text and "Batalkan kegiatan" not in page.text

    for target in (ids["kegiatan"], cibening):
        shown = await preview(web, target, apa="kuota", kuota="9")
        assert shown.status_code == 403
        sent = await web.post(
            f"/admin/kegiatan/{target}/ubah", data={"csrf": csrf, "apa": "kuota", "kuota": "9"}
        )
        assert sent.status_code == 403
        assert (await web.get(f"/admin/kegiatan/{target}/batalkan")).status_code == 403
        cancel = await web.post(f"/admin/kegiatan/{target}/batalkan", data={"csrf": csrf})
        assert cancel.status_code == 403
        assert (await kegiatan(app, target)).status == "open"
    assert (await kegiatan(app, ids["kegiatan"])).kuota == 1
    assert await audit_of(app, ids["kegiatan"]) == [] and await outbox(app) == []


async def test_a_kader_does_not_see_a_draft_of_her_kampung(
    app: App, web: httpx.AsyncClient
) -> None:
    draft = await kegiatan_for(app, "Rencana Sumberan", "pembinaan", 4, kampung="Sumberan")
    async with transaction(app.sessions) as s:
        found = await s.get(Kegiatan, draft)
        assert found is not None
        found.status = "draft"
    await kader_chat(app)  # Rina, kader of Sumberan
    await sign_in(web, app, await member_named(app, "Rina Kader"))
    assert "Rencana Sumberan" not in (await web.get("/admin/kegiatan")).text
    assert (await web.get(f"/admin/kegiatan/{draft}")).status_code == 404

    await signed_in_admin(app, web)  # an admin plans it: she sees it
    assert "Rencana Sumberan" in (await web.get("/admin/kegiatan")).text
    assert (await web.get(f"/admin/kegiatan/{draft}")).status_code == 200


async def test_an_admin_who_reads_english_gets_the_pages_in_english(
    app: App, web: httpx.AsyncClient
) -> None:
    ids = await posyandu_with_a_waiting_list(app)
    await admin_chat(app)
    admin = await member_named(app, None, role="admin")
    async with transaction(app.sessions) as s:
        found = await s.get(type(admin), admin.id)
        assert found is not None
        found.language = "en"
    await sign_in(web, app, admin)
    page = (await web.get(f"/admin/kegiatan/{ids['kegiatan']}")).text
    assert "Waiting list (2)" in page and "Change time" in page
    shown = await web.get(
        f"/admin/kegiatan/{ids['kegiatan']}/ubah", params={"apa": "kuota", "kuota": "2"}
    )
    assert "1 mother(s) on the waiting list will get a seat" in shown.text
    assert "Save and tell them" in shown.text
