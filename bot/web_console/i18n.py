"""The console's language: the signed-in member's (Member.language); a sign-in link's
page, her language too; other pages without a session are in Bahasa Indonesia. Texts come
from the message catalogs (locales/*/LC_MESSAGES/web*.po): templates call t with a catalog
key and its values, bound to the page's language; dates go through the `when` and `day`
filters.

Every page is rendered with `lang` in its context (see `render` in app.py): a template
never chooses a language itself."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from handlers.core.i18n import (
    FALLBACK,
    format_date_local,
    format_datetime_local,
    normalize_language,
    t,
)
from models.codes import find_code
from models.people.tables import Member


def request_language(_request: Request) -> str:
    """A page without a session (signing in, signed out, a refusal) is in Indonesian, the
    programme's language: a browser's Accept-Language says little of its reader here (a
    laptop at a kelurahan office asks for en-US out of the box), and a signed-out admin
    would see the console switch language between two clicks."""
    return FALLBACK


async def link_language(session: AsyncSession, code: str) -> str:
    """The sign-in page of a link is in the language of the member it signs in."""
    found = await find_code(session, code)
    member_id = found.target.get("member_id") if found is not None else None
    if not isinstance(member_id, int):
        return FALLBACK
    return member_language(await session.get(Member, member_id))


def member_language(member: Any) -> str:
    return normalize_language(getattr(member, "language", None))


def install(env: Environment, tz: ZoneInfo) -> None:
    """The `t` global and the `when`/`day` filters, in the language of the page."""

    def lang_of(ctx: Context) -> str:
        return normalize_language(ctx.get("lang"))

    @pass_context
    def text(ctx: Context, key: str, **values: Any) -> str:
        return t(lang_of(ctx), key, **values)

    @pass_context
    def when(ctx: Context, moment: datetime | None) -> str:
        if moment is None:
            return "-"
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return format_datetime_local(aware, lang_of(ctx), tz)

    @pass_context
    def day(ctx: Context, value: date | None) -> str:
        if value is None:
            return "-"
        noon = datetime.combine(value, time(12, 0), tzinfo=tz)
        return format_date_local(noon, lang_of(ctx), tz)

    env.globals["t"] = text
    env.filters["when"] = when
    env.filters["day"] = day
