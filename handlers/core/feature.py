"""Features and the registry the router dispatches to.

A feature is a plain object listing what it offers: its actions (self-contained button
ids "a:<name>:<args>"), its flows (wizards kept in the database), its main-menu entries
and the one-time-code purposes it redeems. The wiring lists the features once
(`handlers.features.all_features`); `Registry` checks that no name is used twice and
that every action carries its feature's prefix. Nothing registers itself on import, so
a test can build an engine with only the features it needs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol, TypeVar

from handlers.core.types import Kind

if TYPE_CHECKING:
    from handlers.core.context import Answer, Ctx
    from models.codes import OneTimeCode

ANYONE = frozenset({"guest", "ibu", "kader", "admin"})
MEMBERS = frozenset({"ibu", "kader", "admin"})
ADMIN = frozenset({"admin"})
KADER = frozenset({"kader"})
# Kader and admins: an admin may do what a kader does, for every kampung.
STAFF = frozenset({"kader", "admin"})

T = TypeVar("T")


def refusal_key(role: str, allowed: frozenset[str]) -> str:
    """The catalog key that tells someone kindly why an action or flow is not hers: a
    newcomer to register first, staff that it is for the mothers, a kader that it is the
    admins' (she is staff too), anyone else that it is for staff."""
    if role == "guest" and "ibu" in allowed:
        return "common.register_first"
    if not allowed & STAFF:
        return "common.for_mothers"  # a kader typing "tanya": not "for staff only"
    if role == "kader" and "kader" not in allowed:
        return "common.for_admins"
    return "common.not_allowed"


ActionHandler = Callable[["Ctx", list[str]], Awaitable[None]]
CodeHandler = Callable[["Ctx", "OneTimeCode"], Awaitable[None]]
# A word typed anywhere with what follows it ("hadir K7WFE"): handler(ctx, "K7WFE").
CommandHandler = Callable[["Ctx", str], Awaitable[None]]
# A message that is no answer ("Dengarkan"): True when the hook took it.
AsideHandler = Callable[["Ctx"], Awaitable[bool]]
# Runs after every answer, before her state is saved (a "Dengarkan" button on the reply).
AfterHandler = Callable[["Ctx"], Awaitable[None]]

# How the router reads typed text on a step (answer rule c): "choice" steps match the
# screen's choices by number or label; the others take what she typed as their own type
# ("1" on a number step is one), reaching their shortcuts only by word or button.
StepKind = Literal["choice", "text", "number", "date", "time", "datetime", "phone", "media"]


class Flow(Protocol):
    """A conversation of several messages whose progress lives in the database."""

    @property
    def name(self) -> str: ...

    @property
    def roles(self) -> frozenset[str]: ...

    async def ask(self, ctx: Ctx) -> None:
        """Show the current step's question again."""

    async def handle(self, ctx: Ctx, answer: Answer) -> None:
        """Take an answer to the current step."""

    def has_step(self, step: str | None) -> bool: ...

    def step_kind(self, step: str | None) -> StepKind: ...

    def fresh_only(self, step: str | None) -> bool:
        """True for a confirmation of something that cannot be undone."""

    def accepts(self, step: str | None, kind: Kind) -> bool:
        """Whether a non-text message (photo, contact…) is an answer to this step."""

    async def cancel(self, ctx: Ctx) -> None:
        """ "batal": end the flow and say what did not happen."""


@dataclass(frozen=True)
class Action:
    name: str
    handler: ActionHandler
    roles: frozenset[str] = ANYONE


@dataclass(frozen=True)
class MenuEntry:
    action: str
    label_key: str
    roles: frozenset[str]
    order: int
    # Extra condition, given the household size (members this chat acts for).
    visible: Callable[[int], bool] | None = None
    # About her own registration (schedule, data, erasure): hidden for staff accounts.
    personal: bool = False
    # Small phones: the main menu holds the frequent items; the rest is under "Lainnya".
    group: Literal["main", "more"] = "main"


