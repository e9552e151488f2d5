"""The per-group sliding window: a burst up to the limit, then one as the oldest ages out."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.adapters.telegram import pacing
from bot.adapters.telegram.limits import PacedLimiter, useful_until
from bot.adapters.telegram.pacing import GroupWindows, SlidingWindow, is_group
from bot.pacing import Pacer


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


async def test_one_window_per_group_and_idle_ones_are_forgotten(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pacing, "KEEP_WINDOWS", 5)
    windows = GroupWindows(limit=2, period=0.05)
    first = windows.window(-1)
    assert windows.window(-1) is first
    for group in range(-2, -12, -1):
        async with windows.window(group):
            pass
    await asyncio.sleep(0.06)
    windows.window(-999)
    assert set(windows._windows) == {-999}


def test_groups_are_told_from_private_chats() -> None:
    assert is_group(-100123) and is_group("-42") and is_group("@channel")
    assert not is_group(42) and not is_group("42") and not is_group(None)


async def test_posts_the_sender_paced_count_without_waiting() -> None:
    window = SlidingWindow(limit=2, period=0.5)
    window.note()
    window.note()
    started = time.monotonic()
    waiting = asyncio.create_task(window.acquire())
    await asyncio.sleep(0.05)
    assert not waiting.done()  # the two posts used the minute's budget
    await waiting
    assert time.monotonic() - started >= 0.4


async def test_a_reply_with_a_deadline_is_refused_at_once_when_no_slot_comes_in_time() -> None:
    window = SlidingWindow(limit=2, period=0.5)
    assert window.room() == 2
    assert await window.acquire()
    assert await window.acquire()
    queued = asyncio.create_task(window.acquire())
    await asyncio.sleep(0)
    assert window.room() == 0  # the queued reply already holds its slot
    assert not await window.acquire(deadline=time.monotonic() + 0.2)  # slot at 0.5 s
    assert not queued.done()  # refused at once, not after waiting for the slot
    assert await queued
    assert await window.acquire(deadline=time.monotonic() + 1.0)  # its slot comes in time


async def test_the_limiter_drops_a_group_reply_past_its_deadline() -> None:
    limiter = PacedLimiter(Pacer(1000.0, 1), GroupWindows(limit=1, period=0.5))
    sent: list[int] = []

    async def send(chat: int) -> bool:
        sent.append(chat)
        return True

    async def call(chat: int) -> object:
        data = {"chat_id": chat}
        return await limiter.process_request(send, (chat,), {}, "sendMessage", data, None)

    await call(-5)
    with useful_until(0.1):
        await call(-5)  # the group's window is full for 0.5 s: dropped, not raised
        raise AssertionError("unreachable: the dropped reply ends the block")
    with useful_until(0.1):
        await call(7)  # a private chat has no group window: sent
    assert sent == [-5, 7]
    assert limiter.dropped == 1
