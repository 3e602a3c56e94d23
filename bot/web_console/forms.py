"""What the console's pages send: a POSTed form, taken only with her session's CSRF token,
and a moment typed as in chat ("besok jam 9", "12/12 13.00"). One reader of each, so every
page reads them the same way."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Final
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response

from bot.web import BodyTooLarge, read_body
from bot.web_console.auth import WebSession, csrf_ok
from handlers.parse import parse_datetime

FORM_LIMIT: Final = 16_000  # a note of 1000 characters and a token fit easily
FORM_FIELDS: Final = 20


class Form(dict[str, str]):
    """A URL-encoded form: each field's first value; `every(name)` gives all the values
    of a field sent several times (the kampung ticked)."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__((name, values[0]) for name, values in fields.items())
        self._every = fields

    def every(self, name: str) -> list[str]:
        return list(self._every.get(name, ()))


async def read_form(
    request: Request, limit: int = FORM_LIMIT, max_fields: int = FORM_FIELDS
) -> Form | None:
    """The request's URL-encoded form, or None when it is larger than `limit` bytes or
    `max_fields` fields, not URL-encoded, or not UTF-8."""
    kind = request.headers.get("content-type", "").split(";")[0].strip()
    if kind != "application/x-www-form-urlencoded":
        return None
    try:
        body = await read_body(request, limit)
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=max_fields)
    except (BodyTooLarge, UnicodeDecodeError, ValueError):
        return None
    return Form(fields)


async def posted(
    request: Request, ws: WebSession, bad_form: Callable[[Form | None], Response], *,
    refused: Response | None = None, limit: int = FORM_LIMIT, max_fields: int = FORM_FIELDS,
) -> Form | Response:  # fmt: skip
    """A POST's form when it carries her session's CSRF token; else the page saying why
    not: `refused` when her role may not do this (the form is then not read), or the
    page's own `bad_form`, given what could be read (to show back what she wrote)."""
    if refused is not None:
        return refused
    form = await read_form(request, limit, max_fields)
    if form is None or not csrf_ok(ws, form):
        return bad_form(form)
    return form


def typed_moment(text: str, tz: Any, now: datetime) -> datetime | str:
    """A moment to come typed as in chat, read by the chat's reader; else the problem:
    the reader's error code ("unknown", "past", ...) or "no_time" (a day without its
    hour)."""
    found = parse_datetime(text, now.astimezone(tz), "future")
    if found.error is not None:
        return found.error
    return "no_time" if found.value is None else found.value
