"""Set-up for the hostile-input stories: a small kampung world (a mother, kader of two
kampung, an admin, a newcomer; kegiatan open, full, today, held and in draft), a crawler
that walks every role through every screen and flow step it can reach by tapping what is
offered and typing a good answer, and the checks that the stored data is still valid.

The crawler keeps a `Screen` (the chat's conversation state) for each step it reached;
`World.restore` puts a chat back on such a screen, so a test can send anything there
without walking the flow again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import phonenumbers
from pydantic import ValidationError
from sqlalchemy import (
    JSON,
    Column,
    CompoundSelect,
    Row,
    Table,
    Text,
    bindparam,
    cast,
    func,
    literal,
    select,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.app import App
from handlers.core.feature import Flow
from handlers.core.i18n import t
from handlers.core.media import (
    MediaDownloadError,
    register_downloader,
    register_file_downloader,
    unregister_downloader,
    unregister_file_downloader,
)
from handlers.core.types import (
    ACTION_PREFIX,
    STEP_PREFIX,
    Contact,
    Incoming,
    Kind,
    Media,
    Reply,
    check_choice_id,
    parse_action,
)
from handlers.core.wizard import EDIT_PREFIX, Wizard
from models import (
    ChannelIdentity,
    ConversationState,
    IdentityMember,
    Kegiatan,
    Member,
    Question,
    QuestionMessage,
    Report,
)
from models.base import Base, transaction, utcnow
from models.deadlines.ops import DeadlineDraft, create_deadline
from models.kader.invites import create_invite
from models.kegiatan.signups import sign_up
from models.kegiatan.tables import ACTIVE_SIGNUP, SIGNUP_STATUSES, Signup
from models.member_import.links import create_link_code
from models.people.roles import grant_admin
from tests.support.attendance import kegiatan_soon
from tests.support.chat import Chat, register
from tests.support.fakes.kegiatan import kegiatan
from tests.support.fakes.outbox import add_member, kampung_ids, link
from tests.support.reports import held_kegiatan
from tests.support.sheets import xlsx

log = logging.getLogger(__name__)

ROLES = ("guest", "ibu", "kader", "admin")
# Sends one message of a role's chat on a real channel; gives back what she was sent.
Transport = Callable[[str, "Sent"], Awaitable[list[Reply]]]
ERROR_TEXT = {t("id", "common.error"), t("en", "common.error")}

# A good answer to each typed step the crawler meets (steps with buttons are tapped).
GOOD: dict[tuple[str, str], tuple[str, ...]] = {
    ("mb.register", "name"): ("Rina Wati",),
    ("mb.register", "rtrw"): ("3/5",),
    ("mb.register", "phone"): ("0812-5555-0101", "0812-4444-0303"),
    ("bn.register", "name"): ("Dewi Lestari",),  # a namesake in her kampung: asked first
    ("bn.register", "rtrw"): ("2/4",),
    ("bn.register", "phone"): ("0813-7777-0202",),
    ("mb.register", "kampung"): ("Sumbran",),
    ("bn.register", "kampung"): ("Sumbran",),
    ("bn.find", "name"): ("Siti",),
    ("kga.new", "judul"): ("Posyandu balita",),
    ("kga.new", "opd"): ("Dinas Kesehatan Kota Serang",),
    ("kga.new", "narasumber"): ("dr. Rina",),
    ("kga.new", "tempat"): ("Balai Warga Sumberan",),
    ("kga.new", "mulai"): ("lusa jam 9",),
    ("kga.new", "selesai"): ("12.00",),
    ("kga.new", "kuota"): ("20",),
    ("kga.new", "deskripsi"): ("Membawa buku KIA",),
    ("kga.edit", "time"): ("lusa jam 10",),
    ("kga.edit", "place"): ("Aula Kelurahan",),
    ("kga.edit", "kuota"): ("30",),
    ("bc.compose", "text"): ("Posyandu hari Kamis, bawa buku KIA.",),
    ("bc.compose", "days"): ("30",),
    ("bc.compose", "when"): ("besok jam 9", "besok"),
    ("bc.compose", "time"): ("09.00",),
    ("dl.new", "title"): ("Penilaian P2WKSS tingkat kota",),
    ("dl.new", "due_on"): ("15 Maret 2027",),
    ("dl.new", "prepare"): ("Profil kampung, foto kegiatan",),
    ("dl.new", "remind"): ("14, 3",),
    ("kd.invite", "name"): ("Nur Aisyah",),
    ("tn.ask", "text"): ("Kapan posyandu bulan ini?",),
    ("tn.answer", "answer"): ("Hari Kamis pukul 09.00 di balai warga.",),
    ("lp.report", "title"): ("Penyuluhan gizi",),
    ("lp.report", "held_on"): ("kemarin", "1 Januari 2026"),
    ("lp.report", "opd_other"): ("Puskesmas Kasemen",),
    ("lp.report", "women"): ("12",),
    ("lp.report", "men"): ("3",),
    ("lp.report", "ringkasan"): ("Ibu-ibu belajar menu gizi seimbang.",),
    ("lp.report", "kendala"): ("Hujan",),
    ("lp.report", "tindak_lanjut"): ("Kunjungan rumah",),
    ("hd.code", "code"): ("ABCDE",),
    ("hd.code", "code_any"): ("ABCDE",),
    ("hd.add", "name"): ("Siti",),
}
# Typed on the menu: words that work anywhere and start flows of their own ("hadir"
# alone asks for a code; "kode …" redeems an invitation or a link code of the world).
TYPED_ANYWHERE = ("hadir", "kode {invite}", "kode {link}")
# Not tapped while crawling: switching the language would make the good answers above
# foreign words; everything else is tapped (confirmations of what cannot be undone are
# only reached, never answered, so the crawl erases nobody).
CRAWL_SKIP = {"core.setlang"}
# Tapped after the other choices of their screen: they decide what the others look at
# (an approved report can no longer be returned with a note).
CRAWL_LAST = {"lp.approve", "kd.approve", "kd.reject", "kga.publish"}


SHEET_NAMES = ("Sari Wulandari", "Fatimah Azzahra")
SHEET_PHONE = "0812-4444-0303"


# -- the files a channel would fetch ---------------------------------------------------------


def sheet_bytes(folder: Path) -> bytes:
    """A small spreadsheet of KK binaan: two good rows, one bad."""
    path = xlsx(
        folder / "kk.xlsx",
        [
            ["Nama", "Kampung", "RT", "RW", "No HP"],
            [SHEET_NAMES[0], "Sumberan", 3, 5, SHEET_PHONE],
            [SHEET_NAMES[1], "Cibening", 1, 2, ""],
            ["", "Durian", "x", "", "123"],
        ],
    )
    return path.read_bytes()


@contextmanager
def downloaders(folder: Path) -> Iterator[None]:
    """Photo and file downloaders for the test channel. A ref "huge" or a size above the
    limit is too large, "pdf" is no picture; other refs give bytes of their own (the ref
    "sheet" a small spreadsheet of KK binaan, anything else bytes that are no sheet)."""
    sheet = sheet_bytes(folder)

    def too_large(media: Media, max_bytes: int) -> bool:
        return media.file_ref == "huge" or (media.size or 0) > max_bytes

    async def photo(media: Media, folder: Path, *, max_bytes: int) -> Path:
        if too_large(media, max_bytes):
            raise MediaDownloadError("too_large")
        if media.file_ref == "pdf":
            raise MediaDownloadError("not_a_photo")
        data = b"\xff\xd8\xff\xe0photo-" + media.file_ref.encode()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / (hashlib.sha256(data).hexdigest()[:32] + ".jpg")
        path.write_bytes(data)
        return path

    async def file(media: Media, folder: Path, *, max_bytes: int) -> Path:
        if too_large(media, max_bytes):
            raise MediaDownloadError("too_large")
        data = sheet if media.file_ref == "sheet" else b"PK\x03\x04" + media.file_ref.encode()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / hashlib.sha256(data).hexdigest()[:32]
        path.write_bytes(data)
        return path

    register_downloader("test", photo)
    register_file_downloader("test", file)
    try:
        yield
    finally:
        unregister_downloader("test")
        unregister_file_downloader("test")


# -- screens -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Screen:
    """Where a chat stood after a reply: its conversation state (without whom it acts for)."""

    role: str
    flow: str | None
    step: str | None
    data: dict[str, Any]
    offered: dict[str, Any]
    version: int
    via: str  # how the crawler got here, for failure messages

    @property
    def key(self) -> tuple[str, ...]:
        if self.flow:
            return (self.flow, self.step or "")
        return ("screen", *sorted({parse_action(c)[0] for c in self.choice_ids}))

    def same_as(self, other: Screen) -> bool:
        return (self.flow, self.step, self.data, self.offered) == (
            other.flow,
            other.step,
            other.data,
            other.offered,
        )

    @property
    def choice_ids(self) -> list[str]:
        return [c[0] for c in self.offered.get("choices", [])]


@dataclass
class Sent:
    """One message as sent by the hostile tests (printable when a check fails)."""

    kind: Kind
    text: str = ""
    choice: str | None = None
    contact: Contact | None = None
    media: Media | None = None
    location: tuple[float, float] | None = None

    def incoming(self, chat: Chat) -> Incoming:
        return chat._incoming(
            self.kind,
            text=self.text,
            choice=self.choice,
            contact=self.contact,
            media=self.media,
            location=self.location,
        )


def text(typed: str) -> Sent:
    return Sent(Kind.TEXT, text=typed)


def tap(choice_id: str) -> Sent:
    return Sent(Kind.CHOICE, choice=choice_id)


def photo(ref: str = "foto-1", size: int | None = 50_000) -> Sent:
    return Sent(Kind.PHOTO, media=Media(file_ref=ref, mime_type="image/jpeg", size=size))


def document(ref: str = "sheet", name: str | None = "kk.xlsx", size: int | None = 9_000) -> Sent:
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Sent(Kind.DOCUMENT, media=Media(file_ref=ref, filename=name, mime_type=mime, size=size))


# -- the world ---------------------------------------------------------------------------------


@dataclass
class World:
    app: App
    chats: dict[str, Chat] = field(default_factory=dict)
    members: dict[str, int | None] = field(default_factory=dict)
    screens: dict[str, list[Screen]] = field(default_factory=dict)
    # Ids worth forging buttons with: kampung, members, kegiatan of the seeded world.
    ids: dict[str, int] = field(default_factory=dict)
    # What the crawler sent that was answered with the error apology (a handler crashed).
    failures: list[str] = field(default_factory=list)
    channel: str = "test"
    transport: Transport | None = None
    # One-time codes of the world: a kader invitation, a link code for a chatless mother.
    codes: dict[str, str] = field(default_factory=dict)
    _new: int = 0

    # -- people --------------------------------------------------------------------------

    def _identity(self, role: str) -> str:
        self._new += 1
        if self.channel == "telegram":  # a Telegram chat id
            return str(6_300_000_000 + self._new)
        if self.channel == "whatsapp":  # a wa_id: her phone number
            return str(6_285_790_000_000 + self._new)
        return f"hostile-{role}-{self._new}"

    async def seat(self, role: str) -> Chat:
        """A fresh chat (and member) for `role`, made directly in the database."""
        identity = self._identity(role)
        chat = Chat(self.app.engine, identity=identity, channel=self.channel)
        async with transaction(self.app.sessions) as s:
            places = await kampung_ids(s)
            if role == "guest":
                member: int | None = None
            elif role == "admin":
                await grant_admin(s, self.channel, identity, actor="test")
                member = await s.scalar(
                    select(IdentityMember.member_id)
                    .join(ChannelIdentity, ChannelIdentity.id == IdentityMember.identity_id)
                    .where(ChannelIdentity.external_id == identity)
                )
            else:
                member, _ = await add_member(
                    s, identity, role=role, kampung_id=places["Sumberan"], channel=self.channel
                )
        self.chats[role], self.members[role] = chat, member
        await self.send(role, text("menu"))
        return chat

    # The bookkeeping below runs around every message the crawler and the examples send
    # (tens of thousands a run): plain connections, no ORM session, one for all roles.

    async def keep_roles(self) -> None:
        async with self.app.db.connect() as conn:
            rows = {role: await self._role_row(conn, role) for role in ROLES}
        for role in ROLES:
            await self._mend(role, rows[role])

    async def keep_role(self, role: str) -> None:
        """The role's chat still acts as that role: a mother who erased herself, a kader
        an admin removed, a newcomer who registered get a new chat (or their role back)."""
        async with self.app.db.connect() as conn:
            row = await self._role_row(conn, role)
        await self._mend(role, row)

    async def _role_row(
        self, conn: AsyncConnection, role: str
    ) -> Row[str, datetime | None, bool] | None:
        chat, member = self.chats[role], self.members[role]
        if role == "guest":
            found = await conn.execute(_GUEST_ROLE, {"b_chat": chat.identity})
        else:
            found = await conn.execute(_MEMBER_ROLE, {"b_member": member})
        return found.first()

    async def _mend(self, role: str, row: Row[str, datetime | None, bool] | None) -> None:
        member = self.members[role]
        if role == "guest":
            if row is not None:
                await self.seat(role)
        elif row is None or row.erased_at is not None:
            await self.seat(role)
        elif row.role != role or row.voice_always:
            # Voice notes with every answer (a tap on "Selalu kirim suara") take a second
            # each to make; the voice stories test them, here they only slow the run.
            async with transaction(self.app.sessions) as s:
                await s.execute(
                    update(Member).where(Member.id == member).values(role=role, voice_always=False)
                )

    async def restore(self, role: str, screen: Screen) -> Chat:
        """Put `role`'s chat back on a screen the crawler reached."""
        chat = self.chats[role]
        async with self.app.db.begin() as conn:
            chat_of = {"b_channel": self.channel, "b_chat": chat.identity}
            identity_id = await conn.scalar(_IDENTITY_ID, chat_of)
            assert identity_id is not None
            await conn.execute(
                _RESTORE,
                {
                    "b_identity": identity_id, "b_flow": screen.flow, "b_step": screen.step,
                    "b_data": screen.data, "b_offered": screen.offered,
                    "b_version": screen.version, "b_now": utcnow(),
                    "b_member": self.members[role],
                },
            )  # fmt: skip
        return chat

    async def snapshot(self, role: str, via: str) -> Screen:
        chat = self.chats[role]
        async with self.app.db.connect() as conn:
            chat_of = {"b_channel": self.channel, "b_chat": chat.identity}
            state = (await conn.execute(_SCREEN, chat_of)).first()
        assert state is not None
        return Screen(
            role=role,
            flow=state.flow,
            step=state.step,
            data=dict(state.data or {}),
            offered=dict(state.offered or {}),
            version=state.version,
            via=via,
        )

    async def send(self, role: str, sent: Sent) -> list[Reply]:
        if self.transport is not None:
            return await self.transport(role, sent)
        chat = self.chats[role]
        return await chat.deliver(sent.incoming(chat))

    async def move_to(
        self, channel: str, chat_ids: dict[str, str], transport: Transport | None
    ) -> None:
        """The same people, now on another channel's chats (linked as a second chat of
        theirs); a new newcomer there. Messages then go through `transport`."""
        self.channel, self.transport = channel, transport
        async with transaction(self.app.sessions) as s:
            for role, external in chat_ids.items():
                if role == "admin":
                    await grant_admin(s, channel, external, actor="test")
                elif role != "guest" and self.members[role] is not None:
                    await link(s, self.members[role] or 0, external, channel=channel)
        for role, external in chat_ids.items():
            self.chats[role] = Chat(self.app.engine, identity=external, channel=channel)
            if role == "admin":
                self.members[role] = await _member_of(self.app, external)
            await self.send(role, text("menu"))

    # -- crawling ----------------------------------------------------------------------------

    def _inputs(self, screen: Screen, own: str) -> list[Sent]:
        flow = self.app.engine.registry.flow(screen.flow)
        step = screen.step
        fresh = flow is not None and flow.fresh_only(step)
        inputs: list[Sent] = []
        for choice_id in screen.choice_ids:
            if choice_id.startswith(STEP_PREFIX):
                # A summary's "change …" only goes back to a step reached before.
                if not fresh and not choice_id.startswith(STEP_PREFIX + EDIT_PREFIX):
                    inputs.append(tap(choice_id))
            elif parse_action(choice_id)[0] not in CRAWL_SKIP:
                inputs.append(tap(choice_id))
        if flow is not None and step is not None and not fresh:
            kind = flow.step_kind(step)
            good = GOOD.get((screen.flow or "", step), ())
            inputs.extend(text(answer) for answer in good)
            if kind == "media" or flow.accepts(step, Kind.PHOTO):
                inputs.append(photo())
            if flow.accepts(step, Kind.DOCUMENT):
                inputs.append(document())
            if flow.accepts(step, Kind.CONTACT):
                # Her own contact, with the phone of a record made without a chat.
                inputs.append(Sent(Kind.CONTACT, contact=Contact("+6281244440303", own)))
        if screen.via == "menu":
            inputs.extend(text(typed.format(**self.codes)) for typed in TYPED_ANYWHERE)
        return sorted(inputs, key=lambda i: parse_action(i.choice or "")[0] in CRAWL_LAST)

    async def crawl(self, role: str, *, limit: int = 400) -> list[Screen]:
        """Every screen and flow step `role` reaches from the menu (breadth first)."""
        await self.send(role, text("menu"))
        start = await self.snapshot(role, "menu")
        seen = {start.key}
        screens = [start]
        queue = deque([start])
        tapped: set[str] = set()
        here: Screen | None = start
        sent = 0
        while queue and sent < limit:
            screen = queue.popleft()
            for inp in self._inputs(screen, self.chats[role].identity):
                action_tap = inp.choice is not None and inp.choice.startswith(ACTION_PREFIX)
                if action_tap:
                    if inp.choice in tapped:
                        continue
                    tapped.add(inp.choice or "")
                if not (action_tap and here is not None and here.same_as(screen)):
                    await self.restore(role, screen)
                replies = await self.send(role, inp)
                sent += 1
                via = f"{screen.via} > {inp.choice or inp.text or inp.kind.value}"
                if not replies or any(r.text in ERROR_TEXT for r in replies):
                    self.failures.append(f"{role}: {via} -> {[r.text for r in replies]}")
                here = reached = await self.snapshot(role, via)
                await self.keep_role(role)  # she may be someone else now (a code taken…)
                if reached.key not in seen:
                    seen.add(reached.key)
                    screens.append(reached)
                    queue.append(reached)
        self.screens.setdefault(role, []).extend(
            s for s in screens if s.key not in {o.key for o in self.screens.get(role, [])}
        )
        return screens


