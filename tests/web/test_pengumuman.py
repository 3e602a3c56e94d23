"""Pengumuman in the web console: an admin writes an announcement, sees the message as a
mother will and the exact number of chats, and only her confirming POST sends it (the
chat's own rules, audience count and functions, audited as in chat); the history shows
each one's delivery (sent, failed, waiting) from the outbox; a scheduled one can be
cancelled. A kader is refused, as in chat; a form without its CSRF token is refused."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select, update

from bot.app import App
from bot.settings import Settings
from bot.web import build_web_app
from bot.web_console import build_console
from models import AuditEntry, Member, OutboxMessage
from models.base import transaction
from models.outbox.broadcasts import Broadcast
from models.outbox.tables import QuietHours
from tests.support.fakes.outbox import add_member, kampung_ids
from tests.support.reports import admin_chat, kader_chat
from tests.support.web import csrf_of, member_named, sign_in

JAKARTA = ZoneInfo("Asia/Jakarta")
TEXT = "Besok posyandu di balai warga jam 9.\nBawa buku KIA."


def console_client(app: App, settings: Settings, quiet: QuietHours | None) -> httpx.AsyncClient:
    console = build_console(
        app.sessions, media_dir=settings.media_dir, timezone="Asia/Jakarta", quiet_hours=quiet
    )
    transport = httpx.ASGITransport(app=build_web_app(app.db, console=console))
    return httpx.AsyncClient(transport=transport, base_url="https://bot.test")


@pytest.fixture
async def web(app: App, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The console with no quiet hours: what the admin is told does not depend on the
    hour the test runs at (a test below sets quiet hours of its own)."""
    async with console_client(app, settings, None) as client:
        yield client


async def a_village(app: App) -> None:
    """Three mothers of Sumberan and one of Cibening, each with her own chat."""
    async with transaction(app.sessions) as s:
        places = await kampung_ids(s)
        for name in ("sum-1", "sum-2", "sum-3"):
            await add_member(s, name, kampung_id=places["Sumberan"])
        await add_member(s, "cib-1", kampung_id=places["Cibening"])


async def signed_in_admin(app: App, web: httpx.AsyncClient) -> str:
    await admin_chat(app)
    admin = await member_named(app, None, role="admin")
    return await sign_in(web, app, admin)


def form(csrf: str, **values: object) -> dict[str, object]:
    fields: dict[str, object] = {"csrf": csrf, "text": TEXT, "audience": "all", "when": "now"}
    fields.update(values)
    return fields


def recipients(html: str) -> int:
    found = re.search(r"Penerima: (\d+) HP", html)
    assert found, html
    return int(found[1])


async def broadcasts(app: App) -> list[Broadcast]:
    async with app.sessions() as s:
        return list(await s.scalars(select(Broadcast).order_by(Broadcast.id)))


async def announcements(app: App) -> list[OutboxMessage]:
    async with app.sessions() as s:
        q = select(OutboxMessage).where(OutboxMessage.kind == "announcement")
        return list(await s.scalars(q.order_by(OutboxMessage.id)))


async def audit_actions(app: App) -> list[tuple[str, str]]:
    async with app.sessions() as s:
        rows = await s.execute(select(AuditEntry.action, AuditEntry.actor).order_by(AuditEntry.id))
        return [(a, b) for a, b in rows if a.startswith("broadcast.")]


