"""Telegram's per-group limit as Telegram counts it: at most 20 messages in any minute.

PTB's `AIORateLimiter` paces each group with a leaky bucket of 20 that refills at 20 a
minute, which lets about 40 messages through in the first minute; Telegram answers the
excess with 429, and PTB then pauses every request of the bot, button acknowledgements
included. `GroupWindowLimiter` keeps PTB's overall limiter and retries and swaps the group
bucket for a sliding window: a burst of 20, then each message once the oldest of the last
20 is a minute old.
"""

from __future__ import annotations

import asyncio
import collections
import time
from types import TracebackType
from typing import Any

from telegram.ext import AIORateLimiter

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

    async def __aenter__(self) -> None:
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


class GroupWindowLimiter(AIORateLimiter):
    """PTB's limiter with a sliding window per group instead of its leaky bucket."""

    def __init__(
        self, *, group_limit: int = GROUP_LIMIT, group_period: float = GROUP_PERIOD, **kwargs: Any
    ) -> None:
        super().__init__(group_max_rate=group_limit, group_time_period=group_period, **kwargs)
        self._windows: dict[str | int | bool, SlidingWindow] = {}
        self._window_shape = (group_limit, group_period)

    def _get_group_limiter(self, group_id: str | int | bool) -> Any:
        if len(self._windows) > KEEP_WINDOWS:
            for key, window in list(self._windows.items()):
                if key != group_id and window.idle():
                    del self._windows[key]
        if group_id not in self._windows:
            self._windows[group_id] = SlidingWindow(*self._window_shape)
        return self._windows[group_id]