# The crawler's bookkeeping statements, built once (see `World.keep_roles`).
_GUEST_ROLE = (
    select(Member.role, Member.erased_at, Member.voice_always)
    .join(IdentityMember, IdentityMember.member_id == Member.id)
    .join(ChannelIdentity, ChannelIdentity.id == IdentityMember.identity_id)
    .where(ChannelIdentity.external_id == bindparam("b_chat"))
    .limit(1)
)
_MEMBER_ROLE = select(Member.role, Member.erased_at, Member.voice_always).where(
    Member.id == bindparam("b_member")
)
_THIS_CHAT = (
    ChannelIdentity.channel == bindparam("b_channel"),
    ChannelIdentity.external_id == bindparam("b_chat"),
)
_IDENTITY_ID = select(ChannelIdentity.id).where(*_THIS_CHAT)
_RESTORE = (
    update(ConversationState)
    .where(ConversationState.identity_id == bindparam("b_identity"))
    .values(
        flow=bindparam("b_flow"), step=bindparam("b_step"), data=bindparam("b_data"),
        offered=bindparam("b_offered"), version=bindparam("b_version"),
        updated_at=bindparam("b_now"), active_member_id=bindparam("b_member"),
    )
)  # fmt: skip
_SCREEN = (
    select(
        ConversationState.flow,
        ConversationState.step,
        ConversationState.data,
        ConversationState.offered,
        ConversationState.version,
    )
    .join(ChannelIdentity, ChannelIdentity.id == ConversationState.identity_id)
    .where(*_THIS_CHAT)
)


