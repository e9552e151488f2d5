"""Scheduled delivery: the tick fills the outbox, one sender per platform drains it."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.delivery.sender import OutboxSender
from bot.delivery.tick import TickResult, run_tick
from bot.errors import StoreError
from bot.pacing import KeyedPacer, Pacer
from bot.ports import Clock, Messenger, RateBudget, Store
from bot.services import Services

log = logging.getLogger(__name__)


class Delivery:
    """The outbox's two halves, sharing one store, the services and a clock."""

    def __init__(
        self,
        store: Store,
        services: Services,
        clock: Clock,
        *,
        max_age: timedelta = timedelta(minutes=120),
        lease: timedelta = timedelta(minutes=5),
    ) -> None:
        self.store = store
        self.services = services
        self.clock = clock
        self.max_age = max_age
        self.lease = lease

    async def tick(self) -> TickResult:
        """Move every due daily post and reveal into the outbox; once a day, also forget
        marks past their retention (the tick is the bot's one periodic job)."""
        result = await run_tick(self.store, self.clock)
        try:
            await self.services.marks.prune()
        except StoreError as exc:  # housekeeping: the tick's work is done, try again tomorrow
            log.warning("old marks not pruned: %s", exc)
        return result

    def sender(
        self, messenger: Messenger, budget: RateBudget | None = None, in_flight: int = 0
    ) -> OutboxSender:
        """The outbox sender for `messenger.platform`, within the platform's rate budget
        (its spec's; a cautious default without one). A messenger that carries a `pacer`
        shares it: its other sends (replies) then come out of the same budget. `in_flight`
        (when above 0) overrides the budget's sends in flight."""
        budget = budget or RateBudget()
        shared = getattr(messenger, "pacer", None)
        return OutboxSender(
            self.store,
            self.services,
            messenger,
            self.clock,
            rate=shared if isinstance(shared, Pacer) else Pacer(*budget.overall),
            per_chat=KeyedPacer(*budget.per_chat) if budget.per_chat else None,
            in_flight=in_flight or budget.in_flight,
            max_age=self.max_age,
            lease=self.lease,
        )


__all__ = ["Delivery", "KeyedPacer", "OutboxSender", "Pacer", "TickResult", "run_tick"]
