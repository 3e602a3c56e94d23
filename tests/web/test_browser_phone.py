"""The console on a 360 px phone in a real browser (Debian's chromium, phone emulation):
an admin signs in by link (the demo's kegiatan, two kampung's mothers) and opens every
page; none of them scrolls sideways as a whole (a wide table scrolls inside its own box;
a long kegiatan title in Pengumuman's list of kegiatan does not stretch the form); form
boxes have 16 px text, so the phone does not zoom in when one is tapped; a report's photo
opened by itself is shown by the browser's picture viewer without the console's CSP
blocking its styling. Screenshots of each page are saved in the test's tmp folder
(phone-*.png under /tmp/pytest-of-<user>/pytest-current/test_...0/).

Skips without chromium like test_browser.py, except under .ci/run where it must run."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from PIL import Image

from bot.app import App
from bot.demo import seed_demo
from bot.settings import Settings
from bot.web import build_web_app, make_server
from bot.web_console import build_console
from handlers.core.types import Media
from tests.support.reports import admin_chat, report_photos
from tests.support.web import login_code, member_named
from tests.web.test_browser import CHROMIUM, DRIVER, browser_or_skip, free_port
from tests.web.test_console import a_waiting_report
from tests.web.test_warga_pages import two_kampung_with_a_history

PAGES = (
    "/admin/", "/admin/laporan", "/admin/kegiatan", "/admin/warga", "/admin/pengumuman",
    "/admin/pengumuman/baru", "/admin/ekspor",
)  # fmt: skip
# Form boxes with text smaller than 16 px (a phone zooms the page when one is tapped).
SMALL_BOXES = """return [...document.querySelectorAll(
    'input:not([type=hidden]), select, textarea, button')]
    .filter(e => parseFloat(getComputedStyle(e).fontSize) < 16)
    .map(e => e.id || e.name || e.tagName)"""
PHONE = 360  # px; the layout grows past the screen when a page is too wide, so compare to this


def visit(
    base: str, link: str, pages: list[str], photo: str, shots: Path
) -> tuple[dict[str, int], dict[str, list[str]], int, list[str]]:
    """Each page's width as the phone lays it out and its form boxes with small text; the
    photo's width and the browser's complaints about the Content-Security-Policy."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", f"--window-size={PHONE},800"):
        options.add_argument(arg)
    metrics = {"width": PHONE, "height": 800, "pixelRatio": 2.0}
    options.add_experimental_option("mobileEmulation", {"deviceMetrics": metrics})
    browser = webdriver.Chrome(service=Service(DRIVER), options=options)
    wait = WebDriverWait(browser, 20)
    widths: dict[str, int] = {}
    small: dict[str, list[str]] = {}
    try:
        browser.get(base + link)
        old = browser.find_element(By.TAG_NAME, "html")
        browser.find_element(By.CSS_SELECTOR, "button.primary").click()  # Masuk
        wait.until(expected_conditions.staleness_of(old))
        for page in pages:
            browser.get(base + page)
            wait.until(lambda b: b.execute_script("return document.readyState") == "complete")
            widths[page] = int(
                browser.execute_script("return document.documentElement.scrollWidth")
            )
            small[page] = list(browser.execute_script(SMALL_BOXES))
            name = page.strip("/").replace("/", "-") or "beranda"
            browser.save_screenshot(str(shots / f"phone-{name}.png"))
        browser.get_log("browser")  # type: ignore[no-untyped-call]  # what came before
        browser.get(base + photo)
        wait.until(lambda b: b.execute_script("return document.readyState") == "complete")
        width = "return document.images.length ? document.images[0].naturalWidth : 0"
        wait.until(lambda b: b.execute_script(width) > 0)
        shown = int(browser.execute_script(width))
        logged = browser.get_log("browser")  # type: ignore[no-untyped-call]
        blocked = [e["message"] for e in logged if "Content Security Policy" in e["message"]]
        browser.save_screenshot(str(shots / "phone-foto.png"))
    finally:
        browser.quit()
    return widths, small, shown, blocked


async def test_every_page_fits_a_360_px_phone(
    app: App, settings: Settings, tmp_path: Path, photos: list[Media]
) -> None:
    browser_or_skip()
    report = await a_waiting_report(app)
    [stored] = await report_photos(app, report.id)
    Image.new("RGB", (2000, 1500), (120, 140, 90)).save(settings.media_dir / stored.path, "JPEG")
    ids = await two_kampung_with_a_history(app)
    await seed_demo(app.sessions, settings.tz)  # the demo's kegiatan, with their long titles
    await admin_chat(app)
    code = await login_code(app, await member_named(app, None, role="admin"))
    port = free_port()
    console = build_console(app.sessions, media_dir=settings.media_dir, timezone="Asia/Jakarta")
    server = make_server(build_web_app(app.db, console=console), f"127.0.0.1:{port}")
    serving = asyncio.create_task(server.serve())
    base = f"http://127.0.0.1:{port}"
    pages = [*PAGES, f"/admin/warga/{ids['siti']}", "/admin/no-such-page"]
    try:
        async with httpx.AsyncClient(base_url=base) as client:
            for _ in range(200):  # until uvicorn listens
                try:
                    await client.get("/healthz")
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.05)
        widths, small, shown, blocked = await asyncio.to_thread(
            visit, base, f"/admin/masuk/{code}", pages, f"/admin/foto/{stored.id}", tmp_path
        )
    finally:
        server.should_exit = True
        await serving
    too_wide = {page: width for page, width in widths.items() if width > PHONE}
    assert widths and not too_wide
    assert small == {page: [] for page in pages}  # a phone zooms into a box under 16 px
    assert shown == 2000 and blocked == []  # shown by the browser's viewer, nothing blocked
    for page in pages:
        name = page.strip("/").replace("/", "-") or "beranda"
        assert (tmp_path / f"phone-{name}.png").read_bytes()[:4] == b"\x89PNG"