async def build_world(app: App, media: Path) -> World:
    """The seeded world: Siti (ibu) signed up for one kegiatan and waiting for another,
    Ani kader of Sumberan, Euis kader of Cibening, an admin, a newcomer; kegiatan open,
    full, starting soon (check-in open), held two days ago and in draft."""
    world = World(app)
    siti = Chat(app.engine, identity="hostile-ibu")
    await register(siti, name="Siti Aminah", phone="0812-3456-7890")
    dewi = Chat(app.engine, identity="hostile-dewi")
    await register(dewi, name="Dewi Lestari", phone="0857-1111-3333")
    ani = Chat(app.engine, identity="hostile-kader")
    await register(ani, name="Ani Lestari", phone="0813-1111-2222")
    euis = Chat(app.engine, identity="hostile-kader-cibening")
    await register(euis, name="Euis Kurniasih", phone="0878-2222-4444")
    now = utcnow()
    async with transaction(app.sessions) as s:
        places = await kampung_ids(s)
        names = {n: m for n, m in (await s.execute(select(Member.full_name, Member.id))).all() if n}
        await s.execute(
            update(Member)
            .where(Member.id == names["Ani Lestari"])
            .values(role="kader", kampung_id=places["Sumberan"])
        )
        await s.execute(
            update(Member)
            .where(Member.id == names["Euis Kurniasih"])
            .values(role="kader", kampung_id=places["Cibening"])
        )
        await grant_admin(s, "test", "hostile-admin", actor="test")
        world.ids = {
            "sumberan": places["Sumberan"],
            "cibening": places["Cibening"],
            "siti": names["Siti Aminah"],
            "dewi": names["Dewi Lestari"],
            "ani": names["Ani Lestari"],
            "euis": names["Euis Kurniasih"],
        }
    world.ids["open"] = await kegiatan(app, "Posyandu balita", kuota=5, kampung=("Sumberan",))
    world.ids["full"] = await kegiatan(app, "Pelatihan menjahit", kuota=1)
    world.ids["cibening_only"] = await kegiatan(app, "Kerja bakti", kuota=5, kampung=("Cibening",))
    world.ids["draft"] = await kegiatan(app, "Sosialisasi PHBS", published=False)
    world.ids["soon"] = await kegiatan_soon(app, "Penyuluhan gizi")
    world.ids["held"] = await held_kegiatan(app, "Bintek UP2K", kampung=("Sumberan",))
    async with transaction(app.sessions) as s:
        sari, _ = await add_member(s, None, kampung_id=world.ids["sumberan"])
        await s.execute(
            update(Member)
            .where(Member.id == sari)
            .values(full_name="Sari Wulandari", phone_e164="+6281244440303")
        )
        world.ids["sari"] = sari
        nining, _ = await add_member(s, None, kampung_id=world.ids["sumberan"])
        world.ids["nining"] = nining
        link = await create_link_code(s, await s.get_one(Member, nining), now=now)
        invite = await create_invite(
            s, name="Rina Marlina", kampung_id=world.ids["sumberan"], now=now, days=7
        )
        world.codes = {"link": link.code, "invite": invite.code.code}
        await sign_up(s, world.ids["full"], world.ids["dewi"], now=now)
        deadline = await create_deadline(
            s,
            DeadlineDraft(title="Lomba P2WKSS", due_on=(now + timedelta(days=40)).date()),
            now=now,
            actor="test",
        )
        world.ids["deadline"] = deadline.id
        report = Report(
            kader_member_id=world.ids["ani"],
            kampung_id=world.ids["sumberan"],
            status="submitted",
            title="Penyuluhan gizi",
            submitted_at=now,
        )
        s.add(report)
        # Cibening's own: a mother, her question, her kader's report (another kampung's
        # ids for the stories of a Sumberan kader forging buttons).
        ratna, _ = await add_member(s, "hostile-ratna", kampung_id=world.ids["cibening"])
        await s.execute(
            update(Member)
            .where(Member.id == ratna)
            .values(full_name="Ratna Sari", phone_e164="+6285722225555")
        )
        question = Question(member_id=ratna, kampung_id=world.ids["cibening"])
        s.add(question)
        cibening_report = Report(
            kader_member_id=world.ids["euis"],
            kampung_id=world.ids["cibening"],
            status="submitted",
            title="Kerja bakti",
            submitted_at=now,
        )
        s.add(cibening_report)
        await s.flush()
        s.add(QuestionMessage(question_id=question.id, author_member_id=ratna, text="Kapan?"))
        await sign_up(s, world.ids["cibening_only"], ratna, now=now)
        world.ids |= {
            "report": report.id,
            "ratna": ratna,
            "question_cibening": question.id,
            "report_cibening": cibening_report.id,
        }
        await sign_up(s, world.ids["open"], world.ids["siti"], now=now)
        await sign_up(s, world.ids["soon"], world.ids["siti"], now=now)
    world.chats = {
        "guest": Chat(app.engine, identity="hostile-guest"),
        "ibu": siti,
        "kader": ani,
        "admin": Chat(app.engine, identity="hostile-admin"),
    }
    world.members = {
        "guest": None,
        "ibu": world.ids["siti"],
        "kader": world.ids["ani"],
        "admin": await _member_of(app, "hostile-admin"),
    }
    await world.chats["guest"].send("halo")
    return world


