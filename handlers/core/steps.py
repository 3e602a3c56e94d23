"""The step kinds a wizard is declared with: text, number, pick, date/time, day, phone,
yes/no, menu, confirmation and summary (photos: `handlers.core.photos`).

A step owns its question (a catalog key), how it reads an answer (a value, or a
`Problem` shown kindly before asking again), its shortcuts ("Lewati" for optional steps,
"Tanpa batas" on a number) and how its value reads on a summary. The runtime that moves
between steps is `handlers.core.wizard.Wizard`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, ClassVar

from handlers.core.context import Answer, Ctx
from handlers.core.feature import StepKind
from handlers.core.i18n import format_date_local
from handlers.core.types import Kind
from handlers.parse import (
    Direction,
    parse_date,
    parse_datetime,
    parse_int,
    parse_time,
    parse_yes_no,
)
from handlers.parse.numbers import parse_count
from handlers.parse.words import norm
from models.people.rules import check_phone, format_phone

SKIP = "_skip"
SKIP_WORDS = ("lewati", "lewat", "skip", "tidak ada", "tdk ada", "gak ada", "ga ada", "-")

# Catalog keys of what a date/time answer got wrong (handlers.parse error codes).
WHEN_PROBLEMS = {
    "empty": "kit.when_unknown",
    "unknown": "kit.when_unknown",
    "ambiguous": "kit.when_ambiguous",
    "missing_date": "kit.when_missing_date",
    "impossible_date": "kit.when_impossible_date",
    "impossible_time": "kit.time_impossible",
    "past": "kit.when_past",
    "future": "kit.when_future",
}


@dataclass(frozen=True)
class Problem:
    """What is wrong with an answer: a catalog key and its placeholders."""

    key: str
    values: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Question:
    text: str
    options: list[tuple[str, str]] = field(default_factory=list)
    request_contact: str | None = None


Form = Any
Values = Callable[[Ctx, Form], dict[str, object]]
# What a menu option does: the name of the step to go to next, or None when it ended the
# flow or showed its own screen.
Run = Callable[[Ctx, Form], Awaitable[str | None]]


@dataclass(frozen=True, kw_only=True)
class Step(ABC):
    name: str
    # Catalog key of the question.
    ask: str
    # The form attribute the value goes to (default: the step's name).
    field: str | None = None
    optional: bool = False
    # The step is part of the flow only when this holds for the form.
    when: Callable[[Form], bool] | None = None
    # Catalog key of the summary button that changes this value ("Ubah nama").
    edit: str | None = None
    # Placeholders for the question, from the form.
    values: Values | None = None
    # Called after the value is stored (e.g. a new start moves the end).
    after: Callable[[Ctx, Form], None] | None = None
    # A shorter question when asking again after an unclear answer (the consent text is
    # sent once in full, then a one-line reminder).
    again: str | None = None
    # Catalog key of the "Lewati" button of an optional step, when it says more.
    skip_label: str = "kit.skip"
    # An optional step where any "no" in her own words means none ("tidak punya",
    # "belum ada HP", "gak"): a phone number. Not for free text, where "tidak ada air
    # bersih" is an answer.
    skip_on_no: bool = False
    # Catalog key of how an empty value reads on a summary ("(tidak ada)").
    empty: str | None = None
    # Catalog key said when a photo, sticker or voice note comes where text is asked.
    wrong_kind: str = "kit.text_only"
    # A step that checks an earlier answer ("Maksud Ibu kampung Sumberan?"): asked
    # whenever it applies, also on the way back to the summary after a change.
    confirms: bool = False

    kind: ClassVar[StepKind] = "choice"
    fresh_only: ClassVar[bool] = False
    stores: ClassVar[bool] = True

    @property
    def attr(self) -> str:
        return self.field or self.name

    def applies(self, form: Form) -> bool:
        return self.when is None or self.when(form)

    def accepts(self, kind: Kind) -> bool:
        return kind is Kind.TEXT

    async def options(self, ctx: Ctx, form: Form) -> list[tuple[str, str]]:
        return []

    async def question(self, ctx: Ctx, form: Form, *, again: bool = False) -> Question:
        values = self.values(ctx, form) if self.values else {}
        options = await self.options(ctx, form)
        if self.optional:
            options = [*options, (SKIP, ctx.t(self.skip_label))]
        key = self.again if again and self.again else self.ask
        return Question(ctx.t(key, **values), options, self.request_contact(ctx))

    def request_contact(self, ctx: Ctx) -> str | None:
        """The label of a "share my number" button, on a step that takes a phone."""
        return None

    @abstractmethod
    async def read(self, ctx: Ctx, ans: Answer, form: Form) -> Any:
        """The value of an answer, or a `Problem` (each kind reads its own answers)."""

    def show(self, ctx: Ctx, value: Any) -> str:
        """How the value reads on a summary."""
        if value in (None, ""):
            return ctx.t(self.empty) if self.empty else "-"
        return str(value)

    def skipped(self, ctx: Ctx, ans: Answer) -> bool:
        if not self.optional:
            return False
        if ans.value == SKIP:
            return True
        typed = norm(ans.text) if ans.kind is Kind.TEXT else ""
        if not typed:
            return False
        if typed in SKIP_WORDS or typed == norm(ctx.t(self.skip_label)):
            return True
        return self.skip_on_no and _says_no(typed)


def _says_no(typed: str) -> bool:
    """ "tidak punya", "belum ada hp", "gak", "ndak ada": a no, whatever follows it."""
    words = typed.split()
    return parse_yes_no(typed) is False or parse_yes_no(words[0]) is False or words[0] == "belum"


def _text_of(ans: Answer) -> str:
    return ans.text.strip() if ans.kind is Kind.TEXT else ""


@dataclass(frozen=True, kw_only=True)
class Text(Step):
    max_len: int = 200
    min_len: int = 1
    # A stricter reading: the cleaned value, or a Problem.
    clean: Callable[[str], Any] | None = None
    too_long: str = "kit.too_long"
    kind: ClassVar[StepKind] = "text"

    async def read(self, ctx: Ctx, ans: Answer, form: Form) -> Any:
        if ans.kind is not Kind.TEXT:
            return Problem(self.wrong_kind)
        text = ans.text.strip()
        # Before any pattern: a 5,000-character answer is refused at once.
        if len(text) > self.max_len:
            return Problem(self.too_long, {"limit": self.max_len, "length": len(text)})
        if self.clean is not None:
            return self.clean(text)
        if len(text) < self.min_len:
            return Problem("kit.need_text")
        return text


@dataclass(frozen=True, kw_only=True)
class Number(Step):
    minimum: int | None = None
    maximum: int | None = None
    # Shortcuts reached by their button or word, never by a typed number:
    # (value stored, catalog key of the label, other words).
    shortcuts: Sequence[tuple[Any, str, tuple[str, ...]]] = ()
    kind: ClassVar[StepKind] = "number"

    async def options(self, ctx: Ctx, form: Form) -> list[tuple[str, str]]:
        return [(f"_sc{i}", ctx.t(key)) for i, (_, key, _w) in enumerate(self.shortcuts)]

    async def read(self, ctx: Ctx, ans: Answer, form: Form) -> Any:
        for i, (value, key, words) in enumerate(self.shortcuts):
            typed = norm(ans.text)
            if ans.value == f"_sc{i}" or (typed and typed in {norm(ctx.t(key)), *words}):
                return value
        number = parse_count(ans.text) if ans.kind is Kind.TEXT else None
        if number is None:
            return Problem("kit.not_number")
        if self.minimum is not None and number < self.minimum:
            return Problem("kit.number_min", {"min": self.minimum})
        if self.maximum is not None and number > self.maximum:
            return Problem("kit.number_max", {"max": self.maximum})
        return number

    def show(self, ctx: Ctx, value: Any) -> str:
        for shortcut, key, _words in self.shortcuts:
            if value == shortcut:
                return ctx.t(key)
        return str(value)


Options = Callable[[Ctx, Form], Awaitable[list[tuple[str, str]]]]


@dataclass(frozen=True, kw_only=True)
class Pick(Step):
    """One of the choices offered (by tap, number or label). `choices` gives them as
    (value, label); `convert` turns the chosen value into what is stored, or a Problem
    when it no longer exists."""

    choices: Options
    convert: Callable[[Ctx, str], Awaitable[Any]] | None = None
    # Reads typed text that is none of the labels (e.g. a kampung with a typo): a value
    # or a Problem.
    typed: Callable[[Ctx, str, Form], Awaitable[Any]] | None = None
    display: Callable[[Ctx, Any], str] | None = None
    problem: str = "kit.pick_from_list"

    async def options(self, ctx: Ctx, form: Form) -> list[tuple[str, str]]:
        return await self.choices(ctx, form)

    async def read(self, ctx: Ctx, ans: Answer, form: Form) -> Any:
        if ans.value is None:
            if self.typed is not None and ans.kind is Kind.TEXT and ans.text.strip():
                return await self.typed(ctx, ans.text, form)
            return Problem(self.problem)
        offered = {v for v, _ in await self.choices(ctx, form)}
        if ans.value not in offered:
            return Problem(self.problem)
        if self.convert is not None:
            return await self.convert(ctx, ans.value)
        return ans.value

    def show(self, ctx: Ctx, value: Any) -> str:
        return self.display(ctx, value) if self.display else super().show(ctx, value)


@dataclass(frozen=True, kw_only=True)
class YesNo(Step):
    yes: str = "kit.yes"
    no: str = "kit.no"

    async def options(self, ctx: Ctx, form: Form) -> list[tuple[str, str]]:
        return [("yes", ctx.t(self.yes)), ("no", ctx.t(self.no))]

    async def read(self, ctx: Ctx, ans: Answer, form: Form) -> Any:
        if ans.value in ("yes", "no"):
            return ans.value == "yes"
        answer = parse_yes_no(ans.text) if ans.kind is Kind.TEXT else None
        return Problem("kit.yes_or_no") if answer is None else answer

    def show(self, ctx: Ctx, value: Any) -> str:
        return ctx.t(self.yes if value else self.no)


@dataclass(frozen=True, kw_only=True)
class When(Step):
    """A moment typed the forgiving way ("besok jam 9", "Senin 08.00", "12/8 jam 10")."""

    direction: str = "future"
    # An end: a bare time is on the day of this form attribute's moment.
    same_day_as: str | None = None
    kind: ClassVar[StepKind] = "datetime"

    async def read(self, ctx: Ctx, ans: Answer, form: Form) -> Any:
        if ans.kind is not Kind.TEXT:
            return Problem("kit.when_unknown")
        now = ctx.now.astimezone(ctx.tz)
        start = getattr(form, self.same_day_as) if self.same_day_as else None
        if isinstance(start, datetime):
            clock = parse_time(ans.text)
            if clock.value is not None and not clock.next_day:
                local = start.astimezone(ctx.tz)
                return datetime.combine(local.date(), clock.value, tzinfo=ctx.tz)
        result = parse_datetime(ans.text, now, "future" if self.direction == "future" else "past")
        if result.error:
            return Problem(WHEN_PROBLEMS.get(result.error, "kit.when_unknown"))
        if result.value is None:
            return Problem("kit.need_date_and_time")
        return result.value

    def show(self, ctx: Ctx, value: Any) -> str:
        return ctx.when(value) if isinstance(value, datetime) else "-"


# Catalog keys of what a day answer got wrong (handlers.parse error codes).
DAY_PROBLEMS = {
    "ambiguous": "kit.day_ambiguous",
    "impossible_date": "kit.when_impossible_date",
    "past": "kit.day_past",
    "future": "kit.day_future",
}


@dataclass(frozen=True, kw_only=True)
class Day(Step):
    """A calendar day typed the forgiving way ("hari ini", "kemarin", "Senin", "12/8",
    "2026-08-12"), or tapped from `suggest` (likely days: (ISO date, label)). Looking back
    (`direction="past"`): "Senin" is the last Monday and a day after today is refused;
    looking ahead, the other way round."""

    direction: Direction = "future"
    suggest: Callable[[Ctx, Form], Awaitable[list[tuple[str, str]]]] | None = None
    kind: ClassVar[StepKind] = "date"

    async def options(self, ctx: Ctx, form: Form) -> list[tuple[str, str]]:
        return await self.suggest(ctx, form) if self.suggest else []

    async def read(self, ctx: Ctx, ans: Answer, form: Form) -> Any:
        now = ctx.now.astimezone(ctx.tz)
        if ans.kind is not Kind.TEXT and ans.value is None:
            return Problem("kit.day_unknown")
        text = (ans.value or ans.text).strip()
        try:
            day = date.fromisoformat(text)
        except ValueError:
            result = parse_date(text, now, self.direction)
            # A bare "2" is no day, so on a screen of suggested days it is the second
            # button (text-only channels show buttons as a numbered list).
            number = parse_int(text) if result.error == "ambiguous" else None
            options = await self.options(ctx, form) if number is not None else []
            if number is not None and 1 <= number <= len(options):
                return date.fromisoformat(options[number - 1][0])
            if result.value is None:
                return Problem(DAY_PROBLEMS.get(result.error or "", "kit.day_unknown"))
            day = result.value
        if self.direction == "past" and day > now.date():
            return Problem("kit.day_future")
        if self.direction == "future" and day < now.date():
            return Problem("kit.day_past")
        return day

    def show(self, ctx: Ctx, value: Any) -> str:
        if isinstance(value, str):
            value = date.fromisoformat(value)
        return day_text(ctx, value) if isinstance(value, date) else "-"


def day_text(ctx: Ctx, day: date) -> str:
    """ "Selasa, 12 Agustus 2026" in her language."""
    return format_date_local(datetime.combine(day, time(12, 0), tzinfo=ctx.tz), ctx.lang, ctx.tz)


@dataclass(frozen=True, kw_only=True)
class Phone(Step):
    """A mobile number typed in any usual way, or shared as a contact; a shared contact is
    trusted (verified) only when it is the sender's own account."""

    share_label: str
    # The form attribute that records whether the number was verified.
    verified: str = "phone_verified"
    kind: ClassVar[StepKind] = "phone"

    def accepts(self, kind: Kind) -> bool:
        return kind in (Kind.TEXT, Kind.CONTACT)

    def request_contact(self, ctx: Ctx) -> str | None:
        return ctx.t(self.share_label)

    async def read(self, ctx: Ctx, ans: Answer, form: Form) -> Any:
        incoming = ans.incoming
        if ans.kind is Kind.CONTACT and incoming is not None and incoming.contact is not None:
            contact = incoming.contact
            if contact.user_id is None or contact.user_id != incoming.sender_id:
                return Problem("kit.phone_not_own")
            checked, verified = check_phone(contact.phone), True
        elif ans.kind is Kind.TEXT:
            checked, verified = check_phone(ans.text), False
        else:
            return Problem("kit.phone_text_only")
        if checked.error:
            return Problem(f"kit.phone_{checked.error}")
        setattr(form, self.verified, verified)
        return checked.value

    def show(self, ctx: Ctx, value: Any) -> str:
        return format_phone(value) if value else super().show(ctx, value)


