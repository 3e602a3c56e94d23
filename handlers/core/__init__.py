"""The conversation kit every feature is built on: what arrives and goes out
(`Incoming`, `Reply`, `Choice`), the per-message context (`Ctx`), features and their
registry, declared wizards and their step kinds, the main menu. The engine
(`handlers.core.engine.Engine`) and the router use these; features import from here."""

from handlers.core.config import Config
from handlers.core.context import Answer, Ctx
from handlers.core.feature import (
    ADMIN,
    ANYONE,
    MEMBERS,
    Action,
    Feature,
    Flow,
    MenuEntry,
    Registry,
)
from handlers.core.menu import reprompt, show_menu
from handlers.core.steps import (
    Confirm,
    Menu,
    Number,
    Option,
    Phone,
    Pick,
    Problem,
    Step,
    Summary,
    Text,
    When,
    YesNo,
)
from handlers.core.types import Choice, Incoming, Kind, Reply, action
from handlers.core.wizard import Wizard

__all__ = [
    "ADMIN",
    "ANYONE",
    "MEMBERS",
    "Action",
    "Answer",
    "Choice",
    "Config",
    "Confirm",
    "Ctx",
    "Feature",
    "Flow",
    "Incoming",
    "Kind",
    "Menu",
    "MenuEntry",
    "Number",
    "Option",
    "Phone",
    "Pick",
    "Problem",
    "Registry",
    "Reply",
    "Step",
    "Summary",
    "Text",
    "When",
    "Wizard",
    "YesNo",
    "action",
    "reprompt",
    "show_menu",
]
