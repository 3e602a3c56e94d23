"""What trying the console from outside found (issue 15's review), each as the story
that shows it fixed: an address that is not a page gets the console's own page in
Indonesian with the security headers (not the framework's bare English "Not Found")."""

from __future__ import annotations

import httpx

from bot.web_console.app import SECURITY_HEADERS


async def test_an_address_that_is_no_page_gets_the_console_s_own_page(
    web: httpx.AsyncClient,
) -> None:
    for method, path in (("GET", "/admin/tidak-ada"), ("GET", "/admin/static/tidak-ada.css"),
                         ("GET", "/admin/keluar")):  # fmt: skip
        page = await web.request(method, path)
        assert page.status_code in (404, 405) and "Halaman tidak ditemukan" in page.text
        assert "Not Found" not in page.text and "Method Not Allowed" not in page.text
        assert page.headers["content-type"].startswith("text/html")
        for header, value in SECURITY_HEADERS.items():
            assert page.headers[header] == value
