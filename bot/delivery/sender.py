"""One sender per platform drains the outbox through a smooth pacer.

Order of work for a row: build the message (a daily post is created and stored first,
so its question never changes), send it (one request), record the platform message id.
A crash can only fall between the send and the record: Discord drops the resend by its
nonce (the row id); on Telegram that window is one request long.

Rows are sent by a few workers at once, each taking the pacer's next slot just before its
request, so the platform sees an even stream at the budget's rate whatever a round trip
takes; the next batch is claimed while the last rows of the current one wait for their
slots, so batches leave no idle gap (and the pacer, whose burst is 1, none to catch up).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import deque
from datetime import datetime, timedelta

from bot.domain.delivery import backoff
from bot.domain.models import ChatKey, OutboxKind, OutboxRow, OutboxStatus
from bot.errors import ChatUnavailable, Command, NotFoundError, Notice, RateLimited
from bot.pacing import KeyedPacer, Pacer
from bot.ports import Clock, DailyPostMessage, Messenger, Outgoing, RevealMessage, Store
from bot.services import Services

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
#: Rows in flight at once: enough to keep the pacer busy across round trips.
CONCURRENCY = 8
#: Rows claimed at once: a claim holds the database thread (and, turning rows into
#: objects, the interpreter) while answers wait; 50 is still under 2 s of sends.
BATCH = 50
#: Up to this fraction is added to a retry's backoff, so failed rows spread out.
JITTER = 0.25
#: Sends and 429s are counted over this window for `prepbot status`.
WINDOW_SECONDS = 60.0


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
        rate: Pacer,
        per_chat: KeyedPacer | None = None,
        max_age: timedelta = timedelta(minutes=120),
        batch: int = BATCH,
        lease: timedelta = timedelta(minutes=5),
        concurrency: int = CONCURRENCY,
        in_flight: int = 1,
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
        self.concurrency = concurrency
        self._paused_until: datetime | None = None
        self._chat_paused: dict[ChatKey, datetime] = {}
        self._in_flight = asyncio.Semaphore(max(1, in_flight))
        self._stop: asyncio.Event | None = None
        self.sent = 0
        self.rate_limited = 0
        self.retried = 0
        self.broken = 0
        self._sent_times: deque[float] = deque()
        self._limited_times: deque[float] = deque()

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

    def _stopping(self) -> bool:
        return self._stop is not None and self._stop.is_set()

    def _paused(self) -> bool:
        return self._paused_until is not None and self.clock.now() < self._paused_until

    async def drain(self) -> int:
        """Send every due row once; returns how many were sent.

        Stops early on a 429 (the pause) or when `run` is told to stop; the rows it claimed
        and did not send are given back, due at once (or when the pause ends).
        """
        if self._paused() or self._stopping():
            return 0
        await self.store.expire_outbox(self.platform, self.clock.now() - self.max_age)
        queue: asyncio.Queue[tuple[OutboxRow, datetime] | None] = asyncio.Queue(maxsize=1)
        counts: list[int] = []
        workers = [
            asyncio.create_task(self._worker(queue, counts), name=f"{self.platform}-outbox-{n}")
            for n in range(self.concurrency)
        ]
        feeder = asyncio.create_task(self._feed(queue), name=f"{self.platform}-outbox-feed")
        tasks = [feeder, *workers]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            for task in done:
                if not task.cancelled() and task.exception() is not None:
                    raise task.exception()  # type: ignore[misc]
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        sent = sum(counts)
        self.sent += sent
        return sent

    async def _feed(self, queue: asyncio.Queue[tuple[OutboxRow, datetime] | None]) -> None:
        """Claim batches and hand their rows to the workers one at a time; the next batch
        is claimed while the workers still hold the last rows of this one."""
        try:
            while not (self._paused() or self._stopping()):
                now = self.clock.now()
                # Claimed rows are this process's for `lease`: other processes on the
                # database skip them, and take them over if this one dies first.
                rows = await self.store.claim_outbox(self.platform, now, self.batch, self.lease)
                # Rows still unsent when half the lease is gone are given back while they
                # are surely ours: past the lease another process may post them too.
                keep_until = now + self.lease / 2
                for index, row in enumerate(rows):
                    if self._paused() or self._stopping():
                        await self._release(rows[index:])
                        return
                    await queue.put((row, keep_until))
                if len(rows) < self.batch:
                    return
        finally:
            for _ in range(self.concurrency):
                await queue.put(None)

    async def _worker(
        self, queue: asyncio.Queue[tuple[OutboxRow, datetime] | None], counts: list[int]
    ) -> None:
        while (item := await queue.get()) is not None:
            row, keep_until = item
            counts.append(await self._send(row, keep_until))

    async def _send(self, row: OutboxRow, keep_until: datetime) -> int:
        try:
            message = await self._build(row)
        except NotFoundError as exc:
            await self._finish(row, OutboxStatus.FAILED, str(exc))
            return 0
        chat_pause = self._chat_pause(row.chat)
        if chat_pause is not None:
            await self._release([row], chat_pause)
            return 0
        if self.per_chat is not None:
            # The chat's slot first, outside the lock: a row waiting for its chat holds
            # neither the send nor an overall slot.
            await self.per_chat.acquire(row.chat)
        # At most `in_flight` sends between their request and their record (one, unless the
        # platform drops resends): a crash (kill -9) then leaves at most that many posts
        # sent but not marked, which a restart sends again. Rows are built concurrently,
        # so the pacer's slots are not missed.
        failure: Exception | None = None
        async with self._in_flight:
            await self.rate.acquire()
            # Checked after the wait for a slot: a pause, a stop or the lease's half may have
            # come meanwhile.
            if self._paused() or self._stopping() or self.clock.now() >= keep_until:
                await self._release([row])
                return 0
            try:
                message_id = await self.messenger.deliver(message)
            except RateLimited as exc:
                self._rate_limited(row.chat, exc)
                await self.store.update_outbox(
                    row.id,
                    status=OutboxStatus.PENDING,
                    next_attempt_at=self.clock.now() + timedelta(seconds=exc.retry_after),
                    error=str(exc),
                )
                return 0
            except Exception as exc:  # nothing was posted: handled outside the lock
                failure = exc
            else:
                await self.store.update_outbox(
                    row.id,
                    status=OutboxStatus.SENT,
                    message_id=message_id,
                    sent_at=self.clock.now(),
                    attempts=row.attempts + 1,
                    post_id=message.post_id,
                )
        if isinstance(failure, ChatUnavailable):
            await self._broken(row, str(failure))
            return 0
        if failure is not None:  # any other failure is retried with backoff
            await self._retry(row, failure)
            return 0
        if isinstance(message, DailyPostMessage):
            await self.store.set_post_message(message.post_id, message_id)
        self._count(self._sent_times)
        return 1

    def _rate_limited(self, chat: ChatKey, exc: RateLimited) -> None:
        """A 429: pause one chat when the platform says the limit was that chat's, else
        every send of this platform, for `retry_after`; counted either way. Pauses are
        kept on the sender's clock (the pacer keeps real time for the even stream)."""
        self.rate_limited += 1
        self._count(self._limited_times)
        until = self.clock.now() + timedelta(seconds=exc.retry_after)
        if exc.chat_only:
            self._chat_paused[chat] = until
            log.warning(
                "%s: %s rate limited, pausing it %.1fs", self.platform, chat, exc.retry_after
            )
            return
        self._paused_until = max(until, self._paused_until or until)
        log.warning("%s: rate limited, pausing %.1fs", self.platform, exc.retry_after)

    def _chat_pause(self, chat: ChatKey) -> datetime | None:
        """When `chat`'s 429 pause ends, if it has not yet; ended pauses are forgotten."""
        until = self._chat_paused.get(chat)
        if until is not None and until <= self.clock.now():
            del self._chat_paused[chat]
            return None
        return until

    def _count(self, times: deque[float]) -> None:
        now = time.monotonic()
        times.append(now)
        while times and times[0] < now - WINDOW_SECONDS:
            times.popleft()

    def last_minute(self) -> tuple[int, int]:
        """(sends, 429s) in the last minute."""
        horizon = time.monotonic() - WINDOW_SECONDS
        return (
            sum(1 for t in self._sent_times if t >= horizon),
            sum(1 for t in self._limited_times if t >= horizon),
        )

    async def _release(self, rows: list[OutboxRow], when: datetime | None = None) -> None:
        """Give back claimed rows this round did not reach, due when the pause ends."""
        when = when or (self._paused_until if self._paused() else None) or self.clock.now()
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

    async def _retry(self, row: OutboxRow, exc: Exception) -> None:
        attempts = row.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            log.error(
                "outbox %d for %s failed %d times, giving up: %s", row.id, row.chat, attempts, exc
            )
            await self._finish(row, OutboxStatus.FAILED, repr(exc), attempts)
            return
        self.retried += 1
        # Jitter: rows that failed together (an outage) do not come back together.
        wait = backoff(attempts) * (1 + random.uniform(0, JITTER))
        log.warning("outbox %d for %s failed (%s); retry in %s", row.id, row.chat, exc, wait)
        await self.store.update_outbox(
            row.id,
            status=OutboxStatus.PENDING,
            attempts=attempts,
            next_attempt_at=self.clock.now() + wait,
            error=repr(exc),
        )

    async def _broken(self, row: OutboxRow, reason: str) -> None:
        self.broken += 1
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
        """Drain until `stop` is set; errors are logged and the loop goes on. Once `stop`
        is set no new row is sent: the sends in flight finish, the rest is given back."""
        self._stop = stop
        await self.resume()
        while not stop.is_set():
            try:
                await self.drain()
            except Exception:
                log.exception("%s outbox sender failed; retrying", self.platform)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)

