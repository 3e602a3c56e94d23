"""Who may do what: every kader and admin action, tapped with forged buttons or typed by
someone it is not for (a newcomer, a mother, a kader where it is the admins'), is refused
with a kind word and changes nothing; a screen of a staff flow that reaches a mother
(her role taken away mid-way) takes no answer; and buttons forged with another kampung's
or another mother's ids change nothing of theirs."""

from __future__ import annotations

from bot.app import App
from handlers.core.feature import Action
from handlers.core.i18n import LANGUAGES, t
from handlers.core.types import STEP_PREFIX
from handlers.parse.words import norm
from tests.support.attendance import code as checkin_code
from tests.support.hostile import (
    GOOD,
    Screen,
    Sent,
    Theirs,
    World,
    build_world,
    changes,
    downloaders,
    photo,
    table_rows,
    tap,
    text,
)

STAFF_ROLES = {"kader", "admin"}
LESSER = ("guest", "ibu", "kader")
# What each lesser role is told when she reaches for a kader's or an admin's action: a
# newcomer and a mother that it is for staff ("petugas"), a kader, who is staff herself,
# that it is for the admins.
TOLD = {
    "guest": t("id", "common.not_allowed"),
    "ibu": t("id", "common.not_allowed"),
    "kader": t("id", "common.for_admins"),
}
REGISTER_FIRST = t("id", "common.register_first")


def staff_actions(app: App) -> list[Action]:
    """Actions only kader or admins may take (a mother's own are not in this story)."""
    return [a for a in app.engine.registry.actions.values() if a.roles <= STAFF_ROLES]


def forged_args(world: World) -> list[list[str]]:
    """Arguments a forged button may carry: none, another kampung's ids (its mother, its
    kader, the kampung, its kegiatan, question and report), a neighbour's member id, and
    pairs of them."""
    ids = world.ids
    names = "ratna euis cibening cibening_only question_cibening report_cibening dewi"
    theirs = [ids[k] for k in names.split()]
    pairs = [[ids["cibening_only"], ids["ratna"]], [ids["report_cibening"], ids["euis"]]]
    return [[], *([str(i)] for i in theirs), *([str(a), str(b)] for a, b in pairs)]


async def _check_refused(
    world: World, sends: list[tuple[str, Sent]], what: str, told: dict[str, str] = TOLD
) -> list[str]:
    """Each (role, message) is refused with the kind word for her role, and all of them
    together changed nothing."""
    before = await table_rows(world.app)
    out = []
    for role, sent in sends:
        await world.keep_role(role)
        chat = world.chats[role]
        said = "\n".join(r.text for r in await chat.deliver(sent.incoming(chat)))
        if told[role] not in said:
            out.append(f"{role} {what} {sent.choice or sent.text!r}: not refused: {said[:120]!r}")
    after = await table_rows(world.app)
    return out + [f"{what}: {change}" for change in changes(before, after)]


async def test_staff_actions_by_forged_buttons_are_refused_and_change_nothing(
    app: App, tmp_path: object
) -> None:
    world = await build_world(app, tmp_path)  # type: ignore[arg-type]
    args = forged_args(world)
    wrong: list[str] = []
    actions = staff_actions(app)
    assert len(actions) > 40, [a.name for a in actions]  # the list is really enumerated
    for action in actions:
        taps = [
            (role, tap(":".join(["a:" + action.name, *a])))
            for role in LESSER
            if role not in action.roles
            for a in args
        ]
        wrong += await _check_refused(world, taps, action.name)
    assert wrong == [], "\n".join(wrong)


def _typed_words(app: App, role: str) -> list[tuple[str, str]]:
    """(typed, what she is told) for the keywords of every staff menu entry ("laporan",
    "kelola kegiatan"), in every language, that are not also keywords of her own entries.
    A newcomer typing a word that opens a mother's entry first ("pertanyaan") is told to
    register first. (A staff button's label is no keyword: typed by a mother it is simply
    not understood.)"""
    registry = app.engine.registry

    def words(entry_key: str) -> set[str]:
        return {
            norm(w)
            for lang in LANGUAGES
            for w in t(lang, entry_key + ".words").split(",")
            if w.strip()
        }

    hers = set().union(*(words(e.label_key) for e in registry.menu if role in e.roles))
    typed = []
    for entry in registry.menu:
        if entry.roles <= STAFF_ROLES and role not in entry.roles:
            for word in sorted(words(entry.label_key) - hers):
                # A word of several entries opens the first of them (in menu order).
                first = next(e for e in registry.menu if word in words(e.label_key))
                mothers = role == "guest" and "ibu" in first.roles
                typed.append((word, REGISTER_FIRST if mothers else TOLD[role]))
    return typed


