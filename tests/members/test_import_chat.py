"""An admin sends the KK binaan list in chat: the dry run, a fresh confirmation, the result;
whatever file comes, a kind word and nothing half-imported. Only admins."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.app import App, open_app
from bot.settings import Settings
from handlers.core.types import Kind, Media
from models import Member
from tests.support.chat import Chat, register
from tests.support.kader import admin_chat
from tests.support.sheets import (
    HEADER,
    csv_file,
    document,
    far_corner_cell,
    file_downloader,
    rewrite_sheet,
    xlsx,
)
from tests.support.staff import make_kader

ROWS = [
    HEADER,
    ("Siti Aminah", "Sumberan", 3, 5, "0812-3456-7890", "Melati", "ibu"),
    ("Dewi Lestari", "Sumberan", 3, 5, "0812-3456-7890", "Melati", "ibu"),
    ("Yuli", "Atlantis", 1, 1, "", "", "ibu"),
]


async def named_members(app: App) -> list[str]:
    async with app.sessions() as s:
        rows = await s.scalars(
            select(Member.full_name).where(Member.role != "admin").order_by(Member.id)
        )
        return [r or "" for r in rows]


def stored_files(settings: Settings) -> list[Path]:
    folder = settings.media_dir / "imports"
    return list(folder.iterdir()) if folder.is_dir() else []


async def opens_import(admin: Chat) -> None:
    await admin.send("menu")
    await admin.tap_label("Lainnya")
    await admin.tap_label("Impor data KK binaan")
    assert "Contoh file" in admin.text and "NIK" in admin.text
    [template] = [r for r in admin.replies if r.document is not None]
    assert template.document_name == "template_kk_binaan.csv"
    assert "Kirim file daftar KK binaan" in admin.text and "20 MB" in admin.text


async def test_admin_mengimpor_daftar_dengan_baris_salah_lewat_chat(
    app: App, settings: Settings, tmp_path: Path
) -> None:
    path = xlsx(tmp_path / "kk.xlsx", [*ROWS, ("Ani", "Cibening", 1, 2, "", "", "kader")])
    admin = await admin_chat(app)
    with file_downloader({"f1": path.read_bytes()}):
        await opens_import(admin)
        await admin.send("ini daftarnya")  # text, not a file: asked again
        assert "sebagai file" in admin.text
        await admin.deliver(document(admin, "f1", "kk.xlsx"))
    text = admin.text
    assert "File kk.xlsx: 4 baris data." in text
    assert "Akan ditambahkan: 3 (2 ibu, 1 kader)." in text
    assert "Baris salah: 1." in text and "baris 4, kampung: kampung tidak dikenal" in text
    assert "Belum ada yang disimpan" in text
    assert admin.labels[:3] == ["Impor yang benar saja", "Kirim file lain", "Tidak jadi"]
    assert await named_members(app) == [] and len(stored_files(settings)) == 1

    await admin.tap_label("Impor yang benar saja")
    assert "Impor 3 anggota sekarang, tanpa baris yang salah?" in admin.text
    await admin.send("ya")
    assert "Selesai: 3 anggota ditambahkan (2 ibu, 1 kader)." in admin.text
    assert "1 baris salah dilewati." in admin.text
    assert await named_members(app) == ["Siti Aminah", "Dewi Lestari", "Ani"]
    assert stored_files(settings) == []  # names and phones are not kept on disk


async def test_a_clean_list_asks_once_and_batal_imports_nothing(
    app: App, settings: Settings, tmp_path: Path
) -> None:
    path = csv_file(tmp_path / "kk.csv", ROWS[:3], sep=";", encoding="cp1252")
    admin = await admin_chat(app)
    with file_downloader({"f1": path.read_bytes()}):
        await opens_import(admin)
        await admin.deliver(document(admin, "f1", "kk.csv"))
    assert "Akan ditambahkan: 2 (2 ibu, 0 kader)." in admin.text
    assert "Impor 2 anggota sekarang?" in admin.text
    assert admin.labels == ["Ya, impor", "Tidak jadi"]
    await admin.send("batal")
    assert "Impor dibatalkan" in admin.text
    assert await named_members(app) == [] and stored_files(settings) == []


async def test_files_that_cannot_be_imported_each_get_a_kind_word(
    app: App, settings: Settings, tmp_path: Path
) -> None:
    bomb = rewrite_sheet(xlsx(tmp_path / "bom.xlsx", ROWS[:2]), far_corner_cell)
    files = {
        "pdf": b"%PDF-1.7\n" + b"x" * 200,
        "xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200,
        "bomb": bomb.read_bytes(),
        "nohead": b"a,b\n1,2\n",
    }
    admin = await admin_chat(app)
    with file_downloader(files):
        await opens_import(admin)
        expected = {
            ("pdf", "surat.pdf"): "bukan file tabel",
            ("xls", "lama.xls"): "file Excel lama (.xls)",
            ("bomb", "bom.xlsx"): "terlalu banyak baris (paling banyak 5000)",
            ("nohead", "data.csv"): "Judul kolom tidak ditemukan",
        }
        for (ref, name), said in expected.items():
            await admin.deliver(document(admin, ref, name))
            assert said in admin.text, name
            assert "Kirim file daftar KK binaan" in admin.text  # asked again, nothing lost
        await admin.deliver(document(admin, "big", "besar.xlsx", size=21 * 1024 * 1024))
        assert "terlalu besar: paling besar 20 MB" in admin.text
        await admin.deliver(admin._incoming(Kind.PHOTO, media=Media(file_ref="p")))
        assert "Itu foto" in admin.text
    assert await named_members(app) == [] and stored_files(settings) == []


async def test_a_file_over_import_max_mb_is_refused(settings: Settings, tmp_path: Path) -> None:
    small = settings.model_copy(update={"import_max_mb": 0.01})
    app = await open_app(small, auto_migrate=False)
    try:
        path = csv_file(tmp_path / "kk.csv", [ROWS[0], *[ROWS[1]] * 300])
        admin = await admin_chat(app)
        with file_downloader({"f1": path.read_bytes()}):
            await admin.tap("a:mb.import")
            assert "paling besar 0.01 MB" in admin.text
            await admin.deliver(document(admin, "f1", "kk.csv"))
        assert "terlalu besar" in admin.text
        assert await named_members(app) == []
    finally:
        await app.close()


async def test_a_mother_or_a_kader_cannot_import(app: App, tmp_path: Path) -> None:
    mother = Chat(app.engine, identity="tg-ibu")
    await register(mother)
    await mother.send("impor data")  # the menu word of the admins' entry
    assert "hanya untuk petugas" in mother.text
    await mother.tap("a:mb.import")  # a forged button
    assert "hanya untuk petugas" in mother.text and "Kirim file daftar" not in mother.text
    path = csv_file(tmp_path / "kk.csv", ROWS[:3])
    with file_downloader({"f1": path.read_bytes()}) as asked:
        await mother.deliver(document(mother, "f1", "kk.csv"))
        assert "hanya bisa membaca tulisan" in mother.text and asked == []
        kader = await make_kader(app)
        await kader.tap("a:mb.import")
        assert "hanya untuk petugas" in kader.text
    assert await named_members(app) == ["Siti Aminah", "Ani Lestari"]
