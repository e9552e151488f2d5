"""Telegram's per-group limit as Telegram counts it: at most 20 messages in any minute.

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
from types import TracebackType
from typing import TypeGuard

GROUP_LIMIT = 20
GROUP_PERIOD = 60.0
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


class GroupWindows:
    """One sliding window per group chat; windows idle for a period are forgotten once
    more than KEEP_WINDOWS exist (memory stays flat however many groups the bot sees)."""

    def __init__(self, limit: int | None = None, period: float | None = None) -> None:
        self.limit = GROUP_LIMIT if limit is None else limit
        self.period = GROUP_PERIOD if period is None else period
        # Least recently used first, so the idle ones are found at the front.
        self._windows: collections.OrderedDict[int | str, SlidingWindow] = (
            collections.OrderedDict()
        )

    def window(self, group_id: int | str) -> SlidingWindow:
        """The group's window (made on first use)."""
        window = self._windows.get(group_id)
        if window is None:
            window = self._windows[group_id] = SlidingWindow(self.limit, self.period)
        else:
            self._windows.move_to_end(group_id)
        if len(self._windows) > KEEP_WINDOWS:
            # From the front, up to the first window in use: a fan-out to thousands of
            # groups must not scan them all on every send.
            while self._windows:
                oldest, first = next(iter(self._windows.items()))
                if oldest == group_id or not first.idle():
                    break
                del self._windows[oldest]
        return window


def is_group(chat_id: object) -> TypeGuard[int | str]:
    """Groups and supergroups have negative ids (channels' @names count too)."""
    if isinstance(chat_id, int):
        return chat_id < 0
    return isinstance(chat_id, str) and chat_id.startswith(("-", "@"))