async def test_staff_menu_words_typed_by_others_are_refused_and_change_nothing(
    app: App, tmp_path: object
) -> None:
    world = await build_world(app, tmp_path)  # type: ignore[arg-type]
    wrong: list[str] = []
    for role in LESSER:
        typed = _typed_words(app, role)
        assert typed, role
        for word, told in typed:
            sends = [(role, text(word))]
            wrong += await _check_refused(world, sends, "typing", told={role: told})
    # The typed commands ("hadir KODE") are for registered members: a newcomer is sent to
    # register, with the right code of a kegiatan today or without one.
    code = await checkin_code(app, world.ids["soon"])
    commands = [
        ("guest", text(f"{w} {arg}"))
        for w in app.engine.registry.commands
        for arg in (code, "ZZZZZ")
    ]
    assert commands
    wrong += await _check_refused(
        world, commands, "typing a command", told={"guest": REGISTER_FIRST}
    )
    assert wrong == [], "\n".join(wrong)


async def test_a_staff_flow_left_on_a_mothers_screen_takes_no_answer(
    app: App, tmp_path: object
) -> None:
    """Her role was taken away mid-way (or the state was forged): every answer to every
    step of every kader and admin flow is refused, nothing saved."""
    with downloaders(tmp_path):  # type: ignore[arg-type]
        world = await build_world(app, tmp_path)  # type: ignore[arg-type]
        await world.crawl("kader")
        await world.crawl("admin")
        screens = [s for role in ("kader", "admin") for s in world.screens[role] if s.flow]
        registry = app.engine.registry
        flows = {s.flow for s in screens}
        staff_flows = {f.name for f in registry.flows.values() if f.roles <= STAFF_ROLES}
        assert staff_flows <= flows, staff_flows - flows
        wrong: list[str] = []
        for screen in screens:
            flow = registry.flow(screen.flow)
            assert flow is not None
            before = await table_rows(app)
            for role in LESSER:
                if role in flow.roles:
                    continue
                for sent in _answers(screen):
                    await world.keep_role(role)
                    chat = await world.restore(role, screen)
                    said = "\n".join(r.text for r in await chat.deliver(sent.incoming(chat)))
                    told = REGISTER_FIRST if role == "guest" and "ibu" in flow.roles else TOLD[role]
                    if told not in said:
                        wrong.append(f"{role} at {screen.key} {sent!r}: {said[:100]!r}")
            after = await table_rows(app)
            wrong += [f"at {screen.key}: {c}" for c in changes(before, after)]
        assert wrong == [], "\n".join(wrong)


def _answers(screen: Screen) -> list[Sent]:
    """What saves or moves on at this step: its first button (yes, save, send…) and the
    good typed answer; a photo where photos are taken."""
    taps = [tap(c) for c in screen.choice_ids if c.startswith(STEP_PREFIX)][:1]
    good = GOOD.get((screen.flow or "", screen.step or ""), ())[:1]
    return [*taps, *(text(a) for a in good)] or [photo()]


async def test_buttons_forged_with_another_kampung_or_mothers_ids_change_nothing_of_theirs(
    app: App, tmp_path: object
) -> None:
    """A Sumberan kader taps each of her own actions with Cibening's ids (its mother, its
    kader, its kegiatan, question and report); a mother taps hers with her neighbours'
    ids: whatever she is told, nothing of theirs changes, also after a yes to whatever
    she is asked next."""
    world = await build_world(app, tmp_path)  # type: ignore[arg-type]
    registry = app.engine.registry
    ids = world.ids
    cases = {
        "kader": (
            Theirs(
                members=frozenset({ids["ratna"], ids["euis"]}),
                questions=frozenset({ids["question_cibening"]}),
                reports=frozenset({ids["report_cibening"]}),
            ),
            [ids["ratna"], ids["euis"], ids["question_cibening"], ids["report_cibening"]],
            [ids["cibening_only"], ids["cibening"]],
        ),
        "ibu": (
            Theirs(members=frozenset({ids["dewi"], ids["ani"], ids["ratna"]})),
            [ids["dewi"], ids["ani"], ids["ratna"]],
            [ids["full"], ids["open"]],
        ),
    }
    wrong: list[str] = []
    for role, (theirs, people, places) in cases.items():
        own = sorted(a.name for a in registry.actions.values() if role in a.roles)
        forged = [[str(p)] for p in people + places]
        forged += [[str(places[0]), str(p)] for p in people] + [[str(people[0]), "1"]]
        before = await table_rows(app)
        for name in own:
            chat = world.chats[role]
            for args in forged:
                replies = await chat.tap(":".join(["a:" + name, *args]))
                if not replies:
                    wrong.append(f"{role} {name}:{':'.join(args)}: no answer")
                # Whatever it asks next, she says yes (the first button of that step).
                steps = [c.id for c in chat.choices if c.id.startswith(STEP_PREFIX)]
                if steps:
                    await chat.tap(steps[0])
            await world.keep_role(role)
        after = await table_rows(app)
        wrong += [f"{role}: {c}" for c in changes(before, after, theirs=theirs)]
    assert wrong == [], "\n".join(wrong)
