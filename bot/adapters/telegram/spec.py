"""The Telegram platform as the composition root sees it."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bot.adapters.spec import PlatformSpec
from bot.ports import Adapter, RateBudget

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
    # Telegram allows about 30 messages/s overall and 20 per minute in one group. Paced
    # evenly (the outbox sender owns the limit). A slot may be taken up to one interval
    # late (`Pacer`), so any second spans at most 1 + 1/28.5 s of slots: 30 sends, with
    # about 17 ms to spare for the request's own jitter.
    rate=RateBudget(overall=(28.5, 1.0), per_chat=(20, 60.0)),
    noisy_loggers=("telegram",),
    secret_settings=("telegram_bot_token", "telegram_webhook_secret"),
)