async def _member_of(app: App, identity: str) -> int:
    async with app.sessions() as s:
        found = await s.scalar(
            select(IdentityMember.member_id)
            .join(ChannelIdentity, ChannelIdentity.id == IdentityMember.identity_id)
            .where(ChannelIdentity.external_id == identity)
            .order_by(IdentityMember.member_id.desc())
            .limit(1)
        )
    assert found is not None
    return found


async def crawl_all(world: World) -> None:
    """Every role through every screen; mothers first, so that what they made (a
    question, a kader request) and what the kader made (a report) wait for the staff."""
    for role in ("guest", "ibu", "kader", "admin"):
        await world.crawl(role)


def steps_of(flows: dict[str, Flow]) -> set[tuple[str, str]]:
    """Every declared (flow, step) of the wizards."""
    return {(f.name, s.name) for f in flows.values() if isinstance(f, Wizard) for s in f.steps}


# -- stored data stays valid --------------------------------------------------------------------


# The checks' statements, built once: they run after every message of the examples, and
# building a statement costs more than running it on these small tables.
_MEMBERS = select(Member.id, Member.role, Member.erased_at, Member.full_name, Member.phone_e164)
_SIGNUP_COUNTS = select(Signup.kegiatan_id, Signup.status, func.count()).group_by(
    Signup.kegiatan_id, Signup.status
)
_KEGIATAN = select(Kegiatan.id, Kegiatan.registered_count, Kegiatan.kuota, Kegiatan.status)
_ODD_SIGNUPS = select(func.count()).where(Signup.status.not_in(SIGNUP_STATUSES))
_ERASED_ACTIVE = (
    select(func.count())
    .select_from(Signup)
    .join(Member, Member.id == Signup.member_id)
    .where(Member.erased_at.is_not(None), Signup.status.in_(ACTIVE_SIGNUP))
)
_STATES = select(
    ConversationState.identity_id,
    ConversationState.flow,
    ConversationState.step,
    ConversationState.data,
    ConversationState.offered,
)