async def test_admin_announces_to_one_kampung_after_seeing_the_exact_count(
    app: App, web: httpx.AsyncClient
) -> None:
    await a_village(app)
    csrf = await signed_in_admin(app, web)
    admin = await member_named(app, None, role="admin")
    places = await _places(app)
    assert 'href="/admin/pengumuman"' in (await web.get("/admin/")).text
    page = await web.get("/admin/pengumuman/baru")
    assert page.status_code == 200 and "Sumberan" in page.text

    shown = await web.post(
        "/admin/pengumuman/pratinjau",
        data=form(csrf, audience="kampung", kampung=[str(places["Sumberan"])]),
    )
    assert shown.status_code == 200
    assert recipients(shown.text) == 3 and "Kampung Sumberan" in shown.text
    assert "📢 Pengumuman P2WKSS" in shown.text and "Bawa buku KIA." in shown.text
    assert await broadcasts(app) == [], "a preview sends nothing"

    sent = await web.post(
        "/admin/pengumuman/kirim",
        data=form(csrf, audience="kampung", kampung=[str(places["Sumberan"])]),
    )
    assert sent.status_code == 303
    [broadcast] = await broadcasts(app)
    assert sent.headers["location"] == f"/admin/pengumuman?baru={broadcast.id}"
    assert broadcast.text == TEXT and broadcast.recipient_count == 3
    assert broadcast.created_by_member_id == admin.id
    rows = await announcements(app)
    assert {r.member_id for r in rows} == set(await _ids(app, "sum-1", "sum-2", "sum-3"))
    assert await audit_actions(app) == [("broadcast.create", f"member:{admin.id}")]

    told = await web.get(sent.headers["location"])
    assert f"Pengumuman #{broadcast.id} sedang dikirim ke 3 HP" in told.text

    # One delivered, one failed, one waiting: the history counts them from the outbox.
    async with transaction(app.sessions) as s:
        await s.execute(
            update(OutboxMessage).where(OutboxMessage.id == rows[0].id).values(status="sent")
        )
        await s.execute(
            update(OutboxMessage).where(OutboxMessage.id == rows[1].id).values(status="failed")
        )
    history = await web.get("/admin/pengumuman")
    [line] = [x for x in history.text.splitlines() if f'id="pengumuman-{broadcast.id}"' in x]
    row = history.text[history.text.index(line) :].split("</tr>")[0]
    cells = re.findall(r"<td>([^<]*)</td>", row)
    assert cells[-5:-1] == ["3", "1", "1", "1"], cells  # chats, sent, failed, waiting


async def test_pressing_send_twice_sends_once(app: App, web: httpx.AsyncClient) -> None:
    await a_village(app)
    csrf = await signed_in_admin(app, web)
    first = await web.post("/admin/pengumuman/kirim", data=form(csrf))
    again = await web.post("/admin/pengumuman/kirim", data=form(csrf))
    assert first.headers["location"] == again.headers["location"]
    [broadcast] = await broadcasts(app)
    assert len(await announcements(app)) == broadcast.recipient_count == 5  # and the admin


async def test_admin_schedules_one_for_tomorrow_and_cancels_it(
    app: App, web: httpx.AsyncClient
) -> None:
    await a_village(app)
    csrf = await signed_in_admin(app, web)
    admin = await member_named(app, None, role="admin")
    tomorrow = (datetime.now(JAKARTA) + timedelta(days=1)).date()
    later = form(csrf, audience="ibu", when="later", day=tomorrow.isoformat(), time="09:00")

    shown = await web.post("/admin/pengumuman/pratinjau", data=later)
    assert recipients(shown.text) == 4 and "pukul 09.00 WIB" in shown.text
    done = await web.post("/admin/pengumuman/kirim", data=later)
    assert done.status_code == 303
    [broadcast] = await broadcasts(app)
    assert broadcast.status == "scheduled" and await announcements(app) == []
    expected = datetime.combine(tomorrow, time(9), tzinfo=JAKARTA).astimezone(UTC)
    assert broadcast.scheduled_at is not None
    assert broadcast.scheduled_at.replace(tzinfo=UTC) == expected
    listing = await web.get(done.headers["location"])
    assert f"Pengumuman #{broadcast.id} dijadwalkan" in listing.text
    assert f'id="batal-{broadcast.id}"' in listing.text

    refused = await web.post(f"/admin/pengumuman/{broadcast.id}/batal", data={})
    assert refused.status_code == 403
    cancelled = await web.post(f"/admin/pengumuman/{broadcast.id}/batal", data={"csrf": csrf})
    assert cancelled.status_code == 303
    [broadcast] = await broadcasts(app)
    assert broadcast.status == "cancelled"
    assert await audit_actions(app) == [
        ("broadcast.create", f"member:{admin.id}"),
        ("broadcast.cancel", f"member:{admin.id}"),
    ]
    twice = await web.post(f"/admin/pengumuman/{broadcast.id}/batal", data={"csrf": csrf})
    assert twice.status_code == 409 and "sudah dibatalkan" in twice.text