@dataclass(frozen=True)
class Feature:
    name: str
    # Every action id of this feature starts with "<prefix>." ("kg.signup").
    prefix: str
    actions: tuple[Action, ...] = ()
    flows: tuple[Flow, ...] = ()
    menu: tuple[MenuEntry, ...] = ()
    codes: Mapping[str, CodeHandler] = field(default_factory=dict)
    # Whole messages "<word> <argument>" that work on any screen, like "kode <code>"; the
    # word alone reaches the handler with "" only where nothing else took it.
    commands: Mapping[str, CommandHandler] = field(default_factory=dict)
    # Action names used on buttons sent before the rename, still found on old messages.
    aliases: Mapping[str, str] = field(default_factory=dict)
    # Looked at before the router. A message it takes is no answer: her conversation state
    # is then not written at all, so no flow moves on and a pending confirmation stays as
    # fresh as it was (asking to hear a message again, "Dengarkan").
    aside: AsideHandler | None = None
    # Looked at after every answer, before her state is saved.
    after: AfterHandler | None = None


class DuplicateName(ValueError):
    """Two features use the same name; the bot refuses to start."""


class Registry:
    def __init__(self, features: Iterable[Feature]) -> None:
        self.features = tuple(features)
        self.actions: dict[str, Action] = {}
        self.flows: dict[str, Flow] = {}
        self.codes: dict[str, CodeHandler] = {}
        self.commands: dict[str, CommandHandler] = {}
        self.aliases: dict[str, str] = {}
        self.asides = tuple(f.aside for f in self.features if f.aside is not None)
        self.afters = tuple(f.after for f in self.features if f.after is not None)
        entries: list[MenuEntry] = []
        names: set[str] = set()
        for feature in self.features:
            _add(names, feature.name, "feature")
            for act in feature.actions:
                if not act.name.startswith(feature.prefix + "."):
                    raise DuplicateName(
                        f"action {act.name!r} of {feature.name} lacks prefix {feature.prefix!r}"
                    )
                _put(self.actions, act.name, act, "action")
            for flow in feature.flows:
                _put(self.flows, flow.name, flow, "flow")
            for purpose, handler in feature.codes.items():
                _put(self.codes, purpose, handler, "code purpose")
            for old, new in feature.aliases.items():
                _put(self.aliases, old, new, "action alias")
            for word, command in feature.commands.items():
                _put(self.commands, word, command, "command")
            entries.extend(feature.menu)
        for old, new in self.aliases.items():
            if old in self.actions or new not in self.actions:
                raise DuplicateName(f"alias {old!r} -> {new!r} does not fit the actions")
        for entry in entries:
            if entry.action not in self.actions:
                raise DuplicateName(f"menu entry for unknown action {entry.action!r}")
        self.menu = tuple(sorted(entries, key=lambda e: e.order))

    def action(self, name: str) -> Action | None:
        return self.actions.get(self.aliases.get(name, name))

    def flow(self, name: str | None) -> Flow | None:
        return self.flows.get(name or "")

    def command(self, text: str) -> tuple[CommandHandler, str] | None:
        """A whole message "<word> <argument>" whose word a feature registered, with the
        argument ("hadir K7WFE"); None for anything else, the word alone included."""
        if len(text) > 100:  # a long message is no command
            return None
        parts = text.strip().split(maxsplit=1)
        found = self.commands.get(parts[0].casefold().lstrip("/")) if len(parts) == 2 else None
        return (found, parts[1].strip()) if found is not None else None


def _add(names: set[str], name: str, what: str) -> None:
    if name in names:
        raise DuplicateName(f"{what} {name!r} is defined twice")
    names.add(name)


def _put(table: dict[str, T], name: str, value: T, what: str) -> None:
    if name in table:
        raise DuplicateName(f"{what} {name!r} is defined twice")
    table[name] = value
