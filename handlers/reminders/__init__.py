"""Reminders, the chat side: "Tetap ikut" on a kegiatan reminder records that she will
come (the admin sees who confirmed on the kegiatan's screen). "Batal ikut" on the same
reminder is the kegiatan feature's own give-up action. The reminders themselves are
written by the sweep in `scheduler/sweeps.py`."""

from handlers.core.feature import MEMBERS, Action, Feature
from handlers.reminders import keep

REMINDERS_FEATURE = Feature(
    name="reminders",
    prefix="rm",
    actions=(Action("rm.keep", keep.keep, MEMBERS),),
)

__all__ = ["REMINDERS_FEATURE"]
