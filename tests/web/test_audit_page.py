"""Jejak audit, as Bu Dewi (admin) reads it in the web console and at the server with
`p2wkss-bot audit`: Rina made kader, an announcement, an export — who, what, when, by id
and role; a phone number that an entry's detail happens to hold is masked; older entries
and other kinds only on request. Rina (kader) is refused and sees no link."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select

from bot.app import App
from bot.settings import Settings
from models import AuditEntry, Member
from models.audit import audit
from models.base import transaction, utcnow
from models.kader.roles import make_kader
from models.outbox.broadcasts import create_broadcast
from tests.support.cli import run_cli
from tests.support.fakes.outbox import kampung_ids
from tests.support.reports import admin_chat, kader_chat
from tests.support.web import member_named, sign_in

PHONE = "+6281234567890"


async def a_month_of_work(app: App) -> tuple[int, int]:
    """Bu Dewi made admin; she makes Rina kader and sends an announcement; an old entry
    from 40 days ago and a member entry holding a phone number. Returns (admin id, Rina's
    id)."""
    await admin_chat(app)
    await kader_chat(app)  # Rina registered; her role set directly (no audit entry)
    admin = await member_named(app, None, role="admin")
    async with transaction(app.sessions) as s:
        rina = await s.scalar(select(Member).where(Member.full_name == "Rina Kader"))
        assert rina is not None
        rina.role = "ibu"
        places = await kampung_ids(s)
        await make_kader(s, rina, places["Sumberan"], actor_member_id=admin.id, via="chat")
        await create_broadcast(
            s, text="Posyandu Sabtu jam 9", audience={"kind": "all"},
            actor=f"member:{admin.id}", created_by_member_id=admin.id,
        )  # fmt: skip
        await audit(
            s, actor="cli", action="member.update", object_type="member", object_id=rina.id,
            detail={"phone": PHONE, "note": f"dulu 0812 3456 7890, kini {PHONE}"},
        )  # fmt: skip
        old = utcnow() - timedelta(days=40)
        s.add(AuditEntry(at=old, actor="cli", action="role.grant", object_type="member",
                         object_id="999", detail={"role": "admin"}))  # fmt: skip
        return admin.id, rina.id


async def test_bu_dewi_reads_who_changed_roles_sent_and_exported(
    app: App, web: httpx.AsyncClient
) -> None:
    admin_id, rina_id = await a_month_of_work(app)
    csrf = await sign_in(web, app, await member_named(app, None, role="admin"))
    export = await web.post("/admin/ekspor/kegiatan", data={"csrf": csrf})
    assert export.status_code == 200

    home = await web.get("/admin/")
    assert 'href="/admin/audit"' in home.text
    page = await web.get("/admin/audit")
    assert page.status_code == 200 and "Jejak audit" in page.text
    rows = [line for line in page.text.splitlines() if line.startswith("  <tr><td>")]
    # Newest first: the export, the announcement, Rina made kader, Bu Dewi made admin.
    assert len(rows) == 4, rows
    assert "export.kegiatan" in rows[0] and f"member:{admin_id} (admin)" in rows[0]
    assert "broadcast.create" in rows[1] and "audience.kind=all" in rows[1]
    assert "role.grant" in rows[2] and f"member {rina_id}" in rows[2]
    assert "role=kader" in rows[2] and "via=chat" in rows[2]
    assert f"member {admin_id}" in rows[3] and "role=admin" in rows[3]
    assert "Rina" not in page.text  # ids and roles, no names
    assert "member.update" not in page.text and "999" not in page.text

    members = await web.get("/admin/audit", params={"jenis": "member", "hari": "365"})
    assert "member.update" in members.text
    assert PHONE not in members.text and "3456" not in members.text
    assert members.text.count("[***]") == 3
    older = await web.get("/admin/audit", params={"jenis": "role", "hari": "60"})
    assert "member 999" in older.text
    odd = await web.get("/admin/audit", params={"jenis": "<script>", "hari": "-5"})
    assert odd.status_code == 200 and "<script>" not in odd.text
    # Found trying the console: "²" is a digit to str.isdigit, not to int (a 500).
    for days in ("²", "9" * 30, " 7 "):
        page = await web.get("/admin/audit", params={"hari": days})
        assert page.status_code == 200, days


async def test_rina_the_kader_is_refused_and_sees_no_link(app: App, web: httpx.AsyncClient) -> None:
    await a_month_of_work(app)
    await sign_in(web, app, await member_named(app, "Rina Kader"))
    assert 'href="/admin/audit"' not in (await web.get("/admin/")).text
    page = await web.get("/admin/audit")
    assert page.status_code == 403 and "hanya untuk admin" in page.text
    assert "role.grant" not in page.text


async def test_the_same_trail_at_the_server_with_p2wkss_bot_audit(
    app: App, settings: Settings
) -> None:
    admin_id, rina_id = await a_month_of_work(app)
    env = {"DATABASE_URL": settings.database_url}
    done = run_cli(["audit"], env=env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "broadcast.create" in lines[0] and f"member:{admin_id} (admin)" in lines[0]
    assert "WIB" in lines[0]
    assert "role.grant" in lines[1] and f"member {rina_id}" in lines[1]
    assert lines[-1] == "3 entries in the last 30 day(s) (role, broadcast, export)"
    assert "Rina" not in done.stdout

    everything = run_cli(["audit", "--days", "60", "--kind", "all"], env=env)
    assert "member.update" in everything.stdout and "member 999" in everything.stdout
    assert PHONE not in everything.stdout and "3456" not in everything.stdout
    only = run_cli(["audit", "--kind", "export"], env=env)
    assert only.stdout == "no audit entries in the last 30 day(s) (export)\n"
    assert run_cli(["audit", "--days", "0"], env=env).returncode == 2
