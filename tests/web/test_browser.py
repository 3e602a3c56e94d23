"""The console in a real browser: Debian's chromium driven by Selenium through signing in
by link > Beranda (its four charts load) > Pengumuman's preview of a new announcement >
a report's page > returning it with a note > Keluar. Screenshots of Beranda, of the
preview and of the report page are saved in the test's tmp folder (pytest prints nothing
about them; look under /tmp/pytest-of-<user>/pytest-current/test_...0/).

Without chromium and chromedriver the test skips, except under .ci/run
(P2WKSS_BROWSER_REQUIRED=1), which installs them and where it must run."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
from pathlib import Path

import httpx
import pytest

from bot.app import App
from bot.settings import Settings
from bot.web import build_web_app, make_server
from bot.web_console import build_console
from handlers.core.types import Media
from models.reports.notices import KIND_RETURNED
from tests.support.chat import Chat
from tests.support.reports import admin_chat, held_kegiatan, kader_chat, outbox, photo, reports
from tests.support.web import login_code, member_named

CHROMIUM = "/usr/bin/chromium"
DRIVER = "/usr/bin/chromedriver"


def browser_or_skip() -> None:
    missing = not (shutil.which(CHROMIUM) and shutil.which(DRIVER))
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing = True
    if missing:
        if os.environ.get("P2WKSS_BROWSER_REQUIRED") == "1":
            pytest.fail("chromium, chromium-driver and selenium are required here")
        pytest.skip("no chromium/chromedriver/selenium on this machine")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def send_report(rina: Chat) -> None:
    for answer in ("lapor", "penyuluhan", "1", "kemarin", "1", "18", "0", "Menu gizi."):
        await rina.send(answer)
    await rina.deliver(photo(rina, "foto-1"))
    for answer in ("selesai", "tidak ada", "tidak ada", "kirim"):
        await rina.send(answer)


def drive(base: str, link: str, report_id: int, shots: Path) -> list[str]:
    """The admin's visit; returns the texts she saw at each step."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webelement import WebElement
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1200,900"):
        options.add_argument(arg)
    browser = webdriver.Chrome(service=Service(DRIVER), options=options)
    wait = WebDriverWait(browser, 20)

    def follow(element: WebElement) -> str:
        """Click, then wait for the next page: the old one's elements go stale when the
        new one replaces it (reading too early gave a stale element, once, under load)."""
        old = browser.find_element(By.TAG_NAME, "html")
        element.click()
        wait.until(expected_conditions.staleness_of(old))
        wait.until(lambda b: b.execute_script("return document.readyState") == "complete")
        return str(wait.until(lambda b: b.find_element(By.TAG_NAME, "main")).text)

    seen: list[str] = []
    try:
        browser.get(base + link)
        seen.append(follow(browser.find_element(By.CSS_SELECTOR, "button.primary")))  # Masuk
        loaded = "return [...document.querySelectorAll('.charts img')].filter(i => i.naturalWidth)"
        wait.until(lambda b: len(b.execute_script(loaded)) == 4)  # the charts, drawn and shown
        browser.save_screenshot(str(shots / "beranda.png"))
        follow(browser.find_element(By.LINK_TEXT, "Pengumuman"))
        follow(browser.find_element(By.ID, "tulis"))
        browser.find_element(By.ID, "text").send_keys("Besok posyandu di balai warga jam 9.")
        seen.append(follow(browser.find_element(By.ID, "pratinjau")))
        browser.save_screenshot(str(shots / "pengumuman.png"))
        follow(browser.find_element(By.LINK_TEXT, "Laporan"))
        seen.append(follow(browser.find_element(By.LINK_TEXT, f"#{report_id}")))
        browser.save_screenshot(str(shots / "laporan.png"))
        browser.find_element(By.ID, "note").send_keys("Foto kurang jelas")
        seen.append(follow(browser.find_element(By.ID, "kembalikan")))
        seen.append(follow(browser.find_element(By.XPATH, "//button[text()='Keluar']")))
        browser.get(base + "/admin/")
        seen.append(browser.find_element(By.TAG_NAME, "main").text)
    finally:
        browser.quit()
    return seen


async def test_admin_returns_a_report_in_a_real_browser(
    app: App, settings: Settings, tmp_path: Path, photos: list[Media]
) -> None:
    browser_or_skip()
    await held_kegiatan(app, "Penyuluhan gizi balita", days_ago=1)
    await send_report(await kader_chat(app))
    [report] = await reports(app)
    await admin_chat(app)
    code = await login_code(app, await member_named(app, None, role="admin"))
    port = free_port()
    console = build_console(app.sessions, media_dir=settings.media_dir, timezone="Asia/Jakarta")
    server = make_server(build_web_app(app.db, console=console), f"127.0.0.1:{port}")
    serving = asyncio.create_task(server.serve())
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base) as client:
            for _ in range(200):  # until uvicorn listens
                try:
                    await client.get("/healthz")
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.05)
        seen = await asyncio.to_thread(drive, base, f"/admin/masuk/{code}", report.id, tmp_path)
    finally:
        server.should_exit = True
        await serving
    beranda, preview, detail, after, out, again = seen
    assert "1 laporan menunggu" in beranda
    assert "Besok posyandu" in preview and "Penerima: 2 HP" in preview  # Rina and the admin
    assert "Menu gizi." in detail and "Kendala" in detail
    assert "Tidak ada laporan yang menunggu" in after
    assert "Anda sudah keluar" in out and "Silakan masuk" in again
    [notice] = await outbox(app, KIND_RETURNED)
    assert notice.params["note"] == "Foto kurang jelas"
    for shot in ("beranda.png", "pengumuman.png", "laporan.png"):
        assert (tmp_path / shot).read_bytes()[:4] == b"\x89PNG"
