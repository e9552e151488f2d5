"""The per-group sliding window: a burst up to the limit, then one as the oldest ages out."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.adapters.telegram import pacing
from bot.adapters.telegram.pacing import GroupWindowLimiter, SlidingWindow


async def test_window_allows_a_burst_then_waits_for_the_oldest() -> None:
    window = SlidingWindow(limit=3, period=0.5)
    started = time.monotonic()
    entered: list[float] = []
    for _ in range(5):
        async with window:
            entered.append(time.monotonic() - started)
    assert all(t < 0.2 for t in entered[:3])
    assert entered[3] >= 0.45 and entered[4] >= 0.45
    # Never more than the limit within any period.
    assert all(sum(1 for u in entered if t <= u < t + 0.45) <= 3 for t in entered)


async def test_limiter_keeps_one_window_per_group_and_forgets_idle_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pacing, "KEEP_WINDOWS", 5)
    limiter = GroupWindowLimiter(group_limit=2, group_period=0.05)
    first = limiter._get_group_limiter(-1)
    assert limiter._get_group_limiter(-1) is first
    for group in range(-2, -12, -1):
        async with limiter._get_group_limiter(group):
            pass
    await asyncio.sleep(0.06)
    limiter._get_group_limiter(-999)
    assert set(limiter._windows) == {-999}
