"""Settings from the environment and .env: defaults, and one clear line for a bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import DEFAULT_DATABASE_URL, ConfigError, load_settings
from tests.support import REPO


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("DATABASE_URL", "TIMEZONE", "DEFAULT_LANGUAGE", "TELEGRAM_BOT_TOKEN",
                 "TELEGRAM_API_BASE_URL", "TELEGRAM_API_FILE_URL", "ADMIN_TELEGRAM_IDS",
                 "MEDIA_DIR", "LOG_LEVEL"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults_work_without_any_configuration() -> None:
    s = load_settings()
    assert s.database_url == DEFAULT_DATABASE_URL == "sqlite+aiosqlite:///./p2wkss.db"
    assert s.timezone == "Asia/Jakarta" and s.default_language == "id"
    assert s.telegram_bot_token is None and s.admin_telegram_ids == []
    assert s.telegram_api_base_url == "https://api.telegram.org/bot"
    assert s.telegram_file_url == "https://api.telegram.org/file/bot"


def test_values_come_from_the_environment_and_the_dotenv_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text("TIMEZONE=Asia/Makassar\nADMIN_TELEGRAM_IDS=11, 22\n")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:8081/bot")
    s = load_settings()
    assert s.timezone == "Asia/Makassar" and s.admin_telegram_ids == [11, 22]
    assert s.telegram_file_url == "http://127.0.0.1:8081/file/bot"


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("TIMEZONE", "Asia/Jakartaa", "unknown time zone"),
        ("DATABASE_URL", "mysql://x", "must start with"),
        ("DEFAULT_LANGUAGE", "fr", "DEFAULT_LANGUAGE"),
        ("ADMIN_TELEGRAM_IDS", "12,abc", "(numbers) separated by commas"),
        ("TELEGRAM_API_BASE_URL", "ftp://x", "http"),
    ],
)
def test_a_bad_value_gives_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, says: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as err:
        load_settings()
    message = str(err.value)
    assert name in message and says in message and "\n" not in message


def test_a_secret_is_never_echoed_in_the_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:SECRET-TOKEN-VALUE")
    monkeypatch.setenv("TIMEZONE", "Nowhere/City")
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert "SECRET" not in str(err.value)
    assert "SECRET" not in repr(load_settings(timezone="Asia/Jakarta"))


def test_env_example_documents_every_setting() -> None:
    from bot.settings import Settings

    example = (REPO / ".env.example").read_text()
    for field in Settings.model_fields:
        assert f"{field.upper()}=" in example, f"{field.upper()} is not in .env.example"
