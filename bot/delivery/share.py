"""Several processes sending for one bot split its budget.

Telegram and Discord count a bot's sends wherever they come from, so two `prepbot run`
processes on one PostgreSQL database, each pacing at the full rate, would send at twice
the limit. Each sending process holds a lease `sender:<platform>:<holder>` in the database,
renewed every few seconds, and paces at 1/n of the rate, n being the live leases. A process
that joins is counted by the others at their next renewal (a few seconds at most); one that
stops releases its lease, one that dies is forgotten when its lease expires.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from bot.errors import PrepbotError
from bot.pacing import Pacer
from bot.services.leases import LeaseService

log = logging.getLogger(__name__)

#: Seconds between renewals (and recounts).
RENEW_SECONDS = 2.0
#: A lease outlives a few missed renewals, so a busy moment does not drop a process.
TTL = timedelta(seconds=10)


class BudgetShare:
    """Keeps this process's sender lease and its pacer at its share of the rate."""

    def __init__(
        self,
        leases: LeaseService,
        pacer: Pacer,
        platform: str,
        holder: str,
        *,
        every: float = RENEW_SECONDS,
        ttl: timedelta = TTL,
    ) -> None:
        self.leases = leases
        self.pacer = pacer
        self.prefix = f"sender:{platform}:"
        self.name = self.prefix + holder
        self.holder = holder
        self.every = every
        self.ttl = ttl
        self.parts = 1

    async def renew(self) -> int:
        """Renew the lease and take this process's share; the number of senders."""
        await self.leases.take(self.name, self.holder, self.ttl)
        parts = max(1, await self.leases.count(self.prefix))
        if parts != self.parts:
            log.info("%s senders share the budget of %s", parts, self.prefix.rstrip(":"))
        self.parts = parts
        self.pacer.share(parts)
        return parts

    async def run(self, stop: asyncio.Event) -> None:
        """Renew until `stop`, then release the lease."""
        try:
            while not stop.is_set():
                try:
                    await self.renew()
                except PrepbotError as exc:  # the database is away: keep the last share
                    log.warning("sender lease %s not renewed: %s", self.name, exc)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.every)
        finally:
            with contextlib.suppress(PrepbotError):
                await self.leases.release(self.name, self.holder)
