"""Settings: defaults, lists, clear one-line errors, secrets kept out of messages and logs."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest

from bot.app import PLATFORMS, enabled_platforms, secrets
from bot.cli import main
from bot.config import Settings, load_settings
from bot.errors import ConfigError
from bot.logsetup import RedactSecrets

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults() -> None:
    settings = load_settings(None)
    assert settings.database_url == "sqlite:///prepbot.db"
    assert settings.default_timezone == "UTC"
    assert settings.content_dir == ROOT / "content"  # the shipped bank, from any folder
    assert not enabled_platforms(settings)


def test_comma_separated_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_GUILD_IDS", "123, 456,")
    assert load_settings(None).discord_guild_ids == [123, 456]


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("LOG_LEVEL=debug\nTELEGRAM_BOT_TOKEN=123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw\n")
    settings = load_settings(env)
    assert settings.log_level == "DEBUG"
    assert [spec.name for spec in enabled_platforms(settings)] == ["telegram"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEFAULT_TIMEZONE", "Mars/Olympus"),
        ("LOG_LEVEL", "LOUD"),
        ("DATABASE_URL", "mysql://x"),
        ("SCHEDULER_TICK_SECONDS", "0"),
        ("DISCORD_GUILD_IDS", "12,abc"),
    ],
)
def test_bad_setting_names_it_in_one_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        load_settings(None)
    message = str(info.value)
    assert name in message
    assert "\n" not in message


def test_token_never_in_error_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "999:SECRET-TOKEN-VALUE")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_PORT", "SECRET-TOKEN-VALUE")
    with pytest.raises(ConfigError) as info:
        load_settings(None)
    assert "SECRET-TOKEN-VALUE" not in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_token_is_masked_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    token = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GAbCdE.SECRETabcdefghijklmnopqrstuvwxyz01234"
    monkeypatch.setenv("DISCORD_BOT_TOKEN", token)
    assert token not in repr(load_settings(None))


def test_cli_bad_setting_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DEFAULT_TIMEZONE", "Nowhere/Land")
    assert main(["run"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("prepbot: invalid setting DEFAULT_TIMEZONE")


def test_log_filter_redacts_secrets() -> None:
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "GET /bot%s/getMe", ("123:SECRET",), None
    )
    RedactSecrets(["123:SECRET"]).filter(record)
    assert record.getMessage() == "GET /bot[redacted]/getMe"


def test_env_example_lists_every_setting() -> None:
    lines = (ROOT / ".env.example").read_text().splitlines()
    listed = {}
    for index, line in enumerate(lines):
        match = re.fullmatch(r"([A-Z_]+)=(.*)", line)
        if match:
            # Each setting has its own comment right above it.
            assert index and lines[index - 1].startswith("# "), match[1]
            listed[match[1]] = match[2]
    assert set(listed) == {name.upper() for name in Settings.model_fields}
    # The values shown are the real defaults (empty: unset).
    # Raw environment strings: the settings parse them as they would from the environment.
    shown: dict[str, Any] = {name.lower(): value for name, value in listed.items() if value}
    defaults = Settings(_env_file=None)
    example = Settings(_env_file=None, **shown)
    for name in shown:
        assert getattr(example, name) == getattr(defaults, name), name


def test_readme_documents_every_setting() -> None:
    text = (ROOT / "README.md").read_text()
    for name in Settings.model_fields:
        assert f"`{name.upper()}`" in text, name
    # ... and names no setting that does not exist (e.g. after a rename).
    prefixes = tuple({name.split("_")[0].upper() + "_" for name in Settings.model_fields})
    mentioned = {
        word for word in re.findall(r"`([A-Z][A-Z0-9_]+)", text) if word.startswith(prefixes)
    }
    assert mentioned <= {name.upper() for name in Settings.model_fields}


def test_every_secret_setting_of_every_platform_is_masked() -> None:
    settings = Settings(
        _env_file=None,
        telegram_bot_token="123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
        telegram_webhook_secret="hook-secret",
        discord_bot_token="discord-token-value",
    )
    names = {name for spec in PLATFORMS for name in spec.secret_settings}
    assert {"telegram_bot_token", "telegram_webhook_secret", "discord_bot_token"} <= names
    assert set(secrets(settings)) == {
        "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
        "hook-secret",
        "discord-token-value",
    }


def test_discord_shards_are_a_count_and_ids_within_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_SHARD_COUNT", "3")
    monkeypatch.setenv("DISCORD_SHARD_IDS", "0, 2")
    settings = load_settings(None)
    assert (settings.discord_shard_count, settings.discord_shard_ids) == (3, [0, 2])
    monkeypatch.setenv("DISCORD_SHARD_IDS", "1,3")
    with pytest.raises(ConfigError) as outside:
        load_settings(None)
    assert str(outside.value) == (
        "invalid setting DISCORD_SHARD_IDS: every id must be between 0 and 2 "
        "(DISCORD_SHARD_COUNT=3)"
    )
    monkeypatch.setenv("DISCORD_SHARD_IDS", "1,1")
    with pytest.raises(ConfigError, match="listed twice"):
        load_settings(None)
    monkeypatch.delenv("DISCORD_SHARD_COUNT")
    monkeypatch.setenv("DISCORD_SHARD_IDS", "0")
    with pytest.raises(ConfigError, match="DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT"):
        load_settings(None)
    monkeypatch.setenv("DISCORD_SHARD_IDS", "")
    monkeypatch.setenv("DISCORD_SHARD_COUNT", "")  # blank, as .env.example has it: unset
    assert load_settings(None).discord_shard_count is None
    monkeypatch.setenv("DISCORD_SHARD_COUNT", "0")
    with pytest.raises(ConfigError, match="DISCORD_SHARD_COUNT"):
        load_settings(None)
