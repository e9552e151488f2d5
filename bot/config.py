"""Settings from the environment and `.env`: the only module that reads either."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.errors import ConfigError

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, int):
        return [value]
    return value


class Settings(BaseSettings):
    """Every setting prepbot reads; `.env.example` documents each one."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    discord_bot_token: SecretStr | None = None
    discord_guild_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    discord_message_answers: bool = False
    telegram_bot_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str | None = None
    telegram_webhook_listen: str = "0.0.0.0"
    telegram_webhook_port: int = Field(default=8443, ge=1, le=65535)
    telegram_webhook_secret: SecretStr | None = None
    database_url: str = "sqlite:///prepbot.db"
    default_timezone: str = "UTC"
    log_level: LogLevel = "INFO"
    content_dir: Path = Path("content")
    quiz_daily_points_cap: int = Field(default=50, ge=0)
    scheduler_tick_seconds: int = Field(default=30, ge=1, le=3600)
    outbox_max_age_minutes: int = Field(default=120, ge=1)
    grader_semantic: bool = False

    @field_validator("discord_guild_ids", mode="before")
    @classmethod
    def _csv(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("default_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("not a known IANA time zone (e.g. Europe/Berlin)") from exc
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _db_url(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "memory://", "postgresql://")):
            raise ValueError("expected sqlite:///path, memory:// or postgresql://...")
        return value

    @property
    def has_platform(self) -> bool:
        """True when at least one chat platform token is configured."""
        return bool(self.discord_bot_token or self.telegram_bot_token)


def load_settings(env_file: str | Path | None = ".env") -> Settings:
    """Build Settings; a bad value becomes one ConfigError line naming the setting only."""
    try:
        return Settings(_env_file=env_file)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            name = str(error["loc"][0]).upper() if error["loc"] else "SETTINGS"
            # Never include the input value: it may be a token.
            lines.append(f"{name}: {error['msg'].removeprefix('Value error, ')}")
        # `from None`: the pydantic error carries the raw input, which may be a token.
        raise ConfigError("invalid setting " + "; ".join(lines)) from None
