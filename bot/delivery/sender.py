"""One sender per platform drains the outbox through a rate limiter.

Order of work for a row: build the message (a daily post is created and stored first,
so its question never changes), send it (one request), record the platform message id.
A crash can only fall between the send and the record: Discord drops the resend by its
nonce (the row id); on Telegram that window is one request long.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta

from aiolimiter import AsyncLimiter

from bot.domain.delivery import backoff
from bot.domain.models import ChatKey, OutboxKind, OutboxRow, OutboxStatus
from bot.errors import ChatUnavailable, Command, NotFoundError, Notice, RateLimited
from bot.ports import Clock, DailyPostMessage, Messenger, Outgoing, RevealMessage, Store
from bot.services import Services

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6


def broken_notice(chat: ChatKey, reason: str) -> Notice:
    """For a chat's admins: posting failed for good. A `Notice`, not words: the delivery
    layer writes none; the platform's Messenger says it in its own syntax."""
    return Notice(
        "I could not post the daily question in {chat}: {reason}. Give me permission to "
        "send messages there, then resume the schedule ({resume}).",
        chat=chat.chat_id,
        reason=reason,
        resume=Command.SCHEDULE_RESUME,
    )


class OutboxSender:
    """Sends a platform's due outbox rows, honouring rate limits and broken chats."""

    def __init__(
        self,
        store: Store,
        services: Services,
        messenger: Messenger,
        clock: Clock,
        *,
        rate: AsyncLimiter,
        per_chat: tuple[float, float] | None = None,
        max_age: timedelta = timedelta(minutes=120),
        batch: int = 200,
        lease: timedelta = timedelta(minutes=5),
    ) -> None:
        self.store = store
        self.services = services
        self.messenger = messenger
        self.clock = clock
        self.rate = rate
        self.per_chat = per_chat
        self.max_age = max_age
        self.batch = batch
        self.lease = lease
        self._chat_limits: dict[ChatKey, AsyncLimiter] = {}
        self._paused_until: datetime | None = None
        self.sent = 0

    @property
    def platform(self) -> str:
        return self.messenger.platform

    async def resume(self) -> int:
        """At start-up: skip (and log) unsent rows too old to be worth sending now."""
        expired = await self.store.expire_outbox(self.platform, self.clock.now() - self.max_age)
        for row in expired:
            log.warning(
                "outbox %d (%s for %s on %s) skipped: due %s, older than %s",
                row.id,
                row.kind.value,
                row.chat,
                row.local_date,
                row.due_at,
                self.max_age,
            )
        return len(expired)

    async def drain(self) -> int:
        """Send every due row once; returns how many were sent."""
        sent = 0
        now = self.clock.now()
        if self._paused_until is not None and now < self._paused_until:
            return 0
        await self.store.expire_outbox(self.platform, now - self.max_age)
        # Claimed rows are this process's for `lease`: other processes on the database
        # skip them, and take them over if this one dies before recording an outcome.
        rows = await self.store.claim_outbox(self.platform, now, self.batch, self.lease)
        # Rows still unsent when half the lease is gone are given back while they are
        # surely ours: past the lease another process may take them and post them too.
        keep_until = now + self.lease / 2
        for index, row in enumerate(rows):
            if self.clock.now() >= keep_until:
                await self._release(rows[index:])
                break
            outcome = await self._send(row)
            if outcome is None:  # rate limited for the whole platform: stop this round
                await self._release(rows[index + 1 :])
                break
            sent += outcome
        self.sent += sent
        return sent

    async def _send(self, row: OutboxRow) -> int | None:
        try:
            message = await self._build(row)
        except NotFoundError as exc:
            await self._finish(row, OutboxStatus.FAILED, str(exc))
            return 0
        await self._limit(row.chat)
        try:
            message_id = await self.messenger.deliver(message)
        except RateLimited as exc:
            wait = timedelta(seconds=exc.retry_after)
            self._paused_until = self.clock.now() + wait
            await self.store.update_outbox(
                row.id,
                status=OutboxStatus.PENDING,
                next_attempt_at=self.clock.now() + wait,
                error=str(exc),
            )
            log.warning("%s: rate limited, pausing %.1fs", self.platform, exc.retry_after)
            return None
        except ChatUnavailable as exc:
            await self._broken(row, str(exc))
            return 0
        except Exception as exc:  # any other failure is retried with backoff
            await self._retry(row, exc)
            return 0
        now = self.clock.now()
        await self.store.update_outbox(
            row.id,
            status=OutboxStatus.SENT,
            message_id=message_id,
            sent_at=now,
            attempts=row.attempts + 1,
            post_id=message.post_id,
        )
        if isinstance(message, DailyPostMessage):
            await self.store.set_post_message(message.post_id, message_id)
        return 1

    async def _release(self, rows: list[OutboxRow]) -> None:
        """Give back claimed rows this round did not reach, due when the pause ends."""
        when = self._paused_until or self.clock.now()
        for row in rows:
            await self.store.update_outbox(
                row.id, status=OutboxStatus.PENDING, next_attempt_at=when
            )

    async def _build(self, row: OutboxRow) -> Outgoing:
        if row.kind is OutboxKind.DAILY:
            daily = await self.services.daily.post_for(row.chat, row.local_date)
            return DailyPostMessage(row.chat, row.id, daily)
        if row.post_id is None:
            raise NotFoundError(f"reveal row {row.id} has no post")
        reveal = await self.services.reveals.reveal_channel(row.post_id)
        return RevealMessage(row.chat, row.id, reveal)

    async def _limit(self, chat: ChatKey) -> None:
        await self.rate.acquire()
        if self.per_chat is not None:
            limiter = self._chat_limits.get(chat)
            if limiter is None:
                limiter = self._chat_limits[chat] = AsyncLimiter(*self.per_chat)
            await limiter.acquire()

    async def _retry(self, row: OutboxRow, exc: Exception) -> None:
        attempts = row.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            log.error(
                "outbox %d for %s failed %d times, giving up: %s", row.id, row.chat, attempts, exc
            )
            await self._finish(row, OutboxStatus.FAILED, repr(exc), attempts)
            return
        wait = backoff(attempts)
        log.warning("outbox %d for %s failed (%s); retry in %s", row.id, row.chat, exc, wait)
        await self.store.update_outbox(
            row.id,
            status=OutboxStatus.PENDING,
            attempts=attempts,
            next_attempt_at=self.clock.now() + wait,
            error=repr(exc),
        )

    async def _broken(self, row: OutboxRow, reason: str) -> None:
        await self._finish(row, OutboxStatus.BROKEN, reason)
        newly = await self.store.mark_chat_broken(row.chat, reason, self.clock.now())
        log.warning("%s marked broken: %s", row.chat, reason)
        if newly:
            try:
                await self.messenger.notify_admins(row.chat, broken_notice(row.chat, reason))
            except Exception:  # telling admins is best effort; the chat stays broken
                log.warning("could not tell the admins of %s", row.chat, exc_info=True)

    async def _finish(
        self, row: OutboxRow, status: OutboxStatus, error: str, attempts: int | None = None
    ) -> None:
        await self.store.update_outbox(
            row.id, status=status, error=error, attempts=attempts or row.attempts + 1
        )

    async def run(self, stop: asyncio.Event, interval: float = 1.0) -> None:
        """Drain until `stop` is set; errors are logged and the loop goes on."""
        await self.resume()
        while not stop.is_set():
            try:
                await self.drain()
            except Exception:
                log.exception("%s outbox sender failed; retrying", self.platform)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)

