"""The features the bot offers: importing a module registers its flows, actions and menu
entries with the router. One line per feature."""

from handlers import common, erasure, registration

__all__ = ["common", "erasure", "registration"]
