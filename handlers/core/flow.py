"""Hand-written flows (`ask_<step>` / `on_<step>` methods) from before the wizard kit,
kept while the last features move to declared wizards (`handlers.core.wizard`).

Their flows, actions and menu entries are collected here and handed to the registry as
one feature by `handlers.features`; new code declares a `Feature` instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from handlers.core.context import Answer, Ctx
from handlers.core.feature import ADMIN, ANYONE, MEMBERS, Action, ActionHandler, MenuEntry
from handlers.core.feature import StepKind as StepKind
from handlers.core.menu import reprompt as reprompt
from handlers.core.menu import show_menu
from handlers.core.types import Kind

__all__ = ["ADMIN", "ANYONE", "MEMBERS", "ConfirmFlow", "Flow", "MenuEntry"]


class Flow:
    name: ClassVar[str]
    first_step: ClassVar[str]
    roles: frozenset[str] = ANYONE
    # Steps whose typed answers are read as their own type (answer rule c).
    typed_steps: ClassVar[dict[str, StepKind]] = {}

    async def start(self, ctx: Ctx, **data: Any) -> None:
        ctx.set_flow(self.name, self.first_step, **data)
        await self.ask(ctx)

    async def ask(self, ctx: Ctx) -> None:
        handler: Callable[[Ctx], Awaitable[None]] = getattr(self, f"ask_{ctx.state.step}")
        await handler(ctx)

    async def handle(self, ctx: Ctx, answer: Answer) -> None:
        handler: Callable[[Ctx, Answer], Awaitable[None]] = getattr(self, f"on_{ctx.state.step}")
        await handler(ctx, answer)

    async def goto(self, ctx: Ctx, step: str) -> None:
        ctx.goto_step(step)
        await self.ask(ctx)

    def has_step(self, step: str | None) -> bool:
        return step is not None and hasattr(self, f"ask_{step}") and hasattr(self, f"on_{step}")

    def step_kind(self, step: str | None) -> StepKind:
        return self.typed_steps.get(step or "", "choice")

    def fresh_only(self, step: str | None) -> bool:
        return False

    def accepts(self, step: str | None, kind: Kind) -> bool:
        return True

    async def cancel(self, ctx: Ctx) -> None:
        ctx.finish()
        await show_menu(ctx, intro=ctx.t("common.cancelled"))


class ConfirmFlow(Flow):
    """One yes/no question before something that cannot be undone. A subclass gives the
    question and its two labels, and what yes and no do with the flow's data (the flow is
    already finished by then, so the menu can follow)."""

    first_step = "confirm"

    def question(self, ctx: Ctx) -> tuple[str, str, str]:
        raise NotImplementedError  # (text, yes label, no label), given by each subclass

    async def on_yes(self, ctx: Ctx, data: dict[str, Any]) -> None:
        raise NotImplementedError

    async def on_no(self, ctx: Ctx, data: dict[str, Any]) -> None:
        raise NotImplementedError

    async def ask_confirm(self, ctx: Ctx) -> None:
        text, yes, no = self.question(ctx)
        ctx.ask(text, [("yes", yes), ("no", no)])

    async def on_confirm(self, ctx: Ctx, answer: Answer) -> None:
        if answer.value not in ("yes", "no"):
            ctx.say(ctx.t("common.yes_or_no"))
            await self.ask(ctx)
            return
        data = ctx.data
        ctx.set_flow(None)
        await (self.on_yes if answer.value == "yes" else self.on_no)(ctx, data)


FLOWS: dict[str, Flow] = {}
ACTIONS: dict[str, Action] = {}
ENTRIES: list[MenuEntry] = []


def register_flow(flow: Flow) -> Flow:
    FLOWS[flow.name] = flow
    return flow


def register_action(
    name: str, roles: frozenset[str] = ANYONE
) -> Callable[[ActionHandler], ActionHandler]:
    def deco(fn: ActionHandler) -> ActionHandler:
        ACTIONS[name] = Action(name, fn, roles)
        return fn

    return deco


def add_entry(entry: MenuEntry) -> None:
    ENTRIES.append(entry)
