"""Local stand-ins for external services (the Telegram Bot API) used by tests and benchmarks.

Import from the modules themselves, e.g. ``from tests.support.fakes.telegram_api import
FakeTelegramServer``: importing them here would load ``telegram_api`` twice when it is run
with ``python -m tests.support.fakes.telegram_api``.
"""
