"""One APScheduler job, the tick, that moves due work into the outbox.

One job for all channels rather than one per channel: 10,000 cron jobs due in the same
second stall the event loop and get dropped as missed (docs/architecture.md).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.delivery import Delivery

log = logging.getLogger(__name__)


class TickScheduler:
    """Runs `delivery.tick()` every `seconds`, never two at once, missed runs coalesced."""

    def __init__(self, delivery: Delivery, seconds: int) -> None:
        self.delivery = delivery
        self.seconds = seconds
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self.ticks = 0
        self.last_tick: datetime | None = None

    def start(self) -> None:
        """Schedule the tick (the first one right away) on the running event loop."""
        self._scheduler.add_job(
            self._tick,
            "interval",
            seconds=self.seconds,
            id="tick",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=self.seconds,
            next_run_time=datetime.now(UTC),
        )
        self._scheduler.start()

    async def _tick(self) -> None:
        try:
            await self.delivery.tick()
            self.ticks += 1
            self.last_tick = datetime.now(UTC)
        except Exception:  # the next tick retries; a failing tick must not stop the job
            log.exception("scheduler tick failed")

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
