"""What trying the console from outside found (issue 15's review), each as the story
that shows it fixed: an address that is not a page gets the console's own page in
Indonesian with the security headers (not the framework's bare English "Not Found");
a kegiatan's new time typed as in chat ("besok jam 9", "Senin 08.00", "12/12/2027 13.00");
a change that cannot be saved says why and keeps what she typed, a report's note too;
English pages without "1 reports"."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, time, timedelta

import httpx
from sqlalchemy import select, update

from bot.app import App
from bot.web_console.app import SECURITY_HEADERS
from bot.web_console.kegiatan_pages import typed_when
from handlers.core.i18n import format_datetime_local
from handlers.core.types import Media
from models import Member
from models.base import transaction
from models.kegiatan import KIND_CHANGED
from models.outbox.broadcasts import Broadcast
from models.reports.notices import KIND_RETURNED
from tests.support.reports import admin_chat, kader_chat, outbox
from tests.support.web import login_code, member_named, press_masuk, sign_in
from tests.web.test_console import a_waiting_report
from tests.web.test_kegiatan_pages import WIB, kegiatan, posyandu_with_a_waiting_list
from tests.web.test_warga_pages import WATI_PHONE, two_kampung_with_a_history


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


async def test_admin_moves_a_kegiatan_with_a_time_typed_as_in_chat(
    app: App, web: httpx.AsyncClient
) -> None:
    """Bu Admin types the new time the way she types it in chat; the confirmation shows
    it the Indonesian way, in WIB, and saving it moves the kegiatan."""
    ids = await posyandu_with_a_waiting_list(app)
    k = ids["kegiatan"]
    await admin_chat(app)
    csrf = await sign_in(web, app, await member_named(app, None, role="admin"))
    page = (await web.get(f"/admin/kegiatan/{k}")).text
    assert 'name="waktu"' in page and "besok jam 9" in page  # her field, with examples

    now = datetime.now(WIB)
    tomorrow = (now + timedelta(days=1)).date()
    monday = now.date() + timedelta(days=7 - now.weekday())
    year = now.year + 1
    for typed, moment in (
        ("besok jam 9", datetime.combine(tomorrow, time(9), tzinfo=WIB)),
        ("Senin 08.00", datetime.combine(monday, time(8), tzinfo=WIB)),
        (f"12/12/{year} 13.00", datetime(year, 12, 12, 13, tzinfo=WIB)),
    ):
        shown = await web.get(f"/admin/kegiatan/{k}/ubah", params={"apa": "waktu", "waktu": typed})
        assert shown.status_code == 200, typed
        assert format_datetime_local(moment, "id", WIB) in shown.text  # "…pukul 09.00 WIB"
    hidden = dict(re.findall(r'name="(tanggal|jam)" value="([^"]*)"', shown.text))
    saved = await web.post(
        f"/admin/kegiatan/{k}/ubah", data={"csrf": csrf, "apa": "waktu", **hidden}
    )
    assert saved.status_code == 303
    assert (await kegiatan(app, k)).starts_at == datetime(year, 12, 12, 13, tzinfo=WIB)


async def test_a_change_she_cannot_save_keeps_what_she_typed_and_says_why(
    app: App, web: httpx.AsyncClient
) -> None:
    """A time without a day, a day gone by, letters for the kuota, an empty or far too
    long place: a kind sentence (the chat's own for the time), her text in the field again,
    never an error page; nothing changes and nobody is told."""
    ids = await posyandu_with_a_waiting_list(app)
    k = ids["kegiatan"]
    await admin_chat(app)
    await sign_in(web, app, await member_named(app, None, role="admin"))
    long_place = "Balai " * 100
    for field, typed, said in (
        ("waktu", "jam 9", "Mohon tulis harinya juga"),
        ("waktu", "kemarin jam 9", "sudah lewat"),
        ("waktu", "minggu depannya lagi", "tidak bisa saya baca"),
        ("kuota", "lima belas orang lagi", "kuota harus angka"),
        ("kuota", "9" * 30, "kuota harus angka"),
        ("kuota", "²", "kuota harus angka"),
        ("tempat", "   ", "tempat belum diisi"),
        ("tempat", long_place, "terlalu panjang"),
    ):
        shown = await web.get(f"/admin/kegiatan/{k}/ubah", params={"apa": field, field: typed})
        assert shown.status_code == 400 and said in shown.text, typed
        assert f'name="{field}" value="{html.escape(typed)[:500]}' in shown.text, typed
    assert (await web.get(f"/admin/kegiatan/{k}/ubah",
                          params={"apa": "kuota", "kuota": "dua"})).status_code == 200  # fmt: skip
    assert await outbox(app, KIND_CHANGED) == []


async def test_impossible_numbers_in_an_address_or_a_form_never_give_an_error_page(
    app: App, web: httpx.AsyncClient
) -> None:
    """A mistyped or doctored address (an id longer than any row's, a "²") is "not found"
    or ignored, and such a number in Pengumuman's form gets a sentence: never a 500."""
    ids = await posyandu_with_a_waiting_list(app)
    await admin_chat(app)
    csrf = await sign_in(web, app, await member_named(app, None, role="admin"))
    big = "9" * 25
    for path in (f"/admin/kegiatan/{big}", f"/admin/warga/{big}", f"/admin/laporan/{big}",
                 f"/admin/foto/{big}", f"/admin/kegiatan/{big}/batalkan"):  # fmt: skip
        page = await web.get(path)
        assert page.status_code == 404 and "tidak ditemukan" in page.text, path
    for path in (f"/admin/laporan/{big}/setujui", f"/admin/pengumuman/{big}/batal"):
        assert (await web.post(path, data={"csrf": csrf})).status_code == 404, path
    for path in ("/admin/kegiatan?kampung=²", f"/admin/warga?kampung={big}",
                 f"/admin/pengumuman?baru={big}", "/admin/pengumuman?batal=²",
                 f"/admin/kegiatan/{ids['kegiatan']}?selesai=ubah&n=²"):  # fmt: skip
        assert (await web.get(path)).status_code == 200, path
    for fields, said in (
        ({"audience": "kegiatan", "kegiatan": big}, "sudah selesai atau dibatalkan"),
        ({"audience": "inactive", "days": "²"}, "angka"),
        ({"audience": "inactive", "days": "9" * 5000}, "Paling banyak"),
        ({"audience": "kampung", "kampung": big}, "Belum ada kampung yang dipilih"),
    ):
        data = {"csrf": csrf, "text": "Besok posyandu.", "when": "now", **fields}
        shown = await web.post("/admin/pengumuman/pratinjau", data=data)
        assert shown.status_code == 400 and said in shown.text, fields


async def test_a_note_too_short_or_too_long_stays_in_the_box(
    app: App, web: httpx.AsyncClient, photos: list[Media]
) -> None:
    """Bu Admin returns Rina's report with a note the chat would refuse too (too short,
    too long): she is told why and her note is still in the box to fix, not gone."""
    report = await a_waiting_report(app)
    await admin_chat(app)
    csrf = await sign_in(web, app, await member_named(app, None, role="admin"))
    for note in ("ok", "Foto <kurang> jelas " * 60):
        shown = await web.post(
            f"/admin/laporan/{report.id}/kembalikan", data={"csrf": csrf, "note": note}
        )
        assert shown.status_code == 400 and "3-1000 huruf" in shown.text
        assert f">{html.escape(note.strip(), quote=False)}</textarea>" in shown.text
    assert await outbox(app, KIND_RETURNED) == []


async def test_english_pages_count_one_report_without_a_plural_slip(
    app: App, web: httpx.AsyncClient, photos: list[Media]
) -> None:
    await a_waiting_report(app)
    await admin_chat(app)
    admin = await member_named(app, None, role="admin")
    async with transaction(app.sessions) as s:
        await s.execute(update(Member).where(Member.id == admin.id).values(language="en"))
    await sign_in(web, app, admin)
    home = (await web.get("/admin/")).text
    assert "1 report(s) waiting for review" in home and "1 reports" not in home


async def test_what_she_wrote_is_shown_back_when_her_session_ended_meanwhile(
    app: App, web: httpx.AsyncClient, photos: list[Media]
) -> None:
    """Bu Admin writes a long announcement; meanwhile her session ended (8 hours, or the
    server restarted). Pressing the button tells her to sign in again and shows what she
    wrote, to copy. The same when her admin role was taken away while she wrote a note."""
    report = await a_waiting_report(app)
    await admin_chat(app)
    admin = await member_named(app, None, role="admin")
    csrf = await sign_in(web, app, admin)
    text = "Besok posyandu di balai warga jam 9. Bawa buku KIA <ya>."
    web.cookies.clear()  # the session is gone
    late = await web.post("/admin/pengumuman/pratinjau",
                          data={"csrf": csrf, "text": text, "audience": "all"})  # fmt: skip
    assert late.status_code == 401 and "Masuk web" in late.text
    assert "Salin dulu" in late.text and html.escape(text, quote=False) in late.text

    csrf = await sign_in(web, app, admin)
    async with transaction(app.sessions) as s:
        await s.execute(update(Member).where(Member.id == admin.id).values(role="ibu"))
    note = "Foto kurang jelas, mohon kirim ulang."
    ended = await web.post(f"/admin/laporan/{report.id}/kembalikan",
                           data={"csrf": csrf, "note": note})  # fmt: skip
    assert ended.status_code == 403 and "bukan admin atau kader lagi" in ended.text
    assert f">{note}</textarea>" in ended.text
    assert "Salin dulu" not in (await web.get("/admin/")).text  # a page asked for: no box


async def test_admin_schedules_an_announcement_with_a_time_typed_as_in_chat(
    app: App, web: httpx.AsyncClient
) -> None:
    """The browser's date and time boxes spoke the laptop's language (English, a 12-hour
    clock) on an Indonesian page; now she types "besok jam 9" as in chat, sees it back
    the Indonesian way and schedules it. What the reader cannot use is said kindly with
    her text and her time still in their boxes."""
    await posyandu_with_a_waiting_list(app)
    await admin_chat(app)
    csrf = await sign_in(web, app, await member_named(app, None, role="admin"))
    form = (await web.get("/admin/pengumuman/baru")).text
    assert 'name="waktu"' in form and 'type="date"' not in form and 'type="time"' not in form
    text = "Besok posyandu di balai warga jam 9."
    ask = {"csrf": csrf, "text": text, "audience": "all", "when": "later"}
    for typed, said in (
        ("jam 9", "Tulis juga harinya"),
        ("besok", "isi tanggal dan jam"),
        ("kemarin jam 9", "sudah lewat"),
        ("nanti saja", "belum saya mengerti"),
    ):
        shown = await web.post("/admin/pengumuman/pratinjau", data={**ask, "waktu": typed})
        assert shown.status_code == 400 and said in shown.text, typed
        assert f'name="waktu" value="{typed}"' in shown.text and text in shown.text
    tomorrow = datetime.combine(datetime.now(WIB).date() + timedelta(days=1), time(9), WIB)
    shown = await web.post("/admin/pengumuman/pratinjau", data={**ask, "waktu": "besok jam 9"})
    assert shown.status_code == 200 and format_datetime_local(tomorrow, "id", WIB) in shown.text
    confirm = shown.text.split('action="/admin/pengumuman/kirim"')[1].split("</form>")[0]
    hidden = dict(re.findall(r'name="([a-z]+)" value="([^"]*)"', confirm))
    sent = await web.post("/admin/pengumuman/kirim", data=hidden)
    assert sent.status_code == 303
    async with app.sessions() as s:
        [scheduled] = list(await s.scalars(select(Broadcast)))
    assert scheduled.status == "scheduled" and scheduled.text == text
    assert scheduled.scheduled_at is not None
    assert scheduled.scheduled_at.replace(tzinfo=UTC) == tomorrow.astimezone(UTC)


async def test_forms_leave_checking_to_the_server_which_answers_in_her_language(
    app: App, web: httpx.AsyncClient, photos: list[Media]
) -> None:
    """A browser checks date, time, month, number and required boxes itself, in the
    laptop's language ("Please fill out this field.", a 12-hour clock on an en-US laptop)
    on an Indonesian page. The console's forms have none: the server checks and answers
    in Indonesian. The month filter names the months the Indonesian way."""
    report = await a_waiting_report(app)
    ids = await posyandu_with_a_waiting_list(app)
    await admin_chat(app)
    csrf = await sign_in(web, app, await member_named(app, None, role="admin"))
    pages = ["/admin/", "/admin/kegiatan", f"/admin/kegiatan/{ids['kegiatan']}",
             f"/admin/laporan/{report.id}", "/admin/warga", "/admin/pengumuman/baru"]  # fmt: skip
    for path in pages:
        page = (await web.get(path)).text
        found = re.findall(r'type="(?:date|time|month|number|datetime-local)"|\brequired\b', page)
        assert found == [], path
    months = (await web.get("/admin/kegiatan")).text
    this_month = format_datetime_local(datetime.now(WIB), "id", WIB).split(" ")[2:4]
    assert f">{' '.join(this_month)}</option>" in months  # e.g. ">Desember 2026</option>"
    empty = await web.post(
        f"/admin/laporan/{report.id}/kembalikan", data={"csrf": csrf, "note": ""}
    )
    assert empty.status_code == 400 and "Tulis catatan untuk kader" in empty.text
    nothing = await web.post("/admin/pengumuman/pratinjau",
                             data={"csrf": csrf, "text": "", "audience": "all"})  # fmt: skip
    assert nothing.status_code == 400 and "masih kosong" in nothing.text


async def test_warga_finds_members_by_a_kampung_typed_in_the_search_box(
    app: App, web: httpx.AsyncClient
) -> None:
    """Typing "sumber" finds Sumberan's members (the box only read names); a kader of
    Sumberan typing "cibening" still sees nobody of Cibening, nor a phone number there."""
    await two_kampung_with_a_history(app)
    await admin_chat(app)
    await sign_in(web, app, await member_named(app, None, role="admin"))
    found = (await web.get("/admin/warga", params={"q": "sumber"})).text
    assert "Ibu siti" in found and "Ibu wati" not in found
    assert "Ibu siti" in (await web.get("/admin/warga", params={"q": "SIT"})).text

    await kader_chat(app)  # Rina, kader of Sumberan
    await sign_in(web, app, await member_named(app, "Rina Kader"))
    other = (await web.get("/admin/warga", params={"q": "cibening"})).text
    assert "Ibu wati" not in other and WATI_PHONE not in other and "Tidak ada warga" in other


async def test_her_used_link_opened_again_once_signed_in_takes_her_to_beranda(
    app: App, web: httpx.AsyncClient
) -> None:
    """Bu Admin taps her link in the chat again after signing in with it: Beranda, not
    "this link is not valid" with no way on. Signed out, the used link stays refused."""
    await admin_chat(app)
    admin = await member_named(app, None, role="admin")
    code = await login_code(app, admin)
    assert (await press_masuk(web, f"/admin/masuk/{code}")).status_code == 303
    again = await web.get(f"/admin/masuk/{code}")
    assert again.status_code == 303 and again.headers["location"] == "/admin/"
    web.cookies.clear()
    refused = await web.get(f"/admin/masuk/{code}")
    assert refused.status_code == 403 and "tidak berlaku" in refused.text
    assert (await web.post(f"/admin/masuk/{code}")).status_code == 403


async def test_a_form_from_a_tab_opened_before_she_signed_in_again_keeps_her_text(
    app: App, web: httpx.AsyncClient
) -> None:
    """Bu Admin wrote an announcement in a tab opened yesterday and signed in again in
    another since: the old tab's form is refused (its token is the old session's) in
    plain words, not "token CSRF", and shows her text to copy."""
    await admin_chat(app)
    admin = await member_named(app, None, role="admin")
    old = await sign_in(web, app, admin)
    await sign_in(web, app, admin)  # a new session, a new token
    text = "Posyandu pindah ke balai RW 03 besok."
    refused = await web.post("/admin/pengumuman/pratinjau",
                             data={"csrf": old, "text": text, "audience": "all"})  # fmt: skip
    assert refused.status_code == 403 and "belum dikirim" in refused.text
    assert "CSRF" not in refused.text and f">{text}</textarea>" in refused.text


async def test_an_english_kader_s_not_found_page_is_in_english(
    app: App, web: httpx.AsyncClient
) -> None:
    await kader_chat(app)
    rina = await member_named(app, "Rina Kader")
    async with transaction(app.sessions) as s:
        await s.execute(update(Member).where(Member.id == rina.id).values(language="en"))
    await sign_in(web, app, rina)
    for path in ("/admin/tidak-ada", f"/admin/kegiatan/{'9' * 20}"):
        page = await web.get(path)
        assert page.status_code == 404 and "Page not found" in page.text, path
        assert 'lang="en"' in page.text and "tidak ditemukan" not in page.text


async def test_a_time_typed_with_send_now_chosen_is_asked_about_not_sent_now(
    app: App, web: httpx.AsyncClient
) -> None:
    """Bu Admin types "besok jam 9" but leaves "Kirim sekarang" chosen: she is asked which
    she meant; nothing goes out now."""
    await admin_chat(app)
    csrf = await sign_in(web, app, await member_named(app, None, role="admin"))
    data = {"csrf": csrf, "text": "Besok posyandu.", "audience": "all", "when": "now",
            "waktu": "besok jam 9"}  # fmt: skip
    for step in ("pratinjau", "kirim"):
        asked = await web.post(f"/admin/pengumuman/{step}", data=data)
        assert asked.status_code == 400 and "Kirim nanti" in asked.text, step
        assert 'name="waktu" value="besok jam 9"' in asked.text
    async with app.sessions() as s:
        assert list(await s.scalars(select(Broadcast))) == []


async def test_a_change_to_the_value_it_already_has_is_said_so_not_saved(
    app: App, web: httpx.AsyncClient
) -> None:
    """The same place or kuota again: "sama dengan yang sekarang" instead of a confirmation
    to "save and tell" three mothers of a change that is none. A real change reads
    "Periksa dulu perubahan tempat ini" (the field's name in the sentence, lower case)."""
    ids = await posyandu_with_a_waiting_list(app)
    k = ids["kegiatan"]
    await admin_chat(app)
    await sign_in(web, app, await member_named(app, None, role="admin"))
    now_at = typed_when((await kegiatan(app, k)).starts_at, "id", WIB)  # "5 Desember 2026 10.00"
    for field, value in (("tempat", " Balai  RW 02 "), ("kuota", "1"), ("waktu", now_at)):
        same = await web.get(f"/admin/kegiatan/{k}/ubah", params={"apa": field, field: value})
        assert same.status_code == 400 and "sama dengan yang sekarang" in same.text, field
        assert "Simpan dan beri tahu" not in same.text
    moved = await web.get(f"/admin/kegiatan/{k}/ubah", params={"apa": "tempat", "tempat": "Aula"})
    assert moved.status_code == 200 and "Periksa dulu perubahan tempat ini" in moved.text


async def test_beranda_names_mothers_as_warga_does(app: App, web: httpx.AsyncClient) -> None:
    """Beranda's members per kampung said "ibu" where Warga says "ibu binaan"."""
    await two_kampung_with_a_history(app)
    await admin_chat(app)
    await sign_in(web, app, await member_named(app, None, role="admin"))
    home = (await web.get("/admin/")).text
    assert "<td>ibu binaan</td>" in home and "<td>ibu</td>" not in home
