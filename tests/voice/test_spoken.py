"""The spoken-form table: what a mother hears for what she would read. A synthesiser reads
"09.00 WIB" as "nol sembilan titik nol nol" and "OPD" as a word; the voice note must say
"jam sembilan pagi" and "o pe de", leave emoji and menu numbers out and read the choices."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.parse.spoken import PART_LIMIT, split_spoken, spoken

# Monday 30 November 2026: dates within about ten months are said without their year.
TODAY = date(2026, 11, 30)

TABLE = [
    ("pukul 09.00 WIB", "jam sembilan pagi."),
    ("09.00 WIB", "jam sembilan pagi."),
    ("pukul 13.30 WIB", "jam setengah dua siang."),
    ("jam 9.15", "jam sembilan lewat seperempat pagi."),
    ("10.45", "jam sebelas kurang seperempat pagi."),
    ("pukul 00.00", "jam dua belas malam."),
    ("12.00 WIB", "jam dua belas siang."),
    ("18.00", "jam enam sore."),
    ("19.00 WIB", "jam tujuh malam."),
    ("07.05", "jam tujuh lewat lima menit pagi."),
    ("pukul 16.20 WITA", "jam empat lewat dua puluh menit sore."),
    ("jam 7 malam", "jam tujuh malam."),
    ("jam 2 siang", "jam dua siang."),
    ("Posyandu 09.00–11.00 WIB", "Posyandu jam sembilan pagi sampai jam sebelas siang."),
    ("pukul 08:30", "jam setengah sembilan pagi."),
    ("Selasa, 1 Desember 2026", "Selasa, satu Desember."),
    ("Selasa, 1 Desember 2026 pukul 09.00 WIB", "Selasa, satu Desember, jam sembilan pagi."),
    (
        "Rabu, 31 Juli 2018 pukul 09.00 WIB",
        "Rabu, tiga puluh satu Juli dua ribu delapan belas, jam sembilan pagi.",
    ),
    ("Kam 3 Des 10.00", "Kamis, tiga Desember, jam sepuluh pagi."),
    (
        "Sab 12 Des 09.00 · Pembentukan kelompok UP2K",
        "Sabtu, dua belas Desember, jam sembilan pagi, Pembentukan kelompok u pe dua ka.",
    ),
    ("12/08/2026", "dua belas Agustus."),
    ("1/12", "satu Desember."),
    ("2026-12-05", "lima Desember."),
    ("5 Jan 2027", "lima Januari."),
    ("Jumat, 4 Desember 2026", "Jumat, empat Desember."),
    ("17 Agustus 1945", "tujuh belas Agustus seribu sembilan ratus empat puluh lima."),
    ("200 KK binaan", "dua ratus ka ka binaan."),
    ("1 orang", "satu orang."),
    ("11 orang", "sebelas orang."),
    ("15 peserta", "lima belas peserta."),
    ("100 peserta", "seratus peserta."),
    ("120 peserta", "seratus dua puluh peserta."),
    ("1.500 orang", "seribu lima ratus orang."),
    ("2.500.000", "dua juta lima ratus ribu."),
    ("Rp 15.000,-", "lima belas ribu rupiah."),
    ("Rp5.000", "lima ribu rupiah."),
    ("diskon 50%", "diskon lima puluh persen."),
    ("2,5 kg", "dua koma lima kilogram."),
    ("kegiatan ke-1", "kegiatan pertama."),
    ("Ke-3", "Ketiga."),
    ("(1–4 dari 4)", "satu sampai empat dari empat."),
    ("10-12 orang", "sepuluh sampai dua belas orang."),
    ("3x seminggu", "tiga kali seminggu."),
    ("laporan #12", "laporan nomor dua belas."),
    ("No. 7", "nomor tujuh."),
    ("kode 007", "kode nol nol tujuh."),
    ("tahun 2026", "tahun dua ribu dua puluh enam."),
    ("RT 003/RW 005", "er te tiga, er we lima."),
    ("RT 3 RW 5", "er te tiga, er we lima."),
    ("RT/RW 003/005", "er te tiga, er we lima."),
    ("RT/RW Ibu berapa? Contoh: 3/5", "er te er we Ibu berapa? Contoh: er te tiga, er we lima."),
    ("RT 12", "er te dua belas."),
    ("0812-3456-7890", "nol delapan satu dua, tiga empat lima enam, tujuh delapan sembilan nol."),
    (
        "+62 812 3456 7890",
        "plus enam dua, delapan satu dua tiga, empat lima enam tujuh, delapan sembilan nol.",
    ),
    ("hadir K7WFE", "hadir ka tujuh we ef e."),
    ("Kel. Bendung", "Kelurahan Bendung."),
    ("Kec. Kasemen", "Kecamatan Kasemen."),
    ("Kab. Serang", "Kabupaten Serang."),
    ("Jl. Raya", "Jalan Raya."),
    ("Pelayanan KB", "Pelayanan ka be."),
    ("Sosialisasi PHBS", "Sosialisasi pe ha be es."),
    ("Kelompok UP2K", "Kelompok u pe dua ka."),
    ("OPD", "o pe de."),
    ("TP-PKK", "te pe pe ka ka."),
    ("DP3AKB Kota Serang", "de pe tiga a ka be Kota Serang."),
    ("P2WKSS", "pe dua we ka es es."),
    ("nomor HP", "nomor ha pe."),
    ("dll.", "dan lain-lain."),
    ("s/d", "sampai dengan."),
    ("yg datang", "yang datang."),
    ("Ketik BERHENTI", "Ketik berhenti."),
    ("GRATIS untuk semua", "gratis untuk semua."),
    ("RSIA", "er es i a."),
    ("NIK tidak diminta", "nik tidak diminta."),
    ("Puskesmas", "Puskesmas."),
    ("⏰ Pengingat: Penyuluhan gizi balita", "Pengingat: Penyuluhan gizi balita."),
    ("✅ Pendaftaran berhasil 🎉", "Pendaftaran berhasil."),
    ("1️⃣ Kegiatan", "Kegiatan."),
    ("1. Kegiatan\n2. Jadwal saya", "Kegiatan.\nJadwal saya."),
    ("• menu: kembali ke menu utama", "menu: kembali ke menu utama."),
    ("Nomor HP: (tidak ada)", "Nomor ha pe: tidak ada."),
    ("ya/tidak", "ya atau tidak."),
    ("Ibu & anak", "Ibu dan anak."),
    ('Tekan "Tetap ikut"', "Tekan Tetap ikut."),
    ("*Penting*: bawa buku KIA", "Penting: bawa buku ka i a."),
    ("Lihat https://t.me/p2wkss_bot?start=abc", "Lihat tautan."),
    ("Tunggu…", "Tunggu."),
    ("Telegram+WhatsApp", "Telegram dan WhatsApp."),
]


@pytest.mark.parametrize(("written", "said"), TABLE)
def test_a_message_is_read_the_way_people_speak(written: str, said: str) -> None:
    assert spoken(written, today=TODAY) == said


def test_the_table_covers_at_least_sixty_cases() -> None:
    assert len(TABLE) >= 60


def test_a_menu_reads_its_choices_as_pilih_satu_untuk() -> None:
    text = spoken(
        "Menu utama. Tekan tombol atau ketik nomornya:",
        ["Kegiatan", "Jadwal saya", "Sosialisasi PHBS (hidup b…", "« Sebelumnya"],
        today=TODAY,
    )
    assert text.split("\n") == [
        "Menu utama. Tekan tombol atau ketik nomornya.",
        "Pilih satu untuk Kegiatan.",
        "Pilih dua untuk Jadwal saya.",
        # A label cut short on its button: the cut word is left out.
        "Pilih tiga untuk Sosialisasi pe ha be es hidup.",
        "Pilih empat untuk Sebelumnya.",
    ]


def test_a_reminder_reads_as_sentences_without_its_emoji() -> None:
    reminder = (
        "⏰ Pengingat: Penyuluhan gizi balita\nSabtu, 5 Desember 2026 pukul 09.00 WIB\n"
        "Tempat: Posyandu Melati, Cibening\nSaat datang, ketik: hadir <kode>"
    )
    assert spoken(reminder, ["Tetap ikut", "Batal ikut"], today=TODAY).split("\n") == [
        "Pengingat: Penyuluhan gizi balita.",
        "Sabtu, lima Desember, jam sembilan pagi.",
        "Tempat: Posyandu Melati, Cibening.",
        "Saat datang, ketik: hadir kode.",
        "Pilih satu untuk Tetap ikut.",
        "Pilih dua untuk Batal ikut.",
    ]


def test_english_keeps_the_cleaning_and_reads_its_choices() -> None:
    text = spoken(
        "Tuesday, 1 December 2026 at 09:00 WIB ✅\nRT 003/RW 005", ["Yes", "No"], lang="en"
    )
    assert text.split("\n") == [
        "Tuesday, 1 December 2026 at 9 in the morning.",
        "RT 3, RW 5.",
        "Choose 1 for Yes.",
        "Choose 2 for No.",
    ]


def test_nothing_to_say_gives_nothing() -> None:
    assert spoken("🎉 ✅ …", today=TODAY) == ""


def test_a_short_text_is_one_part() -> None:
    assert split_spoken("Halo, Bu.\nPilih satu untuk Kegiatan.") == [
        "Halo, Bu.\nPilih satu untuk Kegiatan."
    ]


def test_a_long_text_is_cut_between_paragraphs_first() -> None:
    paragraph = "Kegiatan penyuluhan gizi untuk ibu dan balita di posyandu. " * 4
    text = "\n".join([paragraph.strip()] * 5)
    parts = split_spoken(text)
    assert len(parts) > 1
    assert all(len(p) <= PART_LIMIT for p in parts)
    # Every part is whole paragraphs: nothing was cut inside one.
    assert all(line == paragraph.strip() for p in parts for line in p.split("\n"))
    assert "\n".join(parts) == text


def test_a_paragraph_too_long_is_cut_between_sentences() -> None:
    sentences = [f"Kalimat nomor {number} berisi sedikit keterangan tambahan." for number in
                 ("satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
                  "sepuluh", "sebelas", "dua belas", "tiga belas", "empat belas")]  # fmt: skip
    parts = split_spoken(" ".join(sentences), limit=200)
    assert len(parts) > 1
    assert all(len(p) <= 200 and p.endswith(".") for p in parts)
    assert " ".join(parts) == " ".join(sentences)


def test_a_sentence_too_long_is_cut_at_commas_then_words() -> None:
    sentence = ", ".join(["ibu-ibu kampung Sumberan dan Cibening"] * 30) + "."
    parts = split_spoken(sentence, limit=120)
    assert all(len(p) <= 120 for p in parts)
    assert " ".join(parts) == sentence
    no_commas = " ".join(["penyuluhan"] * 100)
    parts = split_spoken(no_commas, limit=100)
    assert all(len(p) <= 100 and not p.startswith(" ") for p in parts)
    assert " ".join(parts) == no_commas
