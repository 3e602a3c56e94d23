"""'Masuk web': an admin or kader gets a one-time link into the web console (valid 10
minutes, sent without a link preview: a preview would open it; the link itself only shows
a "Masuk" button, which uses it up). At most a few links an hour; a new link ends the
older ones. Mothers have no console."""

from handlers.core.feature import STAFF, Action, Feature, MenuEntry
from handlers.weblogin.link import give_link

WEBLOGIN_FEATURE = Feature(
    name="weblogin",
    prefix="wl",
    actions=(Action("wl.link", give_link, STAFF),),
    menu=(MenuEntry("wl.link", "weblogin.menu", STAFF, 97, group="more"),),
)

__all__ = ["WEBLOGIN_FEATURE"]
