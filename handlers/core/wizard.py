"""Declared wizards: a flow is a list of typed steps over a typed form.

    REGISTRATION = Wizard("mb.register", RegistrationForm, (
        Text(name="full_name", ask="reg.ask_name", clean=read_name, edit="reg.edit_name"),
        Pick(name="kampung_id", ask="reg.ask_kampung", choices=kampung_options, ...),
        ...
        Summary(name="summary", ask="reg.summary", render=..., saves=(...), fields=(...)),
    ), roles=ANYONE)

The runtime asks each step in turn, stores each value in the form (kept in the database
with the conversation state, so a restart continues at the same step), asks again kindly
after a problem, skips optional steps on "lewati", returns to the summary after a change
(asking first any step the change newly brings in), checks the roles on every answer,
and takes a confirmation only while it is fresh. A wizard started from a page (a
kegiatan's, a report's, a list) names it with `back=`: "batal" and its "Tidak, jangan …"
option (`back_out`) end there with the `cancelled` message, not on the main menu.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError

from handlers.core.context import Answer, Ctx
from handlers.core.feature import MEMBERS, StepKind, refusal_key
from handlers.core.menu import end_flow, show_menu
from handlers.core.steps import Menu, Option, Problem, Run, Step, Summary
from handlers.core.types import Kind
from models.outbox.delivery import delivered_since

F = TypeVar("F", bound=BaseModel)

# Stored flows of the earlier hand-written kind carry no such mark; they are reset with
# a short note rather than read wrongly.
KIT_VERSION = 2
EDIT_PREFIX = "_edit."
# What a menu option returns to go on as after any answered step (next step, or back to
# the summary when changing from there).
NEXT = "_next"
# What a menu option returns to end the flow as "batal" does: nothing done, the wizard's
# `cancelled` message, and back to where the flow was started from (its `back`).
BACK = "_back"


class Wizard(Generic[F]):
    def __init__(
        self,
        name: str,
        form: type[F],
        steps: Sequence[Step],
        *,
        roles: frozenset[str] = MEMBERS,
        done: Run | None = None,
        cancelled: str | Callable[[F], str] = "common.cancelled",
        back: Callable[[Ctx, F], Awaitable[None]] | None = None,
    ) -> None:
        self.name = name
        self.form = form
        self.steps = tuple(steps)
        self.roles = roles
        # What happens when the steps run out without a summary or menu ending the flow.
        self.done = done
        # Catalog key said when she types "batal": what did not happen (or the key for the
        # form, for a wizard that both makes a thing and changes one).
        self.cancelled = cancelled
        # The page the flow was started from (a kegiatan's, a report's, a kader's…), shown
        # again after "batal" or a "Tidak/Jangan" answering BACK: she was working there, and
        # the main menu would lose her place. None: the flow started from the menu.
        self.back = back
        self._by_name: dict[str, Step] = {}
        for step in self.steps:
            if step.name in self._by_name:
                raise ValueError(f"{name}: step {step.name!r} is declared twice")
            self._by_name[step.name] = step
        self.summary = next((s for s in self.steps if isinstance(s, Summary)), None)

    # -- what the router asks ------------------------------------------------------------

    def has_step(self, step: str | None) -> bool:
        return step in self._by_name

    def step_kind(self, step: str | None) -> StepKind:
        found = self._by_name.get(step or "")
        return found.kind if found else "choice"

    def fresh_only(self, step: str | None) -> bool:
        found = self._by_name.get(step or "")
        return bool(found and found.fresh_only)

    def accepts(self, step: str | None, kind: Kind) -> bool:
        found = self._by_name.get(step or "")
        return bool(found and found.accepts(kind))

    # -- the form --------------------------------------------------------------------------

    def load(self, ctx: Ctx) -> F | None:
        data = ctx.data
        if data.get("kit") != KIT_VERSION:
            return None
        try:
            return self.form.model_validate(data.get("form") or {})
        except ValidationError:
            return None

    def store(self, ctx: Ctx, form: F) -> None:
        ctx.update_data(form=form.model_dump(mode="json"))

    # -- moving between steps ---------------------------------------------------------------

    async def start(
        self,
        ctx: Ctx,
        form: F | None = None,
        *,
        at: str | None = None,
        review: bool = False,
        answered: Sequence[str] = (),
    ) -> None:
        form = form if form is not None else self.form()
        first = at or self._next(form, None)
        if first is None:
            raise ValueError(f"{self.name}: no step applies")
        ctx.set_flow(
            self.name,
            first,
            kit=KIT_VERSION,
            form=form.model_dump(mode="json"),
            review=review,
            answered=list(answered),
        )
        await self.ask(ctx)

    async def goto(self, ctx: Ctx, step: str, *, review: bool | None = None) -> None:
        if step not in self._by_name:
            raise ValueError(f"{self.name}: no step {step!r}")
        ctx.goto_step(step)
        if review is not None:
            ctx.update_data(review=review)
        await self.ask(ctx)

    async def ask(self, ctx: Ctx, *, again: bool = False) -> None:
        form = self.load(ctx)
        step = self._by_name.get(ctx.state.step or "")
        if form is None or step is None:
            await self.reset(ctx)
            return
        if step.fresh_only:
            # The next message handled will find the state at this version (see `_fresh`);
            # buttons of an earlier asking carry another token and only ask again.
            ctx.update_data(
                token=secrets.token_hex(3),
                asked_v=ctx.state.version + 1,
                asked_at=ctx.now.isoformat(),
            )
        question = await step.question(ctx, form, again=again)
        options = list(question.options)
        if isinstance(step, Summary):
            options += [
                (EDIT_PREFIX + name, ctx.t(edit))
                for name in step.fields
                if (edit := self._by_name[name].edit) and self._by_name[name].applies(form)
            ]
        ctx.ask(question.text, options, request_contact=question.request_contact)

    async def reset(self, ctx: Ctx) -> None:
        """The stored conversation cannot be read (an older version of this flow)."""
        await end_flow(ctx, ctx.t("kit.reset"))

    async def cancel(self, ctx: Ctx) -> None:
        """ "batal": end the flow, say what did not happen, and go back where it started."""
        await self.leave(ctx, self.load(ctx))

    async def leave(self, ctx: Ctx, form: F | None) -> None:
        """Nothing done: end the flow, say so (`cancelled`), and show the page the flow was
        started from (`back`), else the main menu."""
        ctx.finish()
        values = self.cancel_values(ctx, form) if form is not None else {}
        key = self.cancelled
        if not isinstance(key, str):
            key = key(form) if form is not None else "common.cancelled"
        text = ctx.t(key, **values)
        # An unreadable form names no page; a role taken away mid-way may not see it.
        if self.back is None or form is None or ctx.role not in self.roles:
            await show_menu(ctx, intro=text)
            return
        ctx.say(text)
        await self.back(ctx, form)

    def cancel_values(self, ctx: Ctx, form: F) -> dict[str, object]:
        return {k: v for k, v in form.model_dump().items() if isinstance(v, str | int)}

    async def handle(self, ctx: Ctx, answer: Answer) -> None:
        form = self.load(ctx)
        step = self._by_name.get(ctx.state.step or "")
        if form is None or step is None:
            await self.reset(ctx)
            return
        if ctx.role not in self.roles:
            # Checked on every answer: a role may have been taken away mid-way.
            await end_flow(ctx, ctx.t(refusal_key(ctx.role, self.roles)))
            return
        if step.fresh_only and not await self._fresh(ctx):
            ctx.say(ctx.t("kit.confirm_stale"))
            await self.ask(ctx)
            return
        if isinstance(step, Summary) and (answer.value or "").startswith(EDIT_PREFIX):
            target = (answer.value or "").removeprefix(EDIT_PREFIX)
            if target in step.fields:
                await self.goto(ctx, target, review=True)
                return
        value: object
        if step.skipped(ctx, answer):
            value = None
        elif answer.kind not in (Kind.TEXT, Kind.CHOICE) and not step.accepts(answer.kind):
            value = Problem(step.wrong_kind)
        else:
            value = await step.read(ctx, answer, form)
        if isinstance(value, Problem):
            if value.key:
                ctx.say(ctx.t(value.key, **value.values))
            await self.ask(ctx, again=True)
            return
        if isinstance(step, Menu):
            assert isinstance(value, Option)
            await self._run(ctx, step, form, value)
            return
        setattr(form, step.attr, value)
        if step.after is not None:
            step.after(ctx, form)
        answered = [*ctx.data.get("answered", []), step.name]
        ctx.update_data(answered=answered)
        self.store(ctx, form)
        await self._advance(ctx, step, form)

    async def _run(self, ctx: Ctx, step: Step, form: F, option: Option) -> None:
        nxt = await option.run(ctx, form)
        if ctx.state.flow != self.name:
            return  # the option ended the flow (saved, sent, erased…)
        self.store(ctx, form)
        if nxt == NEXT:
            await self._advance(ctx, step, form)
        elif nxt == BACK:
            await self.leave(ctx, form)
        elif nxt is not None:
            await self.goto(ctx, nxt)

    async def _advance(self, ctx: Ctx, step: Step, form: F) -> None:
        nxt: str | None
        if ctx.data.get("review") and self.summary is not None:
            answered = set(ctx.data.get("answered", []))
            later = self.steps[[s.name for s in self.steps].index(step.name) + 1 :]
            nxt = next(
                (
                    s.name
                    for s in self.steps
                    if s.stores and s.applies(form) and s.name not in answered
                ),
                None,
            ) or next((s.name for s in later if s.confirms and s.applies(form)), None)
            nxt = nxt or self.summary.name
        else:
            nxt = self._next(form, step.name)
        if nxt is not None:
            await self.goto(ctx, nxt)
        elif self.done is not None:
            after = await self.done(ctx, form)
            if ctx.state.flow == self.name and after is not None:
                await self.goto(ctx, after)
        else:
            raise ValueError(f"{self.name}: nothing follows step {step.name!r}")

    def _next(self, form: F, after: str | None) -> str | None:
        names = [s.name for s in self.steps]
        start = names.index(after) + 1 if after is not None else 0
        return next((s.name for s in self.steps[start:] if s.applies(form)), None)

    async def _fresh(self, ctx: Ctx) -> bool:
        """The question was asked by the last reply, within the window, and nothing was
        delivered to this chat since (a notice in between makes a typed "ok" ambiguous)."""
        data = ctx.data
        if data.get("asked_v") != ctx.state.version:
            return False
        try:
            asked_at = datetime.fromisoformat(str(data.get("asked_at")))
        except ValueError:
            return False
        if ctx.now - asked_at > ctx.config.confirm_window:
            return False
        return not await delivered_since(ctx.session, ctx.identity.id, asked_at)


async def back_out(_ctx: Ctx, _form: BaseModel) -> str:
    """A "Tidak, jangan …" option: as "batal" (see BACK)."""
    return BACK


__all__ = ["BACK", "KIT_VERSION", "NEXT", "Wizard", "back_out"]
