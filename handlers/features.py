"""The features the bot offers: importing a module registers its flows, actions and menu
entries with the router. One line per feature."""

from handlers import broadcast, common, erasure, kegiatan_edit, kegiatan_manage, registration
from handlers import kegiatan as kegiatan_mothers

__all__ = [
    "broadcast",
    "common",
    "erasure",
    "kegiatan_edit",
    "kegiatan_manage",
    "kegiatan_mothers",
    "registration",
]
