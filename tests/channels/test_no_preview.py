"""A reply marked no_preview (a one-time login link) goes to Telegram without a link
preview: a chat app that fetched the link for a preview could use it up."""

from __future__ import annotations

from bot.channels.telegram_render import render
from handlers.core.types import Reply


def test_a_reply_without_preview_keeps_that_on_every_piece() -> None:
    pieces = render(Reply("Tautan masuk: https://konsol.example.id/admin/masuk/x", no_preview=True))
    assert [p.no_preview for p in pieces] == [True]
    assert [p.no_preview for p in render(Reply("Halo"))] == [False]
