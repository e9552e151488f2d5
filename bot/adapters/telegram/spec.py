"""The Telegram platform as the composition root sees it."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bot.adapters.spec import PlatformSpec
from bot.adapters.telegram.budget import RATE
from bot.ports import Adapter

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.content.bank import Bank
    from bot.services import Services


def build(settings: Settings, services: Services, bank: Bank) -> Adapter:
    """The Telegram adapter; python-telegram-bot is imported only when Telegram is on."""
    from bot.adapters.telegram.app import TelegramAdapter

    return TelegramAdapter(settings, services, bank)


def api_host(settings: Settings) -> str:
    """`host[:port]` of the configured Bot API server."""
    parts = urlsplit(settings.telegram_base_url)
    host = parts.hostname or settings.telegram_base_url
    return f"{host}:{parts.port}" if parts.port else host


SPEC = PlatformSpec(
    name="telegram",
    token_setting="telegram_bot_token",
    build=build,
    api_host=api_host,
    rate=RATE,
    noisy_loggers=("telegram",),
    secret_settings=("telegram_bot_token", "telegram_webhook_secret"),
)
