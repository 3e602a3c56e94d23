"""Ibu binaan: a kader's mothers. The list of her kampung's mothers (an admin's of any
kampung), one mother's screen, registering a mother who has no phone (spoken consent,
reached through the kader's chat), taking over mothers whose kader no longer serves them,
and the code a mother without a chat of her own types to link her phone. Acting for such
a mother (sign up, give up a seat, confirm she comes) reuses the kegiatan screens with
her id (handlers/kegiatan/mothers.py, acting.py)."""

from handlers.binaan import linkcode, listing, register
from handlers.core.feature import ADMIN, KADER, STAFF, Action, Feature, MenuEntry

BINAAN_FEATURE = Feature(
    name="binaan",
    prefix="bn",
    actions=(
        Action("bn.list", listing.list_mothers, STAFF),
        Action("bn.show", listing.show, STAFF),
        Action("bn.find", listing.find, STAFF),
        Action("bn.take", listing.take, STAFF),
        Action("bn.new", register.start, STAFF),
        Action("bn.code", linkcode.make_code, STAFF),
    ),
    flows=(register.REGISTER, listing.FIND),
    menu=(
        MenuEntry("bn.list", "binaan.menu", KADER, 22),
        # An admin's main menu holds what she does daily (kegiatan, announcements).
        MenuEntry("bn.list", "binaan.menu", ADMIN, 85, group="more"),
    ),
)

__all__ = ["BINAAN_FEATURE"]
