"""Telegram's per-group limit as Telegram counts it: at most 20 messages in any minute.

A leaky bucket of 20 refilling at 20 a minute (PTB's `AIORateLimiter`) lets about 40
messages through in the first minute; Telegram answers the excess with 429. A sliding
window allows a burst of 20, then each message once the oldest of the last 20 is a minute
old. `limits.PacedLimiter` holds replies to a group to its window.
"""

from __future__ import annotations

import asyncio
import collections
import time
from types import TracebackType
from typing import TypeGuard

GROUP_LIMIT = 20
GROUP_PERIOD = 60.0
#: Idle windows are dropped once this many groups have one (memory stays flat).
KEEP_WINDOWS = 512


class SlidingWindow:
    """An async context manager letting at most `limit` entries in any `period` seconds."""

    def __init__(self, limit: int = GROUP_LIMIT, period: float = GROUP_PERIOD) -> None:
        self.limit = limit
        self.period = period
        self._times: collections.deque[float] = collections.deque()
        self._lock = asyncio.Lock()

    def idle(self) -> bool:
        """No entry within the last period: the window can be forgotten."""
        now = time.monotonic()
        return not self._times or now - self._times[-1] >= self.period

    def note(self) -> None:
        """Count a message sent without waiting (an outbox post: the sender paces those)."""
        self._times.append(time.monotonic())

    async def __aenter__(self) -> None:
        await self.acquire()

    async def acquire(self) -> None:
        """Wait until the window has room, then count this message."""
        async with self._lock:  # first come, first served within the group
            while True:
                now = time.monotonic()
                while self._times and now - self._times[0] >= self.period:
                    self._times.popleft()
                if len(self._times) < self.limit:
                    self._times.append(now)
                    return
                await asyncio.sleep(self.period - (now - self._times[0]))

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
        self._windows: dict[int | str, SlidingWindow] = {}

    def window(self, group_id: int | str) -> SlidingWindow:
        """The group's window (made on first use)."""
        if len(self._windows) > KEEP_WINDOWS:
            for key, window in list(self._windows.items()):
                if key != group_id and window.idle():
                    del self._windows[key]
        if group_id not in self._windows:
            self._windows[group_id] = SlidingWindow(self.limit, self.period)
        return self._windows[group_id]


def is_group(chat_id: object) -> TypeGuard[int | str]:
    """Groups and supergroups have negative ids (channels' @names count too)."""
    if isinstance(chat_id, int):
        return chat_id < 0
    return isinstance(chat_id, str) and chat_id.startswith(("-", "@"))
