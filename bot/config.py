"""Settings from the environment and `.env`: the only module that reads either."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.errors import ConfigError

#: Telegram bot tokens: the bot's numeric id, a colon, then a secret of 30+ characters.
TELEGRAM_TOKEN = re.compile(r"[0-9]+:[A-Za-z0-9_-]{30,}")
#: Discord bot tokens: base64url user id, timestamp and HMAC, separated by dots.
DISCORD_TOKEN = re.compile(r"[A-Za-z0-9_-]{18,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}")
#: What Telegram accepts as a webhook secret_token.
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")

#: The source tree holding the `bot` package (and, in a checkout, `content/`).
PROJECT_ROOT = Path(__file__).resolve().parent.parent

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
    discord_shard_count: int | None = Field(default=None, ge=1)
    discord_shard_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    telegram_bot_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str | None = None
    telegram_webhook_listen: str = "0.0.0.0"
    telegram_webhook_port: int = Field(default=8443, ge=1, le=65535)
    telegram_webhook_secret: SecretStr | None = None
    database_url: str = "sqlite:///prepbot.db"
    default_timezone: str = "UTC"
    log_level: LogLevel = "INFO"
    content_dir: Path = Field(default_factory=lambda: shipped_content_dir())
    quiz_daily_points_cap: int = Field(default=50, ge=0)
    scheduler_tick_seconds: int = Field(default=30, ge=1, le=3600)
    outbox_max_age_minutes: int = Field(default=120, ge=1)
    outbox_lease_seconds: int = Field(default=300, ge=5, le=86400)
    #: Outbox sends awaiting their record at once; 0: the platform's own (see RateBudget).
    outbox_sends_in_flight: int = Field(default=0, ge=0, le=64)
    status_file: Path = Path("/tmp/prepbot-status.json")
    grader_semantic: bool = False
    grader_llm_url: str | None = None
    grader_llm_model: str | None = None
    grader_llm_api_key: SecretStr | None = None
    grader_llm_timeout_seconds: float = Field(default=20.0, gt=0, le=600)
    grader_llm_concurrency: int = Field(default=4, ge=1, le=256)
    grader_llm_daily_limit: int = Field(default=500, ge=0)
    deck_max_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    deck_max_items: int = Field(default=2000, ge=1)
    decks_per_chat: int = Field(default=20, ge=0)

    @field_validator("discord_guild_ids", "discord_shard_ids", mode="before")
    @classmethod
    def _csv(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator(
        "discord_shard_count", "grader_llm_url", "grader_llm_model", "grader_llm_api_key",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # `DISCORD_SHARD_COUNT=` as in .env.example: no sharding.
        return None if isinstance(value, str) and not value.strip() else value

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

    @field_validator("content_dir")
    @classmethod
    def _content(cls, value: Path) -> Path:
        # A relative folder missing here is looked up beside the package too, so the
        # shipped `content` is found wherever prepbot runs from.
        if value.is_absolute() or value.exists():
            return value
        beside = PROJECT_ROOT / value
        return beside if beside.exists() else value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value and not WEBHOOK_SECRET.fullmatch(value.get_secret_value()):
            raise ValueError("1-256 characters, each a letter, a digit, _ or - (Telegram's rule)")
        return value

    @field_validator("database_url")
    @classmethod
    def _db_url(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "memory://", "postgresql://", "postgres://")):
            raise ValueError("expected sqlite:///path, memory:// or postgresql://...")
        return value

    @field_validator("grader_llm_url")
    @classmethod
    def _llm_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("expected the API's base URL, e.g. http://localhost:11434/v1")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _llm(self) -> Settings:
        if self.grader_llm_url and not self.grader_llm_model:
            raise ValueError("GRADER_LLM_URL needs GRADER_LLM_MODEL (the model to ask)")
        return self

    @property
    def llm_grading(self) -> bool:
        """Whether the optional LLM grading stage is configured."""
        return bool(self.grader_llm_url and self.grader_llm_model)

    @model_validator(mode="after")
    def _shards(self) -> Settings:
        ids, count = self.discord_shard_ids, self.discord_shard_count
        if ids and count is None:
            raise ValueError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT (the total shards)")
        if count is not None and any(not 0 <= shard < count for shard in ids):
            raise ValueError(
                f"DISCORD_SHARD_IDS: every id must be between 0 and {count - 1} "
                f"(DISCORD_SHARD_COUNT={count})"
            )
        if len(set(ids)) != len(ids):
            raise ValueError("DISCORD_SHARD_IDS: an id is listed twice")
        return self

    def secrets(self, names: Iterable[str]) -> list[str]:
        """The configured values of the secret settings `names` (the platform specs name
        theirs, see `bot.app.secrets`) and the database password, for scrubbing logs and
        messages."""
        found: list[str] = []
        for name in names:
            value = getattr(self, name)
            text = value.get_secret_value() if isinstance(value, SecretStr) else value
            if text:
                found.append(str(text))
        password = database_password(self.database_url)
        return [*found, password] if password else found


def shipped_content_dir() -> Path:
    """The question bank shipped beside the package; `content` (relative) when the package
    was installed without it (the Docker image sets CONTENT_DIR)."""
    shipped = PROJECT_ROOT / "content"
    return shipped if (shipped / "decks").is_dir() else Path("content")


def connection_problems(settings: Settings) -> list[str]:
    """What the platforms would refuse (token shapes no platform issues, a webhook that is
    not https), as `NAME: reason`, never the value; checked before any network call."""
    problems = []
    url = settings.telegram_webhook_url
    if url and not _is_https(url):
        problems.append(
            "TELEGRAM_WEBHOOK_URL: Telegram calls webhooks only over https "
            "(https://host[:443|80|88|8443]/path)"
        )
    telegram = settings.telegram_bot_token
    if telegram and not TELEGRAM_TOKEN.fullmatch(telegram.get_secret_value()):
        problems.append(
            "TELEGRAM_BOT_TOKEN: not a Telegram bot token (digits, a colon, then 30 or more "
            "letters, digits, _ or -, as @BotFather gives it)"
        )
    discord = settings.discord_bot_token
    if discord:
        value = discord.get_secret_value()
        if value.lower().startswith("bot "):
            problems.append("DISCORD_BOT_TOKEN: leave out the 'Bot ' prefix")
        elif not DISCORD_TOKEN.fullmatch(value):
            problems.append(
                "DISCORD_BOT_TOKEN: not a Discord bot token (three parts separated by dots, "
                "as the Developer Portal's Reset Token gives it)"
            )
    return problems


def _is_https(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.hostname)


def redact_url(database_url: str) -> str:
    """The URL with its password replaced by `***`, for logs and messages."""
    try:
        parts = urlsplit(database_url)
        if parts.password is None:
            return database_url
    except ValueError:
        return "(a DATABASE_URL that is not a URL)"
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def database_password(database_url: str) -> str | None:
    """The password in a `postgresql://user:password@host/db` URL, if any (never logged)."""
    try:
        return urlsplit(database_url).password or None
    except ValueError:
        return None


def load_settings(env_file: str | Path | None = ".env", *, check_tokens: bool = True) -> Settings:
    """Build Settings; a bad value becomes one ConfigError line naming the setting only.

    `check_tokens=False` skips `connection_problems`, for commands that never connect.
    """
    try:
        settings = Settings(_env_file=env_file)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            message = error["msg"].removeprefix("Value error, ")
            # Never include the input value: it may be a token. A check across settings
            # (no location) names its settings itself.
            lines.append(f"{str(error['loc'][0]).upper()}: {message}" if error["loc"] else message)
        # `from None`: the pydantic error carries the raw input, which may be a token.
        raise ConfigError("invalid setting " + "; ".join(lines)) from None
    problems = connection_problems(settings) if check_tokens else []
    if problems:
        raise ConfigError("invalid setting " + "; ".join(problems))
    return settings
