"""Kegiatan, Warga and Ekspor in the web console, by role: an admin sees every kampung;
a kader sees her own kampung's mothers on a kegiatan's page and in Warga (so no phone
number of a mother of another kampung), no kegiatan meant for another kampung, and gets
only the exports the chat gives her (audited as in chat)."""

from __future__ import annotations

import io
from datetime import timedelta

import httpx
from openpyxl import load_workbook
from sqlalchemy import select, update

from bot.app import App
from models import AuditEntry, Kegiatan, KegiatanTarget, Member, Signup
from models.base import transaction, utcnow
from tests.support.fakes.outbox import add_member, kampung_ids
from tests.support.reports import admin_chat, kader_chat
from tests.support.web import member_named, sign_in


async def a_kegiatan_with_mothers(app: App) -> tuple[int, int]:
    """One kegiatan for every kampung (Sumberan's Ibu sum-1 registered, Cibening's Ibu
    cib-1 waiting) and one only for Cibening; returns their ids."""
    async with transaction(app.sessions) as s:
        places = await kampung_ids(s)
        sum1, _ = await add_member(s, "sum-1", kampung_id=places["Sumberan"])
        cib1, _ = await add_member(s, "cib-1", kampung_id=places["Cibening"])
        await s.execute(
            update(Member).where(Member.id.in_([sum1, cib1])).values(phone_e164="+6281234567890")
        )
        starts = utcnow() + timedelta(days=3)
        common = {"opd": "Dinkes", "tempat": "Balai", "ends_at": starts + timedelta(hours=2)}
        k = Kegiatan(jenis="pembinaan", judul="Posyandu bersama", starts_at=starts,
                     status="open", kuota=1, registered_count=1, **common)  # fmt: skip
        only = Kegiatan(jenis="penyuluhan", judul="Khusus Cibening", starts_at=starts,
                        status="open", **common)  # fmt: skip
        s.add_all([k, only])
        await s.flush()
        s.add(KegiatanTarget(kegiatan_id=only.id, kampung_id=places["Cibening"]))
        s.add(Signup(kegiatan_id=k.id, member_id=sum1, status="registered", queued_at=utcnow()))
        s.add(Signup(kegiatan_id=k.id, member_id=cib1, status="waiting", queued_at=utcnow()))
        return k.id, only.id


async def test_admin_sees_every_kampung(app: App, web: httpx.AsyncClient) -> None:
    common, only = await a_kegiatan_with_mothers(app)
    await admin_chat(app)
    await sign_in(web, app, await member_named(app, None, role="admin"))
    home = await web.get("/admin/")
    assert "Posyandu bersama" in home.text and "Pengiriman gagal" in home.text
    listing = await web.get("/admin/kegiatan")
    assert "Posyandu bersama" in listing.text and "Khusus Cibening" in listing.text
    assert "Khusus Cibening" not in (await web.get("/admin/kegiatan?jenis=pembinaan")).text
    page = await web.get(f"/admin/kegiatan/{common}")
    assert "Terdaftar (1)" in page.text and "Ibu sum-1" in page.text
    assert "Daftar tunggu (1)" in page.text and "Ibu cib-1" in page.text
    warga = await web.get("/admin/warga", params={"q": "cib"})
    assert "Ibu cib-1" in warga.text and "+6281234567890" in warga.text
    assert "Ibu sum-1" not in warga.text
    assert (await web.get(f"/admin/kegiatan/{only}")).status_code == 200


async def test_a_kader_sees_her_own_kampung(app: App, web: httpx.AsyncClient) -> None:
    common, only = await a_kegiatan_with_mothers(app)
    await kader_chat(app)  # Rina, kader of Sumberan
    await sign_in(web, app, await member_named(app, "Rina Kader"))
    listing = await web.get("/admin/kegiatan")
    assert "Posyandu bersama" in listing.text and "Khusus Cibening" not in listing.text
    assert (await web.get(f"/admin/kegiatan/{only}")).status_code == 404
    page = await web.get(f"/admin/kegiatan/{common}")
    assert "Ibu sum-1" in page.text and "Ibu cib-1" not in page.text
    warga = await web.get("/admin/warga")
    [sum_row] = [line for line in warga.text.splitlines() if "Ibu sum-1" in line]
    assert "+6281234567890" in sum_row
    assert "Ibu cib-1" not in warga.text  # another kampung's mother: not even her name


async def test_exports_download_as_in_chat(app: App, web: httpx.AsyncClient) -> None:
    await a_kegiatan_with_mothers(app)
    await kader_chat(app)
    csrf = await sign_in(web, app, await member_named(app, "Rina Kader"))
    page = await web.get("/admin/ekspor")
    assert "ekspor-kegiatan" in page.text and "ekspor-members" not in page.text
    assert (await web.post("/admin/ekspor/members", data={"csrf": csrf})).status_code == 403
    assert (await web.post("/admin/ekspor/kegiatan", data={})).status_code == 403
    got = await web.post("/admin/ekspor/kegiatan", data={"csrf": csrf})
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    book = load_workbook(io.BytesIO(got.content))
    cells = [c.value for row in book.worksheets[0].iter_rows() for c in row]
    assert "Posyandu bersama" in cells and "Khusus Cibening" not in cells
    pack = await web.post("/admin/ekspor/penilaian", data={"csrf": csrf})
    assert pack.status_code == 200 and pack.content[:2] == b"PK"
    async with app.sessions() as s:
        actions = set(await s.scalars(select(AuditEntry.action)))
    assert {"export.kegiatan", "export.penilaian"} <= actions
