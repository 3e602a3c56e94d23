"""Mothers on WhatsApp: the real channel and pywa's client against a fake Graph API, the
webhook driven with signed bodies."""

from __future__ import annotations

import logging

import httpx
import pytest
from sqlalchemy import select

from bot.app import App
from bot.channels.whatsapp import WhatsAppChannel
from models import ChannelIdentity, Member
from tests.support.fakes.graph_api import FakeGraphAPI
from tests.support.whatsapp import WaUser, contact_card

SITI_WA, SITI_ID = "6281234567890", "ID.100200300400"


async def member_named(app: App, name: str) -> Member:
    async with app.sessions() as s:
        found = await s.scalar(select(Member).where(Member.full_name == name))
    assert found is not None
    return found


async def test_siti_registers_through_a_list_buttons_and_typed_numbers(
    app: App,
    web: httpx.AsyncClient,
    graph: FakeGraphAPI,
    whatsapp: WhatsAppChannel,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    siti = WaUser(web, graph, whatsapp, user_id=SITI_ID, wa_id=SITI_WA, name="Siti")
    *_, menu = await siti.say("halo", "Menu utama")
    # Four choices: a list (a button message holds three).
    assert menu.interactive == "list"
    assert [title for _, title in menu.choices()] == ["Daftar", "Kegiatan", "Bantuan", "Lainnya"]
    *_, consent = await siti.tap("Daftar", "Apakah Ibu setuju?")
    assert consent.interactive == "button"
    await siti.tap("Ya, setuju", "nama lengkap")
    await siti.say("Siti Aminah", "kampung mana")
    await siti.say("1", "RT/RW")  # typed: the first kampung
    *_, ask_phone = await siti.say("3/5", "nomor HP")
    assert ("wa:share_phone", "Bagikan nomor HP") in ask_phone.choices()
    await siti.tap("Bagikan nomor HP", "Mohon periksa")
    assert "0812-3456-7890" in siti.text
    await siti.say("1", "sudah terdaftar")  # typed: Simpan
    siti_aminah = await member_named(app, "Siti Aminah")
    assert siti_aminah.phone_e164 == "+6281234567890" and siti_aminah.phone_verified
    async with app.sessions() as s:
        chat = await s.scalar(select(ChannelIdentity).where(ChannelIdentity.channel == "whatsapp"))
    assert chat is not None and (chat.external_id, chat.external_alias) == (SITI_ID, SITI_WA)
    assert chat.last_inbound_at is not None
    # pywa's debug lines (whole payloads, numbers) stay off; ours name no one.
    assert not [r for r in caplog.records if r.name.startswith("pywa") and r.levelno < 30]
    for personal in (SITI_WA, SITI_ID, "Siti Aminah", "wa-token", "0812"):
        assert personal not in caplog.text


async def test_dewi_without_a_wa_id_types_her_number_and_a_strangers_contact_is_refused(
    app: App, web: httpx.AsyncClient, graph: FakeGraphAPI, whatsapp: WhatsAppChannel
) -> None:
    dewi = WaUser(web, graph, whatsapp, user_id="ID.900800700", wa_id=None)
    await dewi.say("daftar", "setuju")
    await dewi.say("1", "nama lengkap")
    await dewi.say("Dewi Lestari", "kampung mana")
    await dewi.say("2", "RT/RW")
    await dewi.say("7/2", "nomor HP")
    await dewi.send(contact_card("+62 899-1234-5678", "6289912345678"))
    assert "bukan milik akun ini" in dewi.text
    await dewi.say("0813 1111 2222", "Mohon periksa")
    await dewi.say("1", "sudah terdaftar")
    dewi_lestari = await member_named(app, "Dewi Lestari")
    assert dewi_lestari.phone_e164 == "+6281311112222" and not dewi_lestari.phone_verified
    # Replies went to her user id: she has no phone number on WhatsApp's side.
    assert all(m.to == "ID.900800700" for m in graph.sent)
