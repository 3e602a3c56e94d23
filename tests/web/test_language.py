"""The console speaks the signed-in member's language (the one she chose in chat with
"bahasa"); before signing in, Indonesian. Every text a template asks for is in both
catalogs."""

from __future__ import annotations

import re

import httpx

from bot.app import App
from handlers.core.i18n import LANGUAGES, catalog
from tests.support import REPO
from tests.support.reports import admin_chat, kader_chat
from tests.support.web import login_code, member_named, sign_in

TEMPLATE_KEY = re.compile(r"""\bt\(\s*["']([a-z_.]+)["']\s*(~)?""")


async def test_a_kader_who_chose_english_in_chat_gets_english_pages(
    app: App, web: httpx.AsyncClient
) -> None:
    rina = await kader_chat(app)
    await rina.send("bahasa")
    await rina.send("2")
    assert "now English" in rina.text
    kader = await member_named(app, "Rina Kader")
    link = await web.get(f"/admin/masuk/{await login_code(app, kader)}")
    assert '<html lang="en">' in link.text and "Sign in to the console" in link.text
    await sign_in(web, app, kader)

    home = await web.get("/admin/")
    assert '<html lang="en">' in home.text
    assert "Home" in home.text and "Members per kampung" in home.text
    assert "Sign out" in home.text and "(kader)" in home.text
    assert "Beranda" not in home.text and "Keluar" not in home.text
    exports = await web.get("/admin/ekspor")
    assert "Your kampung only." in exports.text and "Download: Activity reports" in exports.text
    refused = await web.post("/admin/ekspor/members", data={"csrf": "wrong"})
    assert refused.status_code == 403 and "it was not sent" in refused.text


async def test_an_admin_in_bahasa_indonesia_gets_indonesian_pages(
    app: App, web: httpx.AsyncClient
) -> None:
    await admin_chat(app)
    admin = await member_named(app, None, role="admin")
    await sign_in(web, app, admin)
    home = await web.get("/admin/", headers={"accept-language": "en"})
    assert '<html lang="id">' in home.text and "Warga per kampung" in home.text
    assert "Members per kampung" not in home.text


async def test_before_signing_in_pages_are_in_indonesian_whatever_the_browser(
    app: App, web: httpx.AsyncClient
) -> None:
    """A laptop's browser asks for en-US out of the box: that says nothing of its reader."""
    await admin_chat(app)
    admin = await member_named(app, None, role="admin")
    code = await login_code(app, admin)
    english = {"accept-language": "en-US,en;q=0.9"}
    page = await web.get(f"/admin/masuk/{code}", headers=english)
    assert '<html lang="id">' in page.text and "Masuk ke konsol" in page.text
    nobody = await web.get("/admin/", headers=english)
    assert nobody.status_code == 401 and "Silakan masuk" in nobody.text


def test_every_text_a_template_asks_for_is_in_both_catalogs() -> None:
    found = 0
    for path in (REPO / "bot" / "web_console" / "templates").glob("*.html"):
        for key, joined in TEMPLATE_KEY.findall(path.read_text()):
            found += 1
            for lang in LANGUAGES:
                if joined:  # t("web.role." ~ role): some key with that prefix
                    assert any(k.startswith(key) for k in catalog(lang)), (path.name, key)
                else:
                    assert key in catalog(lang), (path.name, key, lang)
    assert found > 50, "the pattern found too few texts in the templates"
