"""Every console page, for an admin and for a kader, stays under 100 KB without photos
(the HTML and its stylesheet; the issue: a laptop at a kelurahan office on a weak
connection), with the data of a full period: 200 KK binaan and their kader, forty
kegiatan with sign-ups, sixty reports waiting, sixty long announcements. The pages are
found by following the console's own links, so a new page is measured too."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx

from bot.app import App
from models import Kegiatan, Member, Report, Signup
from models.base import transaction, utcnow
from models.outbox.broadcasts import create_broadcast
from tests.support.fakes.outbox import add_member, kampung_ids
from tests.support.reports import admin_chat, kader_chat
from tests.support.web import member_named, sign_in

LIMIT = 100 * 1024
LINK = re.compile(r'href="(/admin/[^"#?]*)(?:\?[^"]*)?"')
# Photos and charts are pictures: not part of a page's weight here.
PICTURES = ("/admin/foto/", "/admin/grafik/", "/admin/static/")
EACH_KIND = 3  # pages of one kind (/admin/laporan/<id>) measured


async def a_full_period(app: App) -> None:
    long_name = "Aisyah Nurhasanah binti Abdurrahman"  # first in Warga: measured
    async with transaction(app.sessions) as s:
        places = await kampung_ids(s)
        kampung = [places["Sumberan"], places["Cibening"]]
        mothers: list[int] = []
        for i in range(200):
            m, _ = await add_member(s, f"kk-{i:03}", kampung_id=kampung[i % 2])
            mothers.append(m)
        await s.flush()
        for m in mothers:
            member = await s.get(Member, m)
            assert member is not None
            member.full_name = f"{long_name} {m:04}"
            member.phone_e164 = f"+62812{m:07}"
        kader = [await add_member(s, f"kader-{i}", role="kader", kampung_id=kampung[i % 2])
                 for i in range(10)]  # fmt: skip
        now = utcnow()
        for i in range(40):
            starts = now + timedelta(days=i - 20)
            k = Kegiatan(
                jenis="penyuluhan", judul=f"Penyuluhan gizi seimbang dan posyandu balita {i}",
                opd="Dinas Pemberdayaan Perempuan dan Perlindungan Anak", tempat="Balai warga",
                starts_at=starts, ends_at=starts + timedelta(hours=2), status="open", kuota=60,
            )  # fmt: skip
            s.add(k)
            await s.flush()
            for j, m in enumerate(mothers[:70]):
                status = "registered" if j < 60 else "waiting"
                s.add(Signup(kegiatan_id=k.id, member_id=m, status=status, queued_at=now))
            k.registered_count = 60
        for i in range(60):
            s.add(
                Report(
                    kader_member_id=kader[i % 10][0], kampung_id=kampung[i % 2],
                    status="submitted", jenis="penyuluhan", title=f"Penyuluhan gizi {i}",
                    held_on=now.date(), opd="Dinas Kesehatan Kota Serang", women=40, men=3,
                    ringkasan="Ringkasan kegiatan yang panjang. " * 28, submitted_at=now,
                    kendala="Hujan deras. " * 20, tindak_lanjut="Kunjungan rumah. " * 20,
                )
            )  # fmt: skip
        for i in range(60):
            await create_broadcast(
                s, text=f"Pengumuman {i}: " + "Besok posyandu di balai warga. " * 95,
                audience={"kind": "all"}, actor="test",
                scheduled_at=now + timedelta(days=1) if i % 3 == 0 else None,
            )  # fmt: skip


async def crawl(web: httpx.AsyncClient) -> dict[str, int]:
    """Every page reached from Beranda by GET links: path -> bytes with the stylesheet."""
    css = len((await web.get("/admin/static/console.css")).content)
    sizes: dict[str, int] = {}
    kinds: dict[str, int] = {}
    todo = ["/admin/"]
    while todo:
        path = todo.pop()
        if path in sizes:
            continue
        page = await web.get(path)
        assert page.status_code == 200, path
        sizes[path] = len(page.content) + css
        for link in LINK.findall(page.text):
            kind = re.sub(r"\d+", "N", link)
            if link in sizes or link.startswith(PICTURES) or kinds.get(kind, 0) >= EACH_KIND:
                continue
            kinds[kind] = kinds.get(kind, 0) + 1
            todo.append(link)
    return sizes


async def test_every_page_stays_under_100_kb_for_admin_and_kader(
    app: App, web: httpx.AsyncClient
) -> None:
    await a_full_period(app)
    await admin_chat(app)
    await kader_chat(app)
    for who in (await member_named(app, None, role="admin"), await member_named(app, "Rina Kader")):
        await sign_in(web, app, who)
        waiting = 60 if who.role == "admin" else 30  # all counted, though 50 are listed
        assert f"{waiting} laporan menunggu" in (await web.get("/admin/")).text
        sizes = await crawl(web)
        assert len(sizes) >= 8, sizes  # Beranda, Laporan and a report, Kegiatan and one, ...
        heavy = {path: size for path, size in sizes.items() if size >= LIMIT}
        assert not heavy, (who.role, heavy)
