"""One long-poller per bot: Telegram hands each update to one getUpdates caller, so a
second poller steals updates from the first. A lease in the database keeps a second
`prepbot run` on the same database from polling; a poller elsewhere shows up as Telegram's
409 Conflict, which is logged plainly instead of as a retry traceback."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import timedelta

from telegram.error import Conflict, TelegramError

from bot.errors import ConfigError
from bot.services.leases import LeaseService, this_process

log = logging.getLogger(__name__)

#: A holder that stops renewing (killed) frees the bot for another poller after this.
POLLER_TTL = timedelta(seconds=60)
RENEW_SECONDS = 20.0
#: Seconds between two log lines about the same stream of 409s.
CONFLICT_LOG_SECONDS = 60.0


class PollerLease:
    """The database lease `telegram-poller:<bot id>`, held and renewed while polling."""

    def __init__(
        self,
        leases: LeaseService,
        bot_id: int,
        *,
        holder: str | None = None,
        ttl: timedelta = POLLER_TTL,
        renew_seconds: float = RENEW_SECONDS,
    ) -> None:
        self.leases = leases
        self.name = f"telegram-poller:{bot_id}"
        self.holder = holder or this_process()
        self.ttl = ttl
        self.renew_seconds = renew_seconds
        self._task: asyncio.Task[None] | None = None

    async def acquire(self) -> None:
        """Take the lease and keep renewing it; ConfigError when another process holds it."""
        lease = await self.leases.take(self.name, self.holder, self.ttl)
        if lease.holder != self.holder:
            raise ConfigError(
                "another prepbot process is already long-polling this bot "
                f"({lease.holder}, lease renewed until {lease.expires_at:%Y-%m-%d %H:%M:%S} "
                "UTC); run one poller, or use TELEGRAM_WEBHOOK_URL behind a load balancer"
            )
        self._task = asyncio.create_task(self._renew(), name="telegram-poller-lease")

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(self.renew_seconds)
            try:
                lease = await self.leases.take(self.name, self.holder, self.ttl)
            except Exception as exc:  # a database hiccup: the next renewal may work
                log.warning("telegram: could not renew the poller lease: %s", exc)
                continue
            if lease.holder != self.holder:
                # Renewals failed past the lease's end and another process took over: both
                # now poll, and Telegram's 409s say so (see PollErrors).
                log.error(
                    "telegram: the long-polling lease of this bot went to %s; run one "
                    "poller, or use TELEGRAM_WEBHOOK_URL behind a load balancer",
                    lease.holder,
                )

    async def release(self) -> None:
        """Stop renewing and free the lease for the next poller."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        try:
            await self.leases.release(self.name, self.holder)
        except Exception as exc:  # it expires on its own
            log.warning("telegram: could not release the poller lease: %s", exc)


class PollErrors:
    """PTB's polling `error_callback`: 409 Conflict named for what it is, at most once a
    minute; other errors logged as PTB would (it retries them all)."""

    def __init__(self, every: float = CONFLICT_LOG_SECONDS) -> None:
        self.every = every
        self.conflicts = 0
        self._logged_at: float | None = None

    def __call__(self, exc: TelegramError) -> None:
        if not isinstance(exc, Conflict):
            log.error("telegram: polling for updates failed: %s; retrying", exc, exc_info=exc)
            return
        self.conflicts += 1
        now = time.monotonic()
        if self._logged_at is not None and now - self._logged_at < self.every:
            return
        self._logged_at = now
        log.error(
            "telegram: Telegram refused getUpdates with 409 Conflict (%s): another process "
            "is long-polling this bot, on another host or database; run one poller, or use "
            "TELEGRAM_WEBHOOK_URL behind a load balancer (%d conflict(s) so far)",
            exc.message,
            self.conflicts,
        )
