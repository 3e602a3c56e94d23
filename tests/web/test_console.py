"""Admins and kader in the web console: sign in by a one-time link (used once, 10
minutes, only by the "Masuk" button), Beranda and Laporan by role and kampung, photos
only to staff of the report's kampung, approve or return with a note from the web and
the kader is told through the outbox as in chat; forms without their CSRF token refused;
a revoked role ends the session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select, update

from bot.app import App
from handlers.core.types import Media
from models import AuditEntry, Member, Report
from models.base import transaction
from models.codes import OneTimeCode
from models.reports.notices import KIND_APPROVED, KIND_RETURNED
from tests.support.chat import Chat, register
from tests.support.reports import (
    admin_chat,
    held_kegiatan,
    kader_chat,
    outbox,
    photo,
    report_photos,
    reports,
)
from tests.support.web import login_code, member_named, press_masuk, sign_in


async def send_report(rina: Chat, photos: tuple[str, ...] = ("foto-1",)) -> None:
    for answer in ("lapor", "penyuluhan", "1", "kemarin", "1", "18", "0", "Menu gizi."):
        await rina.send(answer)
    for ref in photos:
        await rina.deliver(photo(rina, ref))
    await rina.send("selesai" if photos else "tanpa foto")
    await rina.send("tidak ada")
    await rina.send("tidak ada")
    await rina.send("kirim")
    assert "sudah dikirim" in rina.text


async def a_waiting_report(app: App) -> Report:
    await held_kegiatan(app, "Penyuluhan gizi balita", days_ago=1)
    rina = await kader_chat(app)
    await send_report(rina)
    [report] = await reports(app)
    return report


async def test_admin_returns_a_report_with_a_note_and_the_kader_is_told(
    app: App, web: httpx.AsyncClient, photos: list[Media]
) -> None:
    report = await a_waiting_report(app)
    await admin_chat(app)
    admin = await member_named(app, None, role="admin")
    csrf = await sign_in(web, app, admin)

    home = await web.get("/admin/")
    assert "1 laporan menunggu" in home.text and "Sumberan" in home.text
    for header, value in (("x-frame-options", "DENY"), ("referrer-policy", "no-referrer")):
        assert home.headers[header] == value
    assert "script-src" not in home.headers["content-security-policy"]
    listing = await web.get("/admin/laporan")
    assert f"/admin/laporan/{report.id}" in listing.text
    page = await web.get(f"/admin/laporan/{report.id}")
    assert "Menu gizi." in page.text and "Kembalikan untuk perbaikan" in page.text
    [stored] = await report_photos(app, report.id)
    shown = await web.get(f"/admin/foto/{stored.id}")
    assert shown.status_code == 200 and shown.content == b"\xff\xd8photo-foto-1"

    refused = await web.post(f"/admin/laporan/{report.id}/kembalikan", data={"note": "Foto?"})
    assert refused.status_code == 403
    too_short = await web.post(
        f"/admin/laporan/{report.id}/kembalikan", data={"csrf": csrf, "note": "x"}
    )
    assert too_short.status_code == 400 and "Tulis catatan" in too_short.text
    assert await outbox(app, KIND_RETURNED) == []

    done = await web.post(
        f"/admin/laporan/{report.id}/kembalikan",
        data={"csrf": csrf, "note": "Foto kurang jelas"},
    )
    assert done.status_code == 303
    [fixed] = await reports(app)
    assert fixed.status == "needs_fix" and fixed.review_note == "Foto kurang jelas"
    [notice] = await outbox(app, KIND_RETURNED)
    assert notice.member_id == report.kader_member_id
    assert notice.params["note"] == "Foto kurang jelas"
    async with app.sessions() as s:
        actions = list(await s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert "report.return" in actions and "web.login" in actions
    # Decided once: a second try is told so, and nobody is told twice.
    again = await web.post(f"/admin/laporan/{report.id}/setujui", data={"csrf": csrf})
    assert again.status_code == 409 and len(await outbox(app, KIND_RETURNED)) == 1


async def test_admin_approves_from_the_web_and_the_kader_is_told(
    app: App, web: httpx.AsyncClient, photos: list[Media]
) -> None:
    report = await a_waiting_report(app)
    await admin_chat(app)
    csrf = await sign_in(web, app, await member_named(app, None, role="admin"))
    done = await web.post(f"/admin/laporan/{report.id}/setujui", data={"csrf": csrf})
    assert done.status_code == 303
    [approved] = await reports(app)
    assert approved.status == "approved"
    [notice] = await outbox(app, KIND_APPROVED)
    assert notice.member_id == report.kader_member_id


async def test_a_kader_sees_her_kampung_only_and_cannot_decide(
    app: App, web: httpx.AsyncClient, photos: list[Media]
) -> None:
    report = await a_waiting_report(app)  # Rina, kader of Sumberan
    [stored] = await report_photos(app, report.id)
    await kader_chat(app, identity="tg-sari", name="Sari Kader", kampung="Cibening")
    csrf = await sign_in(web, app, await member_named(app, "Sari Kader"))
    home = await web.get("/admin/")
    assert "0 laporan menunggu" in home.text and "Pengiriman gagal" not in home.text
    assert f"/admin/laporan/{report.id}" not in (await web.get("/admin/laporan")).text
    assert (await web.get(f"/admin/laporan/{report.id}")).status_code == 404
    assert (await web.get(f"/admin/foto/{stored.id}")).status_code == 404
    refused = await web.post(f"/admin/laporan/{report.id}/setujui", data={"csrf": csrf})
    assert refused.status_code == 403 and (await reports(app))[0].status == "submitted"

    # Rina, kader of the report's own kampung, sees it and its photo; deciding is for admins.
    rina_web = httpx.AsyncClient(transport=web._transport, base_url="https://bot.test")
    async with rina_web:
        csrf = await sign_in(rina_web, app, await member_named(app, "Rina Kader"))
        page = await rina_web.get(f"/admin/laporan/{report.id}")
        assert page.status_code == 200 and "Setujui" not in page.text
        assert (await rina_web.get(f"/admin/foto/{stored.id}")).status_code == 200
        no = await rina_web.post(f"/admin/laporan/{report.id}/setujui", data={"csrf": csrf})
        assert no.status_code == 403 and await outbox(app, KIND_APPROVED) == []


async def test_a_mother_gets_no_link_and_an_old_link_stops_working(
    app: App, chat: Chat, web: httpx.AsyncClient
) -> None:
    await register(chat, name="Ani Suryani")
    assert await login_code(app, await member_named(app, "Ani Suryani")) is None
    # A link made while she was kader does not sign her in once she is a mother again.
    await kader_chat(app, identity="tg-sari", name="Sari Kader", kampung="Cibening")
    sari = await member_named(app, "Sari Kader")
    code = await login_code(app, sari)
    async with transaction(app.sessions) as s:
        await s.execute(update(Member).where(Member.id == sari.id).values(role="ibu"))
    assert (await press_masuk(web, f"/admin/masuk/{code}")).status_code == 403
    assert "p2wkss_console" not in web.cookies


async def test_expired_used_and_forged_links_are_refused(app: App, web: httpx.AsyncClient) -> None:
    await admin_chat(app)
    admin = await member_named(app, None, role="admin")
    assert (await web.get("/admin/masuk/forged-token")).status_code == 403
    assert (await web.post("/admin/masuk/forged-token")).status_code == 403
    expired = await login_code(app, admin)
    async with transaction(app.sessions) as s:
        await s.execute(
            update(OneTimeCode)
            .where(OneTimeCode.code == expired)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert (await web.get(f"/admin/masuk/{expired}")).status_code == 403
    assert (await web.post(f"/admin/masuk/{expired}")).status_code == 403
    # Opening the link (a chat app's preview) does not use it up; pressing "Masuk" does.
    code = await login_code(app, admin)
    assert (await press_masuk(web, f"/admin/masuk/{code}")).status_code == 303
    web.cookies.clear()
    assert (await web.post(f"/admin/masuk/{code}")).status_code == 403
    assert (await web.get("/admin/")).status_code == 401


async def test_a_revoked_role_ends_the_session_and_keluar_ends_it_too(
    app: App, web: httpx.AsyncClient
) -> None:
    await admin_chat(app)
    admin = await member_named(app, None, role="admin")
    csrf = await sign_in(web, app, admin)
    assert (await web.post("/admin/keluar", data={})).status_code == 403  # no CSRF token
    assert (await web.get("/admin/laporan")).status_code == 200
    assert (await web.post("/admin/keluar", data={"csrf": csrf})).status_code == 200
    assert (await web.get("/admin/")).status_code == 401

    csrf = await sign_in(web, app, admin)
    async with transaction(app.sessions) as s:
        await s.execute(update(Member).where(Member.id == admin.id).values(role="ibu"))
    ended = await web.get("/admin/")
    assert ended.status_code == 403 and "Sesi berakhir" in ended.text
    assert "p2wkss_console" not in web.cookies


async def test_another_sites_form_cannot_press_masuk_with_a_link(
    app: App, web: httpx.AsyncClient
) -> None:
    """A page elsewhere that posts a staff member's link from Bu Dewi's browser (to sign
    her in as someone else) gets her nothing: the link is not used, and its page, opened
    afresh, still signs in the one it was made for."""
    await admin_chat(app)
    admin = await member_named(app, None, role="admin")
    link = f"/admin/masuk/{await login_code(app, admin)}"
    forged = await web.post(link, data={"masuk": "made-up"})
    assert forged.status_code == 303 and forged.headers["location"] == link
    assert "p2wkss_console" not in web.cookies
    assert (await web.get("/admin/")).status_code == 401
    page = await web.get(link)
    assert page.status_code == 200 and "Masuk" in page.text
    assert "httponly" in page.headers["set-cookie"].lower()
    assert "samesite=strict" in page.headers["set-cookie"].lower()
    assert (await press_masuk(web, link)).status_code == 303
    assert (await web.get("/admin/")).status_code == 200
