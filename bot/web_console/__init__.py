"""The web console for admins and kader, mounted at /admin by bot/web.py (see app.py)."""

from bot.web_console.app import build_console
from bot.web_console.auth import Sessions

__all__ = ["Sessions", "build_console"]
