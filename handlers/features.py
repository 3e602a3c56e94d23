"""The features the bot offers: importing a module registers its flows, actions and menu
entries with the router. One line per feature."""

from handlers.broadcast import compose as broadcast
from handlers.core import common
from handlers.kegiatan import edit as kegiatan_edit
from handlers.kegiatan import manage as kegiatan_manage
from handlers.kegiatan import mothers as kegiatan_mothers
from handlers.members import erasure, registration

__all__ = [
    "broadcast",
    "common",
    "erasure",
    "kegiatan_edit",
    "kegiatan_manage",
    "kegiatan_mothers",
    "registration",
]
