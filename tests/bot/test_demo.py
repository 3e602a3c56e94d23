"""The living demo and the kegiatan import, as a newcomer and an operator would run them."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import run_cli

REGISTER = "daftar\nya\nSiti Aminah\nSumberan\n3/5\n081234567890\nsimpan\n"


def test_the_demo_has_kegiatan_and_its_own_database(tmp_path: Path) -> None:
    production = tmp_path / "production.db"
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{production}"}
    result = run_cli(["chat", "--demo"], stdin=REGISTER + "kegiatan\n1\n", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "Pelatihan menjahit" in result.stdout and "Penyuluhan gizi balita" in result.stdout
    assert "Sisa tempat: 3" in result.stdout and "Selesai: pukul 12.00 WIB" in result.stdout
    assert (tmp_path / "p2wkss-demo.db").exists()
    assert not production.exists() and not (tmp_path / "p2wkss.db").exists()

    admin = run_cli(["chat", "--demo", "--user", "admin"], stdin="menu\n", cwd=tmp_path)
    assert "Kelola kegiatan" in admin.stdout and "Kirim pengumuman" in admin.stdout
    kader = run_cli(["chat", "--demo", "--user", "kader"], stdin="menu\n", cwd=tmp_path)
    assert "Ani Lestari" in kader.stdout
    assert "Lapor" in kader.stdout and "Ibu binaan" in kader.stdout
    again = run_cli(["chat", "--demo"], stdin="jadwal saya\n", cwd=tmp_path)
    assert again.stdout.count("Pelatihan menjahit") <= 1  # the examples are not added twice


def test_kegiatan_import_loads_a_schedule_or_nothing(tmp_path: Path) -> None:
    db = tmp_path / "import.db"
    good = tmp_path / "jadwal.csv"
    good.write_text(
        "jenis,judul,opd,tempat,mulai,selesai,kuota,sasaran\n"
        "Pelatihan,Pelatihan membatik,DP3AKB,Balai Warga,2099-03-02 09:00,12.00,10,Sumberan\n"
        "Penyuluhan,Penyuluhan stunting,Dinkes,Posyandu,2099-03-05 13:00,15.00,,\n"
    )
    result = run_cli(["kegiatan", "import", str(good), "--db", str(db)])
    assert result.returncode == 0, result.stderr
    assert "imported 2 kegiatan" in result.stdout

    bad = tmp_path / "salah.csv"
    bad.write_text(
        "jenis,judul,opd,tempat,mulai,selesai,kuota\n"
        "Pelatihan,Kelas A,DP3AKB,Balai,2099-04-01 09:00,12.00,5\n"
        "Pelatihan,Kelas B,DP3AKB,Balai,31 Februari 2099 09.00,12.00,banyak\n"
    )
    result = run_cli(["kegiatan", "import", str(bad), "--db", str(db)])
    assert result.returncode == 1
    assert "nothing imported" in result.stderr and "row 3" in result.stderr
    chat = run_cli(["chat", "--db", str(db)], stdin=REGISTER + "kegiatan\n")
    assert "Pelatihan membatik" in chat.stdout and "Kelas A" not in chat.stdout
