"""Telegram's per-group limit as Telegram counts it: at most 20 messages in any minute;
and its per-chat one, about a message a second.

A leaky bucket of 20 refilling at 20 a minute (PTB's `AIORateLimiter`) lets about 40
messages through in the first minute; Telegram answers the excess with 429. A sliding
window allows a burst of 20, then each message once the oldest of the last 20 is a minute
old. `limits.PacedLimiter` holds replies to a group to its window.
"""

from __future__ import annotations

import asyncio
import bisect
import collections
import time
from collections.abc import Callable
from types import TracebackType
from typing import Generic, Protocol, TypeGuard, TypeVar

GROUP_LIMIT = 20
#: A minute and a little: requests reach Telegram with varying delays, so a window
#: exactly as long as Telegram's may look a few milliseconds too short there.
GROUP_PERIOD = 60.25
#: About one message a second in one chat, with short bursts (a reply and the next
#: question, a long text's parts): a bucket of CHAT_BURST refilling CHAT_RATE a second,
#: a little under one for the same reason.
CHAT_BURST = 3
CHAT_RATE = 0.9
#: Idle windows are dropped once this many groups have one (memory stays flat).
KEEP_WINDOWS = 512


class SlidingWindow:
    """An async context manager letting at most `limit` entries in any `period` seconds.

    Each acquirer reserves its slot at once (the time the entry `limit` places back ages
    out), so they are served first come, first served, and one with a deadline knows
    without waiting whether its slot comes in time.
    """

    def __init__(self, limit: int = GROUP_LIMIT, period: float = GROUP_PERIOD) -> None:
        self.limit = limit
        self.period = period
        # Send times, ascending; reservations of queued acquirers lie in the future.
        self._times: list[float] = []

    def _prune(self, now: float) -> None:
        cut = bisect.bisect_right(self._times, now - self.period)
        if cut:
            del self._times[:cut]

    def idle(self) -> bool:
        """No entry within the last period: the window can be forgotten."""
        now = time.monotonic()
        return not self._times or now - self._times[-1] >= self.period

    def room(self) -> int:
        """Messages the window admits now without waiting (queued ones already counted)."""
        self._prune(time.monotonic())
        return max(0, self.limit - len(self._times))

    def note(self) -> None:
        """Count a message sent without waiting (an outbox post: the sender paces those)."""
        bisect.insort(self._times, time.monotonic())

    async def __aenter__(self) -> None:
        await self.acquire()

    async def acquire(self, deadline: float | None = None) -> bool:
        """Wait until the window has room, then count this message; with a `deadline`
        (time.monotonic()), give up at once (False) when the slot would come after it."""
        now = time.monotonic()
        self._prune(now)
        slot = now
        if len(self._times) >= self.limit:
            slot = max(now, self._times[-self.limit] + self.period)
        if deadline is not None and slot > deadline:
            return False
        bisect.insort(self._times, slot)
        if slot > now:
            await asyncio.sleep(slot - now)
        return True

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None


class ChatBucket:
    """A token bucket of `burst` sends refilling `rate` a second, kept as the time it is
    full again (GCRA): short bursts pass and the sustained rate is held. Like
    `SlidingWindow`, an acquirer reserves its slot at once (first come, first served)."""

    def __init__(self, burst: int = CHAT_BURST, rate: float = CHAT_RATE) -> None:
        self.burst = burst
        self.interval = 1.0 / rate
        self._full_at = 0.0  # time.monotonic() when every token is back

    def idle(self) -> bool:
        """Full again: the bucket can be forgotten."""
        return self._full_at <= time.monotonic()

    def _take(self, at: float) -> None:
        self._full_at = max(self._full_at, at) + self.interval

    def note(self) -> None:
        """Count a message sent without waiting (an outbox post: the sender paces those)."""
        self._take(time.monotonic())

    async def acquire(self, deadline: float | None = None) -> bool:
        """Wait for a token, then spend it; with a `deadline`, give up at once (False)
        when the token would come after it."""
        now = time.monotonic()
        slot = max(now, self._full_at - (self.burst - 1) * self.interval)
        if deadline is not None and slot > deadline:
            return False
        self._take(slot)
        if slot > now:
            await asyncio.sleep(slot - now)
        return True


class Limiter(Protocol):
    """What `Keyed` keeps per chat."""

    def idle(self) -> bool: ...

    def note(self) -> None: ...

    async def acquire(self, deadline: float | None = None) -> bool: ...


L = TypeVar("L", bound=Limiter)


class Keyed(Generic[L]):
    """One limiter per chat, made on first use; idle ones are forgotten once more than
    KEEP_WINDOWS exist (memory stays flat however many chats the bot sees)."""

    def __init__(self, make: Callable[[], L]) -> None:
        self._make = make
        # Least recently used first, so the idle ones are found at the front.
        self._limiters: collections.OrderedDict[int | str, L] = collections.OrderedDict()

    def window(self, chat_id: int | str) -> L:
        """The chat's limiter (made on first use)."""
        limiter = self._limiters.get(chat_id)
        if limiter is None:
            limiter = self._limiters[chat_id] = self._make()
        else:
            self._limiters.move_to_end(chat_id)
        if len(self._limiters) > KEEP_WINDOWS:
            # From the front, up to the first limiter in use: a fan-out to thousands of
            # chats must not scan them all on every send.
            while self._limiters:
                oldest, first = next(iter(self._limiters.items()))
                if oldest == chat_id or not first.idle():
                    break
                del self._limiters[oldest]
        return limiter


class GroupWindows(Keyed[SlidingWindow]):
    """One sliding window per group chat."""

    def __init__(self, limit: int | None = None, period: float | None = None) -> None:
        self.limit = GROUP_LIMIT if limit is None else limit
        self.period = GROUP_PERIOD if period is None else period
        super().__init__(lambda: SlidingWindow(self.limit, self.period))


class ChatBuckets(Keyed[ChatBucket]):
    """One token bucket per chat."""

    def __init__(self, burst: int | None = None, rate: float | None = None) -> None:
        burst = CHAT_BURST if burst is None else burst
        rate = CHAT_RATE if rate is None else rate
        super().__init__(lambda: ChatBucket(burst, rate))


def is_group(chat_id: object) -> TypeGuard[int | str]:
    """Groups and supergroups have negative ids (channels' @names count too)."""
    if isinstance(chat_id, int):
        return chat_id < 0
    return isinstance(chat_id, str) and chat_id.startswith(("-", "@"))