async def problems(app: App) -> list[str]:
    """What is wrong with the stored data: members, sign-ups, seat counters, states."""
    found: list[str] = []
    registry = app.engine.registry
    # Checked after every message of the examples: plain rows of the columns looked at.
    async with app.db.connect() as s:
        for m in await s.execute(_MEMBERS):
            if m.role not in ("ibu", "kader", "admin"):
                found.append(f"member {m.id} has role {m.role!r}")
            if m.erased_at is not None:
                if m.full_name or m.phone_e164:
                    found.append(f"erased member {m.id} still has a name or phone")
                continue
            if m.phone_e164 is not None:
                try:
                    number = phonenumbers.parse(m.phone_e164, None)
                    valid = phonenumbers.is_valid_number(number) and m.phone_e164 == (
                        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
                    )
                except phonenumbers.NumberParseException:
                    valid = False
                if not valid:
                    found.append(f"member {m.id} has an invalid phone {m.phone_e164!r}")
            if m.full_name is not None and not m.full_name.strip():
                found.append(f"member {m.id} has a blank name")
            if m.full_name is not None and len(m.full_name) > 100:
                found.append(f"member {m.id} has a name of {len(m.full_name)} characters")
        counts: dict[tuple[int, str], int] = {
            (k, status): n for k, status, n in (await s.execute(_SIGNUP_COUNTS)).all()
        }
        for k in await s.execute(_KEGIATAN):
            registered = counts.get((k.id, "registered"), 0)
            waiting = counts.get((k.id, "waiting"), 0)
            if k.registered_count != registered:
                found.append(
                    f"kegiatan {k.id} counts {k.registered_count} seats, {registered} taken"
                )
            if k.kuota is not None and registered > k.kuota:
                found.append(f"kegiatan {k.id}: {registered} registered over kuota {k.kuota}")
            if waiting and (k.kuota is None or registered < k.kuota) and k.status == "open":
                found.append(f"kegiatan {k.id}: {waiting} waiting while a seat is free")
        odd = await s.scalar(_ODD_SIGNUPS)
        if odd:
            found.append(f"{odd} sign-ups with an unknown status")
        erased_active = await s.scalar(_ERASED_ACTIVE)
        if erased_active:
            found.append(f"{erased_active} sign-ups of erased members still active")
        for state in await s.execute(_STATES):
            found.extend(_state_problems(registry.flow(state.flow), state))
    return found


