"""Stories of mothers checking in on the day: "hadir KODE" inside the window (twice is
once), refused outside it or for a cancelled kegiatan, a walk-in who takes no seat and
moves nobody on the waiting list, guessing stopped after a few wrong codes, a shared
phone checking in each of its mothers, and "Hadir" on the kegiatan's screen."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.app import App
from handlers.core.config import Config
from handlers.core.engine import Engine
from models import AuditEntry
from models.attendance import ALPHABET
from models.base import utcnow
from tests.support.attendance import (
    code,
    counts,
    ended,
    household_of_two,
    kegiatan_soon,
    lines,
    load,
    mother_without_phone,
    set_status,
    signups,
)
from tests.support.chat import Chat, mothers
from tests.support.lookups import identity
from tests.support.staff import make_kader, member_id

WIB = ZoneInfo("Asia/Jakarta")
NOT_FOR_YOU = "pilihan itu tidak dikenal"  # common.unknown_choice


async def test_a_mother_checks_in_with_the_code_and_twice_is_once(app: App) -> None:
    kid = await kegiatan_soon(app, "Penyuluhan gizi balita")
    [siti] = await mothers(app, "Siti Aminah")
    await siti.tap(f"a:kg.signup:{kid}")
    secret = await code(app, kid)
    assert len(secret) == 5 and not set(secret) & set("0O1IL2Z5S8B6GDQUV")

    await siti.send(f"hadir {secret.lower()}")
    assert "✅ Ibu tercatat hadir di Penyuluhan gizi balita, pukul" in siti.text
    assert "datang langsung" not in siti.text
    [line] = await lines(app, kid)
    assert line.member_id == await member_id(app, "Siti Aminah")
    assert (line.status, line.walk_in, line.method) == ("present", False, "code")
    first_at = line.present_at
    assert first_at is not None and abs(first_at - utcnow()) < timedelta(minutes=1)

    await siti.send(f"Hadir {secret}")
    assert "Ibu sudah tercatat hadir di Penyuluhan gizi balita sejak pukul" in siti.text
    [again] = await lines(app, kid)
    assert again.present_at == first_at
    assert (await counts(app, kid)).present == 1
    # Her kegiatan screen says so too.
    await siti.tap(f"a:kg.show:{kid}")
    assert "Sudah tercatat hadir pukul" in siti.text and "Hadir" not in siti.labels


async def test_outside_the_window_or_cancelled_each_get_a_clear_word(app: App) -> None:
    later = await kegiatan_soon(app, "Kelas memasak", starts_in=timedelta(hours=3))
    [siti] = await mothers(app, "Siti Aminah")
    await siti.send(f"hadir {await code(app, later)}")
    assert "Daftar hadir Kelas memasak belum dibuka" in siti.text and "mulai" in siti.text

    done = await kegiatan_soon(app, "Posyandu balita")
    done_code = await code(app, done)
    await ended(app, done)
    await siti.send(f"hadir {done_code}")
    assert "Posyandu balita sudah selesai" in siti.text and "minta kader" in siti.text

    off = await kegiatan_soon(app, "Senam sehat")
    off_code = await code(app, off)
    await set_status(app, off, "cancelled")
    await siti.send(f"hadir {off_code}")
    assert "Senam sehat dibatalkan" in siti.text

    for kid in (later, done, off):
        assert await lines(app, kid) == []
    # A right code at the wrong time is no guess: nothing was counted against her chat.
    assert (await identity(app, siti.identity)).code_failures == 0


async def test_a_walk_in_takes_no_seat_and_the_waiting_list_stays(app: App) -> None:
    kid = await kegiatan_soon(app, "Kelas gizi", kuota=1)
    dewi, rina, sari = await mothers(app, "Dewi Lestari", "Rina Marlina", "Sari Wulan")
    await dewi.tap(f"a:kg.signup:{kid}")
    await rina.tap(f"a:kg.signup:{kid}")
    assert "daftar tunggu nomor 1" in rina.text
    before = await signups(app, kid)
    secret = await code(app, kid)

    await sari.send(f"hadir {secret}")  # never signed up
    assert "tercatat hadir di Kelas gizi" in sari.text and "datang langsung" in sari.text
    await rina.send(f"hadir {secret}")  # on the waiting list
    assert "datang langsung" in rina.text

    assert await signups(app, kid) == before  # no seat taken, nobody promoted
    assert (await load(app, kid)).registered_count == 1
    await rina.tap(f"a:kg.show:{kid}")
    assert "Ibu di daftar tunggu, nomor 1" in rina.text
    walk_ins = {line.member_id: line.walk_in for line in await lines(app, kid)}
    assert walk_ins == {
        await member_id(app, "Sari Wulan"): True,
        await member_id(app, "Rina Marlina"): True,
    }
    tally = await counts(app, kid)
    assert (tally.registered, tally.present, tally.walk_ins, tally.absent) == (1, 2, 2, 1)


async def test_guessing_codes_is_stopped_after_five_wrong_ones(app: App) -> None:
    kid = await kegiatan_soon(app, "Kelas gizi")
    [siti] = await mothers(app, "Siti Aminah")
    secret = await code(app, kid)
    # Near misses (one character off) and a code with look-alikes in it.
    near = [c + secret[1:] for c in ALPHABET if c != secret[0]][:4]
    for guess in [*near, "K0DE1"]:
        await siti.send(f"hadir {guess}")
        assert "tidak cocok" in siti.text
    assert (await identity(app, siti.identity)).code_failures == 5
    # The sixth, even the right code, is not looked up.
    await siti.send(f"hadir {secret}")
    assert "terlalu banyak kode yang salah" in siti.text
    assert await lines(app, kid) == []
    # One counter with the invitation codes: "kode …" is refused from this chat too.
    await siti.send("kode ABCDEFGH")
    assert "terlalu banyak kode yang salah" in siti.text
    # A forged check-in button is refused the same way, without a look-up.
    siti_id = await member_id(app, "Siti Aminah")
    await siti.tap(f"a:hd.in:{kid}:{siti_id}:{secret}")
    assert "terlalu banyak kode yang salah" in siti.text
    assert await lines(app, kid) == []


async def test_a_forged_check_in_button_counts_as_a_wrong_code(app: App) -> None:
    kid = await kegiatan_soon(app, "Kelas gizi")
    other = await kegiatan_soon(app, "Kelas jahit")
    [siti] = await mothers(app, "Siti Aminah")
    siti_id = await member_id(app, "Siti Aminah")
    await siti.tap(f"a:hd.in:{kid}:{siti_id}:AAAAA")
    assert "tidak cocok" in siti.text
    await siti.tap(f"a:hd.in:{kid}:{siti_id}:{await code(app, other)}")  # another's code
    assert "tidak cocok" in siti.text
    assert (await identity(app, siti.identity)).code_failures == 2
    assert await lines(app, kid) == [] and await lines(app, other) == []


async def test_a_shared_phone_checks_in_each_of_its_mothers(app: App, chat: Chat) -> None:
    kid = await kegiatan_soon(app, "Posyandu balita")
    await household_of_two(chat, "Siti Aminah", "Nur Halimah")
    siti, nur = await member_id(app, "Siti Aminah"), await member_id(app, "Nur Halimah")
    await chat.tap(f"a:kg.signup:{kid}:{siti}")
    secret = await code(app, kid)

    await chat.send(f"hadir {secret}")
    assert "Kode benar: Posyandu balita. Siapa yang hadir?" in chat.text
    assert chat.labels[:2] == ["Siti Aminah", "Nur Halimah"]
    await chat.tap_label("Siti Aminah")
    assert "Ibu Siti Aminah tercatat hadir di Posyandu balita" in chat.text
    assert chat.labels[:2] == ["Siti Aminah ✅ hadir", "Nur Halimah"]
    await chat.send("2")  # typed: the second name on the screen
    assert "Ibu Nur Halimah tercatat hadir" in chat.text and "datang langsung" in chat.text
    by_member = {line.member_id: line.walk_in for line in await lines(app, kid)}
    assert by_member == {siti: False, nur: True}

    # Its buttons act only for its own mothers: another chat's mother is refused.
    [dewi] = await mothers(app, "Dewi Lestari")
    dewi_id = await member_id(app, "Dewi Lestari")
    await chat.tap(f"a:hd.in:{kid}:{dewi_id}:{secret}")
    assert NOT_FOR_YOU in chat.text
    await dewi.tap(f"a:hd.in:{kid}:{siti}:{secret}")
    assert NOT_FOR_YOU in dewi.text
    assert dewi_id not in {line.member_id for line in await lines(app, kid)}


async def test_hadir_on_the_kegiatan_screen_asks_for_the_code(app: App) -> None:
    kid = await kegiatan_soon(app, "Posyandu balita")
    later = await kegiatan_soon(app, "Kelas memasak", starts_in=timedelta(hours=5))
    [siti] = await mothers(app, "Siti Aminah")
    await siti.tap(f"a:kg.show:{later}")
    assert "Hadir" not in siti.labels  # not open yet
    await siti.tap(f"a:kg.show:{kid}")
    assert "Daftar hadir sudah dibuka" in siti.text
    await siti.send("hadir")  # the button, typed
    assert "Ketik kode hadir Posyandu balita" in siti.text
    await siti.send(await code(app, later))  # a real code, of another kegiatan
    assert "tidak cocok" in siti.text and "Ketik kode hadir Posyandu balita" in siti.text
    await siti.send(await code(app, kid))
    assert "✅ Ibu tercatat hadir di Posyandu balita" in siti.text
    assert len(await lines(app, kid)) == 1


async def test_hadir_alone_asks_and_a_guest_is_asked_to_register(app: App, chat: Chat) -> None:
    kid = await kegiatan_soon(app, "Posyandu balita")
    await chat.send(f"hadir {await code(app, kid)}")
    assert "daftar" in chat.text.lower()
    assert await lines(app, kid) == []
    [siti] = await mothers(app, "Siti Aminah")
    await siti.send("hadir")
    assert "Ketik kode hadir:" in siti.text
    await siti.send("batal")
    assert "tidak jadi dicatat hadir" in siti.text
    assert await lines(app, kid) == []


async def test_her_kader_checks_in_a_mother_without_a_phone(app: App) -> None:
    kid = await kegiatan_soon(app, "Posyandu balita")
    kader = await make_kader(app)
    yati = await mother_without_phone(app, "Ani Lestari", "Yati Rohayati")
    await kader.tap(f"a:kg.show:{kid}:{yati}")
    assert "Untuk Ibu Yati Rohayati" in kader.text
    await kader.tap_label("Hadir")
    await kader.send(await code(app, kid))
    assert "Ibu Yati Rohayati tercatat hadir di Posyandu balita" in kader.text
    [line] = await lines(app, kid)
    assert line.member_id == yati
    assert line.marked_by_member_id == await member_id(app, "Ani Lestari")
    async with app.sessions() as s:
        [did] = await s.scalars(select(AuditEntry).where(AuditEntry.action == "checkin.for_mother"))
    assert did.object_id == str(yati) and did.detail["by"] == "kader"
    # A mother of another chat cannot do the same for her.
    [dewi] = await mothers(app, "Dewi Lestari")
    await dewi.tap(f"a:hd.ask:{kid}:{yati}")
    assert NOT_FOR_YOU in dewi.text


async def test_the_check_in_window_is_a_setting(app: App) -> None:
    kid = await kegiatan_soon(app, "Posyandu balita", starts_in=timedelta(minutes=30))
    [siti] = await mothers(app, "Siti Aminah")
    narrow = Engine(app.sessions, Config.build(WIB, checkin_before=timedelta(minutes=10)))
    early = Chat(narrow, identity=siti.identity)
    await early.send(f"hadir {await code(app, kid)}")
    assert "belum dibuka" in early.text
    await siti.send(f"hadir {await code(app, kid)}")  # the default hour before
    assert "tercatat hadir" in siti.text
