"""Web console helpers for tests: find a member, make her a login link as the chat and
the CLI do, sign in through the link's "Masuk" button, read a page's CSRF token."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from sqlalchemy import select

from bot.app import App
from models import Member
from models.base import transaction
from models.web_login import new_login_code


async def member_named(app: App, name: str | None, role: str | None = None) -> Member:
    async with app.sessions() as s:
        q = select(Member)
        q = q.where(Member.full_name == name) if name else q.where(Member.role == role)
        found = await s.scalar(q.order_by(Member.id))
        assert found is not None
        return found


async def login_code(app: App, member: Member) -> str | None:
    async with transaction(app.sessions) as s:
        fresh = await s.get(Member, member.id)
        assert fresh is not None
        return await new_login_code(s, fresh, datetime.now(UTC))


async def sign_in(web: httpx.AsyncClient, app: App, member: Member) -> str:
    """Open the link, press "Masuk"; the session's CSRF token from Beranda's form."""
    code = await login_code(app, member)
    assert code is not None
    page = await web.get(f"/admin/masuk/{code}")
    assert page.status_code == 200 and f'action="/admin/masuk/{code}"' in page.text
    done = await web.post(f"/admin/masuk/{code}", data={"masuk": masuk_of(page.text)})
    assert done.status_code == 303 and done.headers["location"] == "/admin/"
    home = await web.get("/admin/")
    assert home.status_code == 200
    return csrf_of(home.text)


async def press_masuk(web: httpx.AsyncClient, link: str) -> httpx.Response:
    """Open her link's page and press "Masuk" on it, as her browser does."""
    page = await web.get(link)
    assert page.status_code == 200, page.status_code
    return await web.post(link, data={"masuk": masuk_of(page.text)})


def masuk_of(html: str) -> str:
    """The "Masuk" form's token on her link's page."""
    marker = 'name="masuk" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def csrf_of(html: str) -> str:
    marker = 'name="csrf" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]