@dataclass(frozen=True)
class Option:
    value: str
    label: str  # catalog key
    run: Run
    words: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Menu(Step):
    """A screen of choices that each do something: go to a step, or finish the flow."""

    choose: Callable[[Ctx, Form], Sequence[Option]]
    # The text above the choices, when more than the question key (e.g. a preview).
    render: Callable[[Ctx, Form], Awaitable[str]] | None = None
    stores: ClassVar[bool] = False

    async def options(self, ctx: Ctx, form: Form) -> list[tuple[str, str]]:
        return [(o.value, ctx.t(o.label)) for o in self.choose(ctx, form)]

    async def question(self, ctx: Ctx, form: Form, *, again: bool = False) -> Question:
        if self.render is None or (again and self.again):
            return await super().question(ctx, form, again=again)
        return Question(await self.render(ctx, form), await self.options(ctx, form))

    def option(self, ctx: Ctx, form: Form, ans: Answer) -> Option | None:
        for o in self.choose(ctx, form):
            if ans.value == o.value or (ans.kind is Kind.TEXT and norm(ans.text) in o.words):
                return o
        return None

    async def read(self, ctx: Ctx, ans: Answer, form: Form) -> Any:
        return self.option(ctx, form, ans) or Problem("kit.pick_from_list")


@dataclass(frozen=True, kw_only=True)
class Confirm(Menu):
    """Yes or no before something that cannot be undone (erase her data, give up a seat,
    cancel a kegiatan). Taken only while fresh; its buttons carry a one-time token."""

    yes: Option
    no: Option
    choose: Callable[[Ctx, Form], Sequence[Option]] = lambda _ctx, _form: ()
    fresh_only: ClassVar[bool] = True

    def both(self, token: str) -> tuple[Option, Option]:
        return (
            Option(f"yes.{token}", self.yes.label, self.yes.run, self.yes.words),
            Option(f"no.{token}", self.no.label, self.no.run, self.no.words),
        )

    async def options(self, ctx: Ctx, form: Form) -> list[tuple[str, str]]:
        token = str(ctx.data.get("token", ""))
        return [(o.value, ctx.t(o.label)) for o in self.both(token)]

    def option(self, ctx: Ctx, form: Form, ans: Answer) -> Option | None:
        yes, no = self.both(str(ctx.data.get("token", "")))
        if ans.value in (yes.value, no.value):
            return yes if ans.value == yes.value else no
        if ans.kind is Kind.TEXT and ans.value is None:
            answer = parse_yes_no(ans.text)
            typed = norm(ans.text)
            if answer is True or typed in self.yes.words:
                return yes
            if answer is False or typed in self.no.words:
                return no
        return None

    async def read(self, ctx: Ctx, ans: Answer, form: Form) -> Any:
        return self.option(ctx, form, ans) or Problem("kit.yes_or_no")


@dataclass(frozen=True, kw_only=True)
class Summary(Menu):
    """Everything she gave, then save (yes-words mean save) or change any field."""

    saves: Sequence[Option]
    # Steps that can be changed from here, in the order of their buttons.
    fields: Sequence[str] = ()
    choose: Callable[[Ctx, Form], Sequence[Option]] = lambda _ctx, _form: ()

    def option(self, ctx: Ctx, form: Form, ans: Answer) -> Option | None:
        for o in self.saves:
            if ans.value == o.value or (ans.kind is Kind.TEXT and norm(ans.text) in o.words):
                return o
        if ans.kind is Kind.TEXT and ans.value is None and parse_yes_no(ans.text):
            return self.saves[0]
        return None

    async def options(self, ctx: Ctx, form: Form) -> list[tuple[str, str]]:
        # The wizard adds the "Ubah …" buttons after these (it knows the steps).
        return [(o.value, ctx.t(o.label)) for o in self.saves]

    async def read(self, ctx: Ctx, ans: Answer, form: Form) -> Any:
        return self.option(ctx, form, ans) or Problem("kit.summary_pick")
