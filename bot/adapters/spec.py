"""What the composition root knows about a chat platform: each adapter folder exports one
`PlatformSpec` (in its `spec.py`, importable without the platform's library)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.ports import Adapter, RateBudget

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.content.bank import Bank
    from bot.services import Services


@dataclass(frozen=True)
class PlatformSpec:
    """One platform: how it is switched on, built, throttled, logged and kept secret."""

    name: str  # the platform of its ChatKeys, outbox rows and Messenger
    #: The setting that switches the platform on (its token); named upper-case in messages.
    token_setting: str
    #: Builds the adapter from what it may use; imports the platform's library late.
    build: Callable[[Settings, Services, Bank], Adapter]
    #: The host named when start-up cannot reach the platform.
    api_host: Callable[[Settings], str]
    rate: RateBudget  # the outbox sender's pace on this platform
    noisy_loggers: tuple[str, ...] = ()  # kept at WARNING unless debugging
    #: Settings whose values are scrubbed from logs and messages (the token among them).
    secret_settings: tuple[str, ...] = ()

    def enabled(self, settings: Settings) -> bool:
        """True when the platform's token is configured."""
        return bool(getattr(settings, self.token_setting))

    @property
    def token_name(self) -> str:
        """The token's environment variable, as an operator sets it."""
        return self.token_setting.upper()
