"""Beranda's charts: the chat's four "Rekap" charts as PNG images, for staff only and
scoped as in chat (an admin every kampung, a kader her own), in the member's language."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from bot.app import App
from bot.web_console import grafik_pages
from models.exports import Chart, render_png
from tests.support.reports import admin_chat, kader_chat
from tests.support.web import member_named, sign_in

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Chart]]:
    """The charts the console draws (really drawn, and noted here to read their words)."""
    seen: list[Chart] = []

    def noting(chart: Chart) -> bytes:
        seen.append(chart)
        return render_png(chart)

    monkeypatch.setattr(grafik_pages, "render_png", noting)
    yield seen


def hadir(charts: list[Chart]) -> Chart:
    [chart] = [c for c in charts if c.kind == "percent"]
    return chart


async def test_admin_sees_the_four_rekap_charts_of_every_kampung(
    app: App, web: httpx.AsyncClient, drawn: list[Chart]
) -> None:
    await admin_chat(app)
    await sign_in(web, app, await member_named(app, None, role="admin"))
    home = await web.get("/admin/")
    for number in range(1, 5):
        assert f'src="/admin/grafik/{number}.png"' in home.text
        picture = await web.get(f"/admin/grafik/{number}.png")
        assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
        assert picture.content.startswith(PNG)
    assert len(drawn) == 4, "drawn once, then kept for a while"
    assert list(hadir(drawn).categories) == ["Cibening", "Sumberan"]
    assert drawn[0].title == "Kegiatan per bulan"
    assert (await web.get("/admin/grafik/5.png")).status_code == 404


async def test_a_kader_sees_her_own_kampung_in_her_language(
    app: App, web: httpx.AsyncClient, drawn: list[Chart]
) -> None:
    rina = await kader_chat(app)
    await rina.send("bahasa")
    await rina.send("2")
    await sign_in(web, app, await member_named(app, "Rina Kader"))
    picture = await web.get("/admin/grafik/2.png")
    assert picture.status_code == 200 and picture.content.startswith(PNG)
    assert list(hadir(drawn).categories) == ["Sumberan"]
    assert drawn[0].title == "Kegiatan per month"  # English, as in chat


async def test_nobody_signed_in_gets_a_chart(app: App, web: httpx.AsyncClient) -> None:
    answer = await web.get("/admin/grafik/1.png")
    assert answer.status_code == 401 and not answer.content.startswith(PNG)
