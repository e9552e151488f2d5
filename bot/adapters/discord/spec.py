"""The Discord platform as the composition root sees it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.adapters.spec import PlatformSpec
from bot.ports import Adapter, RateBudget

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.content.bank import Bank
    from bot.services import Services


def build(settings: Settings, services: Services, bank: Bank) -> Adapter:
    """The Discord adapter; discord.py is imported only when Discord is on."""
    from bot.adapters.discord.adapter import DiscordAdapter

    return DiscordAdapter(settings, services, bank)


SPEC = PlatformSpec(
    name="discord",
    token_setting="discord_bot_token",
    build=build,
    api_host=lambda settings: "Discord",
    # Discord allows 50 requests/s per bot and 5 messages / 5 s per channel. Paced evenly
    # (the outbox sender owns the limit), discord.py's own limiter never has to step in.
    # A resend after a crash is dropped by its nonce, so sends may overlap; two cover a
    # round trip without the bunched arrivals (and 429s) of many overlapping requests.
    rate=RateBudget(overall=(48, 1.0), per_chat=(5, 5.0), in_flight=2),
    noisy_loggers=("discord",),
    secret_settings=("discord_bot_token",),
)
