"""Step-by-step conversations ("flows") and the registries the router dispatches to.

A flow is a class with `ask_<step>` (send the step's question) and `on_<step>` (take the
answer) methods. Its progress lives in the database (`ConversationState`), never in
memory, so a restart continues at the same step with everything already entered.
Actions are self-contained choice ids ("a:<name>:<args>") with the roles allowed to use
them; the router checks the role on every use, so a forged id gets nowhere.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from handlers.core.context import Answer, Ctx
from handlers.core.menu import show_menu

ANYONE = frozenset({"guest", "ibu", "kader", "admin"})
MEMBERS = frozenset({"ibu", "kader", "admin"})


class Flow:
    name: ClassVar[str]
    first_step: ClassVar[str]

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


ActionHandler = Callable[[Ctx, list[str]], Awaitable[None]]


@dataclass(frozen=True)
class ActionSpec:
    handler: ActionHandler
    roles: frozenset[str]


FLOWS: dict[str, Flow] = {}
ACTIONS: dict[str, ActionSpec] = {}


def register_flow(flow: Flow) -> Flow:
    FLOWS[flow.name] = flow
    return flow


def register_action(
    name: str, roles: frozenset[str] = ANYONE
) -> Callable[[ActionHandler], ActionHandler]:
    def deco(fn: ActionHandler) -> ActionHandler:
        ACTIONS[name] = ActionSpec(fn, roles)
        return fn

    return deco


async def reprompt(ctx: Ctx) -> None:
    """Show the current step again, or the menu when no flow is running."""
    flow = FLOWS.get(ctx.state.flow or "")
    if flow is not None and flow.has_step(ctx.state.step):
        await flow.ask(ctx)
    else:
        ctx.set_flow(None)
        await show_menu(ctx)