async def test_the_chats_rules_hold_on_the_web(app: App, web: httpx.AsyncClient) -> None:
    await a_village(app)
    csrf = await signed_in_admin(app, web)
    yesterday = (datetime.now(JAKARTA) - timedelta(days=1)).date().isoformat()
    cases = [
        (form(csrf, text="  "), "masih kosong"),
        (form(csrf, text="🙏🙏"), "bukan hanya emoji"),
        (form(csrf, text="x" * 3001), "terlalu panjang"),
        (form(csrf, audience="kampung"), "Belum ada kampung yang dipilih"),
        (form(csrf, audience="inactive", days="0"), "harus 1 atau lebih"),
        (form(csrf, audience="kegiatan", kegiatan="999"), "sudah selesai atau dibatalkan"),
        (form(csrf, when="later", day=yesterday, time="09:00"), "sudah lewat"),
        (form(csrf, when="later", day="", time=""), "isi tanggal dan jam"),
    ]
    for fields, words in cases:
        for step in ("pratinjau", "kirim"):
            answer = await web.post(f"/admin/pengumuman/{step}", data=fields)
            assert answer.status_code == 400 and words in answer.text, (step, words)
    assert await broadcasts(app) == []


async def test_nobody_to_reach_now_is_said_and_not_sent(app: App, web: httpx.AsyncClient) -> None:
    csrf = await signed_in_admin(app, web)  # no mothers yet
    shown = await web.post("/admin/pengumuman/pratinjau", data=form(csrf, audience="ibu"))
    assert recipients(shown.text) == 0 and "belum ada yang bisa menerima" in shown.text
    assert 'id="kirim"' not in shown.text
    forced = await web.post("/admin/pengumuman/kirim", data=form(csrf, audience="ibu"))
    assert forced.status_code == 400 and await broadcasts(app) == []


async def test_a_form_without_its_csrf_token_sends_nothing(
    app: App, web: httpx.AsyncClient
) -> None:
    await a_village(app)
    csrf = await signed_in_admin(app, web)
    for fields in (
        form(""),
        form(csrf[:-1] + "x"),
        {k: v for k, v in form(csrf).items() if k != "csrf"},
    ):
        answer = await web.post("/admin/pengumuman/kirim", data=fields)
        assert answer.status_code == 403 and "belum dikirim" in answer.text
    assert await broadcasts(app) == []


async def test_a_kader_is_refused_as_in_chat(app: App, web: httpx.AsyncClient) -> None:
    await a_village(app)
    await kader_chat(app)
    rina = await member_named(app, "Rina Kader")
    csrf = await sign_in(web, app, rina)
    home = await web.get("/admin/")
    assert "/admin/pengumuman" not in home.text
    for path in ("/admin/pengumuman", "/admin/pengumuman/baru"):
        page = await web.get(path)
        assert page.status_code == 403 and "hanya untuk admin" in page.text
    for step in ("pratinjau", "kirim"):
        answer = await web.post(f"/admin/pengumuman/{step}", data=form(csrf))
        assert answer.status_code == 403
    assert await broadcasts(app) == []


async def test_sent_in_quiet_hours_the_admin_is_told_it_waits(app: App, settings: Settings) -> None:
    now = datetime.now(JAKARTA)
    start = (now - timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = (now + timedelta(hours=1)).time().replace(second=0, microsecond=0)
    async with console_client(app, settings, QuietHours(start, end, JAKARTA)) as web:
        await a_village(app)
        csrf = await signed_in_admin(app, web)
        done = await web.post("/admin/pengumuman/kirim", data=form(csrf))
        told = await web.get(done.headers["location"])
        assert "Sekarang jam tenang" in told.text and f"pukul {end:%H.%M}" in told.text
        assert "menunggu jam tenang selesai" in told.text
        assert csrf_of(told.text) == csrf


async def _places(app: App) -> dict[str, int]:
    async with app.sessions() as s:
        return await kampung_ids(s)


async def _ids(app: App, *chats: str) -> list[int]:
    async with app.sessions() as s:
        names = [f"Ibu {c}" for c in chats]
        found = await s.scalars(select(Member.id).where(Member.full_name.in_(names)))
        return list(found)
