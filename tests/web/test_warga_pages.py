"""Warga in the web console: an admin finds members by name and kampung and opens a
member's page with her sign-ups and attendance; a kader sees her own kampung's members
only (so never a phone number from another kampung), and another kampung's member page
is "not found" to her, as the chat's Ibu binaan screens refuse her."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import update

from bot.app import App
from models import Kegiatan, Member, Signup
from models.attendance.tables import Attendance
from models.base import transaction, utcnow
from tests.support.fakes.outbox import add_member, kampung_ids
from tests.support.reports import admin_chat, kader_chat
from tests.support.web import member_named, sign_in

SITI_PHONE = "+6281211110001"
WATI_PHONE = "+6281322220002"


async def two_kampung_with_a_history(app: App) -> dict[str, int]:
    """Ibu siti (Sumberan) came to last week's "Senam lansia" and is signed up for next
    week's "Posyandu Melati"; Ibu wati (Cibening) waits for a seat at the Posyandu."""
    async with transaction(app.sessions) as s:
        places = await kampung_ids(s)
        siti, _ = await add_member(s, "siti", kampung_id=places["Sumberan"])
        wati, _ = await add_member(s, "wati", kampung_id=places["Cibening"])
        for member, phone in ((siti, SITI_PHONE), (wati, WATI_PHONE)):
            await s.execute(update(Member).where(Member.id == member).values(phone_e164=phone))
        held = utcnow() - timedelta(days=7)
        senam = Kegiatan(jenis="pembinaan", judul="Senam lansia", opd="Dinkes", tempat="Lapangan",
                         starts_at=held, ends_at=held + timedelta(hours=1), status="done",
                         registered_count=1)  # fmt: skip
        soon = utcnow() + timedelta(days=7)
        posyandu = Kegiatan(jenis="pelayanan", judul="Posyandu Melati", opd="Dinkes",
                            tempat="Balai RW 02", starts_at=soon,
                            ends_at=soon + timedelta(hours=2), status="open", kuota=1,
                            registered_count=1)  # fmt: skip
        s.add_all([senam, posyandu])
        await s.flush()
        s.add_all([
            Signup(kegiatan_id=senam.id, member_id=siti, status="registered", queued_at=held),
            Signup(kegiatan_id=posyandu.id, member_id=siti, status="registered", queued_at=held),
            Signup(kegiatan_id=posyandu.id, member_id=wati, status="waiting", queued_at=held),
            Attendance(kegiatan_id=senam.id, member_id=siti, status="present", method="hand",
                       present_at=held),
        ])  # fmt: skip
        return {"siti": siti, "wati": wati, "Cibening": places["Cibening"]}


async def test_admin_finds_a_member_and_sees_her_sign_ups_and_attendance(
    app: App, web: httpx.AsyncClient
) -> None:
    ids = await two_kampung_with_a_history(app)
    await admin_chat(app)
    await sign_in(web, app, await member_named(app, None, role="admin"))

    everyone = (await web.get("/admin/warga")).text
    assert "Ibu siti" in everyone and "Ibu wati" in everyone and WATI_PHONE in everyone
    found = (await web.get("/admin/warga", params={"q": "SIT"})).text
    assert "Ibu siti" in found and "Ibu wati" not in found
    cibening = (await web.get("/admin/warga", params={"kampung": ids["Cibening"]})).text
    assert "Ibu wati" in cibening and "Ibu siti" not in cibening
    assert "Tidak ada warga" in (await web.get("/admin/warga", params={"q": "%"})).text

    page = await web.get(f"/admin/warga/{ids['siti']}")
    assert page.status_code == 200 and SITI_PHONE in page.text and "Sumberan" in page.text
    assert "Pendaftaran kegiatan (2)" in page.text and "Kehadiran (1)" in page.text
    signed_up = page.text.split("Pendaftaran kegiatan")[1].split("Kehadiran")[0]
    assert "Posyandu Melati" in signed_up and "Senam lansia" in signed_up
    came = page.text.split("Kehadiran")[1]
    assert "Senam lansia" in came and "hadir" in came and "Posyandu Melati" not in came
    wati = (await web.get(f"/admin/warga/{ids['wati']}")).text
    assert "daftar tunggu" in wati and "Kehadiran (0)" in wati
    assert (await web.get("/admin/warga/99999")).status_code == 404


async def test_a_kader_sees_her_own_kampung_s_members_only(
    app: App, web: httpx.AsyncClient
) -> None:
    ids = await two_kampung_with_a_history(app)
    await kader_chat(app)  # Rina, kader of Sumberan
    await sign_in(web, app, await member_named(app, "Rina Kader"))

    mine = (await web.get("/admin/warga")).text
    assert "Ibu siti" in mine and SITI_PHONE in mine
    assert "Ibu wati" not in mine and WATI_PHONE not in mine
    other = (await web.get("/admin/warga", params={"kampung": ids["Cibening"], "q": "wati"})).text
    assert "Ibu wati" not in other and WATI_PHONE not in other

    page = await web.get(f"/admin/warga/{ids['siti']}")
    assert page.status_code == 200 and SITI_PHONE in page.text and "Senam lansia" in page.text
    refused = await web.get(f"/admin/warga/{ids['wati']}")
    assert refused.status_code == 404 and WATI_PHONE not in refused.text
    assert "Ibu wati" not in refused.text
    # The kegiatan page she can open does not name Ibu wati either (another kampung).
    posyandu = page.text.split('href="/admin/kegiatan/')[1].split('"')[0]
    assert "Ibu wati" not in (await web.get(f"/admin/kegiatan/{posyandu}")).text


async def test_an_erased_member_has_no_page(app: App, web: httpx.AsyncClient) -> None:
    ids = await two_kampung_with_a_history(app)
    async with transaction(app.sessions) as s:
        await s.execute(update(Member).where(Member.id == ids["siti"]).values(erased_at=utcnow()))
    await admin_chat(app)
    await sign_in(web, app, await member_named(app, None, role="admin"))
    assert (await web.get(f"/admin/warga/{ids['siti']}")).status_code == 404
    assert "Ibu siti" not in (await web.get("/admin/warga")).text
