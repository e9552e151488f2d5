"""Scheduled delivery: the tick fills the outbox, one sender per platform drains it."""

from __future__ import annotations

from datetime import timedelta

from aiolimiter import AsyncLimiter

from bot.delivery.sender import OutboxSender
from bot.delivery.tick import TickResult, run_tick
from bot.ports import Clock, Messenger, Store
from bot.services import Services

# Platform budgets, kept below the documented limits (Discord 50/s global; Telegram about
# 30/s overall and 20 per minute in one group).
RATES: dict[str, tuple[tuple[float, float], tuple[float, float] | None]] = {
    "discord": ((40, 1.0), None),
    "telegram": ((25, 1.0), (20, 60.0)),
}
DEFAULT_RATE: tuple[tuple[float, float], tuple[float, float] | None] = ((20, 1.0), None)


class Delivery:
    """The outbox's two halves, sharing one store, the services and a clock."""

    def __init__(
        self,
        store: Store,
        services: Services,
        clock: Clock,
        *,
        max_age: timedelta = timedelta(minutes=120),
    ) -> None:
        self.store = store
        self.services = services
        self.clock = clock
        self.max_age = max_age

    async def tick(self) -> TickResult:
        """Move every due daily post and reveal into the outbox."""
        return await run_tick(self.store, self.clock)

    def sender(self, messenger: Messenger) -> OutboxSender:
        """The outbox sender for `messenger.platform`, with that platform's rate limits."""
        overall, per_chat = RATES.get(messenger.platform, DEFAULT_RATE)
        return OutboxSender(
            self.store,
            self.services,
            messenger,
            self.clock,
            rate=AsyncLimiter(*overall),
            per_chat=per_chat,
            max_age=self.max_age,
        )


__all__ = ["Delivery", "OutboxSender", "TickResult", "run_tick"]
