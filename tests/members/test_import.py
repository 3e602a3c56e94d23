"""Importing the kelurahan's KK binaan list: every row checked, bad rows named, duplicates
reported rather than doubled, columns outside the template never stored."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.app import App
from models import AuditEntry, Member, utcnow
from models.base import transaction
from models.member_import import ImportPlan, apply_plan, plan_import
from models.sheets import read_rows
from tests.support.chat import Chat, register
from tests.support.sheets import HEADER, csv_file, xlsx

GOOD = [
    ("Siti Aminah", "Sumberan", 3, 5, "0812-3456-7890", "Melati 1", "ibu"),
    ("Dewi Lestari", "Kp. Sumberan", "003", "005", "+62 812 3456 7890", "Melati 1", ""),
    ("Rina Marlina", "CIBENING", 1, 2, 81398765432, "Mawar", "Kader"),
]


async def plan_of(app: App, path: Path) -> ImportPlan:
    async with transaction(app.sessions) as s:
        return await plan_import(s, read_rows(path))


async def run(app: App, path: Path, *, skip_bad: bool = False) -> ImportPlan:
    async with transaction(app.sessions) as s:
        plan = await plan_import(s, read_rows(path))
        await apply_plan(s, plan, now=utcnow(), skip_bad=skip_bad)
        return plan


async def members(app: App) -> dict[str, Member]:
    async with app.sessions() as s:
        found = await s.scalars(select(Member).where(Member.full_name.is_not(None)))
        return {m.full_name or "": m for m in found}


async def test_a_list_with_good_and_bad_rows_imports_nothing_and_names_each_bad_row(
    app: App, tmp_path: Path
) -> None:
    rows = [
        HEADER,
        *GOOD,
        (),  # an empty row: skipped, the row numbers stay the spreadsheet's
        ("Ani 2", "Sumberan", 4, 1, "", "", "ibu"),
        ("Yuli", "Atlantis", 1, 1, "", "", "ibu"),
        ("Wati", "Cibening", "", 1, "12345", "", "ibu"),
        ("Bu Admin", "Cibening", 1, 1, "", "", "admin"),
    ]
    path = csv_file(tmp_path / "kk.csv", rows)
    dry = await plan_of(app, path)
    assert [(m.row, m.full_name, m.role) for m in dry.new] == [
        (2, "Siti Aminah", "ibu"), (3, "Dewi Lestari", "ibu"), (4, "Rina Marlina", "kader"),
    ]  # fmt: skip
    assert [(p.row, p.column, p.reason) for p in dry.problems] == [
        (6, "nama", "name_digits"),
        (7, "kampung", "unknown_kampung"),
        (8, "RT", "empty"),
        (8, "no HP", "phone_invalid"),
        (9, "peran", "role_admin"),
    ]
    assert dry.bad_rows == [6, 7, 8, 9] and dry.rows == 7
    assert str(dry.problems[1]) == "row 7, kampung: unknown kampung: 'Atlantis'"
    assert await members(app) == {}  # the dry run wrote nothing

    plan = await run(app, path)
    assert plan.created == [] and await members(app) == {}

    plan = await run(app, path, skip_bad=True)
    assert len(plan.created) == 3
    got = await members(app)
    assert set(got) == {"Siti Aminah", "Dewi Lestari", "Rina Marlina"}
    siti, dewi, rina = got["Siti Aminah"], got["Dewi Lestari"], got["Rina Marlina"]
    # Phones as people write them, one number: a shared household phone is normal.
    assert siti.phone_e164 == dewi.phone_e164 == "+6281234567890"
    assert rina.phone_e164 == "+6281398765432"  # a number cell that lost its leading 0
    assert (dewi.rt, dewi.rw, dewi.dasa_wisma, dewi.role) == (3, 5, "Melati 1", "ibu")
    assert rina.role == "kader" and rina.kampung is not None and rina.kampung.name == "Cibening"
    # Imported: no consent given, no chat, nobody verified the number.
    assert all(m.consent_at is None and not m.phone_verified for m in got.values())


async def test_every_kader_an_import_makes_is_in_the_audit_log(app: App, tmp_path: Path) -> None:
    plan = await run(app, csv_file(tmp_path / "kk.csv", [HEADER, *GOOD]))
    rina = (await members(app))["Rina Marlina"]
    async with app.sessions() as s:
        entries = list(await s.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    grants = [e for e in entries if e.action == "role.grant"]
    imports = [e for e in entries if e.action == "member.import"]
    assert [(g.object_id, g.actor, g.detail["role"], g.detail["via"]) for g in grants] == [
        (str(rina.id), "cli", "kader", "import")
    ]
    assert sorted(int(e.object_id or 0) for e in imports) == sorted(plan.created)


async def test_duplicates_in_the_file_and_in_the_database_are_reported_not_doubled(
    app: App, tmp_path: Path
) -> None:
    await register(Chat(app.engine, identity="tg-siti"), name="Siti Aminah")  # Sumberan 3/5
    rows = [
        HEADER,
        ("SITI AMINAH", "Sumberan", 3, 5, "", "", ""),  # already registered in chat
        ("Siti Aminah", "Sumberan", 9, 9, "0812 3456 7890", "", ""),  # her phone: the same
        ("Nur Hayati", "Cibening", 2, 2, "0813-1111-0000", "", ""),
        ("Nur Hayati", "Cibening", 2, 2, "", "", ""),  # same name, kampung, RT as row 4
        ("nur hayati", "Sumberan", 7, 7, "0813 1111 0000", "", ""),  # same name and phone
        ("Nur Hayati", "Sumberan", 7, 8, "", "", ""),  # another Nur Hayati: fine
        ("Ida Farida", "Cibening", 2, 2, "0813-1111-0000", "", ""),  # shared phone: fine
    ]
    plan = await run(app, xlsx(tmp_path / "kk.xlsx", rows))
    assert [(d.row, d.reason, d.other_row) for d in plan.duplicates] == [
        (2, "db_place", None), (3, "db_phone", None), (5, "file_place", 4),
        (6, "file_phone", 4),
    ]  # fmt: skip
    assert str(plan.duplicates[2]) == "row 5: Nur Hayati: same name, kampung and RT as row 4"
    assert [m.row for m in plan.new] == [4, 7, 8] and len(plan.created) == 3
    again = await plan_of(app, xlsx(tmp_path / "kk.xlsx", rows))
    assert again.new == [] and len(again.duplicates) == 7


async def test_a_nik_column_is_ignored_reported_and_never_stored(app: App, tmp_path: Path) -> None:
    nik = "3604011234560001"
    rows = [("No.", "NIK", *HEADER, "Pekerjaan"), (1, nik, *GOOD[0], "IRT")]
    plan = await run(app, csv_file(tmp_path / "kk.csv", rows))
    assert plan.ignored_columns == ["NIK", "Pekerjaan"] and len(plan.created) == 1
    async with app.sessions() as s:
        member = await s.get(Member, plan.created[0])
        entries = list(await s.scalars(select(AuditEntry)))
    assert member is not None
    stored = [str(getattr(member, c.key)) for c in Member.__table__.columns]
    stored += [str(e.detail) for e in entries]
    assert not any(nik in value for value in stored)


async def test_a_kelurahan_sheet_with_a_title_and_merged_header_cells(
    app: App, tmp_path: Path
) -> None:
    path = xlsx(
        tmp_path / "warung_jaud.xlsx",
        [
            ["DAFTAR KK BINAAN P2WKSS KELURAHAN WARUNG JAUD"],
            ["No", "Nama Lengkap", "Alamat", None, "No. HP/WA", "Dasa Wisma"],
            [None, None, "Kampung", "RT/RW", None, None],
            [None, None, None, None, None, None],
            [1, "Siti Aminah", "Sumberan", "003/005", "0812-3456-7890", "Melati"],
            [2, "Dewi Lestari", "Sumberan", "RT 4 RW 5", None, None],
        ],
        merge=("A1:F1", "A2:A3", "B2:B3", "C2:D2", "E2:E3", "F2:F3"),
    )
    plan = await run(app, path)
    assert plan.problems == [] and plan.header_row == 3
    assert [(m.row, m.full_name, m.rt, m.rw) for m in plan.new] == [
        (5, "Siti Aminah", 3, 5), (6, "Dewi Lestari", 4, 5),
    ]  # fmt: skip
    merged_rt_rw = xlsx(
        tmp_path / "rtrw.xlsx",
        [["nama", "kampung", "RT/RW", None], [None, None, "RT", "RW"], ["Ani", "Sumberan", 1, 2]],
        merge=("C1:D1",),
    )
    assert [(m.rt, m.rw) for m in (await plan_of(app, merged_rt_rw)).new] == [(1, 2)]


async def test_a_windows_1252_csv_with_semicolons_from_indonesian_excel(
    app: App, tmp_path: Path
) -> None:
    rows = [HEADER, ("Siti Nur’aini", "Sumberan", "003", "005", "0812-3456-7890", "Mawar", "")]
    plan = await run(app, csv_file(tmp_path / "excel.csv", rows, sep=";", encoding="cp1252"))
    assert plan.problems == []
    assert "Siti Nur’aini" in await members(app)
