"""The features the bot offers, listed once. The engine gets this list (or, in tests,
only the features a story needs); a name used twice stops the start."""

from __future__ import annotations

from handlers.broadcast import BROADCAST_FEATURE
from handlers.core.common import CORE
from handlers.core.feature import Action, Feature, Registry
from handlers.kegiatan import KEGIATAN, KEGIATAN_ADMIN
from handlers.members import MEMBERS_FEATURE


def _hand_written() -> Feature:
    """Kegiatan and broadcasts, still written as hand-made flows (handlers.core.flow)."""
    from handlers.core import flow

    return Feature(
        name="kegiatan+broadcast",
        prefix="",
        actions=tuple(Action(a.name, a.handler, a.roles) for a in flow.ACTIONS.values()),
        flows=tuple(flow.FLOWS.values()),
        menu=tuple(flow.ENTRIES),
    )


def all_features() -> tuple[Feature, ...]:
    return (CORE, MEMBERS_FEATURE, KEGIATAN, KEGIATAN_ADMIN, BROADCAST_FEATURE, _hand_written())


def default_registry() -> Registry:
    return Registry(all_features())
