"""`p2wkss-bot kader invite|list|revoke|remove`, on the test's database (SQLite, and
PostgreSQL when TEST_POSTGRES_URL is set), with the chat on the same database."""

from __future__ import annotations

import asyncio
import re

from bot.app import App
from tests.support.chat import Chat, register
from tests.support.cli import run_cli
from tests.support.fakes.telegram_api import FakeTelegramServer
from tests.support.kader import audit_rows, member_named
from tests.support.telegram_harness import TOKEN

CODE = re.compile(r"^code: ([A-Z2-9]{8})$", re.MULTILINE)


async def kader(db_url: str, *args: str, **env: str) -> tuple[int, str, str]:
    # In a thread: the command runs its own event loop, and this one may serve a fake API.
    result = await asyncio.to_thread(run_cli, ["kader", *args], env={"DATABASE_URL": db_url, **env})
    return result.returncode, result.stdout, result.stderr


async def test_invite_prints_the_code_the_link_and_how_to_type_it(app: App, db_url: str) -> None:
    status, out, err = await kader(
        db_url, "invite", "--name", "rina marlina", "--kampung", "sumbran",
        TELEGRAM_BOT_USERNAME="@p2wkss_bot",
    )  # fmt: skip
    assert status == 0, err
    [code] = CODE.findall(out)
    first = out.splitlines()[0]
    assert first == "invitation for Rina Marlina, kader of Sumberan (Kel. Warung Jaud)"
    assert f"link: https://t.me/p2wkss_bot?start={code}\n" in out
    assert f"or type in the chat: kode {code}\n" in out
    assert "valid until " in out and "WIB, for one use" in out

    status, out, _ = await kader(db_url, "list")
    assert status == 0
    assert re.search(rf"^invite\t{code}\tRina Marlina\tSumberan\tuntil \d{{4}}-", out, re.M)

    rina = Chat(app.engine, identity="tg-rina")
    await rina.send(f"/start {code}")
    await rina.send("setuju")
    assert "Ibu sekarang kader Sumberan" in rina.text
    member = await member_named(app, "Rina Marlina")
    status, out, _ = await kader(db_url, "list", "--kampung", "Sumberan")
    assert re.search(rf"^kader\t{member.id}\tRina Marlina\tSumberan\tsince \d{{4}}-", out, re.M)
    assert "invite\t" not in out
    [made] = await audit_rows(app, "kader.invite")
    assert made.actor == "cli" and made.actor_member_id is None
    grant = [r for r in await audit_rows(app, "role.grant") if r.detail.get("role") == "kader"]
    assert [g.actor for g in grant] == ["cli"]


async def test_without_a_username_the_code_is_printed_to_type(app: App, db_url: str) -> None:
    status, out, err = await kader(db_url, "invite", "--name", "Dewi", "--kampung", "Cibening")
    assert status == 0, err
    assert "set TELEGRAM_BOT_USERNAME" in out and "kode " in out and "t.me" not in out


async def test_the_username_is_asked_of_telegram_when_only_a_token_is_set(
    app: App, db_url: str, fake: FakeTelegramServer
) -> None:
    status, out, err = await kader(
        db_url, "invite", "--name", "Dewi Lestari", "--kampung", "Cibening",
        TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake.base_url,
    )  # fmt: skip
    assert status == 0, err
    [code] = CODE.findall(out)
    assert f"https://t.me/p2wkss_test_bot?start={code}" in out
    assert TOKEN not in out + err


async def test_a_revoked_invitation_is_refused_kindly_in_chat(app: App, db_url: str) -> None:
    _, out, _ = await kader(db_url, "invite", "--name", "Rina Marlina", "--kampung", "Sumberan")
    [code] = CODE.findall(out)
    assert (await kader(db_url, "revoke", code.lower()))[:2] == (0, f"invitation {code} revoked\n")
    status, _, err = await kader(db_url, "revoke", code)
    assert status == 2 and "already revoked" in err
    rina = Chat(app.engine, identity="tg-rina")
    await rina.send(f"kode {code}")
    assert "sudah dibatalkan oleh admin" in rina.text
    [revoked] = await audit_rows(app, "kader.invite_revoke")
    assert revoked.actor == "cli"

    _, out, _ = await kader(db_url, "invite", "--name", "Dewi Lestari", "--kampung", "Sumberan")
    [used] = CODE.findall(out)
    await rina.send(f"kode {used}")
    await rina.send("setuju")
    status, _, err = await kader(db_url, "revoke", used)
    assert status == 2 and "already used" in err
    status, _, err = await kader(db_url, "revoke", "NOPE2345")
    assert status == 2 and "no invitation" in err


async def test_bad_input_writes_nothing(app: App, db_url: str) -> None:
    for args, says in (
        (["invite", "--name", "Rina", "--kampung", "Jakarta"], "no kampung 'Jakarta'"),
        (["invite", "--name", "12345", "--kampung", "Sumberan"], "name is not usable"),
        (["invite", "--name", "Rina", "--kampung", "Sumberan", "--days", "0"], "--days"),
        (["list", "--kampung", "Atlantis"], "no kampung"),
        (["remove", "--member-id", "999999"], "no kader to remove"),
    ):
        status, _, err = await kader(db_url, *args)
        assert status == 2 and says in err, (args, err)
    assert await audit_rows(app, "kader.invite") == []
    assert (await kader(db_url, "list"))[1] == "no kader, open invitations or waiting requests\n"


async def test_remove_by_member_id_keeps_a_mother_registered(
    app: App, db_url: str, chat: Chat
) -> None:
    await register(chat, name="Siti Aminah")
    _, out, _ = await kader(db_url, "invite", "--name", "Siti Aminah", "--kampung", "Sumberan")
    await chat.send(f"kode {CODE.findall(out)[0]}")
    siti = await member_named(app, "Siti Aminah")
    assert siti.role == "kader"
    status, out, err = await kader(db_url, "remove", "--member-id", str(siti.id))
    assert (status, out) == (0, f"member {siti.id}: no longer a kader\n"), err
    assert (await member_named(app, "Siti Aminah")).role == "ibu"
    [revoke] = [r for r in await audit_rows(app, "role.revoke") if r.detail["role"] == "kader"]
    assert revoke.actor == "cli" and revoke.object_id == str(siti.id)


async def test_remove_by_telegram_id_refreshes_her_command_menu(
    app: App, db_url: str, fake: FakeTelegramServer
) -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake.base_url}
    _, out, _ = await kader(db_url, "invite", "--name", "Rina Marlina", "--kampung", "Sumberan")
    rina = Chat(app.engine, identity="4242", channel="telegram")
    await rina.send(f"kode {CODE.findall(out)[0]}")
    await rina.send("setuju")
    status, out, err = await kader(db_url, "remove", "--telegram-id", "4242", **env)
    assert status == 0 and "no longer a kader" in out, err
    deleted = [c for c in fake.calls if c.method == "deleteMyCommands"]
    assert [c.params["scope"]["chat_id"] for c in deleted] == [4242]
    status, _, err = await kader(db_url, "remove", "--telegram-id", "4242", **env)
    assert status == 2 and "no kader to remove" in err