def _state_problems(flow: Flow | None, st: Row[int, str | None, str | None, Any, Any]) -> list[str]:
    where = f"state of identity {st.identity_id}"
    out: list[str] = []
    if st.flow is not None and (flow is None or not flow.has_step(st.step)):
        out.append(f"{where}: unknown flow/step {st.flow}/{st.step}")
    if isinstance(flow, Wizard) and flow.has_step(st.step):
        try:
            flow.form.model_validate((st.data or {}).get("form") or {})
        except ValidationError as e:
            out.append(f"{where}: {st.flow} form cannot be read: {e}")
    for choice in (st.offered or {}).get("choices", []):
        try:
            check_choice_id(choice[0])
        except ValueError:
            out.append(f"{where}: offered choice id {choice[0]!r} is not valid")
    return out


# -- what changed -----------------------------------------------------------------------------

# Not compared: the inbox and conversation states (every message writes them), voice usage
# (a listen limit), and the columns that only say when someone was last seen.
UNCOMPARED_TABLES = {"inbox", "conversation_states", "voice_usage"}
# A member's updated_at moves with her "last active" time.
UNCOMPARED_TABLE_COLUMNS = {("members", "updated_at")}
UNCOMPARED_COLUMNS = {
    "last_seen_at",
    "last_inbound_at",
    "last_active_at",
    "code_failures",
    "code_failures_since",
}
Rows = dict[str, set[tuple[Any, ...]]]


