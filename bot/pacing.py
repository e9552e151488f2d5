"""Smooth pacing for the outbox: one send every 1/rate seconds, never a burst.

A token bucket whose burst is 1: a pause between batches earns no credit, so the first
second after a pause carries no more sends than any other. (A 429's pause is the sender's,
kept on its clock.) A pacer may keep `spare` sends a second for urgent callers (a reply a
user waits for), so those need not wait for the queue's next slot.
"""

from __future__ import annotations

import asyncio
import collections
import math
import time
from collections.abc import Callable, Hashable

#: A chat whose last send is this many intervals old has no pacing state left to keep.
IDLE_INTERVALS = 2.0


class Pacer:
    """At most one acquisition per `interval` seconds; waiters are served in order.

    With `spare` > 0, urgent callers may also take up to `spare` acquisitions per `per`
    seconds at once, on top of the rate, and every acquisition keeps within `cap` (the
    rate's whole sends per `per`, plus `spare`) in any `per` seconds.
    """

    def __init__(
        self,
        rate: float,
        per: float = 1.0,
        *,
        spare: int = 0,
        now: Callable[[], float] | None = None,
    ):
        if rate <= 0 or per <= 0 or spare < 0:
            raise ValueError("a pacer needs a positive rate")
        self.interval = self.whole_interval = per / rate
        self.per = per
        self.spare = self.whole_spare = spare
        self.cap = math.floor(rate) + spare if spare else None
        self._now = now or time.monotonic
        self._next = 0.0
        self._lock = asyncio.Lock()
        # Acquisitions (all, and the spare ones) within the last `per` seconds; kept only
        # with a cap.
        self._recent: collections.deque[float] = collections.deque()
        self._spent: collections.deque[float] = collections.deque()

    def share(self, parts: int) -> None:
        """Pace at 1/`parts` of the rate: processes sending for one bot split its budget
        (the spare sends stay with a process alone: several would add up past the limit)."""
        parts = max(1, parts)
        self.interval = self.whole_interval * parts
        self.spare = self.whole_spare if parts == 1 else 0
        self.cap = math.floor(self.per / self.interval) + self.spare if self.spare else None

    async def acquire(self, *, urgent: bool = False) -> None:
        """Wait for the next slot and take it. An `urgent` caller (a reply a user waits
        for) takes a spare send when one is left and comes sooner than the queue's next
        slot, else that slot, ahead of the queued callers."""
        if urgent:
            now = self._now()
            room_in = self._full_for(now)
            if self._spare_left() and room_in < self._next - now:
                self._spent.append(now)
                if room_in > 0:  # the last second is full for a moment yet
                    await self._wait(now)
            else:
                await self._wait(self._take(now))
            self._record(self._now())
            return
        async with self._lock:  # FIFO: asyncio.Lock wakes waiters in arrival order
            # Looped: an urgent caller may take the slot this waiter slept for.
            while (wait := max(self._next - self._now(), self._full_for(self._now()))) > 0:
                await asyncio.sleep(wait)
            now = self._now()
            self._take(now)
            self._record(now)

    async def _wait(self, slot: float) -> None:
        """Sleep until `slot` and until the last `per` seconds have room."""
        while (wait := max(slot - self._now(), self._full_for(self._now()))) > 0:
            await asyncio.sleep(wait)

    def _take(self, now: float) -> float:
        """Reserve the next slot at or after `now`; returns when it is."""
        late = now - self._next
        if late <= 0:
            slot = self._next
        elif late < self.interval:
            # A slot taken a little late keeps the schedule (sleep overshoots would
            # otherwise lower the rate).
            slot = self._next
        else:
            slot = now  # idle for a whole interval or more: no credit, start afresh
        self._next = slot + self.interval
        return max(slot, now)

    def _prune(self, now: float) -> None:
        for times in (self._recent, self._spent):
            while times and now - times[0] >= self.per:
                times.popleft()

    def _full_for(self, now: float) -> float:
        """Seconds until the last `per` seconds hold fewer than `cap` acquisitions."""
        if self.cap is None:
            return 0.0
        self._prune(now)
        if len(self._recent) < self.cap:
            return 0.0
        return self._recent[-self.cap] + self.per - now

    def _spare_left(self) -> bool:
        """A spare send is left this `per` (`_full_for` pruned the spent ones)."""
        return self.cap is not None and len(self._spent) < self.spare

    def _record(self, now: float) -> None:
        if self.cap is not None:
            self._recent.append(now)


class KeyedPacer:
    """A minimum interval between sends to the same key (one chat), with idle entries
    evicted so the table holds only chats sent to recently, not every chat ever."""

    def __init__(self, rate: float, per: float, *, now: Callable[[], float] | None = None):
        if rate <= 0 or per <= 0:
            raise ValueError("a pacer needs a positive rate")
        self.interval = per / rate
        self._now = now or time.monotonic
        self._next: dict[Hashable, float] = {}
        self._swept = 0.0

    def __len__(self) -> int:
        return len(self._next)

    def delay(self, key: Hashable) -> float:
        """Seconds until `key` may be sent to again."""
        return max(0.0, self._next.get(key, 0.0) - self._now())

    async def acquire(self, key: Hashable) -> None:
        """Wait for `key`'s next slot and take it."""
        self._sweep()
        wait = self.delay(key)
        if wait > 0:
            await asyncio.sleep(wait)
        self._next[key] = max(self._next.get(key, 0.0), self._now()) + self.interval

    def _sweep(self) -> None:
        """Drop entries whose slot is long past, at most once per interval of time."""
        now = self._now()
        if now - self._swept < self.interval:
            return
        self._swept = now
        horizon = now - self.interval * IDLE_INTERVALS
        stale = [key for key, due in self._next.items() if due < horizon]
        for key in stale:
            del self._next[key]