def _compared_columns(table: Table) -> list[Column[Any]]:
    return [
        c
        for c in table.columns
        if c.name not in UNCOMPARED_COLUMNS and (table.name, c.name) not in UNCOMPARED_TABLE_COLUMNS
    ]


COMPARED: list[tuple[Table, list[Column[Any]]]] = [
    (table, _compared_columns(table))
    for table in Base.metadata.sorted_tables
    if table.name not in UNCOMPARED_TABLES
]


def _snapshot_query(dialect: str) -> CompoundSelect[str, str | None]:
    """One statement for every compared table: its name and all its rows as one JSON text.
    (A SELECT a table took ~75% of the authorization stories on PostgreSQL: one round trip
    for all 20-odd tables instead.)"""
    if dialect == "postgresql":
        row, rows = func.json_build_array, func.json_agg
    else:
        row, rows = func.json_array, func.json_group_array
    return union_all(
        *(
            select(
                literal(table.name).label("name"), cast(rows(row(*columns)), Text).label("rows")
            ).select_from(table)
            for table, columns in COMPARED
        )
    )


# The rows of the last JSON text seen of each table: an unchanged table is not parsed again.
_parsed: dict[str, tuple[str | None, set[tuple[Any, ...]]]] = {}


def _rows_of(name: str, columns: list[Column[Any]], found: str | None) -> set[tuple[Any, ...]]:
    cached = _parsed.get(name)
    if cached is not None and cached[0] == found:
        return cached[1]
    rows: set[tuple[Any, ...]] = set()
    for values in json.loads(found) if found else ():
        row = []
        for c, v in zip(columns, values, strict=True):
            if isinstance(c.type, JSON) and isinstance(v, str):
                v = json.loads(v)  # SQLite gives the stored JSON text, PostgreSQL the value
            row.append((c.name, _plain(v)))
        rows.add(tuple(row))
    _parsed[name] = (found, rows)
    return rows


async def table_rows(app: App) -> Rows:
    """Every compared row of every table, as tuples of (column, value) (values as the
    database writes them in JSON: timestamps as text, JSON columns as Python values)."""
    async with app.db.connect() as conn:
        found = dict((await conn.execute(_snapshot_query(conn.dialect.name))).all())
    return {
        table.name: _rows_of(table.name, columns, found[table.name]) for table, columns in COMPARED
    }


def _plain(value: Any) -> Any:
    return repr(value) if isinstance(value, dict | list) else value


@dataclass(frozen=True)
class Theirs:
    """What belongs to others: their member records and what names them, and objects of
    another kampung (its questions and reports)."""

    members: frozenset[int]
    questions: frozenset[int] = frozenset()
    reports: frozenset[int] = frozenset()

    def touches(self, table: str, values: dict[str, Any]) -> bool:
        for column, value in values.items():
            if (column.endswith("member_id") or (table, column) == ("members", "id")) and (
                value in self.members
            ):
                return True
        if table == "one_time_codes" and any(
            f"'member_id': {m}}}" in str(values.get("target")) for m in self.members
        ):
            return True
        if table == "questions" and values.get("id") in self.questions:
            return True
        if table == "question_messages" and values.get("question_id") in self.questions:
            return True
        if table == "reports" and values.get("id") in self.reports:
            return True
        return table == "report_photos" and values.get("report_id") in self.reports


def changes(before: Rows, after: Rows, *, theirs: Theirs | None = None) -> list[str]:
    """Rows added or removed between two snapshots (with `theirs`, only rows of others)."""
    found: list[str] = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name, set()), after.get(name, set())
        for sign, rows in (("-", old - new), ("+", new - old)):
            for row in rows:
                values = dict(row)
                if theirs is None or theirs.touches(name, values):
                    found.append(f"{sign} {name} {values}")
    return found
